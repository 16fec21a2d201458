"""Every numeric parameter of the schema at each end of its documented range.

Walks ``SimConfig`` as ``sim params`` does (every lab and vendor included), so a parameter added
to the schema is covered without editing this file. A few parameters are bound to a partner by a
cross-field rule (a lab's initial training share <= its maximum, an exposure class's low
threshold <= its high one, ...): at an edge that breaks the rule, the partner moves with it, the
smallest change that keeps the config valid.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.config.loading import load_config
from sim.config.paramdoc import bounds, parameter_rows
from sim.config.schema import SimConfig

#: Fields that set array shapes or the time axis: scenarios differing in them cannot share a
#: batch (``SimConfig.structure_key``), so they are checked against a partner of the same shape.
STRUCTURAL = ("time.", "tasks.bins.")

#: (field suffix, side) -> partner overrides that keep the config valid at that edge, in the
#: order they are applied (each ``--set`` is validated as it comes).
PARTNERS = {
    ("initial_training_share", "high"): {"research_share": 0.0, "max_training_share": 1.0},
    ("max_training_share", "low"): {"initial_training_share": 0.0},
    ("max_training_share", "high"): {"research_share": 0.0},
    ("research_share", "high"): {"initial_training_share": 0.0, "max_training_share": 0.0},
    ("training.run_months", "high"): {"training.max_run_years": 10.0},
    ("training.max_run_years", "low"): {"training.run_months": 1.0},
    ("low_oom", "high"): {"high_oom": 60.0},
    ("high_oom", "low"): {"low_oom": 15.0},
    ("tasks.physical_low", "high"): {"tasks.physical_high": 20.0},
    ("tasks.physical_high", "low"): {"tasks.physical_low": 0.0},
    ("time.end_year", "low"): {"time.start_year": 2020.0},
    ("time.start_year", "high"): {"time.end_year": 2045},
}


@dataclass(frozen=True)
class Edge:
    """One parameter at one end of its range, with the overrides that put it there."""

    key: str
    side: str  #: "low" or "high"
    value: float
    overrides: tuple[str, ...]

    @property
    def structural(self) -> bool:
        """True if the edge changes the batch structure."""
        return self.key.startswith(STRUCTURAL)

    def config(self, extra: tuple[str, ...] = (), seed: int | None = None) -> SimConfig:
        """The edge's config, after ``extra`` overrides (applied first)."""
        return load_config(overrides=[*extra, *self.overrides], seed=seed)


def _partners(key: str, side: str) -> dict:
    prefix, _, leaf = key.rpartition(".")
    for (suffix, s), moves in PARTNERS.items():
        if s == side and (key == suffix or leaf == suffix):
            return {(k if "." in k else f"{prefix}.{k}"): v for k, v in moves.items()}
    return {}


def numeric_edges() -> list[Edge]:
    """Both ends of every numeric parameter's range (inf, meaning 'no cap', is not an edge)."""
    out = []
    for row in parameter_rows():
        default = row["default"]
        if not isinstance(default, (int, float)) or isinstance(default, bool):
            continue
        lo, _, hi, _ = bounds(row["field"])
        for side, value in (("low", lo), ("high", hi)):
            if value is None:
                continue
            value = int(value) if isinstance(default, int) else float(value)
            moves = _partners(row["name"], side)
            overrides = tuple(f"{k}={v!r}" for k, v in moves.items()) + (
                f"{row['name']}={value!r}",)
            out.append(Edge(row["name"], side, value, overrides))
    return out
