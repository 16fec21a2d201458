"""The dashboard page (``sim dashboard`` serves it with ``solara run sim.dashboard.app``).

The sidebar holds the controls: the scenario, six sliders (each showing its number and unit,
and the value the run on screen used), the training-compute cap and free ``key=value``
settings, the baseline and ensemble toggles, and "Save these settings". Any change reruns
the model to the end in a background thread (:class:`~sim.dashboard.session.DashboardModel`,
a Mesa model) and redraws. The main area shows what the run used, the milestone table, four
interactive charts (values on hover, PNG from the tool bar, CSV below each) and an
occupation explorer. Every element the browser test reads carries a ``sim-*`` CSS class.
"""

from __future__ import annotations

import functools
import html
import math
import time
from dataclasses import dataclass
from pathlib import Path

import ipyvue
import numpy as np
import plotly
import solara
import solara.lab
import traitlets
from plotly.graph_objs import FigureWidget
from solara.server import settings as solara_settings

from sim.dashboard import controls
from sim.dashboard.session import (
    ENSEMBLE_MEMBERS,
    DashboardModel,
    RunView,
    baseline_view,
    config_path_from_env,
    ensemble_band,
)
from sim.figures import dashboard as figures

TITLE = "AI economy: what-if dashboard"
SMALL = {"font-size": "12px", "color": "#555"}
#: How many matches of the occupation search the picker lists.
MAX_MATCHES = 200


@dataclass
class Outcome:
    """One finished run of the page's controls."""

    values: dict  #: the controls it was built from
    model: DashboardModel
    view: RunView | None
    seconds: float  #: build + run


def run_controls(values: dict, config_path: str | None, should_stop=None) -> Outcome | None:
    """Build the model from ``values`` and run it to the end (None if stopped early)."""
    t0 = time.perf_counter()
    model = DashboardModel(**values, config_path=config_path)
    model.run_to_end(should_stop)
    if model.running:  # stopped early: newer controls are on their way
        return None
    return Outcome(dict(values), model, model.view(), time.perf_counter() - t0)


def ensemble_text(band) -> str:
    """What the ensemble is, for the sidebar."""
    source = Path(band.source).name if band.source else "the default ranges"
    return (f"Ensemble: {band.n} runs in {band.seconds:.1f} s. Each draws "
            f"{len(band.drawn)} uncertain parameters from the ranges in {source}; the "
            "sliders, the cap, the scenario's own settings and More settings keep this run's "
            "values. Seeded with the config's seed.")


def _month(iso_date: str) -> str:
    """"2050-12-01" -> "Dec 2050"."""
    year, month = iso_date[:4], int(iso_date[5:7])
    return f"{'JanFebMarAprMayJunJulAugSepOctNovDec'[3 * month - 3:3 * month]} {year}"


def _key(values: dict) -> tuple:
    return tuple(sorted((k, repr(v)) for k, v in values.items()))


# ----------------------------------------------------------------------------- charts


#: Plotly's widget code (plotly.js inside), shipped in plotly's Python package. Served by this
#: server as /static/assets/widgetbundle.js so the browser loads it once per page and caches
#: it; otherwise every chart would carry its own 5 MB copy and evaluate it again.
PLOTLY_BUNDLE_DIR = Path(plotly.__file__).parent / "package_data"
PLOTLY_BUNDLE = "widgetbundle.js"
if str(PLOTLY_BUNDLE_DIR) not in solara_settings.assets.extra_locations:
    solara_settings.assets.extra_locations.append(str(PLOTLY_BUNDLE_DIR))


def bundle_url(headers: dict | None) -> str | None:
    """Where this page's browser finds plotly's widget code on this server (None: unknown,
    then every chart carries its own copy). Built from the page request's Host header: the
    widget code must be given as an absolute http(s) URL.
    """
    host = ((headers or {}).get("host") or [None])[0]
    if not host:
        return None
    scheme = ((headers or {}).get("x-forwarded-proto") or ["http"])[0]
    root = solara_settings.main.root_path or ""
    return f"{scheme}://{host}{root}/static/assets/{PLOTLY_BUNDLE}"


