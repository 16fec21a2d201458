"""Load a configuration: defaults, then a YAML file, then a scenario overlay, then ``--set``.

Each layer is validated as it is applied, so an error names the layer (file) it came from.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from sim.config.schema import SimConfig
from sim.config.yaml_io import MAX_BYTES, parse_yaml
from sim.errors import (
    BadOverrideError,
    ConfigFileNotFoundError,
    ConfigSyntaxError,
    InvalidValueError,
    Problem,
    ScenarioNotFoundError,
    SimInputError,
    UnknownKeyError,
)

#: Folder of the repository's configs (editable installs and the source tree).
REPO_CONFIGS = Path(__file__).resolve().parents[2] / "configs"


def scenario_dirs() -> list[Path]:
    """Where ``--scenario NAME`` looks, in order."""
    return [Path.cwd() / "configs" / "scenarios", REPO_CONFIGS / "scenarios"]


def list_scenarios() -> list[str]:
    """Names of the scenario overlays that can be found."""
    return _names_in(scenario_dirs())


def _names_in(folders: list[Path]) -> list[str]:
    """Stems of the ``.yaml`` files in ``folders`` that can be asked for by name."""
    names: set[str] = set()
    for d in folders:
        if d.is_dir():
            names.update(p.stem for p in d.glob("*.yaml")
                         if NAME_PATTERN.fullmatch(p.stem) and _is_file(p))
    return sorted(names)


#: What a scenario or rule-set name may look like: a file stem, never a path.
NAME_PATTERN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}")


def _is_file(path: Path) -> bool:
    """``Path.is_file`` that answers False for names the file system rejects (too long)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def find_scenario(name: str) -> Path:
    """Path of the overlay called ``name`` (or ``name`` itself if it is a ``.yaml`` file)."""
    if Path(name).suffix in (".yaml", ".yml") and _is_file(Path(name)):
        return Path(name)
    if NAME_PATTERN.fullmatch(name):
        for d in scenario_dirs():
            p = d / f"{name}.yaml"
            if _is_file(p):
                return p
    raise ScenarioNotFoundError(
        "--scenario", [Problem("scenario", name, f"allowed: one of {list_scenarios()}, or "
                               "the path of a .yaml overlay")]
    )


def rule_set_dirs() -> list[Path]:
    """Where named task-automation rule sets (``tasks.name``) are looked up, in order."""
    return [Path.cwd() / "configs" / "task_rules", REPO_CONFIGS / "task_rules"]


def list_rule_sets() -> list[str]:
    """Names of the task-automation rule sets ('default' is the schema's own)."""
    return sorted({"default", *_names_in(rule_set_dirs())})


def rule_set(name: str, source: str) -> dict[str, Any]:
    """The ``tasks:`` section of rule set ``name``: the defaults with its file on top."""
    base = SimConfig().tasks.model_dump(mode="python")
    if name == "default":
        return base
    for d in (rule_set_dirs() if NAME_PATTERN.fullmatch(name) else []):
        path = d / f"{name}.yaml"
        if _is_file(path):
            rules = read_yaml(path).get("tasks") or {}
            if not isinstance(rules, Mapping):
                raise InvalidValueError(str(path), [Problem(
                    "tasks", rules, "allowed: a mapping of task-rule fields (see `sim params`)")])
            return deep_merge(base, {**rules, "name": name})
    raise InvalidValueError(source, [Problem("tasks.name", name,
                                             f"allowed: one of {list_rule_sets()}")])


def _apply_rule_set(data: dict, layer: Mapping, source: str) -> dict:
    """A layer that names a rule set (``tasks.name``) swaps in that set's whole ``tasks``
    section first; the layer's other ``tasks`` keys then apply on top.
    """
    tasks = layer.get("tasks") if isinstance(layer, Mapping) else None
    if isinstance(tasks, Mapping) and isinstance(tasks.get("name"), str):
        data = {**data, "tasks": rule_set(tasks["name"], source)}
    return data


def read_yaml(path: Path | str) -> dict[str, Any]:
    """Read a YAML mapping (through :func:`sim.config.yaml_io.parse_yaml`), turning I/O, syntax,
    size and repeated-key problems into input errors.
    """
    path = Path(path)
    try:
        is_file = path.is_file()
    except OSError as exc:  # e.g. a name too long for the file system
        raise ConfigFileNotFoundError(str(path)[:120], [Problem(
            "(file)", str(path), f"{exc.strerror}; allowed: an existing YAML file")]) from None
    if not is_file:
        raise ConfigFileNotFoundError(
            str(path), [Problem("(file)", str(path), "file not found; allowed: an existing "
                                "YAML file")]
        )
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ConfigSyntaxError(str(path), [Problem("(file)", f"{size:,} bytes",
                                                        f"allowed: at most {MAX_BYTES:,}")])
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigSyntaxError(
            str(path), [Problem("(file)", str(exc)[:60], "allowed: UTF-8 text")]
        ) from None
    except OSError as exc:
        raise ConfigFileNotFoundError(str(path), [Problem(
            "(file)", str(path), f"cannot be read ({exc.strerror}); allowed: a readable "
            "YAML file")]) from None
    data = parse_yaml(text, str(path))
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigSyntaxError(
            str(path), [Problem("(top level)", type(data).__name__,
                                "allowed: a mapping of section names to values")]
        )
    return data


