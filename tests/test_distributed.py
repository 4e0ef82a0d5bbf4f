"""Ingest on a real Dask cluster: the same database as a serial run, whatever happens to the workers.

One 2-worker `LocalCluster` (processes, one thread each) serves the module; it is started with
``distributed.scheduler.allowed-failures`` = 1 so that a task is given up after its second
worker death rather than its fourth, which keeps the poison-article test short. Workers are
killed for real, with SIGKILL.
"""

from __future__ import annotations

import os
import pickle
import signal
import socket
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import cloudpickle
import dask
import pytest
import sqlalchemy as sa
from distributed import Client, LocalCluster
from distributed.diagnostics.plugin import WorkerPlugin

from beltwatch.distributed import IN_FLIGHT_PER_WORKER, KILLED_WORKERS, extract_on_cluster
from beltwatch.ingest import ingest
from beltwatch.model import Article, ArticleMeta
from beltwatch.settings import Settings
from beltwatch.store import open_database
from beltwatch.store.schema import ingest_errors
from conftest import fresh_database
from test_ingest import DEV, cli, copy_article, dump

POISON = "ZZ-POISON-7F3A"  # an article holding this kills the worker process that starts on it
FEW = ("seed-xi-kakar", "gwadar-convoy-attack-2023-brief")

# the plugin below is defined here, and workers cannot import this module: send it by value
cloudpickle.register_pickle_by_value(sys.modules[__name__])


@pytest.fixture(scope="module")
def cluster():
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 1}),
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as local,
        Client(local) as client,
    ):
        yield local, client


@pytest.fixture(scope="module")
def serial_dump(tmp_path_factory):
    """The content of a serial ingest of the bundled corpus."""
    with fresh_database("sqlite", tmp_path_factory.mktemp("serial")) as url:
        assert ingest([str(DEV)], Settings(db_url=url)).new > 0
        return dump(url)


def test_a_distributed_ingest_stores_what_a_serial_one_does(
    cluster, serial_dump, db_url, monkeypatch, capsys
):
    local, client = cluster
    code, _, err = cli(
        monkeypatch, capsys, "ingest", str(DEV), "--db", db_url, "--scheduler", local.scheduler_address
    )
    assert code == 0, err
    assert dump(db_url) == serial_dump
    assert set(client.run(os.environ.get, "OPENBLAS_NUM_THREADS").values()) == {"1"}


def test_workers_starts_a_local_cluster(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "in"
    for name in FEW:
        copy_article(name, folder)
    serial, distributed = f"sqlite:///{tmp_path / 'serial.db'}", f"sqlite:///{tmp_path / 'distributed.db'}"
    ingest([str(folder)], Settings(db_url=serial))
    code, _, err = cli(monkeypatch, capsys, "ingest", str(folder), "--db", distributed, "--workers", "1")
    assert code == 0, err
    assert dump(distributed) == dump(serial)


def test_batches_are_read_as_results_come_back_and_come_back_in_order(cluster):
    _, client = cluster
    limit = IN_FLIGHT_PER_WORKER * 2
    read = 0

    def batches():
        nonlocal read
        for i in range(3 * limit):
            read += 1
            yield [
                Article(
                    id=f"a{i}",
                    text=f"Xi Jinping met {i} ministers in Beijing.",
                    meta=ArticleMeta(language="en"),
                )
            ]

    read_ahead, came = [], []
    for extracted in extract_on_cluster(client, batches()):
        came += [e.article.id for e in extracted]  # batches back together come as one
        read_ahead.append(read - len(came))
    assert came == [f"a{i}" for i in range(3 * limit)]
    assert max(read_ahead) <= limit - 1 and read_ahead[-1] == 0


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--workers", "0"), "Invalid value for '--workers'"),
        (
            ("--workers", "2", "--scheduler", "tcp://127.0.0.1:8786"),
            "give --workers or --scheduler, not both",
        ),
        (("--scheduler", "no-port-here"), "cannot reach the Dask scheduler at no-port-here"),
        (
            ("--scheduler", f"tcp://127.0.0.1:{_closed_port()}"),
            "cannot reach the Dask scheduler at tcp://127.0.0.1:",
        ),
    ],
)
def test_bad_cluster_options_are_one_line_and_exit_2(args, message, tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'beltwatch.db'}"
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        code, out, err = cli(
            monkeypatch, capsys, "ingest", str(DEV / "seed-xi-kakar.txt"), "--db", url, *args
        )
    assert code == 2 and out == ""
    assert err.startswith(f"beltwatch: {message}") and err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "beltwatch.db").exists()  # nothing was read or stored


