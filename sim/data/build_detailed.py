"""Rebuild the detailed occupation table shipped with the package.

Why: ``--occupations detailed`` must run on a fresh install that has no copy of the public
O*NET x BLS exposure data. The package ships the *derived* table (never the raw files):

* ``sim/data/detailed_occupations.csv``: one row per kept BLS detailed occupation (~780):
  code, title, employment, mean hourly wage, Job Zone, the data's exposure score
  ``dv_rating_beta`` and verifiability;
* ``sim/data/detailed_tasks.csv``: each occupation's tasks pooled by their labels (exposure
  class, physical, GPT-4 automation rating, experiment) with their share of its task-hours;
* ``sim/data/detailed_join_report.json``: what the join kept and dropped.

Licence and attribution of the data they derive from: ``sim/data/NOTICE``. This script is the
one path from the raw folder to those files (:func:`sim.data.detailed.write_shipped`); a test
checks the shipped files still equal a fresh build.

Usage::

    python -m sim.data.build_detailed [--data DIR] [--out-dir DIR]
"""

from __future__ import annotations

import sys
from pathlib import Path

from sim.data import build_major_groups as bmg
from sim.data import detailed

DEFAULT_OUT_DIR = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: build the shipped files, write them, print the join report.

    Returns:
        Process exit status: 0 done, 2 bad data or an unwritable output (one line per
        problem on stderr).

    """
    parser = bmg._Parser(
        prog="python -m sim.data.build_detailed",
        description="Rebuild sim/data/detailed_*.csv from the O*NET x BLS exposure data.",
    )
    parser.add_argument("--data", type=Path, default=bmg.DEFAULT_DATA_DIR, help="data folder")
    parser.add_argument("--out-dir", type=Path, default=DEFAULT_OUT_DIR,
                        help="folder the three files are written to (default: sim/data)")
    args = parser.parse_args(argv)

    def build():
        if not args.data.is_dir():
            raise bmg._problem(args.data, "--data", str(args.data), "not a folder; allowed: "
                               f"{bmg.WHERE_FROM.split(', given')[0]}")
        return detailed.write_shipped(args.data, args.out_dir)

    code, built = bmg.report_errors(build, "a writable output folder")
    if code:
        return code
    report, written = built
    print(detailed.format_join_report(dict(report, data_dir=str(args.data))))
    for path in written:
        print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
