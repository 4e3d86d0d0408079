"""A Dask cluster that cannot run the work is a one-line ClusterError (audit s23 daskaudit), before any work is
sent: an address that cannot be reached, a scheduler without workers, workers without iur_survey (or with
another version); an address without a scheme is an address.  The CLI prints one line, exit status 2, and writes
no results file."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from iur_survey import __version__
from iur_survey.cli import main
from iur_survey.errors import ClusterError
from iur_survey.sem.parallel import check_workers, is_address, map_chunks

DATA = "tests/reference/data/complete_800.csv"
MODEL = "tests/reference/models/default.lav"


class FakeClient:
    """What check_workers asks of a distributed.Client: wait for workers, run a function on each."""

    def __init__(self, replies, workers=True):
        self.replies, self.workers = replies, workers

    def wait_for_workers(self, n, timeout=None):
        if not self.workers:
            raise TimeoutError(f"Only 0/{n} workers arrived after {timeout}")

    def run(self, func, *args, on_error="raise"):
        assert func is eval and on_error == "return"
        return dict(self.replies)


def test_is_address():
    assert is_address("tcp://10.0.0.5:8786") and is_address("tls://host.example:8786")
    assert is_address("127.0.0.1:8799") and is_address("scheduler-host:8786") and is_address("[::1]:8786")
    for name in ("threads", "processes", "sync", "bogus", "127.0.0.1", ""):
        assert not is_address(name)


def test_check_workers_counts_and_refuses():
    assert check_workers(FakeClient({"a": __version__, "b": __version__})) == 2
    with pytest.raises(ClusterError, match=r"tcp://h:1: the Dask scheduler has no workers"):
        check_workers(FakeClient({}, workers=False), "tcp://h:1", wait=0)
    missing = FakeClient({"a": __version__, "b": ModuleNotFoundError("No module named 'iur_survey'")})
    with pytest.raises(ClusterError, match=r"1 of 2 Dask workers cannot import iur_survey \(ModuleNotFoundError"):
        check_workers(missing)
    with pytest.raises(ClusterError, match=r"the Dask workers run iur-survey 0\.0\.1, this process"):
        check_workers(FakeClient({"a": "0.0.1"}))


def test_unknown_scheduler_is_a_cluster_error():
    with pytest.raises(ClusterError, match="unknown scheduler 'bogus'"):
        map_chunks(lambda p, c: c, [1, 2], workers=2, scheduler="bogus", progress=False)


def test_unreachable_scheduler_is_one_line(tmp_path, capsys):
    dask = pytest.importorskip("dask")
    pytest.importorskip("distributed")
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        with pytest.raises(ClusterError, match=r"^tcp://127\.0\.0\.1:1: cannot reach the Dask scheduler"):
            map_chunks(lambda p, c: c, [1, 2], scheduler="tcp://127.0.0.1:1", progress=False)
        out = tmp_path / "r.json"
        rc = main(["fit", DATA, "--model", MODEL, "--bootstrap", "20", "--scheduler", "tcp://127.0.0.1:1",
                   "--quiet", "--out", str(out)])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and not out.exists()
    assert err == [err[0]] and "error: tcp://127.0.0.1:1: cannot reach the Dask scheduler" in err[0]


def test_address_without_scheme_runs_on_the_cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp://",
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://127.0.0.1:")
        out = map_chunks(lambda p, c: p + c, [1, 2, 3], payload=10, scheduler=address.removeprefix("tcp://"),
                         progress=False)
    assert out == [11, 12, 13]


def test_bootstrap_on_a_cluster_reports_the_cluster_workers():
    """results.json's bootstrap.workers counts the cluster's workers, not this machine's cores (it said
    ``available_cores()`` for a run on a cluster), and bootstrap.scheduler names the address."""
    distributed = pytest.importorskip("distributed")
    from iur_survey.sem import sem
    from iur_survey.sem.bootstrap import bootstrap
    from iur_survey.sem.wlsmv_bootstrap import wlsmv_bootstrap

    rng = np.random.default_rng(6)
    y = rng.normal(size=(300, 1)) @ [[.8, .7, .6]] + rng.normal(size=(300, 3)) * .6
    d = pd.DataFrame(np.digitize(y, [-1, 0, 1]), columns=["a", "b", "c"])
    with distributed.LocalCluster(n_workers=3, threads_per_worker=1, processes=False, protocol="tcp://",
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        ml = bootstrap(sem("F =~ a + b + c", d), 20, data=d, seed=1, scheduler=address, progress=False)
        wl = wlsmv_bootstrap(sem("F =~ a + b + c", d, ordered=True), 20, data=d, seed=1, scheduler=address,
                             progress=False)
        local = bootstrap(sem("F =~ a + b + c", d), 20, data=d, seed=1, workers=1, progress=False)
    assert (ml.workers, ml.scheduler) == (3, address)
    assert ml.to_dict()["workers"] == 3 and wl.workers == 3
    assert (local.workers, local.scheduler) == (1, "sync")
    np.testing.assert_allclose(ml.estimates, local.estimates, rtol=1e-10, atol=1e-12)   # same draws anywhere


def test_bootstrap_below_two_draws_is_refused(tmp_path, capsys):
    from iur_survey.errors import EstimationError
    from iur_survey.sem import sem
    from iur_survey.sem.wlsmv_bootstrap import wlsmv_bootstrap

    out = tmp_path / "r.json"
    assert main(["fit", DATA, "--model", MODEL, "--bootstrap", "0", "--out", str(out)]) == 2
    assert "--bootstrap 0: the bootstrap needs at least 2 draws" in capsys.readouterr().err
    assert not out.exists()
    rng = np.random.default_rng(6)
    y = rng.normal(size=(300, 1)) @ [[.8, .7, .6]] + rng.normal(size=(300, 3)) * .6
    d = pd.DataFrame(np.digitize(y, [-1, 0, 1]), columns=["a", "b", "c"])
    fit = sem("F =~ a + b + c", d, ordered=True)
    with pytest.raises(EstimationError, match="B=1: the bootstrap needs at least 2 draws"):
        wlsmv_bootstrap(fit, 1, data=d, seed=1, workers=1, progress=False)     # was a zero-width CI


def test_ordinal_invariance_steps_run_on_workers(tmp_path, capsys):
    """The ordinal (WLSMV) invariance steps run as tasks (--workers 2): the same table as one process, and no
    warning that the workers are not used (there was one while the steps ran one after the other)."""
    rng = np.random.default_rng(4)
    f = rng.normal(size=(400, 1))
    y = f @ [[.8, .7, .6, .7]] + rng.normal(size=(400, 4)) * .6
    d = pd.DataFrame(np.digitize(y, [-1, 0, 1]) + 1, columns=["y1", "y2", "y3", "y4"])
    d.insert(0, "g", np.repeat(["a", "b"], 200))
    d.insert(0, "response_id", np.arange(1, 401))
    data, model = tmp_path / "d.csv", tmp_path / "m.lav"
    d.to_csv(data, index=False)
    model.write_text("F =~ y1 + y2 + y3 + y4\n", encoding="utf-8")
    tables = []
    for workers in ("1", "2"):
        out = tmp_path / f"r{workers}.json"
        rc = main(["fit", str(data), "--model", str(model), "--estimator", "WLSMV", "--group", "g", "--invariance",
                   "--workers", workers, "--quiet", "--out", str(out)])
        assert rc == 0
        assert "are not used" not in capsys.readouterr().out
        res = json.loads(out.read_text(encoding="utf-8"))
        assert not any("are not used" in w for w in res["warnings"])
        tables.append(pd.DataFrame(res["invariance"]))
    assert len(tables[0]) == 4
    pd.testing.assert_frame_equal(tables[0], tables[1], rtol=1e-9)


def _sleep_for(payload, c):
    import time
    time.sleep(c)
    return c


@pytest.mark.parametrize("workers, scheduler", [(1, None), (2, "threads"), (2, "processes")])
def test_stop_skips_the_chunks_not_needed(workers, scheduler):
    """``stop`` (the invariance sequence after a configural model that did not fit): chunk 0 starts first; once
    stop answers True the chunks not started are SKIPPED, those running are ended (processes) or dropped."""
    from iur_survey.sem.parallel import SKIPPED
    out = map_chunks(_sleep_for, [0.2, 3, 3, 3, 3], workers=workers, scheduler=scheduler, progress=False,
                     stop=lambda i, r: i == 0)
    assert out == [0.2] + [SKIPPED] * 4
    # without a stop, every chunk runs and the results come in chunk order
    assert map_chunks(_sleep_for, [0.1, 0, 0.05], workers=workers, scheduler=scheduler, progress=False,
                      stop=lambda i, r: False) == [0.1, 0, 0.05]


def test_stop_cancels_the_rest_on_a_cluster():
    distributed = pytest.importorskip("distributed")
    from iur_survey.sem.parallel import SKIPPED
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp://",
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        out = map_chunks(_sleep_for, [0.1, 2, 2], scheduler=cluster.scheduler_address, progress=False,
                         stop=lambda i, r: i == 0)
    assert out == [0.1, SKIPPED, SKIPPED]
