"""Command line: a thin layer over the Python API (``sim.load_config``, ``sim.run``)."""

from __future__ import annotations

import json
import math
import os
import sys
import time
from pathlib import Path

import click

from sim.errors import Problem, SimInputError, one_line

EXIT_MODEL_FAILED = 1
EXIT_BAD_INPUT = 2


def _config_options(f):
    f = click.option("--data", "data_dir", default=None, metavar="PATH",
                     type=click.Path(file_okay=False),
                     help="Raw O*NET x BLS exposure folder to build --occupations detailed from "
                          "(default: occupations.data_dir, $SIM_ONET_DATA, else the table "
                          "shipped with the package).")(f)
    f = click.option("--occupations", type=click.Choice(["builtin", "detailed"]), default=None,
                     help="Occupation table: the 22 built-in SOC major groups, or the ~780 "
                          "detailed occupations read from --data.")(f)
    f = click.option("--rules", default=None, metavar="NAME",
                     help="Task-automation rule set by name (see `sim rules`).")(f)
    f = click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
                     help="Override one parameter, e.g. --set market.adoption_lag_years=5 "
                          "or --set labs.frontier_a.training_share=0.5 (repeatable).")(f)
    f = click.option("--scenario", default=None, metavar="NAME",
                     help="Scenario overlay from configs/scenarios/ (see `sim scenarios`).")(f)
    return f


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ai-economy-sim")
def cli():
    """Agent-based simulator of the AI economy: labs, GPU vendors, model copies, workers."""


@cli.command()
@click.argument("config", required=False, type=click.Path(dir_okay=False))
@_config_options
@click.option("--seed", type=click.IntRange(0), default=None, help="Random seed.")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Result folder (default: results/run-<date>-<time>).")
@click.option("--format", "fmt", type=click.Choice(["parquet", "csv"]), default="parquet",
              show_default=True, help="Table format.")
@click.option("--no-plots", is_flag=True, help="Skip the PNG figures.")
@click.option("--force", is_flag=True, help="Replace an existing result folder.")
@click.option("--quiet", is_flag=True, help="No progress bar or summary.")
@click.option("--ensemble", "members", type=int, default=None, metavar="N",
              help="Run an ensemble of N members (2-1000): the scenario with its uncertain "
                   "parameters drawn from their sourced ranges, stepped as one batch; figures "
                   "and report show the median and 10-90% band, milestones as percentiles.")
@click.option("--ensemble-from", "ranges", default=None, metavar="FILE",
              type=click.Path(dir_okay=False),
              help="Sweep file whose parameter distributions the ensemble draws from "
                   "(default: configs/sweeps/agi_arrival.yaml); its base, scenario and set: "
                   "are not used, the run's config is the base.")
def run(config, scenario, overrides, rules, occupations, data_dir, seed, out, fmt, no_plots,
        force, quiet, members, ranges):
    """Run one scenario (the built-in default with no CONFIG) and write a result folder;
    with --ensemble N, N members drawn around it.
    """
    from sim.config.loading import load_config

    cfg = load_config(config, scenario, _shortcuts(rules, occupations, data_dir, overrides),
                      seed)  # before importing the model (~1.5 s): bad input is refused at once
    from sim.outputs.run_data import run_name

    name = run_name(config, scenario)
    if members is not None or ranges is not None:
        plan = _ensemble_plan(cfg, members, ranges)
        return _run_ensemble(plan, out, fmt, no_plots, force, quiet, name)
    from sim.outputs import output

    out = Path(out or f"results/run-{time.strftime('%Y%m%d-%H%M%S')}")
    output.prepare_target(out, force)
    from sim import runner
    from sim.data.occupations import load_occupations

    if cfg.occupations.source == "detailed":
        if not quiet:
            click.echo("reading the detailed occupations (O*NET x BLS data) ...")
        load_occupations(cfg)  # built or read from cache now: the time below is stepping
    t0 = time.perf_counter()
    run_record = runner.run(cfg, progress=not quiet, name=name)
    results = run_record.sim
    stepped = time.perf_counter() - t0
    try:
        folder = output.write_run(run_record, out, fmt=fmt, plots=not no_plots, force=force,
                                  command=" ".join(["sim"] + sys.argv[1:]))
    except output.NonFiniteResultError as exc:  # a failed run: one line, exit 1, no folder
        click.echo(f"error: {one_line(str(exc), 400)}", err=True)
        raise SystemExit(EXIT_MODEL_FAILED) from None
    if not quiet:
        if results.join_report:
            from sim.data.detailed import format_join_report

            click.echo(format_join_report(results.join_report))
        _print_summary(results.summary(), folder, stepped)


def _ensemble_plan(cfg, members, ranges):
    """The ensemble ``--ensemble`` and ``--ensemble-from`` ask for, every input checked (the
    member count, the ranges file, each range against the run's config) before any work.
    """
    from sim import ensemble

    if members is None:
        raise SimInputError("--ensemble-from", [Problem("--ensemble-from", ranges, "has no "
                                                        "effect without --ensemble N; allowed: "
                                                        "--ensemble N --ensemble-from FILE")])
    ensemble.check_members(members, "--ensemble")
    if ranges is not None and not Path(ranges).is_file():
        raise SimInputError("--ensemble-from", [Problem("--ensemble-from", ranges, "no such "
                                                        f"file; {ensemble.ALLOWED_RANGES}")])
    return ensemble.plan(cfg, members, cfg.seed, ranges, draw=False)


def _run_ensemble(plan, out, fmt, no_plots, force, quiet, name):
    """Draw and step an ensemble, write its folder and print its percentiles. The draws are
    made in a forked process while this one loads the model and plotting code.
    """
    from sim import ensemble

    drawing = plan.draw_ahead()
    try:
        from sim import runner  # noqa: F401 - loaded meanwhile
        from sim.outputs import output

        out = Path(out or f"results/run-{time.strftime('%Y%m%d-%H%M%S')}")
        output.prepare_target(out, force)
        if not no_plots:
            from sim.figures import run as run_figures

            run_figures.warm_up()
        plan.draw(drawing)
    finally:
        if drawing is not None:
            drawing.cancel()
    given = Path(plan.ranges.source).resolve() != ensemble.DEFAULT_RANGES.resolve()
    if plan.ranges.unused and given and not quiet:  # the default file's sweep set is known
        click.echo(f"note: {plan.ranges.source}: its {', '.join(plan.ranges.unused)} not used "
                   "(the run's config is the ensemble's base)", err=True)
    if plan.base.occupations.source == "detailed":
        from sim.data.occupations import load_occupations

        if not quiet:
            click.echo("reading the detailed occupations (O*NET x BLS data) ...")
        load_occupations(plan.base)
    ahead = []

    def draw_bands(results):  # the band figures need no occupations: drawn meanwhile
        if not no_plots and output.non_finite_message(results) is None:
            from sim.figures import run as run_figures

            ahead.append(run_figures.draw_ahead(results, run_figures.BAND_FIGURES, out.name))

    t0 = time.perf_counter()
    try:
        results = ensemble.run_ensemble(plan.base, plan.n, plan_=plan, progress=not quiet,
                                        after_batch=draw_bands, name=name)
        stepped = time.perf_counter() - t0
        folder = output.write_run(results, out, fmt=fmt, plots=not no_plots, force=force,
                                  command=" ".join(["sim"] + sys.argv[1:]),
                                  ahead=ahead[0] if ahead else None)
    except output.NonFiniteResultError as exc:  # a failed member: one line, exit 1, no folder
        click.echo(f"error: {one_line(str(exc), 400)}", err=True)
        raise SystemExit(EXIT_MODEL_FAILED) from None
    finally:
        for job in ahead:
            if job is not None:
                job.cancel()
    if not quiet:
        _print_ensemble(ensemble.summary(results.sim), folder, stepped)


