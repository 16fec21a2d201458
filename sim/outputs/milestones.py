"""Milestones: the first date a recorded share reaches a level."""

from __future__ import annotations

import numpy as np


def first_crossing(series: np.ndarray, times: np.ndarray, level: float) -> np.ndarray:
    """First time each scenario's series (T, B) reaches ``level``; NaN if it never does."""
    hit = series >= level
    first = np.argmax(hit, axis=0)
    return np.where(hit.any(axis=0), times[first], np.nan)


def milestone_years(aggregates: dict, times: np.ndarray, levels, full_share,
                    researcher_share) -> dict[str, np.ndarray]:
    """Every milestone's year per scenario: capability and adoption of 20/50/95/100% of
    wage-weighted work, and the automated-AI-researcher date. ``levels`` are shared by the
    batch (they name the milestones); ``full_share`` and ``researcher_share`` are per scenario
    (B,) or one number.
    """
    out = {}
    full_share = np.asarray(full_share, dtype=float).reshape(1, -1)
    for level in levels:
        threshold = full_share if level >= 1.0 else level
        pct = int(round(level * 100))
        out[f"capable_{pct}pct"] = first_crossing(aggregates["capable_share"], times, threshold)
        out[f"adopted_{pct}pct"] = first_crossing(aggregates["adopted_share"], times, threshold)
    share = aggregates["research_automation_share"]
    hit = share >= np.asarray(researcher_share).reshape(1, -1)
    first = np.argmax(hit, axis=0)
    out["automated_ai_researcher"] = np.where(hit.any(axis=0), times[first], np.nan)
    return out