class _FigureWidget(FigureWidget):
    """Plotly's figure widget with the page's tool-bar settings (read when it is drawn)."""

    def __init__(self, plot_config: dict | None = None, **kwargs):
        super().__init__(**kwargs)
        self.plot_config = plot_config or figures.PLOT_CONFIG

    @property
    def plot_config(self) -> dict:
        """Plotly's ``config`` (tool bar, PNG file name)."""
        return self._config

    @plot_config.setter
    def plot_config(self, value: dict):
        self._config = dict(value)


#: Plotly sizes a chart to its box when drawn, but the widget draws before the box is laid
#: out (and falls back to 700 px). Charts are drawn "responsive" (they refit on a window
#: resize), so this element sends one resize after charts are drawn.
FIT_CHARTS = """
<template><span style="display: none"></span></template>
<script>
module.exports = {
  mounted() {
    let timer = null;
    this.fit = () => {
      clearTimeout(timer);
      timer = setTimeout(() => window.dispatchEvent(new Event('resize')), 150);
    };
    document.addEventListener('plotlywidget-after-render', this.fit);
  },
  destroyed() {
    document.removeEventListener('plotlywidget-after-render', this.fit);
  },
};
</script>
"""


class FitCharts(ipyvue.VueTemplate):
    """Refits the page's charts to their boxes once they are drawn (see :data:`FIT_CHARTS`)."""

    template = traitlets.Unicode(FIT_CHARTS).tag(sync=True)


@functools.lru_cache(maxsize=16)
def widget_class(esm_url: str | None) -> type[_FigureWidget]:
    """The figure widget loading plotly's code from ``esm_url`` (None: its own copy)."""
    if esm_url is None:
        return _FigureWidget
    return type("FigureWidget", (_FigureWidget,), {"_esm": esm_url})


@solara.component
def Plot(fig, dependencies, filename: str = "chart"):
    """A plotly figure, redrawn when ``dependencies`` change (as ``solara.FigurePlotly``)."""
    config = {**figures.PLOT_CONFIG,
              "toImageButtonOptions": {**figures.PLOT_CONFIG["toImageButtonOptions"],
                                       "filename": filename}}
    cls = widget_class(bundle_url(solara.lab.headers.value))
    element = cls.element(plot_config=config)

    def update():
        widget: FigureWidget = solara.get_widget(element)
        with widget.batch_update():
            widget.layout = fig.layout
            n = len(widget.data)
            widget.add_traces(fig.data)
            widget.data = widget.data[n:]

    solara.use_effect(update, dependencies)
    return element


def _csv_button():
    return solara.Button("Data (CSV)", icon_name="mdi-download", text=True, classes=["sim-csv"],
                         style={"font-size": "12px"})


@solara.component
def Chart(name: str, view: RunView, base: RunView | None, band, key):
    """One of :data:`figures.CHARTS`, with its CSV download."""
    fig = solara.use_memo(lambda: figures.CHARTS[name](view, base, band), [key])
    with solara.Column(classes=["sim-chart", f"sim-chart-{name}"], gap="0px",
                       style={"min-width": "0"}):
        Plot(fig, [key], filename=name)
        with solara.Row(justify="end", style={"padding": "0 8px"}):
            solara.FileDownload(lambda: figures.chart_csv(fig), filename=f"{name}.csv",
                                mime_type="text/csv", children=[_csv_button()])


# ----------------------------------------------------------------------------- sidebar


@solara.component
def SliderControl(slider: controls.Slider, values: solara.Reactive[dict], start: dict,
                  used: float | None, pending: bool):
    """A slider with its name, its number and unit, and the value the run on screen used."""
    value = float(values.value[slider.name])
    lo, hi = slider.bounds(value)

    def on_value(v):
        snapped = controls.snap(slider, v, start[slider.name])
        values.set({**values.value, slider.name: snapped})

    with solara.Column(classes=["sim-control", f"sim-control-{slider.name}"], gap="0px",
                       style={"margin-bottom": "10px"}):
        with solara.Row(justify="space-between", gap="8px"):
            solara.Text(slider.short, style={"font-weight": "500", "font-size": "14px"})
            solara.Text(slider.format(value), classes=["sim-control-value"],
                        style={"font-size": "14px", "white-space": "nowrap"})
        solara.SliderFloat("", value=value, min=lo, max=hi, step=slider.step,
                           on_value=on_value, thumb_label=False)
        if used is not None:
            same = math.isclose(used, value, rel_tol=1e-9, abs_tol=1e-12)
            note = "" if same or pending else " (More settings override the slider)"
            solara.Text(f"This run: {slider.format(used)}{note}",
                        classes=["sim-control-used"],
                        style={**SMALL, "color": "#555" if same or pending else "#b45309"})


