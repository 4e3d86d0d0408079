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
* ``scheduler="tcp://host:port"`` (``host:port`` too, as distributed takes it; or a
  ``distributed.Client``): the chunks are submitted to that Dask cluster, the shared
  payload is scattered once.  A scheduler that cannot be reached, has no workers or
  whose workers cannot import this version of iur_survey is a one-line
  :class:`~iur_survey.errors.ClusterError` (:func:`connect`, :func:`check_workers`),
  before any work is sent.

Every chunk runs with one BLAS thread (threadpoolctl): the matrices are small and
BLAS threads only fight the workers for cores.  A tqdm progress bar
(counting draws, not chunks) is shown on a terminal unless ``progress=False``;
``progress="lines"`` writes a plain line at every tenth of the work instead, with
the time taken and the time left (for a log, where a bar is one endless line).

>>> map_chunks(pow, [2, 3, 4], payload=10, workers=1, progress=False)    # pow(payload, chunk)
[100, 1000, 10000]
"""

from __future__ import annotations

import re
import sys
from typing import Any, Callable, Sequence

from .._threads import available_cores, blas_threads
from ..errors import ClusterError

__all__ = ["map_chunks", "SKIPPED", "available_cores", "one_blas_thread", "show_progress", "is_address", "connect",
           "check_workers"]

#: a Dask scheduler address: ``scheme://...`` or ``host:port`` (distributed's default scheme, tcp)
_ADDRESS = re.compile(r"^(?:[A-Za-z][\w+.-]*://\S+|(?:\[[0-9A-Fa-f:.]+\]|[\w.-]+):\d+)$")

#: what :func:`map_chunks` returns for a chunk it did not run (``stop`` answered True before its result came)
SKIPPED = type("Skipped", (), {"__repr__": lambda self: "SKIPPED", "__reduce__": lambda self: "SKIPPED"})()


class _Stop(Exception):
    """Raised inside the local scheduler's loop when ``stop`` answered True."""


#: seconds :func:`check_workers` waits for the first worker of a scheduler that has none yet
WORKER_WAIT = 10.0


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
               weights: Sequence[int] | None = None, desc: str = "bootstrap", unit: str = "draws",
               info: dict | None = None, stop: Callable[[int, Any], bool] | None = None) -> list:
    """``[func(payload, chunk) for chunk in chunks]``, possibly in parallel (see the module docstring).

    ``payload`` is the large shared argument (sent once per task locally, scattered once to a
    cluster); ``weights[i]`` is how many progress units (``unit``) chunk ``i`` is worth (default 1).
    ``scheduler``: None (local: processes when ``workers > 1``), ``"processes"``, ``"threads"``,
    ``"sync"``, a ``"tcp://..."`` address or a ``distributed.Client``.  ``info`` (a dict), when given, is
    filled with what ran the tasks: ``"workers"`` (on a cluster: its workers, not this machine's cores) and
    ``"scheduler"`` (``"sync"``, ``"threads"``, ``"processes"``, the address or ``"distributed.Client"``).

    ``stop(i, result)``, when given, is asked of every result as it comes back; once it answers True the
    chunks without a result are :data:`SKIPPED`: those not started are not run, and those running are ended
    where the scheduler can (local processes are killed, a cluster's tasks cancelled; local threads run on in
    the background, their results dropped).  Chunks start in their order (chunk 0 first), so that a first
    chunk that decides whether the others are needed spares them whenever there are fewer workers than chunks.

    >>> map_chunks(pow, [2, 3, 4], payload=10, progress=False, stop=lambda i, out: out > 500)
    [100, 1000, SKIPPED]
    >>> info = {}
    >>> map_chunks(lambda p, c: p + c, [1, 2], payload=10, workers=2, scheduler="threads", progress=False, info=info)
    [11, 12]
    >>> info
    {'workers': 2, 'scheduler': 'threads'}
    """
    chunks = list(chunks)
    weights = [1] * len(chunks) if weights is None else [int(w) for w in weights]
    bar = _bar(sum(weights), desc, "lines" if progress == "lines" else show_progress(progress), unit)
    info = {} if info is None else info
    try:
        if scheduler is None and workers <= 1 or scheduler == "sync" or len(chunks) <= 1 and scheduler is None:
            info.update(workers=1, scheduler="sync")
            out = []
            for i, (c, w) in enumerate(zip(chunks, weights)):
                out.append(_call(func, payload, c))
                if bar is not None:
                    bar.update(w)
                if stop is not None and stop(i, out[-1]):
                    return out + [SKIPPED] * (len(chunks) - len(out))
            return out
        if _is_cluster(scheduler):
            info["scheduler"] = scheduler.strip() if isinstance(scheduler, str) else "distributed.Client"
            return _map_distributed(func, chunks, payload, scheduler, bar, weights, info, stop)
        info.update(workers=int(workers), scheduler=scheduler or "processes")
        return _map_local(func, chunks, payload, workers, scheduler or "processes", bar, weights, stop)
    finally:
        if bar is not None:
            bar.close()


