"""Write files and folders so that a crash, a kill, a full disk or a second writer never
leaves something that looks complete.

Everything is written under a hidden temporary name beside its target (``.NAME.partial-*``,
or another tag) and renamed onto the target in one step only once complete, so a reader sees
the old file or the whole new one; the temporary is removed whatever stops the write (only
a kill, SIGTERM where nothing handles it, or a power cut can leave one, and it is hidden), and
a Ctrl-C waits out the few lines where it would leave one (:func:`interrupts_deferred`).
Writers that must take turns hold an exclusive ``flock``, which the kernel drops when the
process ends, killed or not.

What the files hold, and how a failure is told to the user, is the callers' (result folders in
:mod:`sim.outputs.output`, sweep folders in :mod:`sim.sweep.runner`): here a failure to write is
the ``OSError`` of the call that failed, and a lock held elsewhere :class:`LockTaken`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: no locks
    fcntl = None

#: The tag of a temporary name unless the caller gives another: ``.NAME.partial-`` and 8
#: random characters.
PARTIAL = "partial"


def dump_json(obj) -> str:
    """JSON text for a file; NaN and infinity raise instead of writing what strict JSON
    readers reject (values "not reached" are written as null by the caller).
    """
    return json.dumps(obj, indent=2, allow_nan=False)


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes, read in 1 MiB blocks (a large file never sits in
    memory), to tell later whether it changed or was cut short.
    """
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def remove(path: Path) -> None:
    """Remove a file, or a folder and all it holds, best effort: for clearing away a
    temporary or a replaced folder, where what matters is the target, already in place.
    """
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


@contextlib.contextmanager
def interrupts_deferred(*signals: int) -> Iterator[None]:
    """Hold back Ctrl-C (SIGINT, or the ``signals`` given) during the block and act on it
    after: for the few lines between making a temporary (or starting a process that writes
    into one) and noting it for clean-up, for the clean-up itself, and for a write that must
    not stop half-way, where an exception raised by the signal would leave something behind.
    Only the main thread receives Python's signals; elsewhere it does nothing, and a handler
    set outside Python is left alone.
    """
    signals = signals or (signal.SIGINT,)
    if (threading.current_thread() is not threading.main_thread()
            or any(signal.getsignal(s) is None for s in signals)):  # not ours to restore
        yield
        return
    caught = []
    previous = {s: signal.signal(s, lambda signum, frame: caught.append((signum, frame)))
                for s in signals}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        if caught:
            signum, frame = caught[0]
            handler = previous[signum]
            if callable(handler):
                handler(signum, frame)
            elif handler == signal.SIG_DFL:
                signal.raise_signal(signum)


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


@contextlib.contextmanager
def staging(target: Path, folder: bool = False, tag: str = PARTIAL) -> Iterator[Path]:
    """A hidden temporary file (or folder) ``.NAME.TAG-*`` beside ``target``, for the caller
    to fill and move into place: beside it, so the move is a rename within one file system.
    Whatever is left of it on the way out (an error, Ctrl-C, or a SIGTERM the process turns
    into an exception, as sweeps do) is removed; SIGTERM's default action, like SIGKILL, can
    leave it, hidden. It gets the permissions a new file (folder) would, not ``mkstemp``'s
    owner-only ones.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    prefix = f".{target.name}.{tag}-"
    tmp = None
    try:
        with interrupts_deferred():  # Ctrl-C between making it and noting it would leave it
            if folder:
                tmp = Path(tempfile.mkdtemp(prefix=prefix, dir=target.parent))
            else:
                fd, name = tempfile.mkstemp(prefix=prefix, dir=target.parent)
                os.close(fd)
                tmp = Path(name)
        os.chmod(tmp, (0o777 if folder else 0o666) & ~_umask())  # mkstemp's are private
        yield tmp
    finally:
        if tmp is not None:
            with interrupts_deferred():  # a Ctrl-C during the clean-up stops it after
                remove(tmp)


def fsync(path: Path) -> None:
    """Flush a file's bytes to disk, so that after a power cut a renamed file is not found
    empty or short under its final name.
    """
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def replacing(path: Path, tag: str = PARTIAL) -> Iterator[Path]:
    """A temporary file (see :func:`staging`) for the block to write; when the block
    succeeds it is flushed to disk and renamed onto ``path`` in one step, so ``path`` is
    always the old file or the complete new one; when the block fails it is removed.
    """
    with staging(path, tag=tag) as tmp:
        yield tmp
        fsync(tmp)
        os.replace(tmp, path)


def write_text(path: Path, text: str, tag: str = PARTIAL) -> Path:
    """Write ``text`` (UTF-8) to ``path`` as :func:`replacing` does: a reader never sees a
    half-written file. Returns ``path``.
    """
    with replacing(path, tag) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path


def probe_writable(target: Path) -> None:
    """Create ``target``'s folder and write and remove a hidden file beside it, as the real
    write will: an unwritable place or a full disk then fails (``OSError``) before any work,
    not after it.
    """
    with staging(target):
        pass


class LockTaken(Exception):
    """Another process holds a lock that was asked for without waiting."""


@contextlib.contextmanager
def exclusive_lock(path: Path, *, wait: bool = True, keep: bool = False) -> Iterator[None]:
    """Hold an exclusive ``flock`` on the file ``path`` (created if need be) during the
    block, so two writers never interleave; the kernel drops it when the process ends, so a
    stale lock never blocks. ``wait=False`` raises :class:`LockTaken` at once when it cannot
    be taken. Unless ``keep``, the file is removed while still held; a waiter that then gets
    the removed file's lock sees it is stale and locks the new one.
    """
    if fcntl is None:  # pragma: no cover - not POSIX: no lock
        yield
        return
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if wait:
                    raise
                raise LockTaken(str(path)) from exc
            held = os.fstat(fd)
            now = os.stat(path)
            if (held.st_dev, held.st_ino) == (now.st_dev, now.st_ino):
                break
        except FileNotFoundError:
            pass
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
    try:
        yield
    finally:
        if not keep:
            path.unlink(missing_ok=True)
        os.close(fd)


def target_lock(target: Path) -> contextlib.AbstractContextManager[None]:
    """The lock of ``target``: ``.NAME.lock`` beside it, waited for and removed after, so
    concurrent writers of one target take turns at check-and-rename and leave nothing behind.
    """
    return exclusive_lock(target.with_name(f".{target.name}.lock"))


def move_into_place(tmp: Path, out: Path, check: Callable[[], None] | None = None) -> None:
    """Move the finished folder (or file) ``tmp`` to ``out`` under ``out``'s lock, after
    ``check()`` (which raises to refuse) under that lock too: a check and the rename that
    follows it never interleave with another writer's. An existing ``out`` is moved aside,
    put back if the rename fails, and removed once the lock is released. A Ctrl-C waits for
    the two renames, so the old one is never left aside with nothing in its place.
    """
    trash = None
    try:
        with target_lock(out):
            if check is not None:
                check()
            if not out.exists():
                os.replace(tmp, out)
                return
            aside = out.with_name(f".{out.name}.old-{secrets.token_hex(4)}")
            with interrupts_deferred():
                os.replace(out, aside)
                try:
                    os.replace(tmp, out)
                except BaseException:
                    os.replace(aside, out)  # put the old one back
                    raise
                trash = aside
    finally:
        if trash is not None:
            with interrupts_deferred():
                remove(trash)
