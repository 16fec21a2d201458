"""The what-if dashboard: a solara page over the model (``sim dashboard``).

``controls`` (controls -> validated config, saved settings) and ``session`` (the runs: the
Mesa model the page builds, the baseline, the ensemble band) import no web libraries; the
charts and milestone table (:mod:`sim.figures.dashboard`) need plotly and ``app`` (the page)
solara, both in the ``dashboard`` extra.
"""
