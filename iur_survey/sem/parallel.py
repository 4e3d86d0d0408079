"""Run independent chunks of work serially, on local Dask workers, or on a Dask cluster.

The bootstrap (:mod:`iur_survey.sem.bootstrap`) cuts its draws into chunks
(50 draws each) and hands them to :func:`map_chunks`, which only decides
*where* they run; results always come back in chunk order, so the outcome does
not depend on the scheduler:

* ``workers=1`` (and no ``scheduler``): a plain loop in this process, no Dask;
* ``workers=N > 1``: Dask's local scheduler with ``N`` threads
  (``scheduler="threads"``, what the bootstrap uses by default: its numpy work
  releases the GIL) or worker processes (``scheduler="processes"``, forked on
  POSIX so that nothing is re-imported);
* ``scheduler="tcp://host:port"`` (or a ``distributed.Client``): the chunks are
  submitted to that Dask cluster (``client.map``), the shared payload is
  scattered once.

Every chunk runs with one BLAS thread (threadpoolctl): the matrices are small and
BLAS threads only fight the workers for cores.  A tqdm progress bar
(counting draws, not chunks) is shown on a terminal unless ``progress=False``;
``progress="lines"`` writes a plain line at every tenth of the work instead, with
the time taken and the time left (for a log, where a bar is one endless line).

>>> map_chunks(pow, [2, 3, 4], payload=10, workers=1, progress=False)    # pow(payload, chunk)
[100, 1000, 10000]
"""

from __future__ import annotations

import sys
from typing import Any, Callable, Sequence

from .._threads import available_cores, blas_threads

__all__ = ["map_chunks", "available_cores", "one_blas_thread", "show_progress"]


def one_blas_thread():
    """A context manager limiting BLAS to one thread (see :mod:`iur_survey._threads`).

    >>> with one_blas_thread():
    ...     pass
    """
    return blas_threads(1)


def show_progress(progress: bool | None) -> bool:
    """Whether to draw a progress bar: ``progress`` if given, else only when stderr is a terminal.

    >>> show_progress(False), show_progress(True)
    (False, True)
    """
    if progress is not None:
        return bool(progress)
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # pragma: no cover
        return False


def _call(func: Callable, payload: Any, chunk: Any):
    with one_blas_thread():
        return func(payload, chunk)


def _call_plain(func: Callable, payload: Any, chunk: Any):
    return func(payload, chunk)


class LineProgress:
    """Progress as plain lines on stderr (``progress="lines"``): one at each tenth of ``total`` with the time
    taken and the time left, so that a log of a long run is not silent until its end.

    >>> import io
    >>> out = io.StringIO()
    >>> p = LineProgress(20, "bootstrap", file=out, clock=iter(range(0, 100, 2)).__next__)
    >>> for _ in range(20):
    ...     p.update(1)
    >>> print(out.getvalue().splitlines()[0])
    bootstrap: 2/20 draws in 2 s (about 18 s left)
    >>> len(out.getvalue().splitlines())
    10
    """

    def __init__(self, total: int, desc: str, unit: str = "draws", file=None, clock=None):
        import time
        self.total, self.desc, self.unit = int(total), desc, unit
        self.file = file if file is not None else sys.stderr
        self.clock = clock or time.perf_counter
        self.t0, self.done, self.next_tenth = self.clock(), 0, 1

    def update(self, n: int = 1) -> None:
        self.done += int(n)
        if self.total <= 0 or self.done * 10 < self.next_tenth * self.total:
            return
        while self.next_tenth <= 10 and self.done * 10 >= self.next_tenth * self.total:
            self.next_tenth += 1
        took = self.clock() - self.t0
        left = took * (self.total - self.done) / self.done
        tail = f" (about {_duration(left)} left)" if self.done < self.total else ""
        print(f"{self.desc}: {self.done}/{self.total} {self.unit} in {_duration(took)}{tail}", file=self.file,
              flush=True)

    def close(self) -> None:
        pass