def _print_ensemble(s: dict, folder: Path, seconds: float):
    def year(v):
        return "not by end" if v is None else f"{v:.1f}"

    click.echo(f"\nResults: {folder}   ({s['members']} members stepped in {seconds:.2f} s; "
               f"ranges: {Path(s['ranges_from']).name}; median member "
               f"#{s['median_member']['scenario']})")
    click.echo("Milestones over members: 10th percentile / median / 90th percentile "
               "(share of members that reach it)")
    names = [(f"capable_{lv}pct", f"AI can automate {lv}%") for lv in ("20", "50", "95", "100")]
    names += [(f"adopted_{lv}pct", f"{lv}% automated") for lv in ("20", "50", "95", "100")]
    for key, label in names + [("automated_ai_researcher", "automated AI researcher")]:
        m = s["milestones"].get(key)
        if m is not None:
            click.echo(f"  {label:24s} {year(m['p10']):>10} / {year(m['p50']):>10} / "
                       f"{year(m['p90']):>10}   ({100 * m['share_reached']:.0f}%)")
    rate, when = s["peak_unemployment_rate"], s["peak_unemployment_year"]
    click.echo(f"Peak unemployment: {100 * rate['p10']:.1f}% / {100 * rate['p50']:.1f}% / "
               f"{100 * rate['p90']:.1f}%, in {when['p10']:.1f} / {when['p50']:.1f} / "
               f"{when['p90']:.1f}")


def _shortcuts(rules, occupations, data_dir, overrides) -> list[str]:
    """``--rules``, ``--occupations`` and ``--data`` as the ``--set`` overrides they stand for
    (applied before the user's own ``--set``). An unknown ``--rules`` name is refused here,
    so its message names ``--rules`` rather than the ``--set`` it would become.
    """
    out = []
    if rules is not None:
        from sim.config.loading import NAME_PATTERN, list_rule_sets

        known = list_rule_sets()
        if rules not in known or not NAME_PATTERN.fullmatch(rules):
            raise SimInputError("--rules", [Problem("tasks.name", rules, f"allowed: one of "
                                                    f"{known} (see `sim rules`)")])
        out.append(f"tasks.name={json.dumps(rules)}")
    if occupations is not None:
        out.append(f"occupations.source={occupations}")
    if data_dir is not None:
        out.append(f"occupations.data_dir={json.dumps(str(Path(data_dir).resolve()))}")
    return out + list(overrides)


def _fmt_year(y):
    return "not by end" if y is None else f"{y:.1f}"


def _print_summary(s: dict, folder: Path, seconds: float):
    click.echo(f"\nResults: {folder}   (stepped in {seconds:.2f} s)")
    click.echo("Milestones (year first reached; share of wage-weighted US work):")
    ms = s["milestones"]
    for level in ("20", "50", "95", "100"):
        click.echo(f"  {level:>3}%  AI can automate: {_fmt_year(ms.get(f'capable_{level}pct')):>10}"
                   f"   automated: {_fmt_year(ms.get(f'adopted_{level}pct')):>10}")
    click.echo(f"  automated AI researcher: {_fmt_year(ms.get('automated_ai_researcher'))}")
    click.echo("AI workforce vs human employment (full-time equivalents), augmentation, research:")
    for year, w in s["workforce"].items():
        click.echo(f"  {year}: AI {w['ai_human_equivalent_workers']:.3g}   humans employed "
                   f"{w['human_employment']:.4g}   done with AI's help "
                   f"{100 * w['augmented_share']:.0f}%   AI R&D multiplier "
                   f"{w['ai_rd_multiplier']:.3g}x")
    click.echo(f"Peak unemployment: {100 * s['peak_unemployment_rate']:.1f}% in "
               f"{s['peak_unemployment_year']:.1f}")
    if s.get("economy"):
        click.echo("Economy: US output (2023 USD/yr), labour and AI shares of output, mean wage "
                   "(2021 USD/h):")
        for year, e in s["economy"].items():
            click.echo(f"  {year}: output ${e['us_output_usd_per_yr'] / 1e12:.1f}T   labour share "
                       f"{e['labour_share']:.2f}   AI share {e['ai_share']:.2f}   mean wage "
                       f"${e['mean_wage_usd_per_hour']:.2f}")
    click.echo(f"Fastest software progress: {s['max_rd_speedup']:.2f}x the 2023 rate; largest AI "
               f"R&D multiplier {s['max_ai_rd_multiplier']:.3g}x")


