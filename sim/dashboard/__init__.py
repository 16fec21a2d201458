"""The what-if dashboard: Mesa's SolaraViz page over the model (``sim dashboard``).

``controls`` (controls -> validated config), ``session`` (the model the page steps),
``figures`` (charts and milestone table) import no web libraries; only ``app`` needs the
``dashboard`` extra.
"""
