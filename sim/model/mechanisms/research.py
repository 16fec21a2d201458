"""Research: semi-endogenous growth of software and hardware (Jones 1995; Davidson 2023's
compute-centric takeoff model), with AI researchers among the inputs.

A technology level A grows as ``d ln A / dt = r x R / C``: R is research input, C its running
sum, r the returns. Then ``ln A = r ln C`` + const: with constant input growth g the level grows
at r x g; when AI researchers make R grow faster than C, growth accelerates, explosively if
r > 1. No formula here caps that: a ceiling, where given, lowers the returns as the level nears
it (Davidson's form), and complementary inputs that do not grow hold R back.
"""

from __future__ import annotations

import numpy as np

LN_10 = float(np.log(10.0))


def research_automation_share(feasible_share, oversight_ratio):
    """Share of research work AI takes over: feasible tasks, less the human time to oversee."""
    return feasible_share * (1.0 - np.minimum(oversight_ratio, 1.0))


def task_labour(humans, ai, automated_share, rho):
    """Cognitive labour over research tasks: a CES over tasks (Davidson's form), AI doing the
    ``automated_share`` f of tasks and people the rest; never below people doing every task.

    ``L = ((1 - f)^(1 - rho) H^rho + f^(1 - rho) A^rho)^(1/rho)``, computed in logs: the terms
    can leave the float range at extreme ``rho`` while L itself lies between H and H + A. With
    ``rho`` < 0 tasks are complements: unlimited AI labour raises output only as far as the
    tasks people still do allow, until AI can do them all.
    """
    f = np.clip(automated_share, 0.0, 1.0)
    has_ai = (f > 0.0) & (ai > 0.0)
    has_people = f < 1.0
    with np.errstate(divide="ignore"):  # log(0) = -inf marks a term that is not there
        log_ai = np.where(has_ai, (1.0 - rho) * np.log(f) + rho * np.log(np.where(has_ai, ai,
                                                                                  1.0)), -np.inf)
        log_people = np.where(has_people, (1.0 - rho) * np.log1p(-f) + rho * np.log(humans),
                              -np.inf)
    log_total = np.logaddexp(log_people, log_ai)
    mixed = np.exp(np.where(has_ai, log_total, 0.0) / rho)
    return np.maximum(humans, np.where(has_ai, mixed, humans))


def ces(labour, compute, labour_share, rho):
    """CES of labour and compute indices (each 1 at baseline); rho < 0: complements."""
    rho = np.where(np.abs(rho) < 1e-9, -1e-9, rho)
    return (labour_share * labour**rho + (1.0 - labour_share) * compute**rho) ** (1.0 / rho)


def research_input(labour_index, experiment_index, labour_share, rho, parallel_exponent):
    """Research input R: CES of parallel-penalised cognitive labour and experiment compute,
    each relative to its starting level (R = 1 at the start).
    """
    return ces(labour_index ** parallel_exponent, experiment_index, labour_share, rho)


def initial_cumulative_input(returns, initial_oom_per_yr, research_input0=1.0):
    """Cumulative input C at the start that gives the observed starting growth rate.

    ``initial_oom_per_yr`` x ln 10 = returns x R0 / C0; a zero rate means no growth ever
    (C0 effectively infinite).
    """
    rate = np.asarray(initial_oom_per_yr, dtype=float) * LN_10
    return np.where(rate > 0.0, returns * research_input0 / np.maximum(rate, 1e-300), 1e300)


def growth_oom_per_yr(returns, research_input_, cumulative_input, level_oom, ceiling_oom):
    """Growth of a technology level in OOM per year: ``r x R / C`` in ln units, with returns
    falling linearly to zero as the level (OOM above its start) nears its ceiling.
    """
    headroom = np.clip(1.0 - level_oom / ceiling_oom, 0.0, 1.0)
    return returns * headroom * research_input_ / cumulative_input / LN_10
