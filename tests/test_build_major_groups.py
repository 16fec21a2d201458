"""Tests for sim/data/build_major_groups.py and the committed sim/data/major_groups.csv."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from onet_fixture import write_fixture

from sim.data import build_major_groups as bmg

REPO_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = REPO_ROOT.parent / "shared" / "data" / "onet_exposure"
COMMITTED = REPO_ROOT / "sim" / "data" / "major_groups.csv"
COMMITTED_RESEARCH = REPO_ROOT / "sim" / "data" / "ai_research_tasks.csv"

SHARE_COLUMNS = [*bmg.PROFILE_COLUMNS, "verifiability"]

needs_data = pytest.mark.skipif(
    not (DATA_DIR / bmg.TASKS_FILE).is_file(),
    reason=f"public O*NET/BLS exposure data not found at {DATA_DIR} (it is never committed)",
)


@pytest.fixture(scope="module")
def built() -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    return bmg.build_major_groups(DATA_DIR)


def _read_committed(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"soc_major": str, "occ_code": str})


def _assert_frames_close(committed: pd.DataFrame, fresh: pd.DataFrame) -> None:
    assert list(committed.columns) == list(fresh.columns)
    assert len(committed) == len(fresh)
    for column in fresh.columns:
        if pd.api.types.is_numeric_dtype(fresh[column]):
            np.testing.assert_allclose(
                committed[column].to_numpy(float),
                fresh[column].to_numpy(float),
                rtol=1e-3,
                atol=1e-6,
                err_msg=f"column {column} drifted: rerun python -m sim.data.build_major_groups",
            )
        else:
            assert committed[column].astype(str).tolist() == fresh[column].astype(str).tolist()


# ---- keyword rules and committed file: no data needed ----------------------------------------


@pytest.mark.parametrize(
    "task",
    [
        "Weld metal parts, using arc welding equipment.",
        "Operate forklifts to move pallets.",
        "Lift or assist others to lift patients to move them on or off beds.",
        "Clean and sanitize patient rooms.",
        "Install sewer, water, or storm drain pipes.",
    ],
)
def test_physical_keywords_flag_manual_work(task: str) -> None:
    assert bmg.is_physical(task)


@pytest.mark.parametrize(
    "task",
    [
        "Operate a business in compliance with regulations.",
        "Drive growth by identifying new markets.",
        "Install and configure software applications.",
        "Carry out audits of financial statements.",
        "Maintain internal controls over accounting records.",
        "Cut costs by renegotiating vendor contracts.",
    ],
)
def test_physical_keywords_skip_figurative_uses(task: str) -> None:
    assert not bmg.is_physical(task)


def test_experiment_keywords() -> None:
    assert bmg.needs_experiments("Design or perform experiments with lasers.")
    assert bmg.needs_experiments("Collect blood, tissue, or other laboratory specimens.")
    assert bmg.needs_experiments("Develop or test photonic prototypes or models.")
    assert not bmg.needs_experiments("Maintain computers in computer laboratories.")
    assert not bmg.needs_experiments("Testify at hearings or court trials.")


def test_committed_table_shape() -> None:
    table = _read_committed(COMMITTED)
    assert list(table.columns) == list(bmg.MAJOR_GROUP_COLUMNS)
    assert len(table) == 22
    assert table["soc_major"].tolist() == sorted(table["soc_major"])
    np.testing.assert_allclose(
        table[["share_e0", "share_e1", "share_e2"]].sum(axis=1), 1, atol=1e-3
    )


def test_write_csv_atomic_leaves_no_temp_file(tmp_path: Path) -> None:
    out = tmp_path / "t.csv"
    bmg.write_csv_atomic(pd.DataFrame({"a": [1.23456789]}), out)
    assert out.read_text() == "a\n1.235\n"
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"]


# ---- full build from the public data ----------------------------------------------------------


@needs_data
def test_build_has_22_groups_and_all_employment(built) -> None:
    table, _, report = built
    assert len(table) == 22
    assert table["soc_major"].is_unique
    assert table["employment"].sum() == pytest.approx(140.9e6, rel=0.01)
    assert report["detailed_bls_matched_exact"] == 772
    assert report["employment_matched_share"] > 0.9


@needs_data
def test_shares_are_shares(built) -> None:
    table, research, _ = built
    for frame in (table, research):
        values = frame[SHARE_COLUMNS + ["dv_rating_beta"]].to_numpy(float)
        assert np.isfinite(values).all()
        assert ((values >= 0) & (values <= 1)).all()
        np.testing.assert_allclose(frame[["share_e0", "share_e1", "share_e2"]].sum(axis=1), 1)
    assert table["employment_matched_share"].between(0, 1).all()
    assert table["job_zone"].between(1, 5).all()


@needs_data
def test_committed_files_match_a_fresh_build(built) -> None:
    table, research, _ = built
    _assert_frames_close(_read_committed(COMMITTED), table)
    _assert_frames_close(_read_committed(COMMITTED_RESEARCH), research)


@needs_data
def test_computer_jobs_more_exposed_than_construction(built) -> None:
    table = built[0].set_index("soc_major")
    exposed = table["share_e1"] + table["share_e2"]
    assert exposed["15"] > exposed["47"]


@needs_data
def test_construction_more_physical_than_office(built) -> None:
    table = built[0].set_index("soc_major")
    assert table.loc["47", "physical_share_e0"] > table.loc["43", "physical_share_e0"]


@needs_data
def test_research_row(built) -> None:
    research = built[1]
    assert len(research) == 1
    assert research.loc[0, "occ_code"] == "15-1221"
    assert research.loc[0, "n_tasks"] > 0


# ---- the command line: bad data exits 2 with one line per problem ---------------------------


def _main(tmp_path: Path, *args: str) -> int:
    return bmg.main([*args, "--out", str(tmp_path / "mg.csv"),
                     "--research-out", str(tmp_path / "research.csv")])


def _one_error_line(err: str, *expected: str) -> None:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ") and "allowed" in lines[0], err
    for text in expected:
        assert text in lines[0], err


def test_main_refuses_a_bad_number(tmp_path: Path, capsys) -> None:
    folder = write_fixture(tmp_path / "onet")
    bls = folder / bmg.BLS_FILE
    bls.write_text(bls.read_text(encoding="utf-8-sig").replace('15-1252,Software Developers,'
                                                               'detailed,500', '15-1252,Software'
                                                               ' Developers,detailed,inf'))
    assert _main(tmp_path, "--data", str(folder)) == 2
    _one_error_line(capsys.readouterr().err, str(bls), "TOT_EMP (row 4)", "'inf'")
    assert not (tmp_path / "mg.csv").exists()


def test_main_needs_the_research_occupation(tmp_path: Path, capsys) -> None:
    folder = write_fixture(tmp_path / "onet")                  # valid, but has no 15-1221
    assert _main(tmp_path, "--data", str(folder)) == 2
    _one_error_line(capsys.readouterr().err, bmg.BLS_FILE, "'15-1221'")


@pytest.mark.parametrize("where", ["nowhere", "afile"])
def test_main_data_not_a_folder(tmp_path: Path, capsys, where: str) -> None:
    (tmp_path / "afile").write_text("x")
    assert _main(tmp_path, "--data", str(tmp_path / where)) == 2
    _one_error_line(capsys.readouterr().err, "--data", "not a folder")


def test_main_usage_error_on_one_line(capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        bmg.main(["--no-such-option"])
    assert exc.value.code == 2
    _one_error_line(capsys.readouterr().err, "--no-such-option")
