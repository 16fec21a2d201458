"""Training runs and model sizing: effective compute, Chinchilla sizing, capability."""

from __future__ import annotations

import numpy as np

from sim.model.constants import TRAINING_FLOP_PER_PARAM_TOKEN


def tokens_per_parameter(chinchilla, inference_share, training_share, elasticity):
    """Tokens per parameter D/N: Chinchilla ~20, more when inference-heavy [002].

    Rises as ``(inference/training compute)**elasticity`` above 1; never below Chinchilla.
    """
    ratio = inference_share / np.maximum(training_share, 1e-12)
    return chinchilla * np.maximum(1.0, ratio) ** elasticity


def chinchilla_params(train_flop, tokens_per_param):
    """Parameters N of a run of ``train_flop`` physical FLOP: C = 6ND, D = rN -> N = sqrt(C/6r)."""
    return np.sqrt(train_flop / (TRAINING_FLOP_PER_PARAM_TOKEN * tokens_per_param))


def effective_compute(physical_flop, algorithmic_efficiency, unhobbling):
    """Effective training compute in 2023-algorithm FLOP: physical x efficiency x unhobbling."""
    return physical_flop * algorithmic_efficiency * unhobbling


def capability(effective_flop):
    """Capability: log10 of effective training compute (GPT-4 ~ 25.3)."""
    return np.log10(effective_flop)


def accumulate_run(run_flop, flop_per_s, dt_seconds, max_flop):
    """Add a step of training compute to a run, never past the per-run cap."""
    return np.minimum(run_flop + flop_per_s * dt_seconds, max_flop)
