"""Shared fixtures: numeric code runs with floating-point errors raised where they are born."""

import numpy as np
import pytest


@pytest.fixture(autouse=True)
def raise_on_float_errors():
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        yield
