"""BLAS thread limits for the numerical kernels.

The matrices of a survey SEM are a few dozen to a few hundred wide: BLAS threads only
add overhead there, and OpenBLAS's spinning threads collapse (5-10x slower) on a busy
2-core machine or under Dask workers.  Every estimator entry point runs inside
:func:`blas_threads`.

>>> import numpy as np
>>> with blas_threads(1):
...     float(np.ones((3, 3)) @ np.ones(3) @ np.ones(3))
9.0
"""

from __future__ import annotations

import contextlib
import os

#: BLAS threads inside the estimator entry points (None: leave the process setting).
BLAS_THREADS: int | None = 1

_CTL: list = []


def _controller():
    """One threadpoolctl controller per process (building it scans the loaded libraries)."""
    if not _CTL:
        try:
            from threadpoolctl import ThreadpoolController
            _CTL.append(ThreadpoolController())
        except ImportError:  # pragma: no cover - threadpoolctl is a pinned dependency
            _CTL.append(None)
    return _CTL[0]


@contextlib.contextmanager
def blas_threads(n: int | None = None):
    """Limit BLAS to ``n`` threads within the block (default :data:`BLAS_THREADS`).

    >>> with blas_threads():
    ...     pass
    """
    n = BLAS_THREADS if n is None else n
    ctl = _controller() if n is not None else None
    if ctl is None:
        yield
        return
    with ctl.limit(limits=n, user_api="blas"):
        yield


def available_cores() -> int:
    """The number of CPU cores this process may use.

    >>> available_cores() >= 1
    True
    """
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def release_free_memory() -> bool:
    """Hand the C heap's free memory back to the system (glibc's ``malloc_trim``); ``False`` where there is none.

    NumPy's temporaries of a large step (the cleaning of 100,000 responses frees some 300 MB
    of them, in pieces the allocator keeps) would otherwise stay in the process: the next
    step's peak comes on top of them.  It changes no value; elsewhere than glibc it does nothing.

    >>> release_free_memory() in (True, False)
    True
    """
    global _TRIM
    if _TRIM is None:
        try:
            import ctypes
            import ctypes.util

            name = ctypes.util.find_library("c")
            _TRIM = getattr(ctypes.CDLL(name), "malloc_trim", False) if name else False
        except (OSError, AttributeError):   # pragma: no cover - no C library to load
            _TRIM = False
    if not _TRIM:
        return False
    _TRIM(0)
    return True


_TRIM = None
