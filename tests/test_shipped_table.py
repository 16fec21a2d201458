"""The detailed table shipped with the package: present, licensed, packaged, equal to a fresh
build from the raw data (file for file, array for array, run for run), used when no data folder
is given; and the report's searchable table of every occupation.
"""

from __future__ import annotations

import fnmatch
import json
import re
import shutil
import tomllib
from html import unescape
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from onet_fixture import write_fixture

import sim
from sim.cli import main
from sim.data import build_detailed, detailed
from sim.errors import OccupationTableError
from sim.figures.report import report_html
from sim.figures.report_tables import HEADER, occupation_rows
from sim.outputs.run_data import RunData, load_run
from sim.runner import resolve_data_dir

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT.parent / "shared" / "data" / "onet_exposure"
SHIPPED_DIR = ROOT / "sim" / "data"
BINS = {"e0": 4, "e1": 1, "e2": 1}
OTHER_BINS = {"e0": 2, "e1": 3, "e2": 5}

needs_data = pytest.mark.skipif(
    not (DATA_DIR / "full_labelset.tsv").is_file(),
    reason=f"public O*NET/BLS exposure data not found at {DATA_DIR} (it is never committed)",
)


@pytest.fixture(autouse=True)
def no_data_env(monkeypatch):
    """As on a fresh install: no data folder named by the environment."""
    monkeypatch.delenv(detailed.DATA_ENV_VAR, raising=False)


def run_cli(capsys, *args):
    capsys.readouterr()
    with pytest.raises(SystemExit) as exc:
        main([str(a) for a in args])
    out, err = capsys.readouterr()
    return (0 if exc.value.code is None else exc.value.code), out, err


def assert_tables_identical(a, b) -> None:
    """Same codes, titles and arrays, bit for bit (dtype and bytes)."""
    assert a.codes == b.codes and a.titles == b.titles
    pairs = [(k, getattr(a, k), getattr(b, k)) for k in detailed._TABLE_ARRAYS]
    pairs += [(k, getattr(a.tasks, k), getattr(b.tasks, k)) for k in detailed._TASK_ARRAYS]
    for name, x, y in pairs:
        assert x.dtype == y.dtype and x.shape == y.shape, name
        assert x.tobytes() == y.tobytes(), name


# ---- the files: no data needed -----------------------------------------------------------


def test_shipped_files_are_small_and_licensed():
    sizes = {name: (SHIPPED_DIR / name).stat().st_size for name in detailed.SHIPPED_FILES}
    assert sum(sizes.values()) < 1_000_000, sizes          # ~265 kB today
    notice = (SHIPPED_DIR / "NOTICE").read_text()
    for text in ("Eloundou", "arXiv:2303.10130", "O*NET", "USDOL/ETA", "CC BY 4.0",
                 "Bureau of Labor Statistics", "MIT License", "Copyright (c) 2024 OpenAI",
                 "THE SOFTWARE IS PROVIDED \"AS IS\"", *detailed.SHIPPED_FILES):
        assert text in notice, text


def test_shipped_files_are_package_data():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["sim"]
    for name in (*detailed.SHIPPED_FILES, "NOTICE"):
        assert any(fnmatch.fnmatch(f"data/{name}", p) for p in patterns), name


def test_no_folder_means_the_shipped_table():
    assert detailed.find_data_dir(None) is None
    table, report = detailed.load_detailed(None, BINS)
    assert table.n_occupations == report["occupations_kept"] == 778
    assert report["data_dir"] == detailed.SHIPPED_SOURCE
    assert report["task_bins"] == table.tasks.n_tasks == 11_796
    assert table.codes == tuple(sorted(table.codes)) and len(set(table.codes)) == 778
    assert np.all(table.employment > 0) and np.all(np.isfinite(table.wage_usd_per_hour))
    assert np.all((table.job_zone >= 1) & (table.job_zone <= 5))
    assert np.all((table.exposure_score >= 0) & (table.exposure_score <= 1))
    sums = np.bincount(table.tasks.occupation, weights=table.tasks.hours_share)
    np.testing.assert_allclose(sums, 1.0, rtol=1e-12)
    config = sim.load_config(overrides=["occupations.source=detailed"])
    assert resolve_data_dir(config) == config          # data_dir stays None


