"""The types of the API's parameters and request bodies, written so that the OpenAPI document declares
every check the server makes: what the schema allows is accepted, what it does not is a 422.

Values an analyst edits are checked again by the store (`store.corrections.check_argument`); the types
here are that check spelled as a schema, one body shape per kind of argument, so that a client reading
`/api/openapi.json` knows which values an edit takes before sending one.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Annotated, Literal, Union

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    Tag,
)

from beltwatch.knowledge import SECTORS
from beltwatch.model import ENTITY_TYPES, EVENT_TYPES
from beltwatch.projects import INTERRUPTIONS, PROGRESS
from beltwatch.store.corrections import (
    INTEGER_ARGUMENTS,
    LIST_ARGUMENTS,
    MAX_TEXT,
    NUMBER_ARGUMENTS,
    TEXT_ARGUMENTS,
)

# the largest id a JSON client reads exactly (JavaScript's largest safe integer), far below what the
# databases store; up to it, a validator comparing numbers as doubles agrees with the server
MAX_ROW_ID = 2**53 - 1

EventType = StrEnum("EventType", [(name, name) for name in EVENT_TYPES])
EntityType = StrEnum("EntityType", [(name, name) for name in ENTITY_TYPES])
ProjectStatus = StrEnum("ProjectStatus", [(name, name) for name in (*PROGRESS, *INTERRUPTIONS)])
Sector = StrEnum("Sector", [(name, name) for name in SECTORS])


def _iso_day(value: object) -> object:
    # pydantic would also read a number as a Unix time and `20240105` as a date: the schema says YYYY-MM-DD
    if isinstance(value, date) or (
        isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value)
    ):
        return value
    raise ValueError("must be a date written YYYY-MM-DD")


Day = Annotated[date, BeforeValidator(_iso_day)]


def _whole(value: object) -> object:
    # JSON Schema's integer includes 7.0; a text or a boolean is no integer, whatever pydantic's lax mode says
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Whole = Annotated[StrictInt, BeforeValidator(_whole)]

# a year other than 0000, a year and month, as the extractor writes partial dates
YEAR = "(?:[0-9]{3}[1-9]|[0-9]{2}[1-9]0|[0-9][1-9]00|[1-9]000)"
MONTH = "(?:0[1-9]|1[0-2])"
# a character Python's str.split() does not take for whitespace (it also splits on \x1c-\x1f)
VISIBLE = r"[^\s\x1c-\x1f]"

PLAIN_TEXT_ARGUMENTS = tuple(name for name in TEXT_ARGUMENTS if name not in ("date", "currency"))

Note = Annotated[StrictStr | None, Field(max_length=MAX_TEXT, description="Why, for the correction log.")]
Text = Annotated[StrictStr, Field(max_length=MAX_TEXT, pattern=VISIBLE)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Note = None


# --- event corrections ------------------------------------------------------------------------------


class EventStatus(_Body):
    """Mark the event wrong (`reject`), or undo that (`restore`)."""

    action: Literal["reject", "restore"]


class _Edit(_Body):
    action: Literal["edit"]


class CountEdit(_Edit):
    """Set a casualty figure: a whole number up to 1,000,000, or up to six digits as text; null removes it."""

    argument: Literal[*INTEGER_ARGUMENTS]
    value: (
        Annotated[Whole, Field(ge=0, le=1_000_000)]
        | Annotated[StrictStr, Field(pattern=r"^[0-9]{1,6}$")]
        | None
    ) = None


class AmountEdit(_Edit):
    """Set an amount: a number from 0 to below 10^16 (as a number, or digits with optional thousands commas)."""

    argument: Literal[*NUMBER_ARGUMENTS]
    value: (
        Annotated[float, Field(strict=True, ge=0, lt=1e16, allow_inf_nan=False)]
        | Annotated[
            StrictStr,
            Field(pattern=r"^[0-9]{1,15}(\.[0-9]+)?$|^[0-9]{1,3}(,[0-9]{3}){1,4}(\.[0-9]+)?$"),
        ]
        | None
    ) = None


class FlagEdit(_Edit):
    """Set whether the event's figures are disputed."""

    argument: Literal["disputed"]
    # as an analyst types it into the page's form, in any case
    value: (
        StrictBool
        | Annotated[
            StrictStr, Field(pattern="^(?:[Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee]|[Yy][Ee][Ss]|[Nn][Oo]|1|0)$")
        ]
        | None
    ) = None


class ListEdit(_Edit):
    """Set a list: a JSON list of names, or one text with the names separated by `;`."""

    argument: Literal[*LIST_ARGUMENTS]
    value: (
        list[Annotated[StrictStr, Field(max_length=MAX_TEXT)]]
        | Annotated[StrictStr, Field(max_length=MAX_TEXT)]
        | None
    ) = None


class TextEdit(_Edit):
    """Set a text argument: at most 2000 characters, not only white space."""

    argument: Literal[*PLAIN_TEXT_ARGUMENTS]
    value: Text | None = None


class DateEdit(_Edit):
    """Set the date: YYYY-MM-DD, YYYY-MM or YYYY."""

    argument: Literal["date"]
    value: (
        Day
        | Annotated[StrictStr, Field(pattern=f"^{YEAR}-{MONTH}$")]
        | Annotated[StrictStr, Field(pattern=f"^{YEAR}$")]
        | None
    ) = None


class CurrencyEdit(_Edit):
    """Set the currency: an ISO 4217 code."""

    argument: Literal["currency"]
    value: Annotated[StrictStr, Field(pattern="^[A-Z]{3}$")] | None = None


EDITS = (CountEdit, AmountEdit, FlagEdit, ListEdit, TextEdit, DateEdit, CurrencyEdit)
_EDIT_OF = {
    name: edit.__name__ for edit in EDITS for name in edit.model_fields["argument"].annotation.__args__
}


def _event_shape(body: object) -> str | None:
    # one tag from two fields: pydantic would emit a nested discriminator as a mapping OpenAPI does not allow
    if not isinstance(body, dict):
        return None
    if body.get("action") == "edit":
        argument = body.get("argument")
        return _EDIT_OF.get(argument) if isinstance(argument, str) else None
    return EventStatus.__name__


EventCorrection = Annotated[
    Annotated[EventStatus, Tag(EventStatus.__name__)]
    | Union[*(Annotated[e, Tag(e.__name__)] for e in EDITS)],
    Discriminator(_event_shape),
]


# --- entity corrections -----------------------------------------------------------------------------


class EntityStatus(_Body):
    """Mark the entity wrong (`reject`), undo that (`restore`), or undo a merge (`unmerge`)."""

    action: Literal["reject", "restore", "unmerge"]


class EntityMerge(_Body):
    """Merge the entity into another."""

    action: Literal["merge"]
    into: Whole = Field(ge=1, le=MAX_ROW_ID, description="The id of the entity to merge into.")


EntityCorrection = Annotated[EntityStatus | EntityMerge, Field(discriminator="action")]


# --- ingest -----------------------------------------------------------------------------------------

# http(s), then a host: no white space or control character, no slash
WEB_URL = r"^[Hh][Tt][Tt][Pp][Ss]?://[^\x00-\x20\x7f\s/]"


class UrlIngest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: StrictStr = Field(
        max_length=2000, pattern=WEB_URL, description="An http(s) URL of an article or feed."
    )
    published: Day | None = Field(default=None, description="Publication date, when the page does not say.")
