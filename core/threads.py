"""numpy's BLAS held to one thread: the detector's many small matrix products run faster without workers.

core.enlargement fits an enlargement with a few hundred least-squares problems per candidate, each a
product of matrices of a few hundred by fifty. OpenBLAS hands such products to its worker threads, whose
start and synchronisation cost several times the work: on the 2-core target machine a smoothed picture
took 3.4 s with them and 1.5 s without, and the bot runs pictures in parallel workers anyway. The
OPENBLAS_NUM_THREADS variable only works if set before numpy loads, which a library cannot promise, so the
bundled library's own setter is called instead.
"""

from __future__ import annotations

import ctypes
from pathlib import Path

import numpy as np

# numpy 2 wheels bundle scipy-openblas (64-bit integers, prefixed symbols); older builds, the plain name.
_SETTERS = ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads", "openblas_set_num_threads")


def single_threaded_blas() -> bool:
    """Limit the OpenBLAS bundled with numpy to one thread, process-wide. False where there is none (a
    numpy built on another BLAS), which is left as it is."""
    folder = Path(np.__file__).resolve().parent.parent / "numpy.libs"
    for path in sorted(folder.glob("*openblas*")):
        try:
            library = ctypes.CDLL(str(path))
        except OSError:
            continue
        for name in _SETTERS:
            setter = getattr(library, name, None)
            if setter is not None:
                setter(1)
                return True
    return False
