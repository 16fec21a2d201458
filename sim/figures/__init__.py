"""Every figure and report the package draws from a run's record: the PNGs of a run folder
(``sim run``), the HTML report and the compare of several runs with their figures
(``sim report``, ``sim compare``), and the dashboard's charts.

One module per job:

- :mod:`sim.figures.style`: the look every matplotlib figure shares (style, lines with an
  ensemble's band, the source note, saving);
- :mod:`sim.figures.common`: what the report's and the run's figures share beyond the look
  (a figure's spec, the source note naming the runs, lines of runs compared, milestone years,
  the share-of-work lines);
- :mod:`sim.figures.run`: the figures of a run folder, drawn in parallel
  (:func:`make_figures`);
- :mod:`sim.figures.labour`: labour figures and the tables behind them;
- :mod:`sim.figures.economy`: output and growth, factor shares, the Acemoglu-Restrepo
  decomposition;
- :mod:`sim.figures.dashboard`: the dashboard's plotly charts and milestone table;
- :mod:`sim.figures.report`, :mod:`sim.figures.report_tables`: the HTML report and compare;
  :mod:`sim.figures.comparison`: what a compare says first (key findings).

The model (:mod:`sim.model`) never imports this package. The entry points below are imported
on first use, so that importing one module (the dashboard's charts, without matplotlib) does
not import the others.
"""

#: Public entry point -> the module that defines it.
_ENTRY_POINTS = {
    "make_figures": "sim.figures.run",
    "draw_ahead": "sim.figures.run",
    "save_figure": "sim.figures.style",
    "render_labour": "sim.figures.labour",
    "render_economy": "sim.figures.economy",
}
#: Names whose function has another name in its module.
_RENAMED = {"render_labour": "render_all", "render_economy": "render_all"}

__all__ = list(_ENTRY_POINTS)


def __getattr__(name):
    if name in _ENTRY_POINTS:
        import importlib

        module = importlib.import_module(_ENTRY_POINTS[name])
        return getattr(module, _RENAMED.get(name, name))
    raise AttributeError(f"module 'sim.figures' has no attribute {name!r}")
