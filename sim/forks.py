"""Work done meanwhile in forked processes: a function whose result comes back through a pipe
(:class:`ForkedCall`), and the fork/wait/stop it and the figure workers are built on.

A forked process never returns into its parent's code (so it never cleans up what the parent
is writing), ignores Ctrl-C and dies with its parent, even one killed by SIGKILL. Where there
is no ``fork`` the callers do the work in their own process.
"""

from __future__ import annotations


class ForkedCall:
    """A function run in a forked process while this one goes on; its result comes back
    pickled through a pipe. The process ignores Ctrl-C (this one stops it with
    :meth:`cancel`), dies with this one, even one killed by SIGKILL, and never returns into
    this process's code (so it never cleans up what this process is writing).
    """

    def __init__(self, pid: int, fd: int):
        self.pid, self.fd = pid, fd
        self.names: tuple[str, ...] = ()  #: what it makes, where the caller says

    @classmethod
    def start(cls, fn) -> ForkedCall | None:
        """Run ``fn()`` in a forked process; None where there is no ``fork``."""
        import os
        import pickle

        if not hasattr(os, "fork"):
            return None
        read, write = os.pipe()

        def work():
            os.close(read)
            data = pickle.dumps(fn())
            with os.fdopen(write, "wb") as f:
                f.write(data)

        pid = fork(work)
        os.close(write)
        return cls(pid, read)

    def result(self):
        """What the function returned, or None if it failed (do the work here then)."""
        import os
        import pickle

        data = b""
        try:
            with os.fdopen(self.fd, "rb") as f:
                data = f.read()
        finally:
            code, self.pid = (wait(self.pid) if self.pid else 1), 0
        if code != 0 or not data:
            return None
        try:
            return pickle.loads(data)  # noqa: S301 - written by our own forked process
        except Exception:  # noqa: BLE001 - cut short: do the work here
            return None

    def cancel(self) -> None:
        """Stop the process if it is still running (its result is dropped)."""
        import os

        if self.pid:
            stop(self.pid)
            self.pid = 0
            try:
                os.close(self.fd)
            except OSError:
                pass


def fork(work) -> int:
    """Fork a process that runs ``work()`` and exits (0: done); returns its pid. It never
    returns into the caller's code, ignores Ctrl-C and dies with this process (Linux asks
    the kernel for SIGKILL when the parent dies).
    """
    import os
    import signal
    import sys

    sys.stdout.flush()
    sys.stderr.flush()
    parent = os.getpid()
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        if sys.platform.startswith("linux"):
            try:
                import ctypes

                ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0)
            except (OSError, AttributeError):  # pragma: no cover - no prctl
                pass
        if os.getppid() != parent:
            os._exit(1)
        work()
        code = 0
    except BaseException:  # noqa: BLE001 - the caller does the work again
        code = 1
    finally:
        os._exit(code)


def wait(pid: int) -> int:
    """The exit code of a forked process (1 for one killed by a signal)."""
    import os

    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 1


def stop(pid: int) -> None:
    """Kill a forked process and reap it."""
    import os
    import signal

    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass
