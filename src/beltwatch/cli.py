"""The `beltwatch` command. Errors become one line on stderr and an exit code, never a traceback.

Exit codes: 0 success; 1 internal error; 2 usage error; 3 some inputs could not be read
(the others were still processed); 4 a knowledge file is invalid; 5 the database cannot be
written (disk full, read-only file or server; the run stops, what was committed stays whole).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from beltwatch.api import register as register_serve
from beltwatch.errors import BeltwatchError, InputError, UsageError
from beltwatch.export import register as register_export

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from beltwatch.alerts import Destinations, Rule
    from beltwatch.store import Database

app = typer.Typer(add_completion=False, no_args_is_help=True, help="News about the Belt and Road, as evidenced facts.")
register_export(app)
register_serve(app)

EXIT_PARTIAL = InputError.exit_code


def _fail(message: str, code: int) -> None:
    typer.echo(f"beltwatch: {message}", err=True)
    raise typer.Exit(code)


def _read_all(specs: list[Path] | list[str], published: str | None, failures: list[str]) -> Iterator:
    """Articles from files, folders, feeds, archives and URLs, cleaned; what cannot be read is reported
    on stderr, one line each, and skipped."""
    from beltwatch.clean import clean_article
    from beltwatch.sources import SourceFailure, iter_articles

    for item in iter_articles([str(s) for s in specs], published=published):
        if isinstance(item, SourceFailure):
            failures.append(str(item))
            typer.echo(f"beltwatch: skipped {item}", err=True)
        else:
            yield clean_article(item)


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
    paths: Annotated[
        list[Path],
        typer.Argument(help="Articles: .txt/.md/.html files, RSS/Atom feeds, .jsonl, .warc(.gz), folders, URLs."),
    ],
    published: Annotated[str | None, typer.Option(help="Publication date YYYY-MM-DD, overriding metadata.")] = None,
    with_text: Annotated[bool, typer.Option("--with-text", help="Include the cleaned text in the output.")] = False,
) -> None:
    """Print one JSON object per article (JSON Lines): entities, amounts and events with evidence."""
    from beltwatch.extract import extract_articles
    from beltwatch.resolve import resolve_extraction

    failures: list[str] = []
    for extraction in extract_articles(_read_all(paths, _check_date(published), failures)):
        resolve_extraction(extraction)
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
    split: Annotated[
        str | None, typer.Option(help="Score one split of a real-news corpus: tune or check (meta.split).")
    ] = None,
) -> None:
    """Score extraction against gold annotations (SCHEMA.md rules)."""
    from beltwatch.evaluate import SPLITS, format_report, load_gold, score

    if not gold_dir.exists():
        raise UsageError(f"{gold_dir}: no such gold folder or file")
    if split is not None and split not in SPLITS:
        raise UsageError(f"--split must be one of {', '.join(SPLITS)}, not {split!r}")
    gold = [a for a in load_gold(gold_dir) if split is None or a.meta.get("split") == split]
    if not gold:
        raise UsageError(f"{gold_dir}: no gold articles" + (f" in split {split!r}" if split else ""))
    if predictions is None:
        gold = _with_text(gold, gold_dir if gold_dir.is_dir() else gold_dir.parent)
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


def _with_text(gold: list, folder: Path) -> list:
    """The gold articles whose text is present. A real-news corpus keeps gold files only; its texts
    are rebuilt from each gold's `meta.query`, and one not rebuilt yet is left out, said on stderr."""
    from beltwatch.evaluate import source_files

    present = {p.name for p in source_files(gold, folder)}
    kept = [a for a in gold if (a.text_file or a.container_file) in present]
    if not kept:
        raise UsageError(
            f"{folder}: none of the {len(gold)} gold articles has its text here; a real-news corpus keeps gold "
            "files only: rebuild the texts from each gold's meta.query (see the corpus README)"
        )
    if len(kept) < len(gold):
        typer.echo(
            f"beltwatch: eval: {len(gold) - len(kept)} of {len(gold)} gold articles have no text here and are "
            "not scored (rebuild them from each gold's meta.query)",
            err=True,
        )
    return kept


