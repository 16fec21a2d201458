"""Malformed O*NET x BLS data folders through the CLI, as a user would meet them.

Each case corrupts one file of a copy of the public folder (or names a wrong folder) and runs
``sim occupations --data DIR`` (some also ``sim run --occupations detailed``) in this process:
it must exit 2 with one ``error:`` line that names the file, the field or row, the value and
what is allowed, within 5 s and 200 MB, never a traceback, never exit 0 with a table built from
the damaged data.

The public folder is copied once per module; each case links to that copy and writes only the
file it corrupts, so the module runs in a few seconds per case at most.
"""

from __future__ import annotations

import csv
import io
import random
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from fuzz_harness import assert_rejected, call_cli

import sim.config.loading  # noqa: F401

# Imported before the timed calls: a first import under tracemalloc takes seconds, and that is
# start-up, not the handling of the bad input.
import sim.data.detailed  # noqa: F401
import sim.outputs.output  # noqa: F401
import sim.runner  # noqa: F401

DATA_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "onet_exposure"
BLS, TASKS, OCC = "national_May2021_dl.csv", "full_labelset.tsv", "occ_level.csv"
CONTEXTS, SKILLS = "occupations_onet_work_contexts.csv", "occupations_onet_basic_skills.csv"
KEY = {BLS: "OCC_CODE", TASKS: "O*NET-SOC Code", OCC: "O*NET-SOC Code",
       CONTEXTS: "occupation", SKILLS: "Occupation"}

Edit = Callable[[Path, Path], None]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    """One writable copy of the public folder for the whole module."""
    if not (DATA_DIR / TASKS).is_file():
        pytest.skip(f"public O*NET/BLS exposure data not found at {DATA_DIR} (never committed)")
    folder = tmp_path_factory.mktemp("pristine")
    for path in DATA_DIR.iterdir():
        if path.is_file():
            shutil.copyfile(path, folder / path.name)   # contents only: the copy is writable
    return folder


def _case_folder(pristine: Path, tmp_path: Path, name: str, edit: Edit) -> Path:
    """A folder linking every file of ``pristine`` but ``name``, which ``edit`` writes."""
    folder = tmp_path / "data"
    folder.mkdir()
    for path in pristine.iterdir():
        if path.name != name:
            (folder / path.name).symlink_to(path)
    edit(pristine / name, folder / name)
    return folder


# ---- edits: each takes the pristine file and writes the corrupted one -----------------------


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8-sig").splitlines(keepends=True)


def _fields(line: str, name: str) -> list[str]:
    return next(csv.reader([line.rstrip("\r\n")], delimiter=_sep(name)))


def _join(fields: list[str], name: str, ending: str) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=_sep(name), lineterminator="").writerow(fields)
    return out.getvalue() + ending


def _sep(name: str) -> str:
    return "\t" if name.endswith(".tsv") else ","


def _ending(line: str) -> str:
    return line[len(line.rstrip("\r\n")):]


def _text_edit(change: Callable[[list[str], str], list[str]]) -> Edit:
    """An edit of the file's lines (header first, line endings kept)."""
    def edit(src: Path, dst: Path) -> None:
        dst.write_text("".join(change(_lines(src), src.name)), encoding="utf-8")
    return edit


def _rows_of(lines: list[str], name: str, key: str) -> list[int]:
    header = _fields(lines[0], name)
    column = header.index(KEY[name])
    return [i for i, line in enumerate(lines[1:], 1)
            if key in line and _fields(line, name)[column].strip() == key]


def cell(key: str, column: str, value: str) -> Edit:
    """``column`` of the first row whose key (code or title) is ``key`` set to ``value``."""
    def change(lines, name):
        i = _rows_of(lines, name, key)[0]
        fields = _fields(lines[i], name)
        fields[_fields(lines[0], name).index(column)] = value
        return [*lines[:i], _join(fields, name, _ending(lines[i])), *lines[i + 1:]]
    return _text_edit(change)


def repeat(key: str, column: str | None = None, value: str = "") -> Edit:
    """Every row of ``key`` written twice (the copies last), optionally with ``column`` of the
    copies changed to ``value``.
    """
    def change(lines, name):
        copies = []
        for i in _rows_of(lines, name, key):
            fields = _fields(lines[i], name)
            if column:
                fields[_fields(lines[0], name).index(column)] = value
            copies.append(_join(fields, name, "\n"))
        body = lines if lines[-1].endswith("\n") else [*lines[:-1], lines[-1] + "\n"]
        return body + copies
    return _text_edit(change)