@pytest.mark.parametrize("bins", [BINS, OTHER_BINS, {"e0": 1, "e1": 1, "e2": 1}])
def test_any_bin_counts_from_the_shipped_pools(bins):
    """The pools do not depend on the bins: each class's hours are split evenly."""
    table, _ = detailed.load_shipped(bins)
    tp = table.tasks
    for e, cls in enumerate(("e0", "e1", "e2")):
        per = pd.Series(tp.quantile[tp.exposure == e]).round(12).value_counts()
        assert len(per) == bins[cls]
    sums = np.bincount(tp.occupation, weights=tp.hours_share)
    np.testing.assert_allclose(sums, 1.0, rtol=1e-12)


def _copy_shipped(tmp_path: Path) -> Path:
    folder = tmp_path / "shipped"
    folder.mkdir()
    for name in detailed.SHIPPED_FILES:
        shutil.copy(SHIPPED_DIR / name, folder / name)
    return folder


@pytest.mark.parametrize("damage, file", [
    ("missing", detailed.SHIPPED_TASKS),
    ("column renamed", detailed.SHIPPED_OCCUPATIONS),
    ("unknown occupation", detailed.SHIPPED_TASKS),
    ("not a number", detailed.SHIPPED_OCCUPATIONS),
    ("not JSON", detailed.SHIPPED_REPORT),
])
def test_damaged_shipped_files_are_named(tmp_path, damage, file):
    folder = _copy_shipped(tmp_path)
    path = folder / file
    text = path.read_text()
    if damage == "missing":
        path.unlink()
    elif damage == "column renamed":
        path.write_text(text.replace("hourly_wage", "wage", 1))
    elif damage == "unknown occupation":
        path.write_text(text.replace("\n11-1011,", "\n99-9999,", 1))
    elif damage == "not a number":
        path.write_text(text.replace(",200480.0,", ",lots,", 1))
    else:
        path.write_text(text[:-20])
    with pytest.raises(OccupationTableError) as exc:
        detailed.read_shipped(folder)
    assert exc.value.file == f"sim/data/{file}"
    assert "build_detailed" in str(exc.value)


def test_rebuild_script_round_trips_exactly(tmp_path, capsys):
    """Written by the script and read back: the table built from the folder, bit for bit."""
    data = write_fixture(tmp_path / "onet")
    out = tmp_path / "out"
    out.mkdir()
    assert build_detailed.main(["--data", str(data), "--out-dir", str(out)]) == 0
    assert "wrote" in capsys.readouterr().out
    occupations, pools, report = detailed.read_shipped(out)
    for bins in (BINS, OTHER_BINS):
        shipped = detailed._table(occupations, pools, bins, "shipped")
        built, built_report = detailed._build(data, bins)
        assert_tables_identical(shipped, built)
    built_report.pop("task_bins")
    assert report == dict(built_report, data_dir=detailed.SHIPPED_SOURCE)


@pytest.mark.parametrize("where", ["nowhere", "afile"])
def test_rebuild_script_bad_data_exits_2(tmp_path, capsys, where):
    (tmp_path / "afile").write_text("x")
    out = tmp_path / "out"
    out.mkdir()
    assert build_detailed.main(["--data", str(tmp_path / where), "--out-dir", str(out)]) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(err) == 1 and "--data" in err[0] and "not a folder" in err[0]
    assert not list(out.iterdir())


# ---- equal to a fresh build from the public data -----------------------------------------


@needs_data
def test_shipped_files_equal_a_fresh_build(tmp_path):
    """Byte for byte: rerun `python -m sim.data.build_detailed` when this fails."""
    detailed.write_shipped(DATA_DIR, tmp_path)
    for name in detailed.SHIPPED_FILES:
        assert (tmp_path / name).read_bytes() == (SHIPPED_DIR / name).read_bytes(), (
            f"sim/data/{name} differs from a fresh build: rerun python -m "
            "sim.data.build_detailed --data ../shared/data/onet_exposure")


@needs_data
@pytest.mark.parametrize("bins", [BINS, OTHER_BINS])
def test_shipped_table_equals_the_raw_build(bins):
    shipped, shipped_report = detailed.load_shipped(bins)
    built, built_report = detailed._build(DATA_DIR, bins)
    assert_tables_identical(shipped, built)
    assert shipped_report == dict(built_report, data_dir=detailed.SHIPPED_SOURCE)


