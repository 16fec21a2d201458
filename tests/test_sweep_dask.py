"""Sweeps on a real Dask cluster (``LocalCluster``, 2 worker processes, loopback only): a
worker killed mid-sweep is replaced and the sweep completes with the same results; the sweep
process killed and resumed ends with the same results; a failing run is recorded and the rest
completes; a cluster left without workers stops the sweep after the stated wait, keeping the
chunks written.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from sim.errors import SimInputError
from sim.sweep import run_sweep
from sim.sweep.runner import CHUNKS
from tests.sweep_helpers import paths, summary, tiny_spec
from tests.test_bad_input import assert_one_message, run_cli

distributed = pytest.importorskip("distributed")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cluster():
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as lc, Client(lc) as client:
        yield lc.scheduler_address, client


def _reference(spec, folder):
    run_sweep(spec, folder, workers=1, progress=False)
    return summary(folder)


def test_worker_killed_mid_sweep_is_replaced_and_results_are_the_same(cluster, tmp_path):
    address, client = cluster
    spec = tiny_spec(tmp_path, runs=16, chunk=2, end=2027)
    before = client.run(os.getpid)
    killed = []

    def kill_one(index):
        if not killed:
            pid = next(iter(before.values()))
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    run_sweep(spec, tmp_path / "dask", scheduler=address, progress=False, on_chunk=kill_one)
    assert killed
    pd.testing.assert_frame_equal(summary(tmp_path / "dask"),
                                  _reference(spec, tmp_path / "ref"), check_exact=True)
    pd.testing.assert_frame_equal(paths(tmp_path / "dask"), paths(tmp_path / "ref"),
                                  check_exact=True)
    client.wait_for_workers(2, timeout=60)
    after = client.run(os.getpid)
    assert killed[0] not in after.values() and len(after) == 2  # the nanny started a new one


def test_sweep_process_killed_and_resumed_ends_with_the_same_results(cluster, tmp_path):
    address, _ = cluster
    spec = tiny_spec(tmp_path, runs=24, chunk=2, end=2028)
    path = tmp_path / "tiny-latin-24-2-2028.yaml"
    out = tmp_path / "killed"
    proc = subprocess.Popen(
        [sys.executable, "-c", "from sim.cli import main; main()", "sweep", str(path),
         "--out", str(out), "--scheduler", address, "--quiet"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while len(list((out / CHUNKS).glob("chunk-*.parquet"))) < 2:
        assert proc.poll() is None, proc.stderr.read().decode()
        assert time.monotonic() < deadline
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not (out / "summary.parquet").exists()
    done_before = len(list((out / CHUNKS).glob("chunk-*.parquet")))
    assert done_before < spec.n_chunks
    written = []
    run_sweep(None, out, resume=True, scheduler=address, progress=False,
              on_chunk=written.append)
    assert len(written) == spec.n_chunks - done_before
    pd.testing.assert_frame_equal(summary(out), _reference(spec, tmp_path / "ref"),
                                  check_exact=True)


def test_failing_run_on_the_cluster_is_recorded_and_the_rest_completes(cluster, tmp_path):
    address, _ = cluster
    spec = tiny_spec(tmp_path, runs=12, chunk=4)
    clean = _reference(spec, tmp_path / "ref")
    fault = {"parameter": "market.adoption_lag_years", "above": 6.0, "kind": "raise"}
    run_sweep(dataclasses.replace(spec, inject_fault=fault), tmp_path / "f", scheduler=address,
              progress=False)
    df = summary(tmp_path / "f")
    bad = clean["market.adoption_lag_years"] > 6.0
    assert 0 < bad.sum() < len(df)
    assert (df.loc[bad, "status"] == "failed").all()
    assert df.loc[bad, "error"].str.startswith("InjectedFault: injected fault").all()
    pd.testing.assert_frame_equal(df[~bad], clean[~bad], check_exact=True)


def test_a_cluster_left_without_workers_stops_the_sweep_and_keeps_its_chunks(tmp_path):
    """Its own cluster (one worker), closed after the first chunk: the sweep stops after the
    stated wait with one message, the chunks written stay, and --resume finishes it.
    """
    from distributed import Client, LocalCluster

    spec = tiny_spec(tmp_path, runs=12, chunk=2)
    out = tmp_path / "orphaned"
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as lc, Client(lc) as client:

        def close_the_workers(index):
            if client.nthreads():
                lc.scale(0)
                deadline = time.monotonic() + 30
                while client.nthreads() and time.monotonic() < deadline:
                    time.sleep(0.1)

        t0 = time.monotonic()
        with pytest.raises(SimInputError) as exc:
            run_sweep(spec, out, scheduler=lc.scheduler_address, progress=False,
                      on_chunk=close_the_workers, worker_timeout=2)
        waited = time.monotonic() - t0
    [problem] = exc.value.problems
    assert exc.value.file == f"--scheduler {lc.scheduler_address}"
    assert "no workers for 2 s" in problem.allowed and "--resume" in problem.allowed
    assert waited < 30
    kept = len(list((out / CHUNKS).glob("chunk-*.parquet")))
    assert 1 <= kept < spec.n_chunks and f"the {kept} of {spec.n_chunks}" in problem.allowed
    assert not (out / "summary.parquet").exists()
    run_sweep(None, out, resume=True, workers=1, progress=False)
    pd.testing.assert_frame_equal(summary(out), _reference(spec, tmp_path / "ref"),
                                  check_exact=True)


def test_cli_names_a_scheduler_that_is_not_an_address(tmp_path, capsys):
    tiny_spec(tmp_path, runs=4, chunk=2)
    code, _, err = run_cli(capsys, "sweep", tmp_path / "tiny-latin-4-2-2025.yaml",
                           "--scheduler", "not a url", "--out", tmp_path / "o", "--quiet")
    assert_one_message(code, err, "--scheduler", "'not a url'", "tcp://10.0.0.5:8786")
    assert not (tmp_path / "o").exists()