def drop_column(column: str) -> Edit:
    """``column`` removed from every row."""
    def change(lines, name):
        at = _fields(lines[0], name).index(column)
        return [_join([f for j, f in enumerate(_fields(line, name)) if j != at], name,
                      _ending(line)) for line in lines]
    return _text_edit(change)


def keep_lines(n: int) -> Edit:
    """The file cut after its first ``n`` lines (at a line break)."""
    return _text_edit(lambda lines, name: lines[:n])


def extra_field(line: int) -> Edit:
    """One more field on line ``line``."""
    def change(lines, name):
        text = lines[line - 1]
        return [*lines[:line - 1], text.rstrip("\r\n") + _sep(name) + "x" + _ending(text),
                *lines[line:]]
    return _text_edit(change)


def cut_bytes(fraction: float) -> Edit:
    """The file cut at ``fraction`` of its bytes, inside a row."""
    def edit(src: Path, dst: Path) -> None:
        data = src.read_bytes()
        dst.write_bytes(data[: int(len(data) * fraction)])
    return edit


def cut_inside_quote() -> Edit:
    """The file cut just after the opening quote of its last quoted field."""
    def edit(src: Path, dst: Path) -> None:
        data = src.read_bytes()
        dst.write_bytes(data[: data.rindex(b',"') + 3])
    return edit


def replace_bytes(old: bytes, new: bytes) -> Edit:
    """The first ``old`` replaced by ``new`` (bytes, so not necessarily UTF-8)."""
    def edit(src: Path, dst: Path) -> None:
        dst.write_bytes(src.read_bytes().replace(old, new, 1))
    return edit


def content(data: bytes) -> Edit:
    """The file replaced by ``data``."""
    return lambda src, dst: dst.write_bytes(data)


def header_only() -> Edit:
    """The header line and nothing else."""
    return _text_edit(lambda lines, name: lines[:1])


def folder() -> Edit:
    """A folder in place of the file."""
    return lambda src, dst: dst.mkdir()


def missing() -> Edit:
    """No file at all."""
    return lambda src, dst: None


GARBAGE = random.Random(7).randbytes(20_000)