@needs_data
def test_run_from_the_shipped_table_equals_the_run_from_the_raw_folder():
    shipped = sim.run(sim.load_config(overrides=["occupations.source=detailed"])).sim
    raw = sim.run(sim.load_config(overrides=["occupations.source=detailed",
                                             f"occupations.data_dir={json.dumps(str(DATA_DIR))}"])).sim
    assert shipped.configs[0].occupations.data_dir is None
    assert shipped.occupation_codes == raw.occupation_codes
    pd.testing.assert_frame_equal(shipped.occupation_info, raw.occupation_info)
    assert set(shipped.aggregates) == set(raw.aggregates)
    for name, values in raw.aggregates.items():
        np.testing.assert_array_equal(shipped.aggregates[name], values, err_msg=name)
    assert set(shipped.occupations) == set(raw.occupations)
    for name, values in raw.occupations.items():
        np.testing.assert_array_equal(shipped.occupations[name], values, err_msg=name)


# ---- a fresh user's command line, and the report -----------------------------------------


@pytest.fixture(scope="module")
def shipped_run(tmp_path_factory) -> Path:
    """`sim run --occupations detailed` with no data folder, to the end of 2025."""
    import os

    saved = os.environ.pop(detailed.DATA_ENV_VAR, None)
    out = tmp_path_factory.mktemp("shipped") / "run"
    try:
        with pytest.raises(SystemExit) as exc:
            main(["run", "--occupations", "detailed", "--set", "time.end_year=2025",
                  "--no-plots", "--quiet", "--out", str(out)])
    finally:
        if saved is not None:
            os.environ[detailed.DATA_ENV_VAR] = saved
    assert exc.value.code in (0, None)
    return out


def test_cli_runs_detailed_without_a_data_folder(shipped_run):
    cfg = sim.load_config(shipped_run / "config.yaml")
    assert cfg.occupations.source == "detailed" and cfg.occupations.data_dir is None
    report = json.loads((shipped_run / "join_report.json").read_text())
    assert report["occupations_kept"] == 778 and report["data_dir"] == detailed.SHIPPED_SOURCE
    assert len(pd.read_parquet(shipped_run / "occupation_info.parquet")) == 778


def test_cli_occupations_reports_the_shipped_table(capsys):
    code, out, _ = run_cli(capsys, "occupations")
    assert code == 0
    assert "shipped with the package" in out and "778 occupations" in out


def _occupation_table(html: str) -> list[list[str]]:
    start = html.index('<table id="occ-all">')
    table = html[start: html.index("</table>", start)]
    head = re.findall(r"<th[^>]*>([^<]*)</th>", table)
    assert head == list(HEADER)
    body = table[table.index("<tbody>"):]
    return [re.findall(r"<td[^>]*>([^<]*)</td>", row) for row in
            re.findall(r"<tr>(.*?)</tr>", body)]


def _assert_searchable_and_self_contained(html: str) -> None:
    assert '<input type="search" id="occ-search"' in html and 'oninput="' in html
    lowered = html.lower()
    for bad in ("http://", "https://", "<script", "<link", "@import", "url("):
        assert bad not in lowered, bad


def test_report_lists_every_detailed_occupation(shipped_run, capsys):
    code, _, err = run_cli(capsys, "report", shipped_run)
    assert code == 0, err
    html = (shipped_run / "report.html").read_text()
    _assert_searchable_and_self_contained(html)
    rows = _occupation_table(html)
    run = load_run(shipped_run)
    assert len(rows) == 778 == len(run.codes)
    assert [r[0] for r in rows] == run.codes
    assert '<span id="occ-shown">778</span> of 778 occupations shown' in html
    i = run.codes.index("15-1252")
    assert rows[i][1] == "Software Developers"
    assert rows[i][2] == "15 Computer and Mathematical Occupations"
    assert rows[i][4] == f"{run.series('employed')[-1, i]:,.0f}"


def test_report_lists_the_22_groups():
    res = sim.run(sim.load_config(overrides=["time.end_year=2024"])).sim
    run = RunData.from_results(res, label="groups", source="memory")
    html = report_html(run)
    _assert_searchable_and_self_contained(html)
    rows = _occupation_table(html)
    assert [r[0] for r in rows] == run.codes and len(rows) == 22
    assert [[unescape(v) for v in r] for r in rows] == occupation_rows(run)
