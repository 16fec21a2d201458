"""The heaviest malformed inputs as a user meets them: a fresh ``sim`` process, timed from start
to exit, its peak resident memory measured by a small wrapper process whose only child it is
(``RUSAGE_CHILDREN`` of the wrapper). Each must exit 2 with one line, within 5 s and 200 MB.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

WRAPPER = """
import json, resource, subprocess, sys
p = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(json.dumps({"code": p.returncode, "out": p.stdout, "err": p.stderr,
                  "max_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""
SIM = [sys.executable, "-c", "import sys; from sim.cli import main; main(sys.argv[1:])"]


def bomb(levels: int = 9, indent: str = "") -> str:
    """A billion-laughs document: ``levels`` lists of nine aliases to the level below."""
    lines = [f'{indent}a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"{indent}a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def run_process(*args, cwd: Path) -> dict:
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", WRAPPER, *SIM, *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=60)
    result = json.loads(done.stdout)
    result["seconds"] = time.perf_counter() - t0
    return result


CASES = {
    "bomb_top_level": ("validate", "bomb.yaml"),
    "bomb_under_a_field": ("validate", "field_bomb.yaml"),
    "bomb_run": ("run", "field_bomb.yaml", "--no-plots", "--quiet", "--out", "out"),
    "bomb_in_set": ("validate", "--set", "hardware.utilization=" + bomb(8).replace("\n", ", ")
                    .join("{}")),
    "deep_nesting": ("validate", "deep.yaml"),
    "deep_nesting_run": ("run", "deep.yaml", "--quiet", "--out", "out"),
    "bomb_sweep": ("sweep", "bomb.yaml", "--workers", "1", "--out", "sweep"),
}


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    d = tmp_path_factory.mktemp("heavy")
    (d / "bomb.yaml").write_text(bomb())
    (d / "field_bomb.yaml").write_text("defs:\n" + bomb(indent="  ") + "hardware:\n  "
                                       "utilization: *a8\n")
    (d / "deep.yaml").write_text("a: " + "[" * 20000 + "]" * 20000 + "\n")
    return d


@pytest.mark.parametrize("args", CASES.values(), ids=CASES.keys())
def test_heavy_input_exits_2_fast_and_small_in_a_fresh_process(folder, args):
    r = run_process(*args, cwd=folder)
    lines = [line for line in r["err"].splitlines() if line.strip()]
    assert r["code"] == 2, r
    assert len(lines) == 1 and lines[0].startswith("error: ") and "allowed" in lines[0], r
    assert "Traceback" not in r["err"]
    assert r["seconds"] < 5, r
    assert r["max_rss_mb"] < 200, r
    assert not (folder / "out").exists() and not (folder / "sweep").exists()
