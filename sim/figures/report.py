"""Self-contained HTML report of one run, and a side-by-side compare of several.

The HTML embeds every figure as a base64 PNG and its CSS inline, and refers to nothing outside
the file, so it opens in a browser with no network and can be mailed or archived as one file.
"""

from __future__ import annotations

import base64
import html
import struct
import time
from pathlib import Path

import numpy as np

from sim.errors import Problem, SimInputError
from sim.figures import comparison as cmp
from sim.figures import economy as ef
from sim.figures import labour as lf
from sim.figures.report_tables import (
    ECONOMY_HEADER,
    economy_rows,
    occupation_section,
    wage_decile_header,
    wage_decile_rows,
)
from sim.outputs.output import check_finite, check_writable, existing_kind, write_text_atomic
from sim.outputs.run_data import RunData, load_run

#: CSS px per PNG pixel: figures are rendered at 130 dpi and shown at 110 px per inch, so
#: 10 pt text reads as about 15 px and the 7.5 pt notes as about 11 px.
DISPLAY_SCALE = 110 / 130

CSS = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #222;
       margin: 0; background: #fafafa; line-height: 1.45; }
main { max-width: 1200px; margin: 0 auto; padding: 1.2em 1.6em 3em; background: #fff; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
h3 { font-size: 1.02em; margin: 1em 0 0.4em; }
p.how { color: #444; margin: 0.3em 0 0.6em; }
p.how b { color: #222; }
figure { margin: 0.4em 0 1em; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.9em; }
th, td { border: 1px solid #ddd; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.ident td:first-child { color: #555; }
.tables { display: flex; flex-wrap: wrap; gap: 1.5em; }
nav ol { columns: 2; font-size: 0.92em; }
.note { color: #666; font-size: 0.85em; }
"""


def _check_out(out: Path, arg: str = "--out") -> Path:
    """Refuse, before any work, an output path that is a folder or cannot be written."""
    if existing_kind(out, arg) == "folder":
        raise SimInputError(arg, [Problem(arg.lstrip("-"), str(out), "is a folder; allowed: a "
                                          "path to an HTML file")])
    check_writable(out, arg)
    return out


def _e(x) -> str:
    return html.escape(str(x))


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG, from its IHDR chunk."""
    return struct.unpack(">II", data[16:24])


def _img(name: str, title: str, data: bytes) -> str:
    w, h = png_size(data)
    b64 = base64.b64encode(data).decode("ascii")
    return (f'<figure><img data-figure="{_e(name)}" alt="{_e(title)}" '
            f'width="{round(w * DISPLAY_SCALE)}" height="{round(h * DISPLAY_SCALE)}" '
            f'src="data:image/png;base64,{b64}"></figure>')


def _table(header: list[str] | None, rows: list[list], numeric: set[int] = frozenset(),
           cls: str = "") -> str:
    head = ("<thead><tr>" + "".join(f"<th>{_e(h)}</th>" for h in header) + "</tr></thead>"
            if header else "")
    body = "".join("<tr>" + "".join(
        f'<td{" class=num" if j in numeric else ""}>{_e(v)}</td>' for j, v in enumerate(row))
        + "</tr>" for row in rows)
    c = f' class="{cls}"' if cls else ""
    return f"<table{c}>{head}<tbody>{body}</tbody></table>"


def identity_rows(run: RunData) -> list[list[str]]:
    """Where a run came from: folder, scenario, seed, version, when, command."""
    i = run.identity
    rows = [["source", run.source], ["scenario", i.get("scenario", "?")],
            ["seed", i.get("seed", "?")], ["package version", i.get("version", "?")],
            ["occupations", f"{len(run.codes)} ({run.info['soc_major'].nunique()} SOC major "
                            "groups)"],
            ["period", f"{run.aggregates['date'].iloc[0]} to {run.aggregates['date'].iloc[-1]}"]]
    if run.members is not None:
        m = run.members
        rows.insert(3, ["ensemble", f"{m.n} members, {len(m.info['parameters'])} parameters "
                        f"drawn from {m.info.get('ranges_from', '?')}; median member "
                        f"#{m.median_member} (model seed {m.seeds[m.median_member]})"])
    if i.get("created_utc"):
        rows.append(["written (UTC)", i["created_utc"]])
    if i.get("command"):
        rows.append(["command", i["command"]])
    return rows


def _distribution(p: dict) -> str:
    """A drawn parameter's distribution in words, from ``ensemble.json``."""
    g = {k: p.get(k) for k in ("low", "mode", "high", "mean", "sd")}
    dist = p.get("dist")
    if dist in ("uniform", "loguniform"):
        return f"{'log-' if dist == 'loguniform' else ''}uniform {g['low']:g} to {g['high']:g}"
    if dist == "triangular":
        return f"triangular {g['low']:g} to {g['high']:g}, mode {g['mode']:g}"
    if dist == "normal":
        cut = (f", cut to {g['low']:g} to {g['high']:g}"
               if g["low"] is not None or g["high"] is not None else "")
        return f"normal, mean {g['mean']:g}, sd {g['sd']:g}{cut}"
    return f"one of {p.get('values')}"


ENSEMBLE_NOTE = (
    "Each member is the run's scenario (config.yaml) with the parameters below drawn "
    "independently from their distributions, and its own model seed; all members were "
    "stepped as one batch, and each equals the same config run alone. Figures of lines show "
    "the median across members at each date (a line), shaded from the 10th to the 90th "
    "percentile; a member is not a forecast of the median. Milestone percentiles count a "
    "member that never reaches a milestone as later than the end (\"not by\"). Stacked areas, "
    "heatmaps, bar charts and occupation tables show the median member: the one whose share "
    "of work automated stays closest to the members' median.")


def ensemble_section(run: RunData) -> str:
    """An ensemble's parameters: distribution, the scenario's own value, and the source the
    ranges file gives for each.
    """
    m = run.members
    rows = [[p.get("key", "?"), _distribution(p), p.get("scenario_value", ""),
             p.get("source", "")] for p in m.info["parameters"]]
    return (f"<h2>Ensemble: {m.n} members, {len(rows)} uncertain parameters</h2>"
            f"<p class=how><b>How to read this:</b> {_e(ENSEMBLE_NOTE)}</p>"
            + _table(["parameter", "drawn from", "the scenario's own value",
                      f"source (comment in {Path(str(m.info.get('ranges_from', '?'))).name})"],
                     rows))


def top_displaced_rows(run: RunData, n: int = 10) -> list[list[str]]:
    """Rows of the most-displaced table: rank, occupation, layoffs, share of start jobs."""
    top = lf.top_displaced(run, n)
    return [[k + 1, f"{r.occupation} {r.title}", f"{r.displaced / 1e6:.2f}",
             f"{100 * r.share_of_start:.0f}%"] for k, r in enumerate(top.itertuples())]


DISPLACED_HEADER = ["#", "occupation", "displaced by the end (million, cumulative)",
                    "share of start employment"]


def _fmt_year(y: float, end: int) -> str:
    return f"{y:.1f}" if np.isfinite(y) else f"not by {end}"


def first_last_rows(run: RunData) -> list[list[str]]:
    """Table rows of the occupations hit first and last."""
    early, late = lf.first_and_last(run)
    years = lf.crossing_years(run)
    end_share = dict(zip(run.codes, run.series("automated_share")[-1], strict=True))
    titles = dict(zip(run.codes, run.info["title"].astype(str), strict=True))
    rows = []
    for block, codes in (("first", early), ("last", late)):
        for c in codes:
            rows.append(([block] if late else []) + [
                f"{c} {titles[c]}", _fmt_year(years[c], run.end_year),
                f"{100 * end_share[c]:.0f}%"])
    return rows


def _first_last_table(run: RunData) -> str:
    rows = first_last_rows(run)
    head = ["occupation", f"year {lf.HIT_THRESHOLD:.0%} reached",
            f"automated share, end of {run.end_year}"]
    split = bool(rows) and len(rows[0]) == 4
    return _table((["hit"] if split else []) + head, rows, {2, 3} if split else {1, 2})


def exposure_header(run: RunData) -> list[str]:
    """Header of the exposure-by-Job-Zone table (columns of :func:`exposure_rows`)."""
    early = lf.early_year(run)
    return ["Job Zone (preparation)", "occupations", "start employment (million)",
            "exposure score (data)", "AI can help (augment or automate), first step",
            f"AI can help, end of {early}", "AI can automate, first step",
            f"AI can automate, end of {early}", f"automated, end of {run.end_year}"]


def exposure_rows(run: RunData) -> list[list[str]]:
    """Table rows of exposure by Job Zone."""
    tab = lf.exposure_by_job_zone(run)
    return [[f"{z} ({lf.JOB_ZONE_NAMES.get(z, '')})", int(r.occupations),
             f"{r.employment_start / 1e6:.1f}", f"{100 * r.exposure_score:.1f}%",
             f"{100 * r.can_help_share_start:.1f}%", f"{100 * r.can_help_share_early:.1f}%",
             f"{100 * r.capable_share_start:.1f}%", f"{100 * r.capable_share_early:.1f}%",
             f"{100 * r.automated_share_end:.1f}%"] for z, r in tab.iterrows()]


def wage_rows(run: RunData) -> tuple[list[str], list[list[str]]]:
    """Header and rows of wage change by start-wage bin and by Job Zone."""
    years = lf.wage_years(run)
    n_bins = lf.n_wage_bins(len(run.codes))
    bins = lf.wage_bins(run.info, n_bins)
    ranges = lf.bin_wage_ranges(run.info, bins)
    prefix = "decile" if n_bins == 10 else "quintile"
    rows = []
    for b, r in lf.wage_change(run, bins, years).iterrows():
        rows.append([f"{prefix} {b} (${ranges[b][0]:.0f}-{ranges[b][1]:.0f}/h)"]
                    + [f"{100 * r[y]:+.1f}%" for y in years])
    for z, r in lf.wage_change(run, lf.job_zones(run.info), years).iterrows():
        rows.append([f"Job Zone {int(z)} ({lf.JOB_ZONE_NAMES.get(int(z), '')})"]
                    + [f"{100 * r[y]:+.1f}%" for y in years])
    start = int(np.floor(run.times[0] + 1e-9))
    return ["group"] + [f"{start} to {y}" for y in years], rows


def _figure_sections(runs: list[RunData], extras: dict[str, str],
                     more_nav: tuple[tuple[str, str], ...] = ()) -> tuple[str, str]:
    """Navigation list and one section per figure (title, how to read, image, extra tables);
    ``more_nav``: (anchor, title) of further sections, listed after the figures.
    """
    images = lf.render_all(runs)
    nav, parts = [], []
    for spec in lf.FIGURES:
        nav.append(f'<li><a href="#fig-{spec.name}">{_e(spec.title)}</a></li>')
        parts.append(f'<section id="fig-{spec.name}"><h2>{_e(spec.title)}</h2>'
                     f'<p class="how"><b>How to read this:</b> {_e(spec.how_to_read)}</p>'
                     f'{_img(spec.name, spec.title, images[spec.name])}'
                     f'{extras.get(spec.name, "")}</section>')
    nav += [f'<li><a href="#{a}">{_e(title)}</a></li>' for a, title in more_nav]
    return "<nav><ol>" + "".join(nav) + "</ol></nav>", "\n".join(parts)


ECONOMY_NOTE = (
    "US output and how it is paid out, from the model's production side: tasks are done by "
    "people or by AI, output grows with the work done, and every dollar of output is income "
    "of labour, of AI labs or of capital. Output is in 2023 dollars, wages in 2021 dollars "
    "(as the occupation data). Values are at the end of each year shown (the run's last "
    "month for its last year); growth is over that calendar year, from year-end values (the "
    "first year from its first month, annualised). Unemployment counts the unemployed and "
    "those retraining, as a share of the start labour force. The Gini is of labour income "
    "over the labour force, by occupation (the out-of-work earning nothing).")
WAGE_DECILE_NOTE = (
    "Every employed worker is given their occupation's mean hourly wage, and the workers are "
    "ranked by it: P10 is the wage at or below which a tenth of them are paid, P50 the "
    "median, and so on, weighting each occupation by its employment at that date (so the "
    "deciles also move as jobs move between occupations). With few occupations (the 22 major "
    "groups) each decile is one group's mean wage, so several may be equal.")


def economy_section(run: RunData) -> str:
    """The report's Economy section: a table of output, growth, factor shares, mean wage,
    unemployment and the Gini at a few years, the economy figures, and wage deciles at the
    start and end.
    """
    images = ef.render_all([run])
    ensemble = (" Ensemble: each cell is the median of its members, with their 10th to 90th "
                "percentile in brackets." if run.members else "")
    member = f" (median member #{run.members.median_member})" if run.members else ""
    figures = "".join(
        f'<section id="fig-{spec.name}"><h3>{_e(spec.title)}</h3>'
        f'<p class="how"><b>How to read this:</b> {_e(spec.how_to_read)}</p>'
        f"{_img(spec.name, spec.title, images[spec.name])}</section>" for spec in ef.FIGURES)
    return ('<section id="economy"><h2>Economy</h2>'
            f'<p class="how"><b>How to read this:</b> {_e(ECONOMY_NOTE + ensemble)}</p>'
            '<h3 id="economy-table">Output, incomes and work at a glance</h3>'
            + _table(list(ECONOMY_HEADER), economy_rows(run), set(range(1, 8)))
            + figures
            + f'<h3 id="wage-deciles">Wage deciles at the start and end{member}</h3>'
            f'<p class="how"><b>How to read this:</b> {_e(WAGE_DECILE_NOTE)}</p>'
            + _table(wage_decile_header(run), wage_decile_rows(run), {1, 2, 3})
            + "</section>")


def _page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{_e(title)}</title><style>{CSS}</style></head>"
            f"<body><main>{body}</main></body></html>\n")


MILESTONE_NOTE = (
    "Milestones are about automation: the first month AI can automate (do end to end) a share "
    "of wage-weighted US work (2021 wage-bill weights), and the first month that share is "
    "automated (AI does it). Augmented work is different: people still do it, with AI making "
    "them faster (it at least halves the time); the augmented row gives its share at the end "
    "of each year shown. Unemployment counts the unemployed and those retraining, as a share "
    "of the start labour force.")


def report_html(run: RunData) -> str:
    """The report of one run as one HTML string."""
    head, rows = wage_rows(run)
    member = f" (median member #{run.members.median_member})" if run.members else ""
    extras = {
        "flows": f"<h3>Ten most displaced occupations{member}</h3>" + _table(
            DISPLACED_HEADER, top_displaced_rows(run), {0, 2, 3}),
        "wage_change": "<h3>Wage change (mean hourly earnings, start-employment weights)"
                       f"{member}</h3>" + _table(head, rows, set(range(1, len(head)))),
        "exposure_by_education": f"<h3>Exposure by Job Zone{member}</h3>" + _table(
            exposure_header(run), exposure_rows(run), set(range(1, 9))),
        "first_and_last": f"<h3>Year the automated share first reaches "
                          f"{lf.HIT_THRESHOLD:.0%}{member}</h3>" + _first_last_table(run),
    }
    headline = (_table(lf.ENSEMBLE_HEADER, lf.ensemble_rows(run), {1, 2, 3, 4}) if run.members
                else _table(["milestone", "year or value"],
                            [list(r) for r in lf.milestone_table(run)]))
    nav, sections = _figure_sections([run], extras, (("economy", "Economy: output, "
                                                       "factor shares, wage bill, deciles"),))
    body = (f"<h1>AI economy simulation: labour and economy report</h1>"
            f'<p class="note">Run <b>{_e(run.label)}</b>. Every figure below is computed from '
            "the tables in the result folder; all of it is model output under stated "
            "assumptions, not a forecast.</p>"
            + _table(None, identity_rows(run), cls="ident")
            + "<h2>Headline milestones</h2>" + headline
            + f"<p class=note>{_e(MILESTONE_NOTE)}</p>"
            + (ensemble_section(run) if run.members else "")
            + "<h2>Figures</h2>" + nav + sections + economy_section(run)
            + occupation_section(run))
    return _page(f"Report: {run.label}", body)


def write_report(run_dir: Path | str, out: Path | str | None = None) -> Path:
    """Read a result folder and write its report (default ``RUN_DIR/report.html``)."""
    run = load_run(run_dir, arg="RUN_DIR")
    path = _check_out(Path(out) if out else Path(run_dir) / "report.html")
    return write_text_atomic(path, report_html(run))


# ----------------------------------------------------------------------------- compare

def _folder_or_name(arg: str, position: int) -> RunData | str:
    """A compare argument read now if it is a result folder, or checked as a scenario name
    (run later, once the output is known to be writable).
    """
    from sim.config.loading import list_scenarios

    name = f"RUN {position}"
    if Path(arg).is_dir():
        return load_run(arg, arg=name)
    names = ["default", *list_scenarios()]
    if arg not in names:
        raise SimInputError(name, [Problem(name, arg, "neither a folder nor a scenario name; "
                                           "allowed: a result folder written by `sim run`, or "
                                           f"one of {names}")])
    return arg


def _run_scenario(name: str, out: Path | str) -> RunData:
    """Run a scenario overlay (``default``: the built-in default) in memory; a run with NaN
    or inf outputs raises :class:`sim.outputs.output.NonFiniteResultError`.
    """
    from sim.config.loading import find_scenario, load_config
    from sim.runner import run as run_config

    cfg = load_config() if name == "default" else load_config(scenario=name)
    source = ("built-in default, run in memory" if name == "default"
              else f"configs/scenarios/{find_scenario(name).name}, run in memory")
    results = run_config(cfg, name=name).sim
    check_finite(results, out)
    return RunData.from_results(results, label=name, source=source, scenario=name)


def resolve_run(arg: str, position: int) -> RunData:
    """A compare argument: a result folder, or a scenario name run now in memory
    (``default`` is the built-in default).
    """
    found = _folder_or_name(arg, position)
    return found if isinstance(found, RunData) else _run_scenario(found, "(memory)")


def _unique_labels(runs: list[RunData]) -> None:
    seen: dict[str, int] = {}
    for r in runs:
        seen[r.label] = seen.get(r.label, 0) + 1
        if seen[r.label] > 1:
            r.label = f"{r.label} ({seen[r.label]})"


def _aligned(head: list[str], rows: list[list[str]]) -> str:
    """A table as aligned plain text, for the terminal."""
    table = [head] + rows
    widths = [max(len(str(row[j])) for row in table) for j in range(len(head))]
    return "\n".join("  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True))
                     .rstrip() for row in table)


def compare_text(runs: list[RunData]) -> str:
    """The compare for the terminal: key findings, the parameters that differ, milestones."""
    parts = []
    for heading, lines in cmp.key_findings(runs):
        parts.append(heading + ":\n" + "\n".join(f"  - {line}" for line in lines))
    head, rows = cmp.parameter_differences(runs)
    parts.append("Parameters that differ:\n" + (_aligned(head, rows) if rows else "  none"))
    parts.append(_aligned(*cmp.milestone_rows(runs)))
    return "\n\n".join(parts)


def compare_html(runs: list[RunData]) -> str:
    """The compare of several runs as one HTML string: what differs first."""
    findings = "".join(f"<h3>{_e(heading)}</h3><ul>"
                       + "".join(f"<li>{_e(line)}</li>" for line in lines) + "</ul>"
                       for heading, lines in cmp.key_findings(runs))
    p_head, p_rows = cmp.parameter_differences(runs)
    head, rows = cmp.milestone_rows(runs)
    displaced = "".join(f"<div><h3>{_e(r.label)}</h3>"
                        + _table(DISPLACED_HEADER, top_displaced_rows(r), {0, 2, 3})
                        + "</div>" for r in runs)
    nav, sections = _figure_sections(runs, {})
    ident = "".join(f"<div><h3>{_e(r.label)}</h3>"
                    + _table(None, identity_rows(r), cls="ident") + "</div>" for r in runs)
    body = (f"<h1>AI economy simulation: compare {len(runs)} runs</h1>"
            '<p class="note">Lines: one colour per run. Stacked areas and heatmaps: one panel '
            "per run. Model output under stated assumptions, not a forecast.</p>"
            "<h2>Key findings</h2>" + findings
            + "<h2>Parameters that differ</h2>"
            + (_table(p_head, p_rows) if p_rows else "<p>None.</p>")
            + "<h2>Milestones and peak unemployment</h2>"
            + _table(head, rows) + f"<p class=note>{_e(MILESTONE_NOTE)} Later runs: the "
            "difference from the first run in years.</p>"
            + f'<h2>Where the runs come from</h2><div class="tables">{ident}</div>'
            + "<h2>Ten most displaced occupations per run</h2>"
            + f'<div class="tables">{displaced}</div>'
            + "<h2>Figures</h2>" + nav + sections)
    return _page("Compare: " + ", ".join(r.label for r in runs), body)


def compare(args: list[str], out: Path | str | None = None) -> tuple[Path, str]:
    """Compare result folders or scenario names; returns the HTML written and the compare as
    text. Runs on different occupation tables are compared on what they share: national
    series, and occupations by SOC major group.
    """
    if len(args) < 2:
        raise SimInputError("RUNS", [Problem("RUNS", list(args), "fewer than 2 runs; allowed: "
                                             "two or more result folders or scenario names")])
    found = [_folder_or_name(a, i + 1) for i, a in enumerate(args)]
    path = _check_out(Path(out) if out else
                      Path(f"results/compare-{time.strftime('%Y%m%d-%H%M%S')}.html"))
    runs = [r if isinstance(r, RunData) else _run_scenario(r, path) for r in found]
    _unique_labels(runs)
    write_text_atomic(path, compare_html(runs))
    return path, compare_text(runs)
