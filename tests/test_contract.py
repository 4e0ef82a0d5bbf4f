"""The API keeps the contract its OpenAPI document states, as Schemathesis checks it: every answer's status,
content type and body are the ones documented, schema-valid requests are served and schema-violating
ones refused, sequences of linked requests hold together.

Schemathesis's engine (what `schemathesis run URL/api/openapi.json --checks all` runs) generates the
requests from `/api/openapi.json` and sends them in process to the application, over a database the
real ingest filled (the corpus subset `test_api` uses): once as a reader (no token, so every write is
refused) and once as a writer with the token, whose corrections and uploads really write.
`schemathesis.toml` at the root is the configuration the command line and this test share.

Examples are bounded (`MAX_EXAMPLES` per operation and phase) and deterministic, so a run takes well
under a minute and fails for a change, not for a seed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from schemathesis.engine import Status, events, from_schema

from beltwatch.api import create_app
from test_api import build_database, copy_database

CONFIG = Path(__file__).parents[1] / "schemathesis.toml"
TOKEN = "contract-token"
MAX_EXAMPLES = 10


def contract_problems(app, headers: dict[str, str] | None = None, exclude: str | None = None) -> list[str]:
    """Every failed check and engine error of a Schemathesis run against `app`, with all checks on."""
    config = schemathesis.Config.from_path(CONFIG)
    override = config.projects.override
    override.phases.update(phases=["examples", "coverage", "fuzzing", "stateful"])
    override.checks.update(included_check_names=["all"])
    override.generation.update(max_examples=MAX_EXAMPLES, deterministic=True, database="none")
    if headers:
        override.update(headers=headers)
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app, config=config)
    if exclude:
        schema = schema.exclude(path=exclude)
    problems, tested = [], set()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            tested.add(event.label)
            if event.status == Status.FAILURE:
                problems += [
                    f"{event.label}: {node.failure_info.failure.title}\n{node.failure_info.code_sample}"
                    for nodes in event.recorder.checks.values()
                    for node in nodes
                    if node.failure_info is not None
                ]
        elif isinstance(event, events.NonFatalError):
            problems.append(f"{event.label}: error: {event.value!r}")
        elif isinstance(event, events.FatalError):
            problems.append(f"fatal: {event.exception!r}")
    assert len(tested) > 10, tested  # the run reached the operations: an empty run proves nothing
    return problems


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    return build_database(tmp_path_factory.mktemp("contract"))


def test_a_reader_gets_what_the_document_says(database: str, tmp_path: Path):
    app = create_app(copy_database(database, tmp_path), environ={})
    assert contract_problems(app) == []


def test_a_writer_gets_what_the_document_says(database: str, tmp_path: Path):
    app = create_app(copy_database(database, tmp_path), environ={"BELTWATCH_TOKEN": TOKEN})
    # a writer's URL ingest would fetch whatever URL is generated, from the internet: the reader's run
    # checks that operation's document, test_api and test_attacks what it fetches and refuses
    problems = contract_problems(app, headers={"Authorization": f"Bearer {TOKEN}"}, exclude="/api/ingest/url")
    assert problems == []
