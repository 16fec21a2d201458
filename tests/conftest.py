"""Shared fixtures: numeric code runs with floating-point errors raised where they are born."""

import numpy as np
import pytest


@pytest.fixture(autouse=True)
def raise_on_float_errors():
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        yield


@pytest.fixture(autouse=True, scope="session")
def private_cache_dir(tmp_path_factory):
    """Tests build their own cached tables, never reading or filling the user's cache."""
    import os

    old = os.environ.get("SIM_CACHE_DIR")
    os.environ["SIM_CACHE_DIR"] = str(tmp_path_factory.mktemp("sim-cache"))
    yield
    if old is None:
        os.environ.pop("SIM_CACHE_DIR", None)
    else:
        os.environ["SIM_CACHE_DIR"] = old
