"""The sources file of `beltwatch follow`: the outlets to follow, checked before anything is fetched.

```yaml
sources:
  - name: Example Daily              # unique; the outlet's name on every article it gives
    feeds: [https://example.org/feed.xml]     # RSS or Atom
    pages: [https://example.org/cpec]         # section pages whose article links are followed
    links: "/news/\\d+"              # on section pages, only links whose path matches (a regex)
    language: en
    country: PK
    interval: 300                    # seconds between polls (default 900)
    full_text: true                  # fetch each item's page (default true)
    selector: "div.story-body"       # CSS selector of the article body, when trafilatura needs one
    note: anything                   # for the reader of the file; ignored
```

Every mistake is one `UsageError` (exit 2) naming the file, the source and the key. The models
are pydantic's, strict about what they accept: an unknown key is an error (a typo would
otherwise be ignored in silence).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from beltwatch.errors import UsageError

DEFAULT_INTERVAL = 900


def _http_url(value: str) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {value!r}")
    if parts.username or parts.password:
        raise ValueError(f"URLs with user:password are not fetched: {value!r}")
    return value.strip()


class Outlet(BaseModel):
    """One outlet: where its items are listed, how often to look, and how to read its pages."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    name: Annotated[str, Field(min_length=1, max_length=200)]
    feeds: tuple[str, ...] = ()
    pages: tuple[str, ...] = ()
    links: str | None = None
    language: Annotated[str | None, Field(pattern=r"^[a-z]{2,3}$")] = None
    country: str | None = None
    interval: Annotated[int, Field(ge=1, le=7 * 86_400)] = DEFAULT_INTERVAL
    full_text: bool = True
    selector: str | None = None
    note: str | None = None

    @field_validator("feeds", "pages", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("feeds", "pages")
    @classmethod
    def _urls(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_http_url(v) for v in value)

    @field_validator("links")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a regular expression: {exc}") from None
        return value

    @field_validator("country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        if value is None:
            return None
        import pycountry

        try:
            return pycountry.countries.lookup(value).alpha_2
        except LookupError:
            raise ValueError(f"not a country code or name: {value!r}") from None

    @field_validator("selector")
    @classmethod
    def _selector(cls, value: str | None) -> str | None:
        if value is not None:
            from cssselect import GenericTranslator, SelectorError

            try:
                GenericTranslator().css_to_xpath(value)
            except SelectorError as exc:
                raise ValueError(f"not a CSS selector: {exc}") from None
        return value

    @model_validator(mode="after")
    def _somewhere_to_look(self) -> Outlet:
        if not self.feeds and not self.pages:
            raise ValueError("a source needs `feeds` or `pages`")
        if self.links is not None and not self.pages:
            raise ValueError("`links` goes with `pages`")
        return self

    @property
    def urls(self) -> tuple[str, ...]:
        """Its feeds, then its section pages: what a poll fetches."""
        return self.feeds + self.pages


class SourcesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sources: Annotated[list[Outlet], Field(min_length=1)]


def load_outlets(path: Path) -> list[Outlet]:
    """The outlets of a sources file; `UsageError` naming the file, the source and the key otherwise."""
    where = str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read sources file: {exc.strerror or exc}", source=where) from None
    except UnicodeDecodeError:
        raise UsageError("sources file is not UTF-8 text", source=where) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        raise UsageError(f"not valid YAML{at}: {getattr(exc, 'problem', None) or exc}", source=where) from None
    if not isinstance(data, dict):
        raise UsageError("a sources file is a mapping with one key, `sources`, a list of sources", source=where)
    try:
        outlets = SourcesFile.model_validate(data).sources
    except ValidationError as exc:
        raise UsageError(_first_problem(exc, data), source=where) from None
    seen: set[str] = set()
    for outlet in outlets:
        if outlet.name.casefold() in seen:
            raise UsageError(f"two sources are named {outlet.name!r}", source=where)
        seen.add(outlet.name.casefold())
    return outlets


def _first_problem(exc: ValidationError, data: dict[str, Any]) -> str:
    """pydantic's first error as one line: `source 3 ('Dawn'): interval: must be >= 1, not 0`."""
    error = exc.errors(include_url=False)[0]
    location = list(error["loc"])
    message = error["msg"].removeprefix("Value error, ")
    where = ""
    if location[:1] == ["sources"] and len(location) > 1 and isinstance(location[1], int):
        number = location[1]
        entry = data["sources"][number] if isinstance(data.get("sources"), list) else None
        name = entry.get("name") if isinstance(entry, dict) else None
        where = f"source {number + 1}" + (f" ({name!r})" if isinstance(name, str) else "") + ": "
        location = location[2:]
    elif location[:1] == ["sources"]:
        location = location[:1]
    if error["type"] == "extra_forbidden":
        return f"{where}unknown key {str(location[-1])!r}"
    key = ".".join(str(part) for part in location if not isinstance(part, int))
    shown = "" if error["type"] in ("missing", "value_error") else f", not {error.get('input')!r}"
    return f"{where}{key + ': ' if key else ''}{message}{shown}"