def _duration(seconds: float) -> str:
    """``42 s``, ``3.5 min``, ``2.1 h``."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def _bar(total: int | None, desc: str, enabled: bool | str, unit: str = "draws"):
    if enabled == "lines":
        return LineProgress(total or 0, desc, unit)
    if not enabled:
        return None
    from tqdm.auto import tqdm
    return tqdm(total=total, desc=desc, unit=unit.rstrip("s"), file=sys.stderr, dynamic_ncols=True, leave=False)


def map_chunks(func: Callable[[Any, Any], Any], chunks: Sequence[Any], *, payload: Any = None,
               workers: int = 1, scheduler: Any = None, progress: bool | str | None = None,
               weights: Sequence[int] | None = None, desc: str = "bootstrap", unit: str = "draws") -> list:
    """``[func(payload, chunk) for chunk in chunks]``, possibly in parallel (see the module docstring).

    ``payload`` is the large shared argument (sent once per task locally, scattered once to a
    cluster); ``weights[i]`` is how many progress units (``unit``) chunk ``i`` is worth (default 1).
    ``scheduler``: None (local: processes when ``workers > 1``), ``"processes"``, ``"threads"``,
    ``"sync"``, a ``"tcp://..."`` address or a ``distributed.Client``.

    >>> map_chunks(lambda p, c: p + c, [1, 2], payload=10, workers=2, scheduler="threads", progress=False)
    [11, 12]
    """
    chunks = list(chunks)
    weights = [1] * len(chunks) if weights is None else [int(w) for w in weights]
    bar = _bar(sum(weights), desc, "lines" if progress == "lines" else show_progress(progress), unit)
    try:
        if scheduler is None and workers <= 1 or scheduler == "sync" or len(chunks) <= 1 and scheduler is None:
            out = []
            for c, w in zip(chunks, weights):
                out.append(_call(func, payload, c))
                if bar is not None:
                    bar.update(w)
            return out
        if _is_cluster(scheduler):
            return _map_distributed(func, chunks, payload, scheduler, bar, weights)
        return _map_local(func, chunks, payload, workers, scheduler or "processes", bar, weights)
    finally:
        if bar is not None:
            bar.close()


def _is_cluster(scheduler: Any) -> bool:
    if isinstance(scheduler, str):
        return "://" in scheduler
    return scheduler is not None and hasattr(scheduler, "submit") and hasattr(scheduler, "gather")


def _map_local(func, chunks, payload, workers, scheduler, bar, weights):
    import dask
    from dask.callbacks import Callback

    if scheduler not in ("processes", "threads"):
        raise ValueError(f"unknown scheduler {scheduler!r} (use 'processes', 'threads', 'sync' "
                         "or a 'tcp://host:port' address)")
    data = dask.delayed(payload, pure=False, traverse=False)
    # BLAS limits are process-wide: threads share the one set around the whole computation below (a
    # per-task limit would be undone by the first thread leaving it); processes set their own
    call = _call if scheduler == "processes" else _call_plain
    tasks = [dask.delayed(call, pure=False, traverse=False)(func, data, c, dask_key_name=f"chunk-{i}")
             for i, c in enumerate(chunks)]
    unit = {f"chunk-{i}": w for i, w in enumerate(weights)}

    class _Progress(Callback):
        def _posttask(self, key, result, dsk, state, worker_id):
            if bar is not None and key in unit:
                bar.update(unit[key])

    # chunksize 1: dask's process pool would otherwise hand out tasks six at a time (load imbalance)
    cfg = {"scheduler": scheduler, "num_workers": int(workers), "chunksize": 1}
    if scheduler == "processes" and sys.platform != "win32":
        cfg["multiprocessing.context"] = "fork"
    with dask.config.set(cfg), _Progress(), one_blas_thread():
        return list(dask.compute(*tasks, scheduler=scheduler, num_workers=int(workers)))


def _map_distributed(func, chunks, payload, scheduler, bar, weights):
    from distributed import Client, as_completed

    own = isinstance(scheduler, str)
    client = Client(scheduler, set_as_default=False) if own else scheduler
    try:
        shared = client.scatter(payload, broadcast=True, hash=False)
        futures = [client.submit(_call, func, shared, c, pure=False) for c in chunks]
        where = {f.key: i for i, f in enumerate(futures)}
        out: list = [None] * len(chunks)
        for fut in as_completed(futures, loop=client.loop):
            i = where[fut.key]
            out[i] = fut.result()
            if bar is not None:
                bar.update(weights[i])
        return out
    finally:
        if own:
            client.close()
