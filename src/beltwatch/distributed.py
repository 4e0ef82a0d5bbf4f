"""Extraction on a Dask cluster: the workers extract, the client reads, cleans and stores.

`cluster_extraction(workers=N)` starts a local cluster of N worker processes with one thread
each; `cluster_extraction(scheduler="tcp://host:8786")` connects to a running one (`dask
scheduler`, and `dask worker` on each node, beltwatch installed everywhere; workers need no
database). Either gives the `ExtractAll` function of `beltwatch.extraction`:

- each batch of articles becomes one task, `extraction.extract_batch` (the function a serial run
  calls), on a worker that keeps its spaCy pipeline loaded between tasks (`load_nlp` caches
  it per process); articles and extractions are plain dataclasses, cheap to pickle;
- at most `IN_FLIGHT_PER_WORKER` x workers batches are submitted and not yet stored: the next
  batch is read from the (lazy) sources only when the oldest one has come back, so memory
  stays bounded whatever the size of the sources;
- results come back in submission order, so the database ends as a serial run leaves it;
- a worker that dies (out of memory, a crash in native code) takes its batch with it; the
  scheduler runs that batch elsewhere, up to ``distributed.scheduler.allowed-failures``
  (3) times, and then raises `KilledWorker`. Such a batch is then extracted article by
  article, one task at a time (a dying worker fails every task it holds), and an article
  that still kills its worker is recorded as a failed article: it does not stop the run.

Worker processes get ``OPENBLAS_NUM_THREADS=1`` from the nanny (Dask's
``distributed.nanny.pre-spawn-environ``), as `cli.main` sets for a serial run.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import TYPE_CHECKING

from beltwatch.errors import UsageError
from beltwatch.extraction import (
    ExtractAll,
    Extracted,
    ExtractionFailure,
    extract_alone,
    extract_batch,
    source_of,
)
from beltwatch.model import Article

if TYPE_CHECKING:
    from distributed import Client, Future

IN_FLIGHT_PER_WORKER = 2  # one batch running and one waiting on each worker
WRITE_AT_MOST = 128  # articles handed to the writer at once when batches come back together
KILLED_WORKERS = "extraction failed: the Dask workers extracting it died every time (KilledWorker)"


@contextmanager
def cluster_extraction(*, workers: int | None = None, scheduler: str | None = None) -> Iterator[ExtractAll]:
    """Extraction on a new local cluster of `workers` processes, or on the cluster of `scheduler`."""
    with _client(workers, scheduler) as client:
        yield partial(extract_on_cluster, client)


@contextmanager
def _client(workers: int | None, scheduler: str | None) -> Iterator[Client]:
    from distributed import Client, LocalCluster

    if workers is not None and scheduler is not None:
        raise UsageError("give --workers or --scheduler, not both")
    if scheduler is None:
        if workers is None or workers < 1:
            raise UsageError(f"--workers must be at least 1, not {workers}")
        with (
            LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0"
            ) as cluster,
            Client(cluster) as client,
        ):
            yield client
        return
    client = _connect(scheduler)
    with client:
        yield client


def _connect(address: str) -> Client:
    """A client of the scheduler at `address`, with at least one worker; a usage error otherwise."""
    import dask
    from distributed import Client

    timeout = dask.config.get("distributed.comm.timeouts.connect")
    try:
        client = Client(address, timeout=timeout)
    except (OSError, ValueError, TypeError) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise UsageError(f"cannot reach the Dask scheduler at {address}: {reason}") from None
    try:
        client.wait_for_workers(1, timeout=timeout)
    except TimeoutError:
        client.close()
        raise UsageError(f"the Dask scheduler at {address} has no workers (waited {timeout})") from None
    return client


def extract_on_cluster(client: Client, batches: Iterable[list[Article]]) -> Iterator[list[Extracted]]:
    """`extract_batch` of every batch on the cluster, in order, with a bounded number in flight.

    Batches that are back by the time the oldest is come as one (up to WRITE_AT_MOST articles): a
    writer that falls behind the workers then stores more articles a transaction, which costs it
    less an article, and catches up."""
    limit = IN_FLIGHT_PER_WORKER * max(1, len(client.scheduler_info()["workers"]))
    in_flight: deque[tuple[list[Article], Future]] = deque()
    for batch in batches:
        in_flight.append((batch, client.submit(extract_batch, batch, pure=False)))
        if len(in_flight) >= limit:
            yield _ready(client, in_flight)
    while in_flight:
        yield _ready(client, in_flight)


def _ready(client: Client, in_flight: deque[tuple[list[Article], Future]]) -> list[Extracted]:
    """The oldest batch's results, and those of the batches after it that are done too."""
    found = _result(client, *in_flight.popleft())
    while in_flight and in_flight[0][1].done() and len(found) + len(in_flight[0][0]) <= WRITE_AT_MOST:
        found += _result(client, *in_flight.popleft())
    return found


def _result(client: Client, batch: list[Article], future: Future) -> list[Extracted]:
    """What a batch's task returned; if it kept killing workers, its articles one after the other."""
    from distributed import KilledWorker

    try:
        return future.result()
    except KilledWorker:
        # one task at a time: a worker that dies takes every task it holds down with it
        return [item for article in batch for item in _alone(client, article)]
    finally:
        future.release()


def _alone(client: Client, article: Article) -> list[Extracted]:
    from distributed import KilledWorker

    future = client.submit(extract_alone, article, pure=False)
    try:
        return future.result()
    except KilledWorker:
        return [ExtractionFailure(source_of(article), KILLED_WORKERS)]
    finally:
        future.release()