@cli.command()
@click.argument("config", required=False, type=click.Path(dir_okay=False))
@_config_options
def validate(config, scenario, overrides, rules, occupations, data_dir):
    """Check a config (and overlay/overrides); explain every problem. Exit 0 or 2."""
    from sim.config.loading import load_config

    cfg = load_config(config, scenario, _shortcuts(rules, occupations, data_dir, overrides))
    if cfg.occupations.source == "detailed":  # the folder `sim run` would read must exist
        from sim.data.detailed import find_data_dir

        find_data_dir(cfg.occupations.data_dir)
    click.echo(f"OK: {config or '(built-in default)'} is valid "
               f"({len(cfg.labs)} labs, {len(cfg.hardware.vendors)} vendors, "
               f"{cfg.time.n_steps} steps from {cfg.time.start_year:g}).")


#: ``sim copies`` inputs: (low, high, why). Wide enough for any model from a toy to far
#: beyond the frontier, narrow enough that every figure printed is finite and meaningful
#: (outside them a division overflows to inf or 0/0 gives NaN).
COPIES_RANGES = {
    "--train-flop": (1e15, 1e40, "one second of one H100 to 15 OOM above GPT-4's 2e25"),
    "--params": (1e6, 1e16, "a toy model to ~4 OOM above the largest published (~1e12)"),
    "--tokens-per-word": (0.1, 10.0, "the schema's copies.tokens_per_word allows <= 10"),
    "--wpm": (1.0, 1e5, "the schema's copies.human_words_per_minute allows <= 1e5"),
    "--speed": (0.01, 1e4, "the schema's copies.max_serial_speed allows <= 1e4"),
    "--k": (1.0, 100.0, "the schema's copies.speed_k range"),
}


def _copies_help(name: str, text: str) -> str:
    """Option help with its allowed range and the reason for it."""
    lo, hi, why = COPIES_RANGES[name]
    return f"{text} Allowed: {lo:g} to {hi:g} ({why})."


def _copies_problems(values: dict) -> list[Problem]:
    """One problem per ``sim copies`` input that is not a finite number in its range."""
    problems = []
    for name, value in values.items():
        lo, hi, _ = COPIES_RANGES[name]
        if not (math.isfinite(value) and lo <= value <= hi):
            problems.append(Problem(name, value, f"allowed: a finite number from {lo:g} to "
                                    f"{hi:g}"))
    return problems


def _count(x: float) -> str:
    """A count for the text output: whole numbers with commas, small ones not shown as 0."""
    return f"{x:,.0f}" if x >= 1 else f"{x:.3g}"


@cli.command()
@click.option("--train-flop", type=float, required=True,
              help=_copies_help("--train-flop", "Training compute, FLOP."))
@click.option("--params", "n_params", type=float, required=True,
              help=_copies_help("--params", "Parameters N."))
@click.option("--tokens-per-word", type=float, default=1.33, show_default=True,
              help=_copies_help("--tokens-per-word", "Tokens per word."))
@click.option("--wpm", type=float, default=380.0, show_default=True,
              help=_copies_help("--wpm", "Human words per minute."))
@click.option("--speed", type=float, default=5.0, show_default=True,
              help=_copies_help("--speed", "Serial speed of each copy, x human."))
@click.option("--k", type=float, default=5.0, show_default=True,
              help=_copies_help("--k", "Trade-off factor: k^3 copies -> one copy k^2 faster."))