def is_address(scheduler: Any) -> bool:
    """Whether ``scheduler`` is a Dask scheduler address (``tcp://host:port``, any ``scheme://``, or
    ``host:port``), not a local scheduler name.

    >>> is_address("tcp://10.0.0.5:8786"), is_address("127.0.0.1:8786"), is_address("threads")
    (True, True, False)
    """
    return isinstance(scheduler, str) and bool(_ADDRESS.match(scheduler.strip()))


def _is_cluster(scheduler: Any) -> bool:
    if isinstance(scheduler, str):
        return is_address(scheduler)
    return scheduler is not None and hasattr(scheduler, "submit") and hasattr(scheduler, "gather")


def connect(address: str, *, set_as_default: bool = False):
    """A ``distributed.Client`` of the scheduler at ``address``; :class:`~iur_survey.errors.ClusterError` (one
    line, the address shown) when it cannot be reached (distributed's connect timeout, 30 s by default).

    >>> connect("tcp://127.0.0.1:1")     # doctest: +SKIP
    Traceback (most recent call last):
    iur_survey.errors.ClusterError: tcp://127.0.0.1:1: cannot reach the Dask scheduler (Timed out ... after 30 s)
    """
    from distributed import Client

    address = address.strip()
    try:
        return Client(address, set_as_default=set_as_default)
    except (OSError, TimeoutError, ValueError) as exc:      # ValueError: distributed's unknown scheme
        raise ClusterError(address, f"cannot reach the Dask scheduler ({str(exc).replace(address, 'it')})") from None


def check_workers(client, where: str | None = None, wait: float | None = None) -> int:
    """The number of workers behind ``client``, after checking that there is one (waiting up to ``wait`` s,
    default :data:`WORKER_WAIT`, for the first) and that every worker imports the iur_survey version of this
    process: a worker without the package would fail each task with a bare ``ModuleNotFoundError`` (or die
    unpickling it), another version could give other numbers.  :class:`~iur_survey.errors.ClusterError`
    otherwise (``where``: the address, for the message).

    >>> from distributed import Client, LocalCluster
    >>> with LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cluster, Client(cluster) as c:
    ...     check_workers(c)
    1
    """
    from .. import __version__

    wait = WORKER_WAIT if wait is None else float(wait)
    try:
        client.wait_for_workers(1, timeout=wait)
    except (TimeoutError, OSError):
        raise ClusterError(where, f"the Dask scheduler has no workers (none joined in {wait:.0f} s): start some "
                                  "(`dask worker ADDRESS`)") from None
    # eval of a constant: a function of the standard library, so that a worker without iur_survey can run it
    got = client.run(eval, "__import__('iur_survey').__version__", on_error="return")
    bad = [v for v in got.values() if isinstance(v, BaseException)]
    if bad:
        raise ClusterError(where, f"{len(bad)} of {len(got)} Dask workers cannot import iur_survey "
                                  f"({type(bad[0]).__name__}: {bad[0]}); install iur-survey {__version__} on every "
                                  "worker")
    other = sorted({str(v) for v in got.values() if v != __version__})
    if other:
        raise ClusterError(where, f"the Dask workers run iur-survey {', '.join(other)}, this process {__version__}: "
                                  "install the same version on every worker (results could differ)")
    return len(got)


