"""The model: :class:`AIEconomyModel` and the order its agents act in each step
(:mod:`sim.model.model`); the agents (:mod:`sim.model.agents`: labs, GPU vendors, model fleets,
workers, the economy); the mechanisms they use (:mod:`sim.model.mechanisms`: functions and
compiled kernels, one job each); the task market; the parameters stacked into arrays with a
leading scenario axis (:mod:`sim.model.params`); the per-scenario random streams; and the
recorder. Nothing here reads or writes files or draws figures.

``AIEconomyModel`` is imported on first use: the model pulls in mesa and numba, which code
that only needs, say, :mod:`sim.model.constants` does not.
"""

__all__ = ["AIEconomyModel"]


def __getattr__(name):
    if name == "AIEconomyModel":
        from sim.model.model import AIEconomyModel

        return AIEconomyModel
    raise AttributeError(f"module 'sim.model' has no attribute {name!r}")