@click.option("--json", "as_json", is_flag=True, help="Print JSON (never NaN or Infinity).")
def copies(train_flop, n_params, tokens_per_word, wpm, speed, k, as_json):
    """Steinhardt's copy arithmetic, from the functions the model uses."""
    from sim.files import dump_json
    from sim.model.mechanisms import copies as cp

    problems = _copies_problems({"--train-flop": train_flop, "--params": n_params,
                                 "--tokens-per-word": tokens_per_word, "--wpm": wpm,
                                 "--speed": speed, "--k": k})
    if problems:
        raise SimInputError("command line", problems)
    tokens = cp.tokens_from_flop(train_flop, n_params)
    years = cp.human_years_from_flop(train_flop, n_params, wpm, tokens_per_word)
    months_at_speed = 12.0 * cp.years_to_do(years, years, speed)
    fast_copies, fast_speed = cp.trade_speed(years, speed, k)
    days_fast = cp.DAYS_PER_YEAR * cp.years_to_do(years, fast_copies, fast_speed)
    result = {
        "tokens": tokens,
        "human_tokens_per_s": cp.human_tokens_per_s(wpm, tokens_per_word),
        "human_years_continuous": years,
        "copies_for_one_year_at_1x": years,
        "months_for_same_copies_at_speed": months_at_speed,
        "speed": speed,
        "traded_copies": float(fast_copies),
        "traded_speed": float(fast_speed),
        "days_for_each_traded_copy_to_do_a_year": float(cp.DAYS_PER_YEAR / fast_speed),
        "days_for_all_the_work_traded": float(days_fast),
        "experience_years_per_day_if_all_copies_run": float(cp.experience_years_per_day(years)),
    }
    if as_json:  # dump_json refuses NaN: a non-finite figure is an error, never invalid JSON
        click.echo(dump_json(result))
        return
    click.echo(f"Training compute {train_flop:.3g} FLOP buys {tokens:.3g} tokens of inference "
               f"with {n_params:.3g} parameters (2N FLOP per token).")
    click.echo(f"At {wpm:g} words/min x {tokens_per_word:g} tokens/word "
               f"({result['human_tokens_per_s']:.2f} tokens/s) that is {_count(years)} years "
               "of human work (continuous time).")
    click.echo(f"= {_count(years)} copies for a year at 1x, or the same copies at {speed:g}x "
               f"for {months_at_speed:.3g} months.")
    click.echo(f"Trade-off k={k:g}: {_count(fast_copies)} copies at {fast_speed:g}x human; "
               f"each does a year of work in "
               f"{result['days_for_each_traded_copy_to_do_a_year']:.3g} days.")


def _first_comment(path: Path) -> str:
    """The first comment line of a YAML overlay: what it means, in one line."""
    return next((line[1:].strip() for line in path.read_text().splitlines()
                 if line.startswith("#")), "")


@cli.command()
def scenarios():
    """List the scenario overlays."""
    from sim.config.loading import find_scenario, list_scenarios, read_yaml

    for name in list_scenarios():
        path = find_scenario(name)
        read_yaml(path)  # first: a bad file (not UTF-8, too big, bad YAML) exits 2, named
        first = _first_comment(path)
        click.echo(f"{name:24s} {first}")


@cli.command()
def rules():
    """List the task-automation rule sets (configs/task_rules/)."""
    from sim.config.loading import list_rule_sets, read_yaml, rule_set_dirs

    for name in list_rule_sets():
        first = ("The schema's defaults: automation on Davidson's scale (100% at 1e36, a 4-OOM "
                 "gap), tasks ordered by their labels; E1 augmented from GPT-4, E2 after tools.")
        for d in rule_set_dirs():
            path = d / f"{name}.yaml"
            if path.is_file():
                read_yaml(path)  # first: a bad file exits 2, named, as in `sim scenarios`
                first = _first_comment(path)
                break
        click.echo(f"{name:20s} {first}")


@cli.command()
@click.option("--data", "data_dir", default=None, type=click.Path(file_okay=False),
              help="Raw data folder (default: $SIM_ONET_DATA, else the table shipped with the "
                   "package).")
def occupations(data_dir):
    """Read the detailed O*NET x BLS data and report every join: what matched, what was
    dropped and why.
    """
    from sim.config.schema import SimConfig
    from sim.data.detailed import format_join_report, load_detailed
    from sim.data.occupations import task_bins

    table, report = load_detailed(data_dir, task_bins(SimConfig()))
    click.echo(format_join_report(report))
    click.echo(f"  {table.n_occupations} occupations, {report['task_bins']:,} task bins "
               "(tasks with identical labels pooled, classes split into quantile bins)")