def _map_local(func, chunks, payload, workers, scheduler, bar, weights, stop=None):
    import dask
    from dask.callbacks import Callback

    if scheduler not in ("processes", "threads"):
        raise ClusterError(None, f"unknown scheduler {scheduler!r} (use 'processes', 'threads', 'sync' "
                                 "or a 'tcp://host:port' address)")
    data = dask.delayed(payload, pure=False, traverse=False)
    # BLAS limits are process-wide: threads share the one set around the whole computation below (a
    # per-task limit would be undone by the first thread leaving it); processes set their own
    call = _call if scheduler == "processes" else _call_plain
    # keys numbered down: among tasks alike, dask's local scheduler starts the one with the greatest key first,
    # so chunk 0 starts first (zero-padded: compared as text)
    width = len(str(len(chunks)))
    keys = [f"chunk-{len(chunks) - 1 - i:0{width}d}" for i in range(len(chunks))]
    tasks = [dask.delayed(call, pure=False, traverse=False)(func, data, c, dask_key_name=keys[i])
             for i, c in enumerate(chunks)]
    index = {k: i for i, k in enumerate(keys)}
    got: dict[int, Any] = {}

    class _Progress(Callback):
        def _posttask(self, key, result, dsk, state, worker_id):
            if key not in index:
                return
            if bar is not None:
                bar.update(weights[index[key]])
            if stop is not None:
                got[index[key]] = result
                if stop(index[key], result):
                    raise _Stop

    # chunksize 1: dask's process pool would otherwise hand out tasks six at a time (load imbalance); with
    # chunksize 1 it starts a task only when a worker is free, so that a stop leaves the rest unstarted
    cfg = {"scheduler": scheduler, "num_workers": int(workers), "chunksize": 1}
    pool = None
    if scheduler == "processes" and sys.platform != "win32":
        cfg["multiprocessing.context"] = "fork"
    if stop is not None:
        # an own pool, so that a stop leaves none of dask's shared pools busy: processes still running are ended
        # (dask would wait for them), threads run on outside it (they cannot be ended)
        from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
        if scheduler == "processes":
            from dask.multiprocessing import get_context, initialize_worker_process
            with dask.config.set(cfg):
                ctx = get_context()
            pool = ProcessPoolExecutor(int(workers), mp_context=ctx, initializer=initialize_worker_process)
        else:
            pool = ThreadPoolExecutor(int(workers))
        cfg["pool"] = pool
    stopped = False
    try:
        with dask.config.set(cfg), _Progress(), one_blas_thread():
            return list(dask.compute(*tasks, scheduler=scheduler, num_workers=int(workers)))
    except _Stop:
        stopped = True
        if scheduler == "processes":
            for proc in list((getattr(pool, "_processes", None) or {}).values()):   # the tasks still running: ended
                proc.kill()
        return [got.get(i, SKIPPED) for i in range(len(chunks))]
    finally:
        if pool is not None:
            pool.shutdown(wait=not stopped or scheduler == "processes", cancel_futures=True)


def _map_distributed(func, chunks, payload, scheduler, bar, weights, info, stop=None):
    from concurrent.futures import CancelledError

    from distributed import KilledWorker, as_completed

    own = isinstance(scheduler, str)
    client = connect(scheduler) if own else scheduler
    address = scheduler.strip() if own else None
    try:
        info["workers"] = check_workers(client, address)
        try:
            shared = client.scatter(payload, broadcast=True, hash=False)
        except TimeoutError as exc:          # the workers left between the check and the scatter
            raise ClusterError(address, f"the Dask cluster lost its workers ({exc})") from None
        futures = [client.submit(_call, func, shared, c, pure=False) for c in chunks]
        index = {f.key: i for i, f in enumerate(futures)}
        out: list = [None] * len(chunks)
        have: set[int] = set()
        for fut in as_completed(futures, loop=client.loop):
            i = index[fut.key]
            try:
                out[i] = fut.result()
            except (KilledWorker, CancelledError) as exc:    # distributed retried; no partial result
                raise ClusterError(address, f"a task was lost on the Dask cluster ({type(exc).__name__}: {exc}); "
                                            "its workers keep dying (memory? see their logs)") from None
            if bar is not None:
                bar.update(weights[i])
            have.add(i)
            if stop is not None and stop(i, out[i]):
                client.cancel([f for f in futures if index[f.key] not in have])
                return [out[j] if j in have else SKIPPED for j in range(len(chunks))]
        return out
    finally:
        if own:
            client.close()
