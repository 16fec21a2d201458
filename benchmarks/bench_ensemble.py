"""Ensemble benchmark: the whole `sim run --ensemble N` command, as a user runs it.

Usage::

    python benchmarks/bench_ensemble.py [--members 200] [--repeats 3]
    python benchmarks/bench_ensemble.py --trace      # one run in this process, timed by phase

What is timed: the wall time of the command ``sim run --ensemble N --quiet --out DIR`` (the
default scenario, 2023-2050 monthly) in a fresh Python process, from start to exit: imports,
reading and checking the ranges, drawing the members, stepping them as one batch, recording the
median member's occupations, writing every table, the ten figures and the manifest. One
untimed run first (it compiles the task market if the numba cache is cold), then ``--repeats``
timed runs; median and min are reported, with the CPU time of the command and its forked
processes, the machine's load average before each run (other work on a shared machine slows
the command down), and the size of the result folder, file by file. Target: median < 10 s on
the 2-core development machine.

``--trace`` runs the command once in this process and prints when each phase started and
ended (wall clock from the start, and this process's CPU time), to see what the critical path
is.

The last line printed is one JSON object holding every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 10.0


def run_command(members: int, out: Path) -> dict:
    """One `sim run --ensemble` in a fresh process: wall time, CPU time (with children)."""
    if out.exists():
        shutil.rmtree(out)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "sim.cli", "run", "--ensemble", str(members),
                           "--quiet", "--out", str(out)], capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"sim run failed ({proc.returncode}): {proc.stderr[-500:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "load_before": round(load, 2)}


def folder_size(out: Path) -> dict:
    """Bytes of every file of the result folder, and the total."""
    files = {p.relative_to(out).as_posix(): p.stat().st_size for p in sorted(out.rglob("*"))
             if p.is_file()}
    return {"total_bytes": sum(files.values()), "files": files}


def trace(members: int, out: Path) -> None:
    """Run the command in this process with the phases timed."""
    from sim import ensemble, runner
    from sim.figures import run as run_figures
    from sim.outputs import output

    t0 = time.perf_counter()
    c0 = time.process_time()
    marks = []

    def wrap(module, name):
        fn = getattr(module, name)

        def timed(*args, **kwargs):
            start = (time.perf_counter() - t0, time.process_time() - c0)
            try:
                return fn(*args, **kwargs)
            finally:
                marks.append((name, start, (time.perf_counter() - t0,
                                            time.process_time() - c0)))
        setattr(module, name, timed)

    for module, name in ((ensemble.EnsemblePlan, "draw"), (runner, "run_batch"),
                         (output, "write_table"), (run_figures, "make_figures"),
                         (run_figures, "draw_ahead"), (run_figures, "warm_up"),
                         (output, "write_run")):
        wrap(module, name)
    from sim.cli import main

    try:
        main(["run", "--ensemble", str(members), "--quiet", "--out", str(out), "--force"])
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise
    end = time.perf_counter() - t0
    print(f"{'phase':16s} {'start':>7s} {'end':>7s}   cpu in this process")
    for name, (s, cs), (e, ce) in marks:
        print(f"{name:16s} {s:7.2f} {e:7.2f}   {ce - cs:6.2f}")
    print(f"total {end:.2f} s wall, {time.process_time() - c0:.2f} s CPU in this process "
          "(imports before the first phase are not counted: run the command itself)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--members", type=int, default=200)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--trace", action="store_true", help="time the phases of one run")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-ensemble-") as tmp:
        out = Path(tmp) / "ens"
        if args.trace:
            trace(args.members, out)
            return 0
        run_command(args.members, out)  # warm: numba cache, page cache
        runs = [run_command(args.members, out) for _ in range(args.repeats)]
        size = folder_size(out)
    walls = [r["wall_s"] for r in runs]
    median = statistics.median(walls)
    ok = median < TARGET_S
    print(f"sim run --ensemble {args.members}: " + ", ".join(
        f"{r['wall_s']:.2f} s (CPU {r['cpu_s']:.2f} s, load {r['load_before']:.1f})"
        for r in runs))
    print(f"median {median:.2f} s, min {min(walls):.2f} s; target < {TARGET_S:.0f} s: "
          f"{'PASS' if ok else 'FAIL'}")
    print(f"result folder: {size['total_bytes'] / 2**20:.1f} MiB")
    for name, b in size["files"].items():
        print(f"  {name:40s} {b / 2**10:10.1f} KiB")
    print(json.dumps({"members": args.members, "runs": runs, "median_wall_s": median,
                      "min_wall_s": min(walls), "target_s": TARGET_S, "pass": ok,
                      "folder_bytes": size["total_bytes"], "files": size["files"],
                      "cpus": os.cpu_count(), "python": platform.python_version(),
                      "date": time.strftime("%Y-%m-%d")}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