@solara.component
def Controls(values: solara.Reactive[dict], outcome: Outcome | None, pending: bool,
             config_path: str | None, show_baseline, show_ensemble, ensemble_note: str,
             ensemble_drawn: tuple[str, ...] = ()):
    """The sidebar: scenario, sliders, cap, free settings, toggles, save."""
    scenario = values.value.get("scenario") or controls.BASE_SCENARIO
    start = solara.use_memo(lambda: controls.start_values(config_path, scenario), [scenario])
    config = outcome.model.config if outcome is not None else None

    def pick_scenario(name):
        values.set({**controls.start_values(config_path, name),
                    "extra": values.value.get("extra", "")})

    def reset():
        values.set(controls.start_values(config_path, scenario))

    with solara.Card("Scenario", style={"margin-bottom": "8px"}):
        solara.Select("Scenario (an overlay on the starting config)", value=scenario,
                      values=controls.scenario_choices(), on_value=pick_scenario,
                      classes=["sim-scenario"])
        solara.Text(controls.scenario_description(scenario), style=SMALL,
                    classes=["sim-scenario-about"])
    with solara.Card("Parameters", style={"margin-bottom": "8px"}):
        solara.Text("The sliders start at the scenario's values; the page reruns the model "
                    "after every change.", style={**SMALL, "margin-bottom": "8px"})
        for s in controls.SLIDERS:
            used = s.default(config) if config is not None else None
            SliderControl(s, values, start, used, pending)
        cap = values.value.get("training_cap") or start["training_cap"]
        caps = list(dict.fromkeys([cap, start["training_cap"], *controls.TRAINING_CAPS]))
        solara.Select("Training-compute cap (physical FLOP per run)", value=cap, values=caps,
                      on_value=lambda v: values.set({**values.value, "training_cap": v}),
                      classes=["sim-training-cap"])
        if config is not None:
            used_cap = controls.cap_text(config.training.max_training_flop)
            solara.Text(f"This run: {used_cap}", style=SMALL, classes=["sim-control-used"])
        solara.InputText("More settings: key=value; ...", value=values.value.get("extra", ""),
                         on_value=lambda v: values.set({**values.value, "extra": v}),
                         classes=["sim-extra"])
        solara.Text("Any config key, as sim run --set takes it; press Enter to apply. "
                    "E.g. market.open_weights_lag_years=1", style=SMALL)
        with solara.Row(style={"margin-top": "8px"}):
            solara.Button("Reset to the scenario's values", on_click=reset, outlined=True,
                          classes=["sim-reset"])
    with solara.Card("Compare", style={"margin-bottom": "8px"}):
        with solara.Column(classes=["sim-compare"], gap="0px"):
            solara.Checkbox(label="Baseline: the starting config, no scenario (grey, dashed)",
                            value=show_baseline)
        with solara.Column(classes=["sim-ensemble"], gap="0px"):
            solara.Checkbox(label=f"Ensemble band: {ENSEMBLE_MEMBERS} runs drawn around these "
                                  "settings (median, 10-90%)", value=show_ensemble)
        if ensemble_note:
            solara.Text(ensemble_note, style=SMALL, classes=["sim-ensemble-status"])
        if ensemble_drawn:
            with solara.Details(f"The {len(ensemble_drawn)} parameters drawn"):
                solara.Text(", ".join(ensemble_drawn), style=SMALL)
    with solara.Card("Save these settings", classes=["sim-save-card"]):
        if config is not None and outcome is not None:
            text = controls.settings_yaml(config, outcome.values, config_path)
            solara.FileDownload(text, filename=controls.settings_filename(outcome.values),
                                label="Save these settings (YAML)", mime_type="text/yaml",
                                children=[solara.Button("Save these settings (YAML)",
                                                        icon_name="mdi-content-save",
                                                        color="primary",
                                                        classes=["sim-save"])])
            solara.Text("Every value of the run on screen, for `sim run FILE` and "
                        "`sim validate FILE`.", style=SMALL)
        else:
            solara.Text("Nothing to save: no valid run on screen.", style=SMALL)


