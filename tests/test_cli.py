"""End to end: the `beltwatch` console script run in a subprocess on real files.

Every invocation costs a fresh interpreter and (for `extract`) a spaCy load, so all of them
are declared once in the module fixture `runs` and run concurrently at the start; each test
then checks the result of its own invocation. To add a check that needs a new command line,
add an entry to `runs` and read it back by its key.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

DEV = Path(__file__).parent / "corpus" / "dev"
GOOD = "seed-xi-kakar"  # the article every extract run includes
NESTED = "gwadar-convoy-attack-2023-brief"  # a short second article for the folder run

EXIT_OK, EXIT_USAGE, EXIT_PARTIAL = 0, 2, 3


def _command() -> list[str]:
    """The installed console script beside the running interpreter, else the module."""
    script = Path(sys.executable).parent / ("beltwatch.exe" if os.name == "nt" else "beltwatch")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "beltwatch.cli"]


def _huge(path: Path) -> None:
    sentence = b"The Belt and Road Initiative funds ports, roads and railways across Asia.\n"
    path.write_bytes(sentence * (20_000_000 // len(sentence) + 1))


def _binary(path: Path) -> None:
    noise = random.Random(7).randbytes(4096)
    path.write_bytes(noise[:2048] + b"\x00\x00\x00\x00" + noise[2048:])


def _noise(path: Path) -> None:
    """Bytes that decode as no text: neither binary nor readable in any encoding."""
    rng = random.Random(5)
    path.write_bytes(b"Headline\n\n" + bytes(rng.randrange(0x80, 0x100) for _ in range(4096)))


LATIN1 = "Café talks in Gwadar: a naïve résumé from Zürich.\n"

# name -> (file name, how to write it (None: leave it missing), what the reason must say)
BAD_INPUTS: dict[str, tuple[str, Callable[[Path], object] | None, str]] = {
    "empty": ("empty.txt", lambda p: p.write_bytes(b""), r"empty"),
    "binary": ("random-bytes.txt", _binary, r"binary|NUL"),
    "png-as-html": (
        "photo.html",
        lambda p: p.write_bytes(
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
        ),
        r"PNG|binary|image",
    ),
    "unreadable": ("noise.txt", _noise, r"mostly unreadable"),
    "20-MB": ("huge.txt", _huge, r"too large|size|limit"),
    "missing": ("missing.txt", None, r"not found|no such|does not exist"),
}


@dataclass(frozen=True, repr=False)
class Run:
    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    @property
    def err_lines(self) -> list[str]:
        return self.stderr.splitlines()

    def records(self) -> list[dict]:
        return [json.loads(line) for line in self.stdout.splitlines()]

    def __repr__(self) -> str:  # what pytest shows when an assertion about a run fails
        return f"<beltwatch {' '.join(self.args)} -> exit {self.returncode}, stderr {self.stderr!r}>"


def _run(args: list[str], cwd: Path) -> Run:
    done = subprocess.run(
        [*_command(), *args],
        check=False,
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
    )
    return Run(tuple(args), done.returncode, done.stdout, done.stderr)


def _copy_article(stem: str, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for suffix in (".txt", ".meta.json", ".gold.json"):
        target = folder / (stem + suffix)
        shutil.copyfile(DEV / (stem + suffix), target)
        target.chmod(0o644)  # the corpus is read-only; the copies need not be
    return folder / (stem + ".txt")


@dataclass(frozen=True)
class Files:
    root: Path
    good: Path
    bad: dict[str, Path]
    tree: Path
    latin1: Path
    gold: Path
    predictions: dict[str, Path]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Files:
    root = tmp_path_factory.mktemp("cli")
    good = _copy_article(GOOD, root / "good")

    bad = {}
    for kind, (name, write, _reason) in BAD_INPUTS.items():
        bad[kind] = root / "bad" / name
        bad[kind].parent.mkdir(exist_ok=True)
        if write is not None:
            write(bad[kind])

    tree = root / "tree"
    _copy_article(GOOD, tree)
    _copy_article(NESTED, tree / "sub" / "deeper")
    (tree / ".draft.txt").write_text("A hidden draft about CPEC that must not be read.\n", encoding="utf-8")

    latin1 = root / "legacy" / "latin1.txt"
    latin1.parent.mkdir()
    latin1.write_bytes(LATIN1.encode("latin-1"))

    gold = root / "gold"
    gold.mkdir()
    shutil.copyfile(DEV / f"{GOOD}.gold.json", gold / f"{GOOD}.gold.json")
    record = json.loads((DEV / f"{GOOD}.gold.json").read_text(encoding="utf-8"))
    as_prediction = json.dumps({key: record[key] for key in ("id", "entities", "amounts", "events")})
    lines = {
        "self": [as_prediction],
        "not-json": [as_prediction, "{not json"],
        "no-id": [as_prediction, '{"entities": []}'],
        "not-object": [as_prediction, "[1, 2, 3]"],
    }
    predictions = {}
    for kind, content in lines.items():
        predictions[kind] = root / f"pred-{kind}.jsonl"
        predictions[kind].write_text("\n".join(content) + "\n", encoding="utf-8")
    predictions["missing"] = root / "pred-missing.jsonl"
    return Files(root, good, bad, tree, latin1, gold, predictions)


@pytest.fixture(scope="module")
def runs(files: Files) -> dict[str, Run]:
    good, bad = str(files.good), files.bad
    invocations: dict[str, list[str]] = {
        # longest first, so the pool finishes early
        "eval-dev": ["eval", str(DEV), "--json"],
        "good": ["extract", "--with-text", good],
        "mixed": ["extract", *(str(bad[kind]) for kind in BAD_INPUTS), good],
        **{f"alone:{kind}": ["extract", str(bad[kind])] for kind in BAD_INPUTS},
        "folder": ["extract", str(files.tree)],
        "latin-1": ["extract", "--with-text", str(files.latin1)],
        "published": ["extract", "--published", "2023-10-20", good],
        "published:2023-13-45": ["extract", "--published", "2023-13-45", good],
        "published:next week": ["extract", "--published", "next week", good],
        "usage:unknown option": ["extract", "--no-such-option", good],
        "usage:missing argument": ["extract"],
        "usage:missing option value": ["extract", good, "--published"],
        "usage:unknown command": ["frobnicate", good],
        "usage:eval missing argument": ["eval"],
        "eval-missing-folder": ["eval", str(files.root / "no-such-folder")],
        **{
            f"eval-pred:{kind}": ["eval", str(files.gold), str(path), "--json"]
            for kind, path in files.predictions.items()
        },
    }
    workers = min(8, (os.cpu_count() or 2) + 1)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {key: pool.submit(_run, args, files.root) for key, args in invocations.items()}
        return {key: future.result() for key, future in futures.items()}


def assert_no_traceback(run: Run) -> None:
    assert "Traceback" not in run.stdout, run
    assert "Traceback" not in run.stderr, run


def assert_one_error_line(run: Run, code: int) -> str:
    """The run failed with `code` and said why on exactly one stderr line, without a traceback."""
    assert run.returncode == code, run
    assert_no_traceback(run)
    assert len(run.err_lines) == 1, run
    line = run.err_lines[0]
    assert line.startswith("beltwatch: ") and len(line) > len("beltwatch: "), run
    return line


def assert_evidence(evidence: dict, text: str, where: str) -> None:
    assert set(evidence) >= {"text", "start", "end"}, where
    start, end = evidence["start"], evidence["end"]
    assert isinstance(start, int) and isinstance(end, int), where
    assert 0 <= start < end <= len(text), f"{where}: [{start}:{end}] outside the text"
    assert evidence["text"] == text[start:end], f"{where}: evidence text is not the slice [{start}:{end}]"


# --------------------------------------------------------------------------- extract, good input


def test_extract_prints_one_json_line_per_article(runs: dict[str, Run]) -> None:
    run = runs["good"]
    assert run.returncode == EXIT_OK, run
    assert run.stderr == "", run
    assert_no_traceback(run)
    lines = run.stdout.splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert set(record) >= {"id", "meta", "entities", "amounts", "events", "text"}
    assert record["id"] == GOOD
    assert record["meta"]["published"] == "2023-10-19"  # from the sidecar
    assert record["meta"]["source"] == "Outlook Business & Money"
    assert isinstance(record["text"], str) and record["text"].strip()


def test_every_fact_has_evidence_that_is_a_slice_of_the_cleaned_text(runs: dict[str, Run]) -> None:
    (record,) = runs["good"].records()
    text = record["text"]
    assert record["entities"] and record["amounts"] and record["events"], "nothing to check"

    for entity in record["entities"]:
        assert entity["mentions"], f"entity {entity['name']} has no mention"
        for mention in entity["mentions"]:
            where = f"mention {mention['text']!r} of {entity['name']}"
            assert text[mention["start"] : mention["end"]] == mention["text"], where
            assert_evidence(mention["evidence"], text, where)
            ev = mention["evidence"]
            assert ev["start"] <= mention["start"] < mention["end"] <= ev["end"], (
                f"{where}: outside its evidence"
            )

    for amount in record["amounts"]:
        where = f"amount {amount['text']!r}"
        assert_evidence(amount["evidence"], text, where)
        assert amount["text"] in amount["evidence"]["text"], where

    for event in record["events"]:
        where = f"{event['type']} event"
        assert_evidence(event["evidence"], text, where)
        for name, evidence in event.get("argument_evidence", {}).items():
            assert_evidence(evidence, text, f"{where}, argument {name}")


def test_without_with_text_the_text_is_left_out(runs: dict[str, Run]) -> None:
    (record,) = runs["published"].records()
    assert "text" not in record


# --------------------------------------------------------------------------- extract, bad input


def test_bad_inputs_are_reported_and_the_good_one_still_comes_out(runs: dict[str, Run], files: Files) -> None:
    run = runs["mixed"]
    assert_no_traceback(run)
    records = run.records()
    assert [r["id"] for r in records] == [GOOD], run
    assert records[0]["entities"], "the good article lost its entities"
    assert len(run.err_lines) == len(BAD_INPUTS), run
    for kind, (name, _write, reason) in BAD_INPUTS.items():
        naming = [line for line in run.err_lines if name in line]
        assert len(naming) == 1, f"{kind}: {len(naming)} stderr lines name {name}\n{run}"
        assert naming[0].startswith("beltwatch: "), naming[0]
        assert re.search(reason, naming[0].split(name, 1)[1], re.IGNORECASE), (
            f"{kind}: no reason in {naming[0]!r}"
        )
    assert not any(files.good.name in line for line in run.err_lines), run
    assert run.returncode == EXIT_PARTIAL, run


@pytest.mark.parametrize("kind", list(BAD_INPUTS))
def test_a_bad_input_alone(runs: dict[str, Run], kind: str) -> None:
    name, _write, reason = BAD_INPUTS[kind]
    run = runs[f"alone:{kind}"]
    assert run.stdout == "", run
    line = assert_one_error_line(run, EXIT_PARTIAL)
    assert name in line, run
    assert re.search(reason, line.split(name, 1)[1], re.IGNORECASE), f"no reason in {line!r}"


def test_a_latin1_file_is_read_and_its_encoding_shown(runs: dict[str, Run]) -> None:
    run = runs["latin-1"]
    assert run.returncode == EXIT_OK, run
    assert run.stderr == "", run
    (record,) = run.records()
    assert record["meta"]["encoding"] == "cp1252"  # latin-1's letters, read as their superset
    assert "replaced_characters" not in record["meta"]
    assert record["text"] == LATIN1


# --------------------------------------------------------------------------- extract options


def test_published_overrides_the_sidecar(runs: dict[str, Run], files: Files) -> None:
    sidecar = json.loads(files.good.with_name(f"{GOOD}.meta.json").read_text(encoding="utf-8"))
    assert sidecar["published"] != "2023-10-20"  # else the test proves nothing
    run = runs["published"]
    assert run.returncode == EXIT_OK, run
    (record,) = run.records()
    assert record["meta"]["published"] == "2023-10-20"
    assert record["meta"]["source"] == sidecar["source"]  # the other sidecar keys still apply


@pytest.mark.parametrize("value", ["2023-13-45", "next week"])
def test_malformed_published_is_a_usage_error(runs: dict[str, Run], value: str) -> None:
    run = runs[f"published:{value}"]
    line = assert_one_error_line(run, EXIT_USAGE)
    assert "published" in line
    assert run.stdout == "", run


@pytest.mark.parametrize(
    "case",
    [
        "unknown option",
        "missing argument",
        "missing option value",
        "unknown command",
        "eval missing argument",
    ],
)
def test_bad_command_lines_are_usage_errors(runs: dict[str, Run], case: str) -> None:
    run = runs[f"usage:{case}"]
    assert_one_error_line(run, EXIT_USAGE)
    assert "internal error" not in run.stderr, run
    assert run.stdout == "", run


def test_a_folder_is_read_recursively_without_sidecars_or_hidden_files(runs: dict[str, Run]) -> None:
    run = runs["folder"]
    assert run.returncode == EXIT_OK, run
    assert run.stderr == "", run  # no sidecar was tried as an article
    assert_no_traceback(run)
    records = {r["id"]: r for r in run.records()}
    assert len(records) == len(run.stdout.splitlines()), "an article came out twice"
    assert set(records) == {GOOD, NESTED}
    nested_meta = json.loads((DEV / f"{NESTED}.meta.json").read_text(encoding="utf-8"))
    assert records[NESTED]["meta"]["published"] == nested_meta["published"]  # its own sidecar, found


# --------------------------------------------------------------------------- eval


def test_eval_on_the_dev_corpus_gives_json_scores(runs: dict[str, Run]) -> None:
    run = runs["eval-dev"]
    assert run.returncode == EXIT_OK, run
    assert run.stderr == "", run
    assert_no_traceback(run)
    report = json.loads(run.stdout)
    for kind in ("entities", "amounts", "events"):
        row = report[kind]
        for count in ("tp", "fp", "fn"):
            assert isinstance(row[count], int) and row[count] >= 0, (kind, count)
        for rate in ("precision", "recall", "f1"):
            assert 0.0 <= row[rate] <= 1.0, (kind, rate)
        assert row["tp"] > 0, f"no {kind} found in the whole dev corpus"
    assert isinstance(report["entities"]["types"], dict)
    assert isinstance(report["events"]["types"], dict)
    assert isinstance(report["arguments"], dict)
    texts = {path.name.removesuffix(".txt") for path in DEV.glob("*.txt")}
    assert texts <= set(report["articles"]), "some dev articles were not scored"
    assert report["unpredicted"] == []


def test_eval_scores_a_predictions_file(runs: dict[str, Run]) -> None:
    run = runs["eval-pred:self"]
    assert run.returncode == EXIT_OK, run
    assert_no_traceback(run)
    report = json.loads(run.stdout)
    assert report["articles"] == [GOOD]
    for kind in ("entities", "amounts", "events"):
        assert report[kind]["f1"] == 1.0, f"gold scored against itself: {kind} {report[kind]}"


def test_eval_on_a_missing_folder_is_a_usage_error(runs: dict[str, Run]) -> None:
    run = runs["eval-missing-folder"]
    line = assert_one_error_line(run, EXIT_USAGE)
    assert "no-such-folder" in line
    assert run.stdout == "", run


@pytest.mark.parametrize("kind", ["not-json", "no-id", "not-object"])
def test_eval_with_a_malformed_predictions_line_is_a_usage_error(
    runs: dict[str, Run], files: Files, kind: str
) -> None:
    run = runs[f"eval-pred:{kind}"]
    line = assert_one_error_line(run, EXIT_USAGE)
    assert f"{files.predictions[kind].name}:2" in line, "the line number of the bad line"
    assert run.stdout == "", run


def test_eval_with_a_missing_predictions_file_is_a_usage_error(runs: dict[str, Run], files: Files) -> None:
    run = runs["eval-pred:missing"]
    line = assert_one_error_line(run, EXIT_USAGE)
    assert files.predictions["missing"].name in line
    assert run.stdout == "", run


# --------------------------------------------------------------------------- all runs


def test_no_run_prints_a_traceback(runs: dict[str, Run]) -> None:
    offenders = [key for key, run in runs.items() if "Traceback" in run.stdout + run.stderr]
    assert offenders == []