def _predict(gold_dir: Path, gold) -> dict[str, dict]:
    """Run the extractor on every gold article that `extract` reads: files, pages and feed items."""
    from beltwatch.evaluate import source_files
    from beltwatch.extract import extract_articles
    from beltwatch.resolve import resolve_extraction

    paths = source_files(gold, gold_dir if gold_dir.is_dir() else gold_dir.parent)
    failures: list[str] = []
    extractions = extract_articles(_with_gold_meta(_read_all(paths, None, failures), gold))
    return {e.article.id: resolve_extraction(e).to_json() for e in extractions}


def _with_gold_meta(articles: Iterator, gold) -> Iterator:
    """Articles with what their gold `meta` says where the file itself says nothing (SCHEMA.md: meta is
    input, as a page's or feed's metadata would be); a real-news text has no sidecar of its own."""
    from beltwatch.sources.files import metadata_fields

    meta_of = {a.id: a.meta for a in gold}
    for article in articles:
        for key, value in metadata_fields(meta_of.get(article.id, {})).items():
            if getattr(article.meta, key) is None:
                setattr(article.meta, key, value)
        yield article


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


# --- the database: ingest and queries ---------------------------------------------------------

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database URL [default: $BELTWATCH_DB, else sqlite:///beltwatch.db]."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON on stdout instead of a table.")]


def _console(stderr: bool = False) -> Console:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def _text(value: object) -> str:
    """Article-derived text for a rich table: markup escaped, so "[bold]" in an article prints as written."""
    from rich.markup import escape

    if value is None:
        return ""
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    return escape(str(value))


def _parse_date(option: str, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{option} must be YYYY-MM-DD, not {value!r}") from None


def _print_json(data: object) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def _reader(db: str | None) -> Database:
    from beltwatch.settings import Settings
    from beltwatch.store import open_database

    return open_database(Settings.load(db).db_url, create=False)


RulesOption = Annotated[
    Path | None, typer.Option("--rules", help="Watch rules (YAML): check them against the stories this run touched.")
]
OutOption = Annotated[Path | None, typer.Option("--out", help="Append alerts to this JSON Lines file.")]
WebhookOption = Annotated[
    str | None, typer.Option("--webhook", help="POST each alert (JSON) to this URL, retrying with backoff.")
]


def _alerting(
    rules: Path | None, out: Path | None, webhook: str | None, allow_private: bool, as_json: bool, printed: bool
) -> tuple[list[Rule], Destinations | None]:
    """The rules and destinations of `--rules/--out/--webhook`, checked before any work is done."""
    from beltwatch.alerts import Destinations, load_rules
    from beltwatch.alerts.delivery import check_out_file, check_webhook

    if rules is None:
        if out is not None or webhook is not None:
            raise UsageError("--out and --webhook need --rules")
        return [], None
    return load_rules(rules), Destinations(
        out=check_out_file(out) if out is not None else None,
        webhook=check_webhook(webhook, allow_private) if webhook is not None else None,
        as_json=as_json,
        allow_private=allow_private,
        stdout=sys.stdout if printed else None,
    )


def _check_ingest_run(
    db_url: str, rules: list[Rule], run_id: int, destinations: Destinations | None
) -> list[dict]:
    """Alerts for the stories an ingest run touched; a webhook that does not answer in time is left
    pending (and said so on stderr), never changing the ingest's exit code."""
    if not rules or destinations is None:
        return []
    from beltwatch.alerts import WebhookPolicy, check_ingest_run

    outcome = check_ingest_run(db_url, rules, run_id, destinations, WebhookPolicy())
    if outcome.pending:
        typer.echo(
            f"beltwatch: {outcome.pending} alert(s) not delivered to {destinations.webhook} yet;"
            " left pending for the next `beltwatch watch` pass",
            err=True,
        )
    return [r.message for r in outcome.raised]


@app.command()
def ingest(
    sources: Annotated[list[str], typer.Argument(help="Files, folders, feeds, archives or URLs.")],
    db: DbOption = None,
    published: Annotated[
        str | None, typer.Option(help="Publication date YYYY-MM-DD, overriding metadata.")
    ] = None,
    allow_private: Annotated[
        bool, typer.Option("--allow-private", help="Let URLs reach private and loopback addresses.")
    ] = False,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Extract on a local Dask cluster of this many processes.")
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(help="Extract on the Dask cluster of this scheduler, e.g. tcp://host:8786 (exit 2 if unreachable)."),
    ] = None,
    rules: RulesOption = None,
    out: OutOption = None,
    webhook: WebhookOption = None,
    as_json: JsonOption = False,
) -> None:
    """Read, clean, extract and store articles; a second run of the same sources adds nothing."""
    from beltwatch.ingest import ingest as run_ingest
    from beltwatch.settings import Settings
    from beltwatch.sources import printable

    settings = Settings.load(db)
    day = _check_date(published)
    # with --json the alerts go into the summary object instead of their own lines
    watch_rules, destinations = _alerting(rules, out, webhook, allow_private, as_json, printed=not as_json)
    with _IngestProgress() as progress:
        summary = run_ingest(
            sources,
            settings,
            published=day,
            allow_private=allow_private,
            progress=progress,
            workers=workers,
            scheduler=scheduler,
        )
    for failure in summary.failures:
        typer.echo(printable(f"beltwatch: skipped {failure['source']}: {failure['reason']}"), err=True)
    alerted = _check_ingest_run(settings.db_url, watch_rules, summary.run_id, destinations)
    if as_json:
        _print_json(summary.to_json() | ({"alerts": alerted} if watch_rules else {}))
    else:
        from rich.table import Table

        table = Table(title=f"ingest run {summary.run_id}", title_justify="left")
        for name in summary.counts():
            table.add_column(name, justify="right")
        table.add_row(*(str(v) for v in summary.counts().values()))
        _console(stderr=True).print(table)
    if summary.failed:
        raise typer.Exit(EXIT_PARTIAL)


class _IngestProgress:
    """A progress bar with articles/s on stderr when stderr is a terminal; else nothing."""

    def __enter__(self) -> Callable[[str], None] | None:
        if not sys.stderr.isatty():
            self.progress = None
            return None
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("ingesting"),
            BarColumn(),
            TextColumn("{task.completed} articles"),
            TextColumn("{task.fields[rate]} articles/s"),
            TextColumn("{task.fields[outcomes]}"),
            TimeElapsedColumn(),
            console=_console(stderr=True),
            transient=True,
        )
        self.progress.start()
        self.task = self.progress.add_task("ingest", total=None, rate="-", outcomes="")
        self.outcomes: dict[str, int] = {}
        return self.advance

    def advance(self, outcome: str) -> None:
        assert self.progress is not None
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1
        self.progress.advance(self.task)
        speed = self.progress.tasks[0].speed
        self.progress.update(
            self.task,
            rate=f"{speed:.1f}" if speed else "-",
            outcomes=" ".join(f"{k} {v}" for k, v in sorted(self.outcomes.items())),
        )

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()


