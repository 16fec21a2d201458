"""Production from tasks: the Acemoglu-Restrepo task model in the nested CES form Davidson's
takeoff model and Epoch's GATE share.

Output ``Y = A (beta K^rho + (1 - beta) X^rho)^(1/rho)``: total factor productivity ``A``,
capital ``K`` and the task aggregate ``X``, a CES over task bins with elasticity of
substitution ``sigma`` < 1 between tasks,
``X = (sum_k a_k^(1/sigma) x_k^((sigma-1)/sigma))^(sigma/(sigma-1))``. Each bin's quantity
``x_k`` (task-hours of 2023 work) is done by people (made faster by augmentation) or by AI,
whichever the task market chose; its unit cost ``p_k`` is what producing it cost. The task
price index is ``P = (sum_k a_k p_k^(1-sigma))^(1/(1-sigma))``.

Calibration: in 2023 every bin's price is its occupation's hourly labour cost, and the units
of ``X`` are chosen so that ``P = 1``; then ``a_k = p_k^sigma x_k / X0`` reproduces the 2023
task-hours as the cost-minimising demand, ``beta`` is set so that capital earns what the data
say (output less labour income), and ``A`` so that output is the 2023 figure.

Firms take prices as given: given ``K``, ``A`` and ``P`` they want the ``X`` at which its
marginal product equals ``P`` (closed form, :func:`aggregate_demand`), and of each bin
``x_k = a_k X (p_k / P)^(-sigma)``. So cheaper automated tasks lower ``P`` and raise the demand
for every task (the productivity effect) while spending shifts toward the tasks whose price
did not fall (Baumol's cost disease, as sigma < 1).

All functions take arrays with the scenario axis first and reduce only along the last axis.
"""

from __future__ import annotations

import numpy as np

from sim.xp import total


def task_aggregate(weights, quantities, sigma):
    """``X``, the CES of task quantities, (B, 1). Bins with no weight take no part; the sum is
    taken in logs about its largest term, so quantities spanning many orders of magnitude
    neither overflow nor vanish.
    """
    e = (sigma - 1.0) / sigma
    used = weights > 0.0
    log_terms = np.where(used, np.log(np.where(used, weights, 1.0)) / sigma
                         + e * np.log(np.maximum(quantities, 1e-300)), -np.inf)
    top = log_terms.max(axis=-1, keepdims=True)
    scaled = total(np.exp(log_terms - top), axis=-1, keepdims=True)
    return np.exp((top + np.log(scaled)) / e)


def price_index(weights, prices, sigma):
    """``P``, the cost of one unit of ``X`` given each bin's unit cost, (B, 1)."""
    terms = weights * np.maximum(prices, 1e-300) ** (1.0 - sigma)
    return total(terms, axis=-1, keepdims=True) ** (1.0 / (1.0 - sigma))


def task_demand(weights, aggregate, prices, index, sigma):
    """Cost-minimising quantity of each bin for ``aggregate`` units of ``X``."""
    return weights * aggregate * (np.maximum(prices, 1e-300) / index) ** (-sigma)


def output(tfp, beta, capital, aggregate, rho):
    """``Y`` from capital and the task aggregate (CES, substitution ``rho`` < 0)."""
    return tfp * (beta * capital ** rho + (1.0 - beta) * aggregate ** rho) ** (1.0 / rho)


def marginal_product_of_tasks(tfp, beta, capital, aggregate, rho):
    """``dY/dX``."""
    y = output(tfp, beta, capital, aggregate, rho)
    return tfp ** rho * (1.0 - beta) * (y / aggregate) ** (1.0 - rho)


def aggregate_demand(tfp, beta, capital, index, rho):
    """The ``X`` at which ``dY/dX`` equals its price ``index``.

    With ``u = (X/K)^rho``, ``dY/dX = A (1-beta) (u / (beta + (1-beta) u))^((rho-1)/rho)``,
    so ``v = (P / (A (1-beta)))^(rho/(rho-1))`` gives ``u = beta v / (1 - (1-beta) v)``.
    ``v`` reaches ``1 / (1-beta)`` only when ``P`` is at or above the marginal product of the
    first unit of ``X``; then nothing is worth producing (a tiny ``X`` is returned).
    """
    v = (index / (tfp * (1.0 - beta))) ** (rho / (rho - 1.0))
    room = np.maximum(1.0 - (1.0 - beta) * v, 1e-300)
    u = beta * v / room
    return capital * u ** (1.0 / rho)


def calibrate(output_0, capital_0, labour_income_0, rho):
    """``beta`` and ``A`` such that capital earns ``output_0 - labour_income_0`` and output is
    ``output_0`` when ``X = labour_income_0`` at price 1.
    """
    capital_share = 1.0 - labour_income_0 / output_0
    odds = capital_share / (1.0 - capital_share) * (labour_income_0 / capital_0) ** rho
    beta = odds / (1.0 + odds)
    tfp = output_0 / (beta * capital_0 ** rho + (1.0 - beta) * labour_income_0 ** rho) ** (
        1.0 / rho)
    return beta, tfp