@cli.command()
@click.option("--markdown", is_flag=True, help="Print a Markdown table.")
def params(markdown):
    """Every parameter with its unit, default, range and source."""
    from sim.config.paramdoc import parameter_rows

    rows = parameter_rows()
    if markdown:
        click.echo("| parameter | default | range | unit and source |\n|---|---|---|---|")
        for r in rows:
            click.echo(f"| `{r['name']}` | {r['default']} | {r['range']} | {r['doc']} |")
        return
    for r in rows:
        click.echo(f"{r['name']} = {r['default']}  range {r['range']}\n    {r['doc']}")


@cli.command()
@click.argument("run_dir", type=click.Path())
@click.option("--out", type=click.Path(), default=None,
              help="HTML file to write (default: RUN_DIR/report.html).")
def report(run_dir, out):
    """Write a self-contained HTML report (figures embedded) of one result folder."""
    from sim.figures.report import write_report

    click.echo(f"Report: {write_report(run_dir, out)}")


@cli.command()
@click.argument("runs", nargs=-1)
@click.option("--out", type=click.Path(), default=None,
              help="HTML file to write (default: results/compare-<date>-<time>.html).")
def compare(runs, out):
    """Compare two or more runs: result folders or scenario names (`default` = built-in)."""
    from sim.figures.report import compare as compare_runs
    from sim.outputs.output import NonFiniteResultError

    try:
        path, table = compare_runs(list(runs), out)
    except NonFiniteResultError as exc:  # a scenario run in memory failed: one line, exit 1
        click.echo(f"error: {one_line(str(exc), 400)}", err=True)
        raise SystemExit(EXIT_MODEL_FAILED) from None
    click.echo(table)
    click.echo(f"Compare: {path}")


@cli.command()
@click.argument("config", required=False, type=click.Path(dir_okay=False))
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True,
              help="Port of the local web page.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to listen on; another host only when you mean to share it.")
def dashboard(config, port, host):
    """Start the interactive what-if dashboard in the browser (needs the dashboard extra)."""
    from sim.dashboard.serve import serve

    sys.exit(serve(config, host=host, port=port))


@cli.command()
@click.argument("sweep_file", required=False, type=click.Path(dir_okay=False))
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Sweep folder (default: results/sweep-<name>-<date>-<time>).")
@click.option("--resume", "resume_dir", type=click.Path(file_okay=False), default=None,
              help="Finish the sweep in this folder, skipping chunks already written.")
@click.option("--workers", type=click.IntRange(1), default=None,
              help="Local worker processes (default: all cores; 1 runs in this process).")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Run on an existing Dask cluster (default, when --workers is not given: "
                   "$DASK_SCHEDULER_ADDRESS).")
@click.option("--worker-timeout", type=click.IntRange(1, 86400), default=60, show_default=True,
              metavar="SECONDS",
              help="Stop a Dask sweep whose cluster has had no workers this long (the chunks "
                   "written stay for --resume).")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=None,
              help="Override the sweep seed (with --resume: must equal the stored one).")
@click.option("--chunk-size", type=click.IntRange(1, 100_000), default=None,
              help="Override the runs per chunk (with --resume: must equal the stored one).")
