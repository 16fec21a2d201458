"""The dashboard page: Mesa's SolaraViz with the model's controls, charts and milestone table.

Served by ``sim dashboard`` (``solara run sim.dashboard.app``). SolaraViz gives the sidebar
(Reset / play / Step, the parameter controls); Reset rebuilds the model from the controls.
The components here add "Run to end", the baseline toggle, the charts and the milestone
table. Every element the browser test reads carries a ``sim-*`` CSS class.
"""

from __future__ import annotations

import time

import solara
from mesa.visualization import SolaraViz
from mesa.visualization.user_param import Slider
from mesa.visualization.utils import force_update, update_counter

from sim.dashboard import controls, figures
from sim.dashboard.session import DashboardModel, config_path_from_env

#: SolaraViz steps per frame while playing and per click of Step (each is a year, see
#: :data:`~sim.dashboard.session.MONTHS_PER_STEP`); its slider allows only odd values.
STEPS_PER_FRAME = 1
PLAY_INTERVAL_MS = 100

#: Per-session state the components share (solara keeps one value per browser session).
show_baseline = solara.reactive(False)
last_run_seconds = solara.reactive(None)


def model_params(config_path: str | None) -> dict:
    """SolaraViz's parameter controls, starting at ``config_path``'s values."""
    start = controls.defaults(controls.base_config(config_path))
    params: dict = {s.name: Slider(s.label, start[s.name], s.min, s.max, s.step, dtype=float)
                    for s in controls.SLIDERS}
    params["training_cap"] = {"type": "Select", "label": "Training-compute cap (FLOP per run)",
                              "value": start["training_cap"],
                              "values": list(dict.fromkeys([start["training_cap"],
                                                            *controls.TRAINING_CAPS]))}
    params["scenario"] = {"type": "Select", "label": "Scenario", "value": controls.BASE_SCENARIO,
                          "values": controls.scenario_choices()}
    params["extra"] = {"type": "InputText", "label": "More settings: key=value; ...",
                       "value": ""}
    params["config_path"] = config_path
    return params


@solara.component
def RunPanel(model: DashboardModel):
    """Run to the end, the baseline toggle, where the run stands, and any input error."""
    update_counter.get()

    def run_to_end():
        t0 = time.perf_counter()
        model.run_to_end()
        last_run_seconds.set(time.perf_counter() - t0)
        force_update()

    with solara.Column(classes=["sim-run-panel"], style={"padding": "4px 12px"}):
        if model.error:
            with solara.Error("Cannot run these settings; change the controls and press Reset.",
                              classes=["sim-error"]):
                for line in model.error.splitlines():
                    solara.Text(line, style={"display": "block"})
        with solara.Row():
            solara.Button("Run to end", color="primary", on_click=run_to_end,
                          disabled=not model.running, classes=["sim-run-to-end"])
            with solara.Column(classes=["sim-compare"]):
                solara.Checkbox(label="Compare with baseline", value=show_baseline)
        if model.inner is not None:
            year = model.inner.time_year
            solara.Text(f"Month {model.steps_done} of {model.n_steps} (now {year:.2f})",
                        classes=["sim-progress"])
        if last_run_seconds.value is not None:
            solara.Text(f"Last full run stepped in {last_run_seconds.value:.2f} s",
                        style={"font-size": "12px", "color": "#666"})
        if model.config is not None:
            settings = controls.describe(model.values, controls.base_config(model.config_path))
            solara.Text("This run: " + "; ".join(settings), style={"font-size": "12px"},
                        classes=["sim-settings"])


@solara.component
def Milestones(model: DashboardModel):
    """The milestone table: this run so far, and the baseline when comparing."""
    update_counter.get()
    base = model.baseline() if show_baseline.value else None
    with solara.Column(classes=["sim-milestones"], style={"padding": "4px 12px"}):
        solara.Markdown("**Milestones**: year AI can first automate, or has automated, a "
                        "share of wage-weighted US work (- = not yet); last rows: share of "
                        "work people do with AI's help, and the AI R&D multiplier\n\n"
                        + figures.milestone_markdown(model.view(), base),
                        style={"font-size": "13px"})


def _chart_component(name: str):
    build = figures.CHARTS[name]

    @solara.component
    def Chart(model: DashboardModel):
        update_counter.get()
        view = model.view()
        base = model.baseline() if show_baseline.value and view is not None else None
        # Draw and encode again only when what the chart shows changed.
        png = solara.use_memo(lambda: None if view is None else figures.png(build(view, base)),
                              [id(model), model.steps_done, base is not None])
        if png is None:
            solara.Text("No run: see the message above.")
            return
        with solara.Column(classes=["sim-chart", f"sim-chart-{name}"],
                           style={"width": "100%"}):
            solara.Image(png, width="100%")  # scales with the grid cell

    Chart.__name__ = f"Chart_{name}"
    return Chart


COMPONENTS = [RunPanel, Milestones] + [_chart_component(name) for name in figures.CHARTS]


@solara.component
def Page():
    """One dashboard per browser session, each with its own model."""
    config_path = config_path_from_env()
    model = solara.use_memo(lambda: DashboardModel(config_path=config_path), [])
    params = solara.use_memo(lambda: model_params(config_path), [])
    SolaraViz(model, components=COMPONENTS, model_params=params,
              play_interval=PLAY_INTERVAL_MS, render_interval=STEPS_PER_FRAME,
              name="AI economy: what-if dashboard")