# ----------------------------------------------------------------------------- main area


@solara.component
def RunSummary(outcome: Outcome | None, pending: bool, error: str | None):
    """Where the run stands, what it used, and any problem with the controls."""
    with solara.Column(classes=["sim-run-panel"], gap="4px"):
        if error:
            with solara.Error("Cannot run these settings; change the controls.",
                              classes=["sim-error"]):
                for line in error.splitlines():
                    solara.Text(line, style={"display": "block"})
        if outcome is None:
            solara.Text("Running the model...", classes=["sim-status"])
            return
        model = outcome.model
        if outcome.view is not None and outcome.view.n:
            first, last = figures.dates(outcome.view.times[[0, -1]])
            status = (f"Run: {_month(first)} to {_month(last)} ({outcome.view.n} months), "
                      f"built and stepped in {outcome.seconds:.2f} s")
            if pending:
                status += " (rerunning with the new settings...)"
            solara.Text(status, classes=["sim-status"], style=SMALL)
        elif pending:
            solara.Text("Running the model...", classes=["sim-status"], style=SMALL)
        if model.config is not None:
            scenario = outcome.values.get("scenario") or controls.BASE_SCENARIO
            text = "; ".join(controls.describe(model.config))
            solara.HTML(unsafe_innerHTML=f"<b>This run used</b> (scenario <i>"
                        f"{html.escape(scenario)}</i>): {html.escape(text)}",
                        style="font-size: 13px", classes=["sim-settings"])


@solara.component
def Milestones(view: RunView | None, base: RunView | None, band):
    """The milestone table: this run, the baseline and the ensemble when shown."""
    with solara.Column(classes=["sim-milestones"], gap="4px"):
        solara.HTML(unsafe_innerHTML="<b>Milestones</b>: the year AI can first automate, or "
                    "has automated, a share of wage-weighted US work (- = not reached by the "
                    "end); last rows: the share of work people do with AI's help, and the AI "
                    "R&amp;D multiplier", style="font-size: 13px")
        solara.HTML(unsafe_innerHTML=figures.milestone_html(view, base, band))


def matches(view: RunView, query: str) -> list[int]:
    """Occupations whose title or SOC code contains ``query`` (any case), largest employment
    first. A detailed code also finds its major group in the built-in table ("15-1252" finds
    "15").
    """
    q = query.strip().lower()

    def hit(code: str, title: str) -> bool:
        code = code.lower()
        return (not q or q in code or q in title.lower()
                or (len(code) == 2 and q[:3] == code + "-"))

    idx = [i for i, (c, t) in enumerate(zip(view.codes, view.titles, strict=True))
           if hit(str(c), str(t))]
    emp = view.occupations["employed"][0] if view.occupations else np.zeros(len(view.codes))
    return sorted(idx, key=lambda i: -emp[i])  # largest first