@click.option("--force", is_flag=True, help="Replace an existing sweep folder.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def sweep(sweep_file, out, resume_dir, workers, scheduler, worker_timeout, seed, chunk_size,
          force, quiet):
    """Run a parameter sweep (SWEEP_FILE), or finish one with --resume DIR.

    SIGTERM or Ctrl-C stop the workers and keep the chunks written, for --resume.
    """
    import dataclasses

    from sim.sweep import load_sweep, run_sweep
    from sim.sweep import runner as sr

    sr.check_options(sweep_file=sweep_file, resume_dir=resume_dir, out=out, workers=workers,
                     scheduler=scheduler, force=force)
    options = {"workers": workers, "scheduler": scheduler, "progress": not quiet,
               "worker_timeout": worker_timeout}
    try:
        if resume_dir:
            spec = sr.load_folder(resume_dir)
            sr.check_resume(spec, resume_dir, seed, chunk_size)
            summary = run_sweep(spec, resume_dir, resume=True, **options)
        else:
            spec = load_sweep(sweep_file, seed=seed)
            if chunk_size:
                spec = dataclasses.replace(spec, chunk_size=chunk_size)
            out = out or f"results/sweep-{spec.name}-{time.strftime('%Y%m%d-%H%M%S')}"
            summary = run_sweep(spec, out, force=force, **options)
    except sr.SweepInterrupted as exc:
        click.echo(f"sim sweep: {exc.message()}", err=True)
        sys.exit(exc.exit_code)
    if not quiet:
        click.echo(f"Summary: {summary}")


@cli.command()
@click.argument("sweep_dir", type=click.Path(file_okay=False))
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Where figures and tables go (default: SWEEP_DIR/analysis).")
@click.option("--discover", "conditions", multiple=True, metavar="CONDITION",
              help="Find the parameter ranges where a condition on the outputs holds (PRIM), "
                   "e.g. --discover \"unemployment_rate@2040 < 0.2\": a summary column "
                   "(NAME@YEAR or milestone.NAME), one of < <= > >=, a number; join several "
                   "with 'and'. A milestone not reached counts as later than any year. "
                   "Repeatable: one box per condition.")
def analyze(sweep_dir, out, conditions):
    """Scenario discovery (--discover), sensitivity indices (Sobol for Saltelli sweeps, delta
    and PAWN for any other), fan charts, milestone CDFs and an HTML report of a sweep.
    """
    import shlex

    from sim.sweep.analysis import analyze_sweep

    report = analyze_sweep(sweep_dir, out, discover=conditions,
                           command=shlex.join(["sim"] + sys.argv[1:]))
    for line in report.warnings:
        click.echo(f"warning: {line}", err=True)
    click.echo(report.text())


def _usage_line(exc: click.ClickException) -> str:
    """A click usage error on one line (click prints usage, a hint and the error on three)."""
    ctx = getattr(exc, "ctx", None)
    where = ctx.command_path if ctx is not None else "sim"
    message = one_line(exc.format_message().rstrip("."), 300)
    return f"{where}: {message}; allowed: see `{where} --help`"


def _os_error_line(exc: OSError) -> str:
    """A file-system failure (read-only folder, disk full, name too long) on one line."""
    name = exc.filename if exc.filename is not None else "(file system)"
    return (f"{one_line(str(name), 200)}: {exc.strerror or type(exc).__name__}; allowed: a "
            "writable folder with free space and names the file system accepts; nothing "
            "incomplete was left in place")


def main(argv=None):
    """Entry point: input errors exit 2 with one message per problem and no traceback.

    Exit codes: 0 done; 1 the model failed (a bug or non-finite numbers from a valid config;
    ``SIM_DEBUG=1`` shows the traceback); 2 bad input or an unusable output location; 130
    interrupted.
    """
    try:
        cli.main(args=argv, standalone_mode=False, prog_name="sim")
    except SimInputError as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem.render(exc.file)}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        click.echo(f"error: {_usage_line(exc)}", err=True)
        sys.exit(EXIT_BAD_INPUT if isinstance(exc, click.UsageError) else exc.exit_code)
    except KeyboardInterrupt:
        click.echo("interrupted: no result folder was written", err=True)
        sys.exit(130)
    except OSError as exc:
        click.echo(f"error: {_os_error_line(exc)}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    except Exception as exc:  # noqa: BLE001 - a bug: one line, the traceback on request
        if os.environ.get("SIM_DEBUG"):
            raise
        click.echo(f"error: internal error ({type(exc).__name__}: "
                   f"{one_line(str(exc), 300)}); set SIM_DEBUG=1 to see where", err=True)
        sys.exit(EXIT_MODEL_FAILED)
    sys.exit(0)


if __name__ == "__main__":
    main()