# (id, file, edit, texts the message must hold)
CASES = [
    # the tester's silent wrong results
    ("bls-employment-inf", BLS, cell("15-1252", "TOT_EMP", "inf"),
     ["TOT_EMP (row", "'inf'", "not finite", "170,000,000"]),
    ("bls-employment-1e30", BLS, cell("15-1252", "TOT_EMP", "1e30"),
     ["TOT_EMP (row", "'1e30'", "out of range", "US labour force"]),
    ("bls-wage-negative", BLS, cell("15-1252", "H_MEAN", "-62.50"),
     ["H_MEAN (row", "'-62.50'", "above $0"]),
    ("bls-truncated-mid-file", BLS, cut_bytes(0.5), ["cut short", "truncated", "32 fields"]),
    ("bls-truncated-at-line-break", BLS, keep_lines(700),
     ["TOT_EMP of the 'major' rows", "'total' row", "cut short after row 700", "within 1%"]),
    ("bls-truncated-in-last-group", BLS, keep_lines(1380),
     ["TOT_EMP of the 'detailed' rows of group 53", "53-0000", "cut short"]),
    ("tasks-occupation-rows-twice", TASKS, repeat("31-1121.00"),
     ["Task (row", "repeats row", "once per O*NET occupation"]),
    ("occ-level-code-twice", OCC, repeat("15-1252.00", "dv_rating_beta", "0.1"),
     ["O*NET-SOC Code (row", "'15-1252.00'", "repeats row", "each O*NET occupation once"]),
    # the tester's tracebacks
    ("bls-code-twice", BLS, repeat("15-1252"),
     ["OCC_CODE (row 1405)", "'15-1252'", "repeats row", "once per O_GROUP"]),
    # BLS numbers and labels
    ("bls-employment-negative", BLS, cell("15-1252", "TOT_EMP", "-1,000"), ["out of range"]),
    ("bls-employment-text", BLS, cell("15-1252", "TOT_EMP", "many"), ["unparseable", "'many'"]),
    ("bls-employment-nan", BLS, cell("15-1252", "TOT_EMP", "NaN"), ["unparseable", "'NaN'"]),
    ("bls-employment-blank", BLS, cell("15-1252", "TOT_EMP", ""), ["TOT_EMP", "unparseable"]),
    ("bls-employment-fraction", BLS, cell("15-1252", "TOT_EMP", "1,234.5"),
     ["not a whole number", "'1,234.5'"]),
    ("bls-employment-altered", BLS, cell("15-1252", "TOT_EMP", "9,000,000"),
     ["group 15", "15-0000", "a figure is wrong"]),
    ("bls-major-employment-unpublished", BLS, cell("15-0000", "TOT_EMP", "**"),
     ["TOT_EMP (row 134)", "not published for 15-0000", "'major'"]),
    ("bls-wage-altered", BLS, cell("15-1252", "H_MEAN", "620.90"),
     ["A_MEAN (row", "not 2080 x H_MEAN 620.90", "within 1%"]),
    ("bls-wage-zero", BLS, cell("15-1252", "H_MEAN", "0.00"), ["H_MEAN", "out of range"]),
    ("bls-wage-huge", BLS, cell("15-1252", "H_MEAN", "1e9"), ["H_MEAN", "$2,000/h"]),
    ("bls-annual-wage-inf", BLS, cell("15-1252", "A_MEAN", "inf"), ["A_MEAN", "not finite"]),
    ("bls-group-label", BLS, cell("15-1252", "O_GROUP", "Detailed"),
     ["O_GROUP (row", "'Detailed'", "one of ['total'"]),
    ("bls-code-malformed", BLS, cell("15-1252", "OCC_CODE", "15-125X"),
     ["OCC_CODE (row", "'15-125X'", "like 15-1252"]),
    ("bls-no-total-row", BLS, _text_edit(lambda lines, name: [lines[0], *lines[2:]]),
     ["rows with O_GROUP 'total' = 0", "exactly one"]),
    # BLS file structure
    ("bls-missing-column", BLS, drop_column("H_MEAN"), ["columns", "'H_MEAN'", "missing"]),
    ("bls-extra-field", BLS, extra_field(50), ["row 50", "33 fields", "32 fields"]),
    ("bls-unclosed-quote", BLS, cut_inside_quote(), ["unexpected end of data", "cut short"]),
    ("bls-empty", BLS, content(b""), ["empty file"]),
    ("bls-blank-lines-only", BLS, content(b"\n\r\n\n"), ["empty file"]),
    ("bls-header-only", BLS, header_only(), ["rows = 0", "no data rows"]),
    ("bls-binary-garbage", BLS, content(GARBAGE), [BLS, "allowed"]),
    ("bls-nul-bytes", BLS, content(b"OCC_CODE,TOT_EMP\n\x00\x00\x00\n"), ["NUL", "binary"]),
    ("bls-not-utf8", BLS, replace_bytes(b"Software Developers", b"D\xe9veloppeurs"),
     ["(file, line 151)", "\\xe9velo", "not UTF-8"]),
    ("bls-a-folder", BLS, folder(), ["a folder, not a file"]),
    ("bls-missing", BLS, missing(), ["file not found"]),
    # tasks
    ("tasks-exposure-label", TASKS, cell("15-1252.00", "gpt4_exposure", "E3"),
     ["gpt4_exposure (row", "'E3'", "one of ['E0', 'E1', 'E2']"]),
    ("tasks-automation-nan", TASKS, cell("15-1252.00", "automation", "NaN"),
     ["automation (row", "'NaN'", "one of [0.0"]),
    ("tasks-type-label", TASKS, cell("15-1252.00", "Task Type", "Optional"),
     ["Task Type (row", "or blank"]),
    ("tasks-code-malformed", TASKS, cell("15-1252.00", "O*NET-SOC Code", "151252"),
     ["O*NET-SOC Code (row", "like 15-1252.00"]),
    ("tasks-blank-statement", TASKS, cell("15-1252.00", "Task", " "), ["Task (row", "blank"]),
    ("tasks-truncated-mid-file", TASKS, cut_bytes(0.4), ["cut short", "16 fields"]),
    ("tasks-truncated-at-line-break", TASKS, keep_lines(9000),
     [TASKS, "in occ_level.csv, with no task here", "cut short"]),
    ("tasks-missing-column", TASKS, drop_column("gpt4_exposure"), ["'gpt4_exposure'"]),
    ("tasks-header-only", TASKS, header_only(), ["no data rows"]),
    ("tasks-not-utf8", TASKS, replace_bytes(b"Chief Executives", b"Chief\xff"), ["not UTF-8"]),
    # occupation scores
    ("occ-level-score-above-one", OCC, cell("15-1252.00", "dv_rating_beta", "1.5"),
     ["dv_rating_beta (row", "'1.5'", "in [0, 1] or blank"]),
    ("occ-level-score-inf", OCC, cell("15-1252.00", "dv_rating_beta", "inf"), ["'inf'"]),
    ("occ-level-score-nan", OCC, cell("15-1252.00", "dv_rating_beta", "nan"), ["'nan'"]),
    ("occ-level-truncated-at-line-break", OCC, keep_lines(400),
     [OCC, "with tasks in full_labelset.tsv, missing here"]),
    ("occ-level-empty", OCC, content(b""), [OCC, "empty file"]),
    # title-keyed files
    ("contexts-score-text", CONTEXTS,
     cell("Travel Agents", "structured_versus_unstructured_work_context", "high"),
     ["structured_versus_unstructured_work_context (row 2)", "'high'", "in [0, 1]"]),
    ("contexts-title-twice", CONTEXTS, repeat("Travel Agents"),
     ["occupation (row", "'Travel Agents'", "each occupation once"]),
    ("contexts-a-folder", CONTEXTS, folder(), [CONTEXTS, "a folder"]),
    ("contexts-truncated-at-line-break", CONTEXTS, keep_lines(200),
     [CONTEXTS, "titles matched", "at least 50%"]),
    ("skills-job-zone-7", SKILLS, cell("Marriage and Family Therapists", "Job Zone", "7"),
     ["Job Zone (row 3)", "'7'", "in [1, 5]"]),
    ("skills-job-zone-nan", SKILLS, cell("Marriage and Family Therapists", "Job Zone", "NaN"),
     ["Job Zone (row 3)", "'NaN'"]),
    ("skills-missing", SKILLS, missing(), [SKILLS, "file not found"]),
]


