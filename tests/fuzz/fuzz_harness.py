"""Call the CLI in-process as a user would, and hold every malformed input to one standard.

Every malformed input must exit 2 within 5 s and under 200 MB, with one line per problem that
starts ``error:``, names the input, the field or argument, the value and what is allowed, and
no traceback. :func:`call_cli` measures the time (wall clock, with a hard stop) and the peak of
Python and numpy allocations (``tracemalloc``) of one call.
"""

from __future__ import annotations

import contextlib
import io
import signal
import time
import tracemalloc
from dataclasses import dataclass

from sim.cli import EXIT_BAD_INPUT, main

TIME_LIMIT_S = 5.0
MEMORY_LIMIT_MB = 200.0


class Hung(BaseException):  # noqa: N818 - not an Exception, so the CLI cannot swallow it
    """Raised inside a call that runs past its time limit."""


@dataclass
class Outcome:
    """What one CLI call did."""

    args: list[str]
    code: int
    out: str
    err: str
    seconds: float
    peak_mb: float

    def lines(self) -> list[str]:
        """Non-empty lines on stderr."""
        return [line for line in self.err.splitlines() if line.strip()]


def _on_alarm(signum, frame):
    raise Hung()


def call_cli(*args, hard_limit_s: float = 3 * TIME_LIMIT_S) -> Outcome:
    """Run ``sim ARGS`` in this process; a call still running after ``hard_limit_s`` is
    stopped (and fails the time limit).
    """
    argv = [str(a) for a in args]
    out, err = io.StringIO(), io.StringIO()
    old = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, hard_limit_s)
    tracemalloc.start()
    t0 = time.perf_counter()
    code: int | str | None = None
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main(argv)
    except SystemExit as exc:
        code = exc.code
    except Hung:
        code = "hung"
    finally:
        seconds = time.perf_counter() - t0
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return Outcome(argv, 0 if code is None else code, out.getvalue(), err.getvalue(), seconds,
                   peak / 2**20)


def assert_rejected(outcome: Outcome, *expected: str, n: int | None = 1) -> None:
    """Exit 2 within the limits, ``n`` one-line ``error:`` messages (any number if None), each
    naming what is allowed, every ``expected`` text present, no traceback.
    """
    o = outcome
    where = f"sim {' '.join(o.args)[:300]}\nstdout: {o.out[-800:]}\nstderr: {o.err[-2000:]}"
    assert o.code == EXIT_BAD_INPUT, f"exit {o.code}, expected {EXIT_BAD_INPUT}: {where}"
    assert "Traceback" not in o.err and "Traceback" not in o.out, where
    lines = o.lines()
    if n is not None:
        assert len(lines) == n, f"{len(lines)} lines, expected {n}: {where}"
    assert lines, where
    for line in lines:
        assert line.startswith("error: "), where
        assert "allowed" in line, f"a line says nothing of what is allowed: {where}"
        assert len(line) < 1000, f"a {len(line)}-character line: {where}"
    for text in expected:
        assert text in o.err, f"{text!r} not in stderr: {where}"
    assert o.seconds < TIME_LIMIT_S, f"took {o.seconds:.1f} s: {where}"
    assert o.peak_mb < MEMORY_LIMIT_MB, f"peaked at {o.peak_mb:.0f} MB: {where}"
