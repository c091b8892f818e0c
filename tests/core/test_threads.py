"""numpy's bundled OpenBLAS is held to one thread (core.threads)."""

from __future__ import annotations

import ctypes
from pathlib import Path

import numpy as np
import pytest

from core.threads import single_threaded_blas


def test_blas_is_held_to_one_thread() -> None:
    libraries = sorted((Path(np.__file__).resolve().parent.parent / "numpy.libs").glob("*scipy_openblas*"))
    if not libraries:
        pytest.skip("this numpy does not bundle scipy-openblas")
    getter = ctypes.CDLL(str(libraries[0])).scipy_openblas_get_num_threads64_
    setter = ctypes.CDLL(str(libraries[0])).scipy_openblas_set_num_threads64_
    before = getter()
    try:
        setter(2)
        assert getter() == 2
        assert single_threaded_blas()
        assert getter() == 1
    finally:
        setter(before)