def test_the_cluster_side_does_not_import_the_ingest():
    """The dependency runs one way, ingest -> distributed -> extraction: loading the cluster extraction
    (as a worker unpickling `extract_batch` does) never loads the ingest, so neither needs the other."""
    import beltwatch

    code = "import sys, beltwatch.distributed; print('beltwatch.ingest' in sys.modules)"
    env = {**os.environ, "PYTHONPATH": str(Path(beltwatch.__file__).parents[1])}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert done.stdout.strip() == "False"


class KillOn(WorkerPlugin):
    """Kills its worker process as a task whose input holds `needle` starts, as a native crash
    would; with `once_marker`, only the first time (the file it creates tells the other workers)."""

    name = "kill-on"

    def __init__(self, needle: str, once_marker: Path | None = None) -> None:
        self.needle = needle.encode()
        self.once_marker = once_marker

    def setup(self, worker) -> None:
        self.worker = worker

    def transition(self, key, start, finish, **kwargs) -> None:
        task = self.worker.state.tasks.get(key)
        if finish != "executing" or task is None or self.needle not in pickle.dumps(task.run_spec):
            return
        if self.once_marker is not None:
            try:
                with open(self.once_marker, "x") as marker:
                    marker.write(str(os.getpid()))
            except FileExistsError:
                return
        os.kill(os.getpid(), signal.SIGKILL)


@contextmanager
def plugin(client, worker_plugin: KillOn):
    client.register_plugin(worker_plugin)
    try:
        yield
    finally:
        client.unregister_worker_plugin(worker_plugin.name)
        client.wait_for_workers(2, timeout=120)


def test_a_worker_killed_holding_a_batch_loses_no_article(cluster, serial_dump, tmp_path):
    local, client = cluster
    marker = tmp_path / "killed.pid"
    url = f"sqlite:///{tmp_path / 'beltwatch.db'}"
    with plugin(client, KillOn(FEW[1], once_marker=marker)):
        summary = ingest([str(DEV)], Settings(db_url=url), scheduler=local.scheduler_address, batch_size=3)
    assert marker.is_file() and int(marker.read_text()) not in client.run(os.getpid).values()
    assert summary.failed == 0
    assert dump(url) == serial_dump


def test_an_article_that_kills_every_worker_is_a_recorded_failure(cluster, tmp_path):
    local, client = cluster
    folder = tmp_path / "in"
    for name in FEW:
        copy_article(name, folder)
    poison = copy_article(FEW[0], folder, "poisoned")
    poison.write_text(poison.read_text(encoding="utf-8") + f"\n{POISON}\n", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'beltwatch.db'}"
    with plugin(client, KillOn(POISON)):
        summary = ingest([str(folder)], Settings(db_url=url), scheduler=local.scheduler_address)
    assert (summary.new, summary.failed) == (len(FEW), 1)
    assert summary.failures == [{"source": str(poison), "reason": KILLED_WORKERS}]
    with open_database(url, create=False) as db, db.engine.connect() as conn:
        errors = conn.execute(sa.select(ingest_errors.c.source, ingest_errors.c.reason)).all()
    assert [tuple(e) for e in errors] == [(str(poison), KILLED_WORKERS)]
    assert sorted(a[0] for a in dump(url)["articles"]) == sorted(FEW)