@pytest.mark.parametrize("case, name, edit, expected", CASES, ids=[c[0] for c in CASES])
def test_bad_data_folder_exits_2(pristine, tmp_path, case, name, edit, expected):
    data = _case_folder(pristine, tmp_path, name, edit)
    outcome = call_cli("occupations", "--data", data)
    assert_rejected(outcome, str(data / name), *expected)


RUN_CASES = ["bls-employment-inf", "bls-truncated-at-line-break", "bls-code-twice",
             "tasks-occupation-rows-twice", "occ-level-code-twice"]


@pytest.mark.parametrize("case", RUN_CASES)
def test_bad_data_folder_stops_a_run(pristine, tmp_path, case):
    _, name, edit, expected = next(c for c in CASES if c[0] == case)
    data = _case_folder(pristine, tmp_path, name, edit)
    out = tmp_path / "run"
    outcome = call_cli("run", "--occupations", "detailed", "--data", data, "--no-plots",
                       "--quiet", "--out", out)
    assert_rejected(outcome, str(data / name), *expected)
    assert not out.exists()


# ---- the --data argument itself: no data needed ----------------------------------------------


@pytest.mark.parametrize("command", ["run", "occupations"])
def test_data_naming_a_missing_folder(tmp_path, command):
    where = tmp_path / "nowhere"
    extra = ["--occupations", "detailed", "--quiet", "--out", tmp_path / "r"]
    outcome = call_cli(command, *(extra if command == "run" else []), "--data", where)
    assert_rejected(outcome, str(where), "not a folder (no such path)", "--data")


def test_run_data_naming_a_file(tmp_path):
    afile = tmp_path / "data.csv"
    afile.write_text("a,b\n1,2\n")
    outcome = call_cli("run", "--occupations", "detailed", "--data", afile, "--quiet",
                       "--out", tmp_path / "r")
    assert_rejected(outcome, str(afile), "--data", "is a file")


def test_occupations_data_naming_a_file(tmp_path):
    afile = tmp_path / "data.csv"
    afile.write_text("a,b\n1,2\n")
    assert_rejected(call_cli("occupations", "--data", afile), "--data", "is a file")
