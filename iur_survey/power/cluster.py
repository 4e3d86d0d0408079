"""Where the replications run: a local Dask cluster, an existing one, or this process.

:func:`dask_client` yields what :func:`iur_survey.sem.parallel.map_chunks` takes
as its ``scheduler``:

* ``scheduler=None``: a ``distributed.LocalCluster`` on this machine with
  ``workers`` worker processes (``processes=False``: threads of this process),
  one thread each, BLAS limited to one thread, no dashboard, no worker profiler, the engine imported
  in every worker before the first task; closed on exit;
* ``scheduler="tcp://host:port"``: a client of that running cluster (closed on exit,
  the cluster keeps running);
* ``scheduler=<distributed.Client>``: used as it is;
* ``scheduler="serial"``: no Dask at all, a plain loop in this process (``None`` is yielded).

>>> with dask_client(scheduler="serial") as client:
...     client is None
True
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from ..sem.parallel import available_cores, check_workers, connect, is_address

__all__ = ["dask_client", "warm_up", "BLAS_ENV"]

#: environment of local worker processes: one BLAS / OpenMP thread each
BLAS_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
            "VECLIB_MAXIMUM_THREADS": "1", "NUMEXPR_NUM_THREADS": "1"}


def warm_up() -> bool:
    """Import the engine in a worker and fit a tiny model once: a fresh process pays ~1-2 s for the imports
    and a few hundred ms for the engine's lazy imports and first calls, which would otherwise land in the
    first task (and in the timings).  A caller passes its own function to :func:`dask_client` when the
    workers should also import the caller's module (a function is unpickled by importing its module)."""
    import numpy as np
    import pandas as pd

    from iur_survey.sem import sem

    rng = np.random.default_rng(0)
    f = rng.standard_normal((60, 2))
    x = np.hstack([f[:, :1] + 0.5 * rng.standard_normal((60, 3)), f[:, 1:] + 0.5 * rng.standard_normal((60, 3))])
    d = pd.DataFrame(x, columns=["a", "b", "c", "d", "e", "f"])
    res = sem("F =~ a + b + c\nG =~ d + e + f\nG ~ k*F\nk2 := 2*k", d)
    res.parameter_estimates()
    sem("F =~ a + b + c", d.mask(rng.random(d.shape) < 0.05), missing="fiml").parameter_estimates()
    # the ordinal path (WLSMV power): polychoric correlations, DWLS, its result class
    codes = pd.DataFrame(np.digitize(x[:, :3], [-0.5, 0.5]), columns=["a", "b", "c"])
    sem("F =~ a + b + c", codes, ordered=True, estimator="WLSMV", warn=False).parameter_estimates()
    return True


def _is_client(obj: Any) -> bool:
    return hasattr(obj, "submit") and hasattr(obj, "gather") and hasattr(obj, "scheduler_info")


@contextmanager
def dask_client(workers: int | None = None, scheduler: Any = None, *, processes: bool = True,
                warm_up: Callable[[], Any] = warm_up) -> Iterator[Any]:
    """A ``distributed.Client`` (or None for ``scheduler="serial"``); see the module docstring.  ``warm_up`` runs
    once on every worker before the first task (default: :func:`warm_up`)."""
    if scheduler == "serial":
        yield None
        return
    if scheduler is not None and _is_client(scheduler):
        yield scheduler
        return
    from distributed import Client, LocalCluster

    if isinstance(scheduler, str):
        if not is_address(scheduler):
            raise ValueError(f"scheduler {scheduler!r}: give a 'tcp://host:port' address or 'serial'")
        address = scheduler.strip()
        client = connect(address, set_as_default=True)   # default client: map_chunks uses as_completed()
        try:
            check_workers(client, address)      # iur_survey importable on every worker, before warm_up is sent
            client.run(warm_up)
            yield client
        finally:
            client.close()
        return
    if scheduler is not None:
        raise ValueError(f"scheduler must be None, 'serial', an address or a distributed.Client, not {scheduler!r}")
    n = int(workers or available_cores())
    if n < 1:
        raise ValueError("workers must be at least 1")
    kw: dict[str, Any] = {"n_workers": n, "threads_per_worker": 1, "processes": processes,
                          "silence_logs": logging.ERROR,
                          # no dashboard; the scheduler's small HTTP server on a free port (8787 may be taken)
                          "dashboard_address": None, "scheduler_kwargs": {"dashboard": False, "dashboard_address": ":0"}}
    if processes:
        kw["env"] = dict(BLAS_ENV)
        kw["memory_limit"] = 0          # the fits are small; no spilling / pausing heuristics
    import dask
    # no statistical profiler in the workers (it samples every thread every 10 ms; no dashboard looks at it),
    # and glibc's default malloc trimming: the nanny's MALLOC_TRIM_THRESHOLD_=65536 makes the fits' many
    # small temporary arrays ~10-15% slower in a worker thread (measured), for memory we do not need back
    with dask.config.set({"distributed.worker.profile.enabled": False,
                          "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}):
        cluster = LocalCluster(**kw)
    client = Client(cluster)     # default client: map_chunks uses as_completed()
    try:
        client.run(warm_up)      # imports on every worker now, in parallel, not inside the first tasks
        yield client
    finally:
        client.close()
        cluster.close()