@app.command()
def search(
    text: Annotated[str, typer.Argument(help="Words to find in articles and entity names.")],
    db: DbOption = None,
    as_json: JsonOption = False,
    limit: Annotated[int, typer.Option(min=1, help="At most this many articles (and entities).")] = 20,
) -> None:
    """Full-text search: matching entities, then matching articles with a snippet, best first."""
    from beltwatch.store import reads

    with _reader(db) as store, store.engine.connect() as conn:
        hits = reads.search(conn, text, limit=limit).hits
    if as_json:
        for hit in hits:
            if hit["kind"] == "article":
                hit["snippet"] = hit["snippet"].replace(reads.HIT_START, "**").replace(reads.HIT_END, "**")
        _print_json(hits)
        return
    from rich.table import Table

    console = _console()
    found = [h for h in hits if h["kind"] == "entity"]
    if found:
        table = Table("entity", "type", "country", title="Entities", title_justify="left")
        for h in found:
            table.add_row(_text(h["name"]), h["type"], _text(h["country"]))
        console.print(table)
    table = Table("article", "published", "source", "title / snippet", title="Articles", title_justify="left")
    for h in hits:
        if h["kind"] == "article":
            snippet = _text(h["snippet"]).replace(reads.HIT_START, "[bold]").replace(reads.HIT_END, "[/bold]")
            title = f"[italic]{_text(h['title'])}[/italic]\n" if h["title"] else ""
            table.add_row(_text(h["id"]), h["published"] or "", _text(h["source"]), title + snippet)
    console.print(table if table.row_count else "no articles match")


