"""Read YAML that a user wrote, safely: every config, overlay, rule set, sweep file and ``--set``
value goes through :func:`parse_yaml`.

Why not plain ``yaml.safe_load``: it is safe from code execution, not from size. An alias
"bomb" (a few lines whose aliases expand to 10^9 values) loads in milliseconds as shared
objects, and then whatever walks it (validation, an error message, a deep copy) takes minutes
and gigabytes; 20,000 nested brackets overflow the parser's recursion; and a key written twice
silently keeps the last value. Before anything is built, the parsed node graph is checked for
its expanded size, depth, recursive aliases and repeated keys, each reported as one problem.
"""

from __future__ import annotations

from typing import Any

import yaml

from sim.errors import ConfigSyntaxError, Problem

#: Most values (scalars, lists, mappings) a document may hold once its aliases are expanded.
#: The fully written default config has ~300 and a sweep folder's ``sweep.yaml`` ~400.
MAX_NODES = 100_000
#: Deepest nesting of lists and mappings (the config schema is 4 levels deep).
MAX_DEPTH = 32
#: Largest file read, in bytes.
MAX_BYTES = 10 * 1024 * 1024
_MERGE_TAG = "tag:yaml.org,2002:merge"
#: libyaml when present: ~10x faster than the pure-Python parser.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Check:
    """One pass over the node graph; the size of a node shared by aliases is counted each
    time it is used (that is what construction and validation will walk), but computed once.
    """

    def __init__(self, source: str):
        self.source = source
        self.sizes: dict[int, int] = {}
        self.open: set[int] = set()

    def fail(self, node: yaml.Node, value: Any, allowed: str):
        mark = node.start_mark
        raise ConfigSyntaxError(self.source, [Problem(
            f"line {mark.line + 1}, column {mark.column + 1}", value, allowed)])

    def size(self, node: yaml.Node, depth: int = 0) -> int:
        key = id(node)
        if key in self.sizes:
            return self.sizes[key]
        if key in self.open:
            self.fail(node, "(recursive alias)", "an alias that contains itself; allowed: "
                      "aliases to finished values")
        if depth > MAX_DEPTH:
            self.fail(node, f"{depth} levels", f"nested too deep; allowed: at most "
                      f"{MAX_DEPTH} levels of lists and mappings")
        self.open.add(key)
        total = 1
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode) and k.tag != _MERGE_TAG:
                    if k.value in seen:
                        self.fail(k, k.value, f"key written twice (first on line "
                                  f"{seen[k.value]}); allowed: each key once per mapping")
                    seen[k.value] = k.start_mark.line + 1
                total += self.size(k, depth + 1) + self.size(v, depth + 1)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                total += self.size(item, depth + 1)
        if total > MAX_NODES:
            self.fail(node, f"> {MAX_NODES:,} values", "aliases or lists expand to too many "
                      f"values; allowed: at most {MAX_NODES:,} (a config has a few hundred)")
        self.open.discard(key)
        self.sizes[key] = total
        return total


def _check_depth(text: str, source: str) -> None:
    """Nesting depth from the parser's event stream (which keeps its own stack, not
    Python's), so 20,000 nested brackets are refused in milliseconds.
    """
    depth = 0
    for event in yaml.parse(text, Loader=_LOADER):
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                mark = event.start_mark
                raise ConfigSyntaxError(source, [Problem(
                    f"line {mark.line + 1}, column {mark.column + 1}", f"{depth} levels",
                    f"nested too deep; allowed: at most {MAX_DEPTH} levels of lists and "
                    "mappings")])
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            depth -= 1


def parse_yaml(text: str, source: str) -> Any:
    """The value of one YAML document, after the checks above; ``None`` for an empty one.

    Raises :class:`ConfigSyntaxError` naming ``source``, the line and what is allowed.
    """
    if len(text) > MAX_BYTES:
        raise ConfigSyntaxError(source, [Problem("(file)", f"{len(text):,} characters",
                                                 f"allowed: at most {MAX_BYTES:,}")])
    loader = None
    try:
        _check_depth(text, source)  # before composing, which recurses once per level
        loader = _LOADER(text)
        node = loader.get_single_node()
        if node is None:
            return None
        _Check(source).size(node)
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(file)"
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        if "nesting depth" in str(problem):  # libyaml's own limit (1,000 levels)
            raise ConfigSyntaxError(source, [Problem(where, "> 1,000 levels", "nested too "
                                    f"deep; allowed: at most {MAX_DEPTH} levels of lists "
                                    "and mappings")]) from None
        raise ConfigSyntaxError(source, [Problem(where, problem,
                                                 "malformed YAML; allowed: a YAML mapping")]
                                ) from None
    except RecursionError:
        raise ConfigSyntaxError(source, [Problem("(file)", "(nesting)", f"nested too deep; "
                                                 f"allowed: at most {MAX_DEPTH} levels of "
                                                 "lists and mappings")]) from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise ConfigSyntaxError(source, [Problem("(value)", str(exc)[:80], "allowed: numbers "
                                                 "of at most 4,300 digits")]) from None
    finally:
        if loader is not None:
            loader.dispose()
