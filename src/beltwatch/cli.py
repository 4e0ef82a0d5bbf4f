"""The `beltwatch` command. Errors become one line on stderr and an exit code, never a traceback.

Exit codes: 0 success; 1 internal error; 2 usage error; 3 some inputs could not be read
(the others were still processed); 4 a knowledge file is invalid.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from beltwatch.errors import BeltwatchError, InputError, UsageError

app = typer.Typer(add_completion=False, no_args_is_help=True, help="News about the Belt and Road, as evidenced facts.")

EXIT_PARTIAL = InputError.exit_code


def _fail(message: str, code: int) -> None:
    typer.echo(f"beltwatch: {message}", err=True)
    raise typer.Exit(code)


def _read_all(paths: list[Path], published: str | None, failures: list[str]) -> Iterator:
    """Articles from the given files and folders, cleaned; unreadable ones are reported and skipped."""
    from beltwatch.clean import clean_article
    from beltwatch.sources.files import iter_article_paths, read_article

    for path in iter_article_paths(paths):
        try:
            yield clean_article(read_article(path, published=published))
        except InputError as exc:
            failures.append(str(exc))
            typer.echo(f"beltwatch: skipped {exc}", err=True)


def _check_date(value: str | None) -> str | None:
    from datetime import date

    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise UsageError(f"--published must be YYYY-MM-DD, not {value!r}") from None


@app.command()
def extract(
    paths: Annotated[list[Path], typer.Argument(help="Article files (.txt, .md, .html) or folders of them.")],
    published: Annotated[str | None, typer.Option(help="Publication date YYYY-MM-DD, overriding metadata.")] = None,
    with_text: Annotated[bool, typer.Option("--with-text", help="Include the cleaned text in the output.")] = False,
) -> None:
    """Print one JSON object per article (JSON Lines): entities, amounts and events with evidence."""
    from beltwatch.extract import extract_articles

    failures: list[str] = []
    for extraction in extract_articles(_read_all(paths, _check_date(published), failures)):
        sys.stdout.write(json.dumps(extraction.to_json(with_text=with_text), ensure_ascii=False) + "\n")
        sys.stdout.flush()
    if failures:
        raise typer.Exit(EXIT_PARTIAL)


@app.command("eval")
def evaluate(
    gold_dir: Annotated[Path, typer.Argument(help="Folder of *.gold.json files and their articles, or one gold file.")],
    predictions: Annotated[Path | None, typer.Argument(help="Extractor output (JSON Lines); run it when absent.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
    verbose: Annotated[bool, typer.Option("-v", "--verbose", help="List every miss and extra.")] = False,
) -> None:
    """Score extraction against gold annotations (SCHEMA.md rules)."""
    from beltwatch.evaluate import format_report, load_gold, score

    if not gold_dir.exists():
        raise UsageError(f"{gold_dir}: no such gold folder or file")
    gold = load_gold(gold_dir)
    if predictions is None:
        predicted = _predict(gold_dir, gold)
        only = True
    else:
        predicted = _read_predictions(predictions)
        only = False
    report = score(gold, predicted, only_predicted=only)
    if as_json:
        typer.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        typer.echo(format_report(report, verbose=verbose))


def _predict(gold_dir: Path, gold) -> dict[str, dict]:
    """Run the extractor on every gold article that `extract` reads."""
    from beltwatch.extract import extract_articles
    from beltwatch.sources.files import ARTICLE_SUFFIXES

    paths = []
    for article in gold:
        if article.text_file and Path(article.text_file).suffix in ARTICLE_SUFFIXES:
            path = (gold_dir if gold_dir.is_dir() else gold_dir.parent) / article.text_file
            if path.exists():
                paths.append(path)
    failures: list[str] = []
    return {e.article.id: e.to_json() for e in extract_articles(_read_all(paths, None, failures))}


def _read_predictions(path: Path) -> dict[str, dict]:
    out = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read predictions {path}: {exc}") from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            out[record["id"]] = record
        except (ValueError, KeyError, TypeError):
            raise UsageError(f"{path}:{number}: not a JSON object with an `id`") from None
    return out


def _is_usage_error(exc: Exception) -> bool:
    """A click usage error, whichever copy of click raised it (typer bundles its own)."""
    return any(cls.__name__ == "UsageError" for cls in type(exc).__mro__) and hasattr(exc, "format_message")


def main() -> None:
    """Entry point: run the app and turn every error into one line and an exit code."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # measured faster for the small spaCy model
    try:
        # without standalone mode typer returns a command's exit code instead of raising it
        code = app(standalone_mode=False)
    except typer.Exit as exc:
        code = exc.exit_code
    except BeltwatchError as exc:
        typer.echo(f"beltwatch: {exc}", err=True)
        code = exc.exit_code
    except typer.Abort:
        code = 130
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, never a traceback
        if _is_usage_error(exc):
            message = exc.format_message()  # type: ignore[attr-defined]
            context = getattr(exc, "ctx", None)
            typer.echo(context.get_help() if not message and context else f"beltwatch: {message}", err=True)
            code = UsageError.exit_code
        else:
            typer.echo(f"beltwatch: internal error: {type(exc).__name__}: {exc}", err=True)
            code = 1
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