def _event_details(event: dict) -> str:
    parts = []
    for key, value in event["arguments"].items():
        if key in ("date", "location") or value in (None, [], ""):
            continue
        if key == "claims":
            value = "; ".join(
                f"{c.get('claimant')}: " + ", ".join(f"{k} {v}" for k, v in c.items() if k != "claimant")
                for c in value
            )
        parts.append(f"{key}: {', '.join(map(str, value)) if isinstance(value, list) else value}")
    return _text("; ".join(parts))


def _events_table(found: list[dict], title: str | None = None) -> Table:
    from rich.table import Table

    table = Table("date", "type", "location", "details", "article", title=title, title_justify="left")
    for e in found:
        table.add_row(
            _text(e["date"] or (f"({e['published']})" if e["published"] else "")),
            e["type"],
            _text(e["location"]),
            _event_details(e),
            _text(e["article"]),
        )
    return table


@app.command()
def events(
    type: Annotated[str | None, typer.Option("--type", help="Only this type (MEETING, ATTACK, ...).")] = None,
    since: Annotated[str | None, typer.Option(help="Only events on or after YYYY-MM-DD.")] = None,
    until: Annotated[str | None, typer.Option(help="Only events on or before YYYY-MM-DD.")] = None,
    country: Annotated[str | None, typer.Option(help="Only events in this country (code or name).")] = None,
    entity: Annotated[str | None, typer.Option(help="Only events naming this entity.")] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="At most this many events.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Events of the stored articles, oldest first (an undated event is listed at its article's date)."""
    from beltwatch.store import reads

    first, last = _parse_date("--since", since), _parse_date("--until", until)
    code = reads.country_code(country) if country is not None else None
    with _reader(db) as store, store.engine.connect() as conn:
        found = reads.list_events(
            conn, type=type, since=first, until=last, country=code, entity=entity, limit=limit
        )
    if as_json:
        _print_json(found)
        return
    _console().print(_events_table(found) if found else "no events match")


@app.command()
def entity(
    name: Annotated[str, typer.Argument(help="A name or alias (case, accents and punctuation ignored).")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """One entity across all articles: aliases, roles over time, events."""
    from rich.table import Table

    from beltwatch.store import reads

    with _reader(db) as store, store.engine.connect() as conn:
        found = reads.entity_details(conn, name)
    if not found:
        raise UsageError(f"no entity matches {name!r}")
    if as_json:
        _print_json(found)
        return
    console = _console()
    for e in found:
        facts = ", ".join(_text(v) for v in (e["type"], e["country"], e["kind"]) if v)
        console.print(f"[bold]{_text(e['name'])}[/bold] ({facts}) in {e['articles']} article(s)")
        if e["aliases"]:
            console.print("also: " + _text(", ".join(e["aliases"])))
        if e["roles"]:
            roles = Table(
                "role", "first seen", "last seen", "articles", "evidence", title="Roles", title_justify="left"
            )
            for r in e["roles"]:
                roles.add_row(
                    _text(r["role"]),
                    r["first_seen"] or "",
                    r["last_seen"] or "",
                    str(r["articles"]),
                    _text(r["article"]),
                )
            console.print(roles)
        if e["events"]:
            console.print(_events_table(e["events"], title="Events"))
        console.print()


@app.command()
def stories(
    db: DbOption = None,
    as_json: JsonOption = False,
    rebuild: Annotated[
        bool,
        typer.Option(
            "--rebuild",
            help="Cluster every stored article again, as one batch, first (each ingest otherwise "
            "re-clusters only what its new articles may join).",
        ),
    ] = False,
) -> None:
    """Stories: the articles reporting one happening, and which of them are duplicates."""
    from rich.table import Table

    from beltwatch.store import reads

    if rebuild:
        from beltwatch.ingest import cluster_and_write_stories
        from beltwatch.settings import Settings
        from beltwatch.store import open_database

        with open_database(Settings.load(db).db_url, create=False, writer=True) as store:
            cluster_and_write_stories(store)
    with _reader(db) as store, store.engine.connect() as conn:
        found = reads.list_stories(conn)
    if as_json:
        _print_json(found)
        return
    table = Table("story", "article", "published", "source / origin", "duplicate of")
    for story in found:
        for index, a in enumerate(story["articles"]):
            where = "\n".join(_text(v) for v in (a["source"], a["url"] or a["origin"]) if v)
            duplicate = f"{_text(a['duplicate_of'])} ({a['duplicate_kind']})" if a["duplicate_of"] else ""
            title = _text(story["title"] or story["story"])
            head = f"{title}\n[dim]{_text(story['story'])}[/dim]" if index == 0 else ""
            table.add_row(head, _text(a["id"]), a["published"] or "", where, duplicate)
        table.add_section()
    _console().print(table if found else "no stories yet")


@app.command()
def stats(db: DbOption = None, as_json: JsonOption = False) -> None:
    """What the database holds: articles, versions, entities, events, stories, runs."""
    from rich.table import Table

    from beltwatch.store import reads

    with _reader(db) as store, store.engine.connect() as conn:
        numbers = reads.stats(conn)
    if as_json:
        _print_json(numbers)
        return
    table = Table("", "", show_header=False, title=_text(numbers["database"]), title_justify="left")
    for key, value in numbers.items():
        if key == "database":
            continue
        if isinstance(value, dict):
            value = ", ".join(f"{k} {v}" for k, v in value.items()) or "-"
        table.add_row(key.replace("_", " "), _text(value if value is not None else "-"))
    _console().print(table)


@app.command()
def risk(
    days: Annotated[int, typer.Option(min=1, help="Window length in days (90, 365, ...).")] = 90,
    until: Annotated[
        str | None,
        typer.Option(
            help="Last day of the window, YYYY-MM-DD [default: the latest event date in the database, so a "
            "historical corpus gives a meaningful view]."
        ),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Incidents (attacks, one per happening) and casualties per district along the corridor over a
    rolling window, with the trend against the window before it."""
    from beltwatch.risk import risk_view

    with _reader(db) as store, store.engine.connect() as conn:
        view = risk_view(conn, days, _parse_date("--until", until))
    if as_json:
        _print_json(view)
        return
    _console().print(_risk_table(view))


def _risk_table(view: dict) -> Table:
    from rich.table import Table

    from beltwatch.risk import TRENDS

    def change(row: dict, key: str) -> str:
        return f"{row['previous'][key]} ({row['delta'][key]:+d})"

    window, before = view["window"], view["previous_window"]
    table = Table(
        title=f"Incidents {window['start']} – {window['end']} ({view['days']} days) "
        f"against {before['start']} – {before['end']}",
        title_justify="left",
        caption=f"Counted: {view['counted']}.",
        caption_justify="left",
    )
    table.add_column("area")
    table.add_column("in")
    for name in ("incidents", "before (Δ)", "trend", "killed", "before (Δ)", "injured", "before (Δ)"):
        table.add_column(name, justify="right")
    for row in [*view["areas"], {"area": "total", "kind": "", "province": None, **view["totals"]}]:
        if row["area"] == "total":
            table.add_section()
        table.add_row(
            _text(row["area"]),
            _text(row["province"] or row["kind"]),
            str(row["incidents"]),
            change(row, "incidents"),
            f"{TRENDS[row['trend']]} {row['trend']}",
            str(row["killed"]),
            change(row, "killed"),
            str(row["injured"]),
            change(row, "injured"),
        )
    return table


@app.command()
def report(
    since: Annotated[str, typer.Option(help="First day of the period, YYYY-MM-DD.")],
    until: Annotated[str, typer.Option(help="Last day of the period, YYYY-MM-DD.")],
    out: Annotated[Path, typer.Option(help="The briefing to write: FILE.html (self-contained) or FILE.pdf.")],
    title: Annotated[str | None, typer.Option(help="Title [default: Security briefing, dates].")] = None,
    db: DbOption = None,
) -> None:
    """A briefing with charts: incident map, casualties by month, financing by lender, statements on
    security with their speakers, and the incidents with their sources."""
    from beltwatch.report import build_briefing, output_format, write_briefing

    output_format(out)
    first, last = _parse_date("--since", since), _parse_date("--until", until)
    with _reader(db) as store, store.engine.connect() as conn:
        briefing = build_briefing(conn, first, last, title)  # type: ignore[arg-type]
    try:
        write_briefing(briefing, out)
    except OSError as exc:
        raise UsageError(f"cannot write {out}: {exc.strerror or exc}") from None
    totals = briefing.totals
    typer.echo(
        f"beltwatch: report: {totals['incidents']} incidents, {totals['killed']} killed, "
        f"{totals['injured']} injured; written to {out}",
        err=True,
    )


@app.command()
def watch(
    rules: Annotated[Path, typer.Argument(help="Watch rules (YAML), e.g. examples/rules.yaml.")],
    db: DbOption = None,
    backfill: Annotated[
        bool, typer.Option("--backfill", help="First check every story in the database (alerts not raised yet).")
    ] = False,
    out: OutOption = None,
    webhook: WebhookOption = None,
    allow_private: Annotated[
        bool, typer.Option("--allow-private", help="Let the webhook be a private or loopback address.")
    ] = False,
    once: Annotated[bool, typer.Option("--once", help="One pass, then exit (for cron).")] = False,
    interval: Annotated[
        float, typer.Option(min=0.1, help="Seconds between looks for newly finished ingest runs.")
    ] = 60.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print alerts as JSON Lines.")] = False,
) -> None:
    """Raise alerts for stories that match watch rules: one per story, one more when its figures change.

    Without --backfill only stories changed by ingest runs that finish after the watcher starts
    are checked; pending webhook and file deliveries are retried on every pass.
    """
    from beltwatch.alerts import WebhookPolicy
    from beltwatch.alerts import watch as run_watch
    from beltwatch.settings import Settings

    settings = Settings.load(db)
    watch_rules, destinations = _alerting(rules, out, webhook, allow_private, as_json, printed=True)
    assert destinations is not None  # rules were given
    outcome = run_watch(
        settings.db_url, watch_rules, destinations, WebhookPolicy(), backfill=backfill, once=once, interval=interval
    )
    if outcome.pending:
        typer.echo(
            f"beltwatch: {outcome.pending} alert(s) not delivered to {destinations.webhook} yet;"
            " left pending for the next pass",
            err=True,
        )


@app.command()
def follow(
    sources_file: Annotated[Path, typer.Argument(help="The outlets to follow (YAML), e.g. examples/sources.yaml.")],
    db: DbOption = None,
    once: Annotated[
        bool,
        typer.Option(
            "--once", help="Poll every source once (not before its Retry-After), then exit, 3 if one failed: for cron."
        ),
    ] = False,
    rules: RulesOption = None,
    webhook: WebhookOption = None,
    allow_private: Annotated[
        bool, typer.Option("--allow-private", help="Let sources and the webhook be private or loopback addresses.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print each poll and alert as JSON Lines.")] = False,
) -> None:
    """Follow the outlets of a sources file: poll their feeds, fetch each new item's page, ingest it,
    and raise alerts, until SIGTERM or Ctrl-C (which finish the articles in hand and exit 0)."""
    import signal
    import threading

    from beltwatch.follow import follow as run_follow
    from beltwatch.settings import Settings
    from beltwatch.sources import printable
    from beltwatch.sources.outlets import load_outlets
    from beltwatch.sources.poll import Policy

    settings = Settings.load(db)
    outlets = load_outlets(sources_file)
    watch_rules, destinations = _alerting(rules, None, webhook, allow_private, as_json, printed=True)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())

    def report(poll) -> None:
        if as_json:
            sys.stdout.write(json.dumps({"poll": poll.to_json()}, ensure_ascii=False) + "\n")
            sys.stdout.flush()
        elif poll.error:
            typer.echo(printable(f"beltwatch: follow: {poll.source}: failed: {poll.error}"), err=True)
        else:
            counts = ", ".join(
                f"{getattr(poll, k)} {k.replace('_', ' ')}"
                for k in ("new", "updated", "known", "failed", "feed_text", "deferred")
                if getattr(poll, k)
            )
            typer.echo(printable(f"beltwatch: follow: {poll.source}: {counts or 'nothing new'}"), err=True)

    def alert(run_id: int) -> None:
        _check_ingest_run(settings.db_url, watch_rules, run_id, destinations)

    polls = run_follow(
        settings.db_url,
        outlets,
        Policy(allow_private=allow_private),
        once=once,
        stop=stop,
        on_poll=report,
        on_run=alert,
    )
    failed = [p for p in polls if p.error]
    if once and failed:
        typer.echo(f"beltwatch: follow: {len(failed)} source(s) failed: " + ", ".join(p.source for p in failed), err=True)
        raise typer.Exit(EXIT_PARTIAL)


@app.command("sources")
def sources_health(db: DbOption = None, as_json: JsonOption = False) -> None:
    """The health of every followed source: last poll, last success, last error, items seen, new
    articles per day, median delay from publication to storage; failing and silent sources first."""
    from rich.table import Table

    from beltwatch.store.health import source_health_view

    with _reader(db) as store, store.engine.connect() as conn:
        found = source_health_view(conn)
    if as_json:
        _print_json(found)
        return
    table = Table(
        "source", "status", "last poll", "last success", "last error", "items", "new/day", "median delay",
        title="Sources", title_justify="left",
    )  # fmt: skip
    for s in found:
        delay = f"{s['median_delay_s'] / 60:.1f} min" if s["median_delay_s"] is not None else "-"
        error = f"{s['last_error_at']}: {s['last_error']}" if s["last_error"] else ""
        table.add_row(
            _text(s["name"]),
            s["status"],
            s["last_poll"] or "never",
            s["last_success"] or "never",
            _text(error),
            str(s["items_seen"]),
            f"{s['new_per_day']:g}",
            delay,
        )
    _console().print(table if found else "no sources followed yet (run `beltwatch follow SOURCES.yaml`)")


@app.command()
def projects(
    country: Annotated[str | None, typer.Option("--country", help="ISO 3166-1 alpha-2 code of the host country.")] = None,
    sector: Annotated[str | None, typer.Option("--sector", help="energy, transport, ports, ... (projects.yaml)")] = None,
    status: Annotated[str | None, typer.Option("--status", help="suspended, under construction, completed, ...")] = None,
    rebuild: Annotated[
        bool,
        typer.Option(
            "--rebuild",
            help="First recompute the registry from the stored events (for a store written before the registry "
            "existed); articles stored since keep it up to date.",
        ),
    ] = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The project registry: one record per project with its latest well-supported state."""
    from rich.table import Table

    from beltwatch.store.projects import list_projects, rebuild_projects

    if rebuild:
        from beltwatch.settings import Settings
        from beltwatch.store import open_database
        from beltwatch.store.database import lock_for_writing
        from beltwatch.store.writes import now

        with open_database(Settings.load(db).db_url, create=False, writer=True) as store, store.engine.begin() as conn:
            lock_for_writing(conn)
            rebuilt = rebuild_projects(conn, now())
        typer.echo(f"beltwatch: projects: {rebuilt} records rebuilt", err=True)
    with _reader(db) as store, store.engine.connect() as conn:
        found = list_projects(conn, country=country, sector=sector, status=status)
    if as_json:
        _print_json(found)
        return
    table = Table(
        "project", "country", "sector", "status", "since", "how sure", "programme", "articles",
        title=f"Projects ({len(found)})", title_justify="left",
    )  # fmt: skip
    for p in found:
        name = f"{p['name']} (part of {p['parent']})" if p["parent"] else p["name"]
        table.add_row(
            _text(name), p["country"] or "", p["sector"] or "", p["status"] or "", p["status_date"] or "",
            p["confidence"] or "", _text(p["programme"]), str(p["articles"]),
        )  # fmt: skip
    _console().print(table if found else "no project matches")


@app.command()
def project(
    name: Annotated[str, typer.Argument(help="A project's name, an alias or its id; a programme lists its projects.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """One project: its state, lifecycle, money, parties and nearby incidents, every fact with its sentence."""
    from beltwatch.registry import project_view
    from beltwatch.store.projects import find_project, list_projects, programme_named

    with _reader(db) as store, store.engine.connect() as conn:
        programme = programme_named(name)
        if programme is not None:
            members = list_projects(conn, programme=programme)
            found = {"programme": programme, "projects": members}
        else:
            project_id = find_project(conn, name)
            found = project_view(conn, project_id) if project_id is not None else None
    if found is None:
        raise UsageError(f"no project matches {name!r}")
    if as_json:
        _print_json(found)
    elif programme is not None:
        _print_programme(found)
    else:
        _print_project(found)


def _print_programme(found: dict) -> None:
    console = _console()
    console.print(f"[bold]{_text(found['programme'])}[/bold] is a programme, not a project; its projects:")
    for p in found["projects"]:
        console.print(f"  {_text(p['name'])}: {p['status'] or 'no status reported'}")


def _print_project(p: dict) -> None:
    from rich.table import Table

    console = _console()
    facts = ", ".join(_text(v) for v in (p["country"], p["sector"], p["programme"]) if v)
    console.print(f"[bold]{_text(p['name'])}[/bold] ({facts}) in {p['articles']} article(s)")
    if p["parent"]:
        console.print(f"part of {_text(p['parent'])}")
    state = f"{p['status']} since {p['status_date']} ({p['confidence']})" if p["status"] else "no status reported"
    console.print(f"state: {state}")
    sections = (
        ("Lifecycle", ("date", "status"), p["lifecycle"]),
        ("Costs", ("date", "value", "currency", "usd"), p["costs"]),
        ("Financing", ("date", "lender", "instrument", "value", "currency", "usd"), p["financing"]),
    )
    for title, columns, rows in sections:
        if rows:
            table = Table(*columns, "source", "evidence", title=title, title_justify="left")
            for row in rows:
                source = row["source"]
                cells = [_text(_number(row.get(c))) for c in columns]
                table.add_row(*cells, _text(f"{source['outlet'] or ''} {source['article']}"), _text(source["evidence"]))
            console.print(table)
    if p["parties"]:
        console.print("parties: " + _text("; ".join(f"{x['name']} ({', '.join(x['roles'])})" for x in p["parties"])))
    if p["parts"]:
        console.print("parts: " + _text(", ".join(x["name"] for x in p["parts"])))
    for i in p["incidents"]:
        console.print(
            f"incident {i['date']} at {_text(i['location'])}, {i['km']} km away: killed {_text(i['killed'])}"
            f" ({len(i['reports'])} report(s), first {_text(i['article'])})"
        )


def _number(value: object) -> object:
    return f"{value:,.0f}" if isinstance(value, float) else value


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