def deep_merge(base: dict, overlay: Mapping) -> dict:
    """Merge ``overlay`` into a copy of ``base``; mappings merge, everything else replaces."""
    out = copy.deepcopy(base)
    for key, value in overlay.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _field_path(loc: tuple) -> str:
    return ".".join(str(p) for p in loc) if loc else "(top level)"


def _allowed(err: dict) -> str:
    ctx = err.get("ctx") or {}
    kind = err["type"]
    if kind == "extra_forbidden":
        return "unknown key; allowed: the keys documented by `sim params`"
    if "ge" in ctx:
        return f"allowed: >= {ctx['ge']}"
    if "gt" in ctx:
        return f"allowed: > {ctx['gt']}"
    if "le" in ctx:
        return f"allowed: <= {ctx['le']}"
    if "lt" in ctx:
        return f"allowed: < {ctx['lt']}"
    msg = err["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    return msg if "allowed" in msg else f"{msg}; allowed: see `sim params`"


def _lookup(data: Any, loc: tuple) -> Any:
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return "(missing)"
    return data


def _cross_field(section: dict, loc: tuple, allowed: str) -> tuple[tuple, Any, str]:
    """For an error raised on a whole section, the first of its keys the message names
    (e.g. ``time.end_year`` rather than ``time``) and that key's value.
    """
    prefix = re.match(r"([\w.]+): ", allowed)  # "hardware.vendors: ..." names its field
    if prefix and _lookup(section, tuple(prefix[1].split("."))) != "(missing)":
        path = tuple(prefix[1].split("."))
        allowed = allowed[prefix.end():]
    else:
        hits = [(m.start(), key) for key in section
                if (m := re.search(rf"\b{re.escape(str(key))}\b", allowed))]
        if not hits:
            return loc, "(section)", allowed
        path = (min(hits)[1],)
    value = _lookup(section, path)
    if isinstance(value, list) and all(isinstance(v, dict) and "name" in v for v in value):
        value = [v["name"] for v in value]  # a list of labs/vendors: show their names
    elif isinstance(value, dict):
        value = "(section)"
    return (*loc, *path), value, allowed


def validate(data: dict, source: str) -> SimConfig:
    """Build a :class:`SimConfig`, turning every validation error into a named problem."""
    try:
        return SimConfig.model_validate(data)
    except ValidationError as exc:
        cls = (UnknownKeyError if all(e["type"] == "extra_forbidden" for e in exc.errors())
               else InvalidValueError)
        raise cls(source, problems_from(exc, data)) from None


def problems_from(exc: ValidationError, data: Any, at: tuple = (),
                  word: Callable[[dict], str | None] | None = None) -> list[Problem]:
    """Each pydantic error as a problem: the dotted path (under ``at``) of the field, its
    value and what is allowed. ``word`` may phrase an error its own way (None: the usual
    wording); an error may show a value other than its input in ``ctx["value"]``.
    """
    problems = []
    for err in exc.errors(include_url=False):
        kind, ctx = err["type"], err.get("ctx") or {}
        loc = _data_loc(data, err["loc"])
        value = err.get("input")
        if kind == "extra_forbidden":
            value = _lookup(data, loc)
        elif kind == "invalid_key":  # a key that is not text: the input is the key
            value = _lookup(data, (*loc[:-1], value))
        elif kind == "missing":
            value = "(missing)"
        elif kind.startswith("union_tag_"):  # name the tag's own key, not the whole mapping
            loc = (*loc, ctx["discriminator"].strip("'"))
            value = value.get(loc[-1]) if isinstance(value, dict) else value
        allowed = (word and word(err)) or _allowed(err)
        if isinstance(value, dict) and kind == "value_error":  # cross-field
            loc, value, allowed = _cross_field(value, loc, allowed)
        value = ctx.get("value", value)
        problems.append(Problem(_field_path((*at, *loc)), value, allowed))
    return problems


def _data_loc(data: Any, loc: tuple) -> tuple:
    """``loc`` without the tags pydantic puts in it for a tagged union's member: a path names
    keys of the data only.
    """
    out, node, tagged = [], data, None
    for part in loc:
        if isinstance(node, dict) and node is not tagged and part not in node and part in {
                v for v in node.values() if isinstance(v, str)}:
            tagged = node  # one tag per mapping: what follows names one of its keys
            continue
        out.append(part)
        node = node[part] if isinstance(node, (dict, list)) and _has(node, part) else None
    return tuple(out)


def _has(node: dict | list, part: Any) -> bool:
    return part in node if isinstance(node, dict) else (
        isinstance(part, int) and -len(node) <= part < len(node))


def parse_override(text: str) -> tuple[list[str], Any]:
    """Split ``a.b.c=value`` into a key path and a YAML-parsed value."""
    if "=" not in text:
        raise BadOverrideError("--set", [Problem(text, text, "allowed: dotted.key=value")])
    key, raw = text.split("=", 1)
    path = [p for p in key.strip().split(".") if p]
    if not path:
        raise BadOverrideError("--set", [Problem(text, raw, "allowed: dotted.key=value")])
    try:
        value = parse_yaml(raw, f"--set {key}") if raw.strip() else None
    except SimInputError as exc:
        raise BadOverrideError("--set", [Problem(key, raw, f"value is not valid YAML "
                                                 f"({exc.problems[0].allowed.split('; allowed')[0]}"
                                                 "); allowed: a "
                                                 "number, string, list or mapping")]
                               ) from None
    return path, value


def apply_override(data: dict, path: list[str], value: Any, text: str) -> dict:
    """Set ``value`` at ``path``; list items are addressed by index or by their ``name``."""
    out = copy.deepcopy(data)
    node: Any = out
    for i, part in enumerate(path):
        last = i == len(path) - 1
        if isinstance(node, list):
            idx = _list_index(node, part)
            if idx is None:
                names = [item.get("name") for item in node if isinstance(item, dict)]
                raise BadOverrideError("--set", [Problem(".".join(path[: i + 1]), part,
                                       f"allowed: an index 0..{len(node) - 1} or a name in "
                                       f"{names}")])
            if last:
                node[idx] = value
            else:
                node = node[idx]
        elif isinstance(node, dict):
            if last:
                node[part] = value
            else:
                node = node.setdefault(part, {})
        else:
            raise BadOverrideError("--set", [Problem(".".join(path[:i]), node,
                                   f"'{text}': this key holds a value, not a section; "
                                   "allowed: a dotted key that ends at a value (see `sim "
                                   "params`)")])
    return out


def _list_index(items: list, part: str) -> int | None:
    if part.isdigit() and int(part) < len(items):
        return int(part)
    for i, item in enumerate(items):
        if isinstance(item, dict) and item.get("name") == part:
            return i
    return None


def load_config(
    path: Path | str | None = None,
    scenario: str | None = None,
    overrides: Iterable[str] = (),
    seed: int | None = None,
    sections: Mapping[str, Any] | None = None,
) -> SimConfig:
    """Resolve a configuration from its layers; raises :class:`SimInputError` on bad input.

    Args:
        path: YAML file; ``None`` for the built-in defaults.
        scenario: an overlay name in ``configs/scenarios/`` or a path to one.
        overrides: ``dotted.key=value`` strings, applied last.
        seed: overrides the config's seed.
        sections: parameters by section (``{"market": {"adoption_lag_years": 8.0}}``), as
            Python values; applied after the scenario, before ``overrides``.

    """
    data = SimConfig().model_dump(mode="python")
    config = None
    layers: list[tuple[str, dict]] = []
    if path is not None:
        layers.append((str(path), read_yaml(path)))
    if scenario is not None:
        overlay = find_scenario(scenario)
        layers.append((str(overlay), read_yaml(overlay)))
    if sections:
        layers.append(("keyword arguments", dict(sections)))
    for source, layer in layers:
        data = deep_merge(_apply_rule_set(data, layer, source), layer)
        config = validate(data, source)
    for text in overrides:
        key, value = parse_override(text)
        if key == ["tasks", "name"] and isinstance(value, str):
            data = _apply_rule_set(data, {"tasks": {"name": value}}, f"--set {text}")
        data = apply_override(data, key, value, text)
        config = validate(data, f"--set {text}")
    if seed is not None:
        data["seed"] = seed
        config = validate(data, "--seed")
    return config if config is not None else SimConfig()


def _plain(x):
    """Tuples as lists, so safe YAML can write them."""
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    return x


def config_to_yaml(config: SimConfig) -> str:
    """The fully resolved config as YAML (inf written as .inf); loads back to an equal config."""
    return yaml.safe_dump(_plain(config.model_dump(mode="python")), sort_keys=False)


__all__ = ["load_config", "validate", "read_yaml", "config_to_yaml", "SimInputError",
           "list_scenarios", "find_scenario", "list_rule_sets", "rule_set"]
