"""One exception per kind of bad input, each naming the file, the field, the value and what is
allowed. The CLI turns any :class:`SimInputError` into a one-line message and exit code 2.
"""

from __future__ import annotations

import reprlib
from dataclasses import dataclass


@dataclass
class Problem:
    """One thing wrong with an input."""

    field: str
    value: object
    allowed: str

    def render(self, file: str) -> str:
        """A one-line message: file, field, value, what is allowed."""
        return (f"{one_line(file)}: {one_line(self.field, 200)} = {short_repr(self.value)}: "
                f"{one_line(self.allowed, 600)}")


_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxlist, _REPR.maxdict, _REPR.maxtuple = 2, 6, 4, 6
_REPR.maxstring = _REPR.maxother = _REPR.maxlong = 80


def short_repr(value: object, width: int = 80) -> str:
    """A value for a message: bounded in time and length whatever its size (``reprlib``
    looks at a few items of each container and never walks the rest), on one line.
    """
    text = f"'{value}'" if isinstance(value, str) and len(value) <= width else _REPR.repr(value)
    return one_line(text, width)


def one_line(text: str, width: int = 160) -> str:
    """``text`` without line breaks, cut to ``width`` characters."""
    text = " ".join(str(text).split("\n")).replace("\r", " ")
    return text if len(text) <= width else text[: width - 3] + "..."


class SimInputError(Exception):
    """Base of every input error; carries one or more problems."""

    def __init__(self, file: str, problems: list[Problem]):
        self.file = file
        self.problems = problems
        super().__init__("\n".join(p.render(file) for p in problems))


class ConfigFileNotFoundError(SimInputError):
    """A config, overlay or data file does not exist."""


class ConfigSyntaxError(SimInputError):
    """The file is not valid YAML, or its top level is not a mapping."""


class UnknownKeyError(SimInputError):
    """A key that the schema does not know (often a typo)."""


class InvalidValueError(SimInputError):
    """A value of the wrong type, out of its range, or inconsistent with another field."""


class BadOverrideError(SimInputError):
    """A ``--set dotted.key=value`` that cannot be parsed or applied."""


class ScenarioNotFoundError(SimInputError):
    """``--scenario NAME`` names no overlay."""


class OccupationTableError(SimInputError):
    """An occupation table that is empty, or has missing or bad columns."""


class BatchStructureError(SimInputError):
    """Scenarios in one batch differ in structure (number of labs, time axis, ...)."""
