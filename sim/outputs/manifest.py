"""A result folder's manifest: every file it holds with its size and SHA-256, and the checks
that a folder read back is the one written (nothing missing, changed or added after the run).

Written by :mod:`sim.outputs.output`; read by :mod:`sim.outputs.run_data`,
:mod:`sim.outputs.record` and the report before any table is used.
"""

from __future__ import annotations

import json
from pathlib import Path

from sim.errors import Problem, SimInputError
from sim.files import sha256

MANIFEST = "manifest.json"
#: A manifest is a few kB; anything far larger is not one (and is not read into memory).
MANIFEST_MAX_BYTES = 4 * 2**20


def file_entry(path: Path) -> dict:
    """A file's manifest entry: its size and SHA-256."""
    return {"bytes": path.stat().st_size, "sha256": sha256(path)}

def _manifest_error(arg: str, folder: Path, field: str, value, why: str) -> SimInputError:
    return SimInputError(f"{arg} {folder}", [Problem(field, value, f"{why}; allowed: a result "
                                                     "folder as `sim run` wrote it")])


def read_manifest(folder: Path, arg: str = "RUN_DIR") -> dict:
    """The manifest of a result folder, checked for shape; bad input raises
    :class:`SimInputError` naming ``arg``, the folder and what is wrong.
    """
    path = folder / MANIFEST
    try:
        with open(path, "rb") as f:
            data = f.read(MANIFEST_MAX_BYTES + 1)
    except FileNotFoundError:
        raise _manifest_error(arg, folder, MANIFEST, "(missing)", "no manifest.json (an "
                              "incomplete or foreign folder)") from None
    except OSError as exc:
        raise _manifest_error(arg, folder, MANIFEST, "(unreadable)", f"cannot be read "
                              f"({exc.strerror or type(exc).__name__})") from None
    if len(data) > MANIFEST_MAX_BYTES:
        raise _manifest_error(arg, folder, MANIFEST, f"over {MANIFEST_MAX_BYTES:,} bytes",
                              "too large to be a manifest")
    try:
        manifest = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise _manifest_error(arg, folder, MANIFEST, data[:60].decode("utf-8", "replace"),
                              f"not valid JSON ({str(exc)[:60]})") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise _manifest_error(arg, folder, MANIFEST, manifest, "not a JSON object with a "
                              "'files' mapping")
    return manifest


def _entry_problem(folder: Path, name, meta) -> tuple[object, str] | None:
    """What is wrong with one manifest entry and its file: (value, why), or None."""
    if not isinstance(meta, dict) or not isinstance(meta.get("bytes"), int) \
            or not isinstance(meta.get("sha256"), str):
        return meta, "entry is not {bytes: integer, sha256: text}"
    parts = Path(str(name)).parts
    if not isinstance(name, str) or not parts or Path(name).is_absolute() or ".." in parts:
        return name, "not a relative path inside the folder"
    path = folder / name
    if path.is_dir():
        return "(a folder)", "listed in manifest.json as a file, but a folder in the folder"
    if not path.is_file():
        return "(missing)", "listed in manifest.json but not a file in the folder"
    size = path.stat().st_size
    if size != meta["bytes"]:
        return size, f"bytes on disk, but manifest.json says {meta['bytes']} (changed or truncated)"
    if sha256(path) != meta["sha256"]:
        return meta["sha256"][:16], "SHA-256 differs from manifest.json (the file changed)"
    return None


def verify_files(folder: Path, manifest: dict, arg: str = "RUN_DIR") -> None:
    """Every file the manifest lists exists inside the folder with its recorded size and
    SHA-256; the first that does not raises :class:`SimInputError`.
    """
    for name, meta in manifest["files"].items():
        try:
            problem = _entry_problem(folder, name, meta)
        except OSError as exc:
            problem = "(unreadable)", f"cannot be read ({exc.strerror})"
        if problem is not None:
            raise _manifest_error(arg, folder, f"{MANIFEST} files[{str(name)[:60]!r}]",
                                  *problem)


def is_complete(folder: Path | str) -> bool:
    """True if ``folder`` holds a manifest whose files all exist with the recorded sizes and
    SHA-256.
    """
    folder = Path(folder)
    try:
        verify_files(folder, read_manifest(folder))
    except SimInputError:
        return False
    return True