@solara.component
def OccupationExplorer(view: RunView, base: RunView | None, key):
    """Search an occupation (title or SOC code); its task-hours automated, employment and
    wage over the run.
    """
    query = solara.use_reactive("")
    chosen = solara.use_reactive(None)
    found = matches(view, query.value) if view.occupations else []
    labels = [f"{view.codes[i]} {view.titles[i]}" for i in found[:MAX_MATCHES]]
    index = next((i for i in found if view.codes[i] == chosen.value),
                 found[0] if found else None)
    fig = solara.use_memo(
        lambda: None if index is None else figures.occupation(view, index, base), [key, index])
    if not view.occupations:
        return
    with solara.Column(classes=["sim-occupations"], gap="4px"):
        solara.HTML(tag="h3", unsafe_innerHTML="Occupation explorer",
                    style="font-weight: 500; margin: 8px 0 0 0")
        with solara.Row(gap="16px"):
            solara.InputText("Search occupations: title or SOC code", value=query,
                             continuous_update=True, classes=["sim-occupation-search"])
            if index is not None:
                solara.Select(f"Occupation ({len(found)} match"
                              f"{'' if len(found) == 1 else 'es'}, largest first)",
                              value=f"{view.codes[index]} {view.titles[index]}",
                              values=labels,
                              on_value=lambda v: chosen.set(v.split(" ", 1)[0]),
                              classes=["sim-occupation-pick"])
        if index is None:
            solara.Text(f"No occupation matches '{query.value}'.",
                        classes=["sim-occupation-none"])
            return
        occ = {k: v[:, index] for k, v in view.occupations.items()}
        end = int(view.end_year) - 1
        solara.Text(f"Employed: {figures.people(occ['employed'][0])} in "
                    f"{view.times[0]:.0f}, {figures.people(occ['employed'][-1])} at the end of "
                    f"{end}; task-hours automated at the end: "
                    f"{100 * occ['automated_share'][-1]:.0f}% (AI could automate "
                    f"{100 * occ['capable_share'][-1]:.0f}%); wage "
                    f"${occ['wage_usd_per_hour'][0]:.2f} -> "
                    f"${occ['wage_usd_per_hour'][-1]:.2f} per hour.",
                    classes=["sim-occupation-summary"], style={"font-size": "13px"})
        with solara.Column(classes=["sim-chart-occupation"], gap="0px"):
            Plot(fig, [key, index], filename=f"occupation-{view.codes[index]}")
            with solara.Row(justify="end"):
                solara.FileDownload(lambda: figures.chart_csv(fig),
                                    filename=f"occupation-{view.codes[index]}.csv",
                                    mime_type="text/csv", children=[_csv_button()])


# ----------------------------------------------------------------------------- the page


@solara.component
def Page():
    """One dashboard per browser session, each with its own controls and runs."""
    config_path = config_path_from_env()
    values = solara.use_reactive(solara.use_memo(lambda: controls.start_values(config_path),
                                                 []))
    show_baseline = solara.use_reactive(False)
    show_ensemble = solara.use_reactive(False)
    snapshot = dict(values.value)
    run_key = _key(snapshot)

    def run():
        out = run_controls(snapshot, config_path, should_stop=lambda: not task.is_current())
        if out is None:  # superseded: keep the last finished run on screen meanwhile
            raise solara.util.CancelledError()
        return out

    task = solara.lab.use_task(run, dependencies=[run_key], raise_error=False)
    outcome: Outcome | None = task.latest
    pending = task.pending or (outcome is not None and _key(outcome.values) != run_key)
    run_error = None
    if task.error:
        run_error = f"The run failed: {controls.error_text(task.exception)}"

    def ensemble():
        if not show_ensemble.value or outcome is None or outcome.model.config is None:
            return None
        fixed = controls.fixed_keys(outcome.values, config_path)
        return id(outcome), ensemble_band(outcome.model.config, fixed)

    ens = solara.lab.use_task(ensemble, dependencies=[id(outcome), show_ensemble.value],
                              raise_error=False)
    band, ensemble_note = None, ""
    if show_ensemble.value:
        latest = ens.latest
        if ens.error:
            ensemble_note = f"No ensemble: {controls.error_text(ens.exception)}"
        elif ens.pending or latest is None or latest[0] != id(outcome):
            ensemble_note = f"Running the ensemble ({ENSEMBLE_MEMBERS} runs)..."
        else:
            band = latest[1]
            ensemble_note = ensemble_text(band)

    view = outcome.view if outcome is not None else None
    base = None
    if show_baseline.value and view is not None:
        try:
            base = baseline_view(config_path)
        except Exception:  # the run still shows without its baseline
            base = None
    draw_key = (id(outcome), base is not None, id(band))

    solara.Title(TITLE)
    with solara.AppBar():
        solara.AppBarTitle(TITLE)
        FitCharts.element()
    with solara.Sidebar():
        Controls(values, outcome, pending, config_path, show_baseline, show_ensemble,
                 ensemble_note, band.drawn if band is not None else ())
    with solara.Column(style={"padding": "8px 16px"}, gap="12px"):
        solara.ProgressLinear(task.pending, classes=["sim-busy"])
        error = run_error or (outcome.model.error if outcome is not None else None)
        RunSummary(outcome, pending, error)
        Milestones(view, base, band)
        if view is not None:
            with solara.ColumnsResponsive(12, large=6, gutters_dense=True):
                for name in figures.CHARTS:
                    Chart(name, view, base, band, draw_key)
            OccupationExplorer(view, base, draw_key)
