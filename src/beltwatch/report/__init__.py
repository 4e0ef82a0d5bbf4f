"""Briefings: `beltwatch report --since --until --out FILE.html|FILE.pdf`.

One template (`templates/briefing.html`, Jinja2 with autoescape: every piece of article text is
escaped) gives both formats: the HTML file is self-contained (charts as inline images, CSS inline, no
script, no other file), and the PDF is that HTML laid out by WeasyPrint. Its content:

- incidents in the period (`beltwatch.risk`: one per happening, casualties the lowest figure stated
  as fact, claims apart), on a map and by month, and in a table with every report's source;
- financing by lender in US dollars (the finance ledger's rule: the converted value at the
  commitment's date, else the conversion the article states, else the amount when it is in USD);
- the latest statements on security, with their speakers and the sentence that states them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader
from sqlalchemy.engine import Connection

from beltwatch.errors import UsageError
from beltwatch.report import charts
from beltwatch.risk import incidents
from beltwatch.store import queries
from beltwatch.store.queries import EventFilter

TEMPLATES = Path(__file__).parent / "templates"
FORMATS = {".html": "html", ".htm": "html", ".pdf": "pdf"}
SECURITY_TOPIC = "security"
LATEST_STATEMENTS = 12


@dataclass(frozen=True)
class Briefing:
    title: str
    since: date
    until: date
    incidents: list[dict[str, Any]]
    ledger: dict[str, Any]
    statements: list[dict[str, Any]]
    charts: dict[str, str]

    @property
    def totals(self) -> dict[str, int]:
        return {
            "incidents": len(self.incidents),
            "killed": sum(i["killed"] or 0 for i in self.incidents),
            "injured": sum(i["injured"] or 0 for i in self.incidents),
        }


def output_format(path: Path) -> str:
    """ "html" or "pdf" from the file's suffix; `UsageError` for anything else."""
    found = FORMATS.get(path.suffix.lower())
    if found is None:
        raise UsageError(f"--out must end in .html or .pdf, not {path.name!r}")
    return found


def build_briefing(conn: Connection, since: date, until: date, title: str | None = None) -> Briefing:
    """Everything the briefing shows for the period [since, until], charts drawn."""
    if since > until:
        raise UsageError(f"--since ({since}) is after --until ({until})")
    found = [i.to_json() for i in incidents(conn, since, until)]
    found.reverse()  # newest first
    _, financing = queries.list_events(
        conn, EventFilter(type="FINANCING", since=since, until=until), limit=None
    )
    ledger = queries.finance(financing)
    _, said = queries.list_events(conn, EventFilter(type="STATEMENT", since=since, until=until), limit=None)
    on_security = [s for s in said if s["arguments"].get("topic") == SECURITY_TOPIC]
    on_security.sort(key=lambda s: (s.get("date") or s.get("published") or "", s["article"]), reverse=True)
    speakers = Counter(str(s["arguments"].get("speaker") or "unnamed") for s in on_security)
    drawn = {
        "map": charts.incident_map(found),
        "casualties": charts.casualties_by_month(found, since, until),
        "lenders": charts.horizontal_bars(
            ledger["by_lender"],
            title="Financing by lender (USD)",
            colour=charts.BAR_COLOUR,
            fmt=charts.render.money,
        ),
        "speakers": charts.horizontal_bars(
            speakers.items(), title="Statements on security by speaker", colour=charts.STATEMENT_COLOUR
        ),
    }
    return Briefing(
        title=title or f"Security briefing {since.isoformat()} – {until.isoformat()}",
        since=since,
        until=until,
        incidents=found,
        ledger=ledger,
        statements=on_security[:LATEST_STATEMENTS],
        charts=drawn,
    )


def environment() -> Environment:
    """The dashboard's Jinja2 environment (autoescape, its filters) reading the briefing's templates."""
    from beltwatch.web import environment as web_environment

    return web_environment().overlay(loader=FileSystemLoader(str(TEMPLATES)))


def render_html(briefing: Briefing) -> str:
    return environment().get_template("briefing.html").render(b=briefing, generated=date.today().isoformat())


def write_briefing(briefing: Briefing, out: Path) -> None:
    """The briefing as HTML or PDF, by `out`'s suffix."""
    html = render_html(briefing)
    if output_format(out) == "html":
        out.write_text(html, encoding="utf-8")
        return
    from weasyprint import HTML, URLFetcher

    # the charts are data: URIs; nothing is fetched from the network or the disk
    HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=["data"])).write_pdf(str(out))
