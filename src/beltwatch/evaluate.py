"""Score extractions against the gold corpus: the engine behind ``beltwatch eval``.

Pure functions, no I/O except `load_gold`:

- `load_gold(path)` reads every ``*.gold.json`` (a directory or one file) into
  `GoldArticle` records; a feed gold (top-level ``items``) becomes one record per item.
- `score(gold, predicted, story_of=None, only_predicted=False)` compares them with the
  extractor's output (article id -> JSON object with ``entities``, ``amounts``,
  ``events``; any other key is ignored) and returns a `Report`.
- `format_report(report, verbose=False)` renders it as a plain-text table;
  `Report.to_json()` as a dict.

Matching rules (SCHEMA.md "Scoring", made precise)
--------------------------------------------------
Names. The key of a name is its text case-folded (``str.casefold``), NFKD-decomposed
with combining marks dropped, and with every character that is not a letter or a digit
removed (punctuation of any kind, dashes such as "-" and "–", and whitespace). So
"Export–Import Bank of China" = "export-import bank of china", "Moin-ul-Haque" =
"Moin ul Haque", "夏巴兹·谢里夫" = "夏巴兹谢里夫".

- An *entity* matches a gold entity of the same type when the predicted name's key
  equals the key of the gold name or of one of its aliases, or when one of the
  predicted entity's own ``aliases`` does (predicted "Xi" with alias "Xi Jinping"
  matches gold "Xi Jinping"). Exact name-to-name pairs are preferred to alias pairs.
- A *name argument* of an event (funder, speaker, participants, location, ...) matches
  when the two values' alias sets share a key. A value's alias set is its own key plus,
  on the gold side, the names and aliases of every gold entity of the article that
  carries that value as name or alias, and on the predicted side, the same over the
  predicted entities. Gold "Anwar-ul-Haq Kakar" (aliases "Kakar") therefore matches a
  predicted "Kakar", and a gold location "Beijing" matches a predicted "China" when the
  article's gold entity China lists Beijing as an alias.

Free text (purpose, measure, reason, target, subject, the ``name`` of a MEETING or
PROJECT, the ``role`` of a person). Right when the two values name-match as above, or
when one contains the other as a whole-word sequence after normalisation (case-folded,
diacritics removed, punctuation turned into spaces, "2,000" -> "2000", each CJK
character a word of its own) and the contained side has a content word, or when the
predicted value holds at least half of the gold value's distinct content words.
Content words are the words minus a short English stop list, with a plural "s"/"ies"
stripped ("rollovers" = "rollover").

Amounts match on currency (case-insensitive) and value within 1 % of the gold value.

Events match on type plus the "matched on" column of SCHEMA.md:

=================  ==========================================================
MEETING            >= 2 shared participants (one-to-one name matches); with
                   fewer gold participants, all of them; with none, the
                   ``name`` by the free-text rule
FINANCING          value within 1 %, same currency, and funder or recipient
PROJECT            name (name rule)
AGREEMENT          >= 2 shared parties (as MEETING)
ATTACK             location (name rule) or compatible date (equal, or one a
                   prefix of the other: "2021-07" ~ "2021-07-14")
SECURITY_MEASURE   actor
STATEMENT          speaker
PROTEST            actor (name rule) and target (free-text rule)
other types        type alone
=================  ==========================================================

A condition on an argument that the gold event lacks is dropped (a FINANCING gold
with neither funder nor recipient matches on value and currency; a PROTEST without
target on actor), except that an ATTACK needs its location or date.

One-to-one assignment (entities, amounts, events alike): every (gold, predicted)
pair that matches is a candidate; candidates are taken greedily, best first, each
item at most once. Events rank by the number of gold arguments the prediction gets
right (so two FINANCING events of 350 bn CNY pair with the right funders), entities
by match tier then agreeing attributes, amounts by ``usd_stated`` agreement then
closeness; ties go to required gold items, then to document order. After the greedy
pass, augmenting paths (Kuhn's algorithm) add any gold item that can still be matched
by re-pairing, so the number of matches is always the maximum possible.

Optional and ignored items. A matched ``optional`` gold item is a true positive (it
then counts in recall's denominator); an unmatched one is not a miss. A predicted item
left unmatched is a false positive unless it is *ignored*: an entity whose name's key,
or one of its aliases' (the same names that matching compares, so "AFP" ignored also
ignores the agency predicted under its full name), equals the key of a gold ``ignore``
string, or an amount whose ``text`` does (e.g. "Rs 287"). A feed's top-level ``ignore`` applies to each of its items. Long ignore
strings are annotator notes and simply never match; a short name followed by a note in brackets
("VCG (photo credit)") ignores the name. Ignore strings never take an item
away from a gold match: matching comes first.

Argument accuracy: over matched event pairs (optional ones included), every argument
the gold event carries, except ``type`` and ``optional`` and arguments whose gold value
is null, "" or [], scores right or wrong by the kind of the argument:

- name (funder, recipient, speaker, actor, perpetrator, claimed_by, location): name rule;
- names (participants, parties, locations): right when every gold element is matched
  by some predicted element (extra predicted elements are not penalised);
- terms (sectors): as names, element-wise by the free-text rule;
- codes (victim_nationality): every gold code present, case-insensitive;
- text (purpose, measure, reason, target, subject, name): free-text rule. A PROJECT's
  ``name`` is its match key, so it is always right; it is kept so that every gold
  argument is counted;
- number (value, usd_stated, killed, injured): within 1 % (so counts below 100 must be exact);
- code/label (currency, instrument, status, topic, form): equal keys;
- date: equal strings; bool (disputed): equal booleans.

An argument not in this table falls back on its gold value's type (bool, number, list
-> names, otherwise text). A scalar argument predicted as a list is right when any
element is. Entity attributes (role by the free-text rule, country and kind by equal
keys) are scored the same way over matched entities; they are informational, as is
``usd_stated`` over matched amounts.

Stories: over the gold articles that have both a gold ``meta.story`` and an entry in
``story_of``, every unordered pair is "same story" or not in gold and in the
prediction; precision, recall and F1 are over the "same story" pairs.

P/R/F1 with an empty denominator: precision is 1.0 when nothing was predicted and
nothing was missed (else 0.0), recall likewise; accuracy over no items is None.
Micro-averaged over all scored articles; per type rows use the gold type for true
positives and misses and the predicted type for false positives.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

from beltwatch.errors import InputError, UsageError

__all__ = [
    "PRF",
    "SPLITS",
    "Accuracy",
    "Finding",
    "GoldArticle",
    "Report",
    "argument_right",
    "corpus_split",
    "format_report",
    "load_gold",
    "name_key",
    "names_match",
    "score",
    "text_matches",
]


# --------------------------------------------------------------------------- gold


@dataclass
class GoldArticle:
    """One scored article of the gold corpus (a feed item is an article of its own)."""

    id: str
    text_file: str | None  # None for feed items: see container_file
    meta: dict[str, Any]
    entities: list[dict[str, Any]] = field(default_factory=list)
    amounts: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    gold_file: str | None = None  # name of the *.gold.json it came from
    container_file: str | None = None  # feed items: the feed's file name (e.g. "bri-topic-feed.rss")
    item_index: int | None = None  # feed items: 1-based position in the feed

    @property
    def story(self) -> str | None:
        return self.meta.get("story")

    def as_prediction(self) -> dict[str, Any]:
        """The gold lists in the shape of an extractor's output (for self-scoring)."""
        return {"id": self.id, "entities": self.entities, "amounts": self.amounts, "events": self.events}


SPLITS = ("tune", "check")


def corpus_split(url: str) -> str:
    """The split of a real-news article, fixed by its url: a third `check`, the rest `tune`.

    A hash rather than a choice, so an article cannot drift between the two once rules are
    written from `tune`.
    """
    digest = hashlib.sha256(url.strip().encode("utf-8")).digest()
    return "check" if int.from_bytes(digest[:8], "big") % 3 == 0 else "tune"


def load_gold(gold_dir: Path | str) -> list[GoldArticle]:
    """Every ``*.gold.json`` under `gold_dir` (or that one file), feed items expanded."""
    path = Path(gold_dir)
    if path.is_dir():
        files = sorted(path.glob("*.gold.json"))
    elif path.is_file():
        files = [path]
    else:
        raise UsageError(f"no such gold directory or file: {path}")
    articles: list[GoldArticle] = []
    seen: set[str] = set()
    for file in files:
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"cannot read gold file: {exc}", source=str(file)) from exc
        if not isinstance(data, dict):
            raise InputError("gold file is not a JSON object", source=str(file))
        for article in _articles_of(data, file):
            if article.id in seen:
                raise InputError(f"duplicate gold article id {article.id!r}", source=str(file))
            seen.add(article.id)
            articles.append(article)
    return articles


def _articles_of(data: dict[str, Any], file: Path) -> list[GoldArticle]:
    file_id = str(data.get("id") or file.name.removesuffix(".gold.json"))
    ignore = _strings(data.get("ignore"))
    if isinstance(data.get("items"), list):
        out = []
        for index, item in enumerate(data["items"], start=1):
            if not isinstance(item, dict):
                raise InputError(f"feed item {index} is not a JSON object", source=str(file))
            out.append(
                GoldArticle(
                    id=str(item.get("id") or f"{file_id}#{index}"),
                    text_file=None,
                    meta=dict(item.get("meta") or {}),
                    entities=_dicts(item.get("entities")),
                    amounts=_dicts(item.get("amounts")),
                    events=_dicts(item.get("events")),
                    ignore=_strings(item.get("ignore")) + ignore,
                    gold_file=file.name,
                    container_file=data.get("text_file"),
                    item_index=index,
                )
            )
        return out
    return [
        GoldArticle(
            id=file_id,
            text_file=data.get("text_file"),
            meta=dict(data.get("meta") or {}),
            entities=_dicts(data.get("entities")),
            amounts=_dicts(data.get("amounts")),
            events=_dicts(data.get("events")),
            ignore=ignore,
            gold_file=file.name,
        )
    ]


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


# --------------------------------------------------------------------------- report


@dataclass
class PRF:
    """Counts of one precision/recall/F1 row."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    optional_hits: int = 0  # how many of tp were optional gold items

    def add(self, other: PRF) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.optional_hits += other.optional_hits

    @property
    def precision(self) -> float:
        if self.tp + self.fp == 0:
            return 1.0 if self.fn == 0 else 0.0
        return self.tp / (self.tp + self.fp)

    @property
    def recall(self) -> float:
        if self.tp + self.fn == 0:
            return 1.0 if self.fp == 0 else 0.0
        return self.tp / (self.tp + self.fn)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "optional_hits": self.optional_hits,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


@dataclass
class Accuracy:
    correct: int = 0
    total: int = 0

    def count(self, right: bool) -> None:
        self.total += 1
        self.correct += int(right)

    @property
    def value(self) -> float | None:
        return self.correct / self.total if self.total else None

    def to_json(self) -> dict[str, Any]:
        value = self.value
        return {
            "correct": self.correct,
            "total": self.total,
            "accuracy": None if value is None else round(value, 4),
        }


@dataclass(frozen=True)
class Finding:
    """One miss, extra or wrong argument, for verbose output."""

    article: str
    kind: str  # entity, amount, event, argument, attribute
    type: str  # entity/event type, currency, or argument name
    summary: str

    def to_json(self) -> dict[str, str]:
        return {"article": self.article, "kind": self.kind, "type": self.type, "summary": self.summary}


@dataclass
class Report:
    articles: list[str] = field(default_factory=list)  # gold ids scored
    unpredicted: list[str] = field(default_factory=list)  # gold ids scored with no prediction
    unknown_predictions: list[str] = field(default_factory=list)  # predicted ids not in gold
    only_predicted: bool = False
    entities: PRF = field(default_factory=PRF)
    entity_types: dict[str, PRF] = field(default_factory=dict)
    entity_attributes: dict[str, Accuracy] = field(default_factory=dict)
    amounts: PRF = field(default_factory=PRF)
    amount_currencies: dict[str, PRF] = field(default_factory=dict)
    usd_stated: Accuracy = field(default_factory=Accuracy)
    events: PRF = field(default_factory=PRF)
    event_types: dict[str, PRF] = field(default_factory=dict)
    arguments: Accuracy = field(default_factory=Accuracy)
    argument_names: dict[str, Accuracy] = field(default_factory=dict)
    argument_event_types: dict[str, Accuracy] = field(default_factory=dict)
    stories: PRF | None = None
    story_articles: int = 0
    per_article: dict[str, dict[str, PRF]] = field(default_factory=dict)
    misses: list[Finding] = field(default_factory=list)
    extras: list[Finding] = field(default_factory=list)
    argument_errors: list[Finding] = field(default_factory=list)
    attribute_errors: list[Finding] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "articles": list(self.articles),
            "unpredicted": list(self.unpredicted),
            "unknown_predictions": list(self.unknown_predictions),
            "only_predicted": self.only_predicted,
            "entities": {
                **self.entities.to_json(),
                "types": {k: v.to_json() for k, v in sorted(self.entity_types.items())},
                "attributes": {k: v.to_json() for k, v in sorted(self.entity_attributes.items())},
            },
            "amounts": {
                **self.amounts.to_json(),
                "currencies": {k: v.to_json() for k, v in sorted(self.amount_currencies.items())},
                "usd_stated": self.usd_stated.to_json(),
            },
            "events": {
                **self.events.to_json(),
                "types": {k: v.to_json() for k, v in sorted(self.event_types.items())},
            },
            "arguments": {
                **self.arguments.to_json(),
                "names": {k: v.to_json() for k, v in sorted(self.argument_names.items())},
                "event_types": {k: v.to_json() for k, v in sorted(self.argument_event_types.items())},
            },
            "stories": None
            if self.stories is None
            else {**self.stories.to_json(), "articles": self.story_articles},
            "per_article": {
                aid: {kind: prf.to_json() for kind, prf in rows.items()}
                for aid, rows in self.per_article.items()
            },
            "misses": [f.to_json() for f in self.misses],
            "extras": [f.to_json() for f in self.extras],
            "argument_errors": [f.to_json() for f in self.argument_errors],
            "attribute_errors": [f.to_json() for f in self.attribute_errors],
        }


# --------------------------------------------------------------------------- normalisation

_STOP_TEXT = """
a an the of on in at to for from by with and or nor but as into onto over under after before about
per its it is are was were be been being this that these those their his her they them he she we
our which who whom whose than then also has have had s via between against amid during
"""
_STOP_WORDS = frozenset(_STOP_TEXT.split())


def _fold(text: Any) -> str:
    decomposed = unicodedata.normalize("NFKD", str(text))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def name_key(text: Any) -> str:
    """The comparison key of a name: folded, diacritics, punctuation and spaces removed."""
    if text is None or isinstance(text, (dict, list)):
        return ""
    return "".join(ch for ch in _fold(text) if ch.isalnum())


def _is_cjk(ch: str) -> bool:
    cp = ord(ch)
    return 0x3400 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF or 0x20000 <= cp <= 0x2FFFF


def _words(text: Any) -> list[str]:
    folded = re.sub(r"(?<=\d),(?=\d{3}\b)", "", _fold(text))
    words: list[str] = []
    current: list[str] = []
    for ch in folded:
        if ch.isalnum() and not _is_cjk(ch):
            current.append(ch)
            continue
        if current:
            words.append("".join(current))
            current = []
        if _is_cjk(ch):
            words.append(ch)
    if current:
        words.append("".join(current))
    return words


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _content(words: Iterable[str]) -> set[str]:
    return {_stem(w) for w in words if w not in _STOP_WORDS}


# --------------------------------------------------------------------------- name and text rules

AliasIndex = dict[str, frozenset[str]]


def _entity_names(entity: dict[str, Any]) -> list[str]:
    names = [entity.get("name")]
    aliases = entity.get("aliases")
    if isinstance(aliases, list):
        names.extend(aliases)
    return [n for n in names if isinstance(n, str)]


def _alias_index(entities: Iterable[dict[str, Any]]) -> AliasIndex:
    """key -> every key of every entity that has that key as name or alias."""
    index: dict[str, set[str]] = {}
    for entity in entities:
        keys = {name_key(n) for n in _entity_names(entity)} - {""}
        for key in keys:
            index.setdefault(key, set()).update(keys)
    return {k: frozenset(v) for k, v in index.items()}


@dataclass(frozen=True)
class _Context:
    gold_index: AliasIndex
    pred_index: AliasIndex


_EMPTY_CONTEXT = _Context({}, {})


def names_match(gold: Any, pred: Any, context: _Context = _EMPTY_CONTEXT) -> bool:
    """The name rule: equal keys, or keys linked through the article's entity aliases."""
    gk, pk = name_key(gold), name_key(pred)
    if not gk or not pk:
        return False
    if gk == pk:
        return True
    gold_keys = context.gold_index.get(gk, frozenset()) | {gk}
    pred_keys = context.pred_index.get(pk, frozenset()) | {pk}
    return not gold_keys.isdisjoint(pred_keys)


def text_matches(gold: Any, pred: Any, context: _Context = _EMPTY_CONTEXT) -> bool:
    """The free-text rule: name match, whole-word containment, or >= 50 % content overlap."""
    if gold is None or pred is None or isinstance(gold, (dict, list)) or isinstance(pred, (dict, list)):
        return False
    if names_match(gold, pred, context):
        return True
    gold_words, pred_words = _words(gold), _words(pred)
    if not gold_words or not pred_words:
        return False
    gold_text, pred_text = f" {' '.join(gold_words)} ", f" {' '.join(pred_words)} "
    if pred_text in gold_text and _content(pred_words):
        return True
    if gold_text in pred_text and _content(gold_words):
        return True
    gold_content = _content(gold_words)
    return bool(gold_content) and 2 * len(gold_content & _content(pred_words)) >= len(gold_content)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _close(gold: Any, pred: Any) -> bool:
    g, p = _number(gold), _number(pred)
    if g is None or p is None:
        return False
    return abs(p - g) <= 0.01 * abs(g) + 1e-9


def _rel_diff(gold: Any, pred: Any) -> float:
    g, p = _number(gold), _number(pred)
    if g is None or p is None:
        return float("inf")
    return abs(p - g) / abs(g) if g else abs(p)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _dates_compatible(gold: Any, pred: Any) -> bool:
    if not isinstance(gold, str) or not isinstance(pred, str):
        return False
    g, p = gold.strip(), pred.strip()
    if not g or not p:
        return False
    return g == p or g.startswith(p + "-") or p.startswith(g + "-")


# --------------------------------------------------------------------------- arguments

_ARG_KINDS: dict[str, str] = {
    "funder": "name",
    "recipient": "name",
    "speaker": "name",
    "actor": "name",
    "perpetrator": "name",
    "claimed_by": "name",
    "location": "name",
    "participants": "names",
    "parties": "names",
    "locations": "names",
    "sectors": "terms",
    "victim_nationality": "codes",
    "name": "text",
    "purpose": "text",
    "measure": "text",
    "reason": "text",
    "target": "text",
    "subject": "text",
    "role": "text",
    "value": "number",
    "usd_stated": "number",
    "killed": "number",
    "injured": "number",
    "currency": "code",
    "country": "code",
    "kind": "label",
    "instrument": "label",
    "status": "label",
    "topic": "label",
    "form": "label",
    "date": "date",
    "disputed": "bool",
}

_NOT_ARGUMENTS = frozenset({"type", "optional", "evidence", "argument_evidence", "mentions"})


def _kind_of(name: str, gold_value: Any) -> str:
    kind = _ARG_KINDS.get(name)
    if kind:
        return kind
    if isinstance(gold_value, bool):
        return "bool"
    if isinstance(gold_value, (int, float)):
        return "number"
    if isinstance(gold_value, list):
        return "names"
    return "text"


def _element_rule(kind: str) -> Callable[[Any, Any, _Context], bool]:
    if kind in ("names", "name"):
        return names_match
    if kind == "terms":
        return text_matches
    if kind in ("codes", "code", "label"):
        return lambda g, p, _c: bool(name_key(g)) and name_key(g) == name_key(p)
    if kind == "number":
        return lambda g, p, _c: _close(g, p)
    if kind == "date":
        return lambda g, p, _c: isinstance(g, str) and isinstance(p, str) and g.strip() == p.strip()
    if kind == "bool":
        return lambda g, p, _c: isinstance(p, bool) and p == g
    return text_matches


def argument_right(name: str, gold_value: Any, pred_value: Any, context: _Context = _EMPTY_CONTEXT) -> bool:
    """Whether a predicted argument value gets the gold one right (see the module docstring)."""
    kind = _kind_of(name, gold_value)
    if kind == "names" and not isinstance(gold_value, list):
        kind = "name"
    if kind == "name" and isinstance(gold_value, list):
        kind = "names"
    rule = _element_rule(kind)
    preds = [p for p in _as_list(pred_value) if p is not None]
    if kind in ("names", "terms", "codes"):
        golds = _as_list(gold_value)
        return all(any(rule(g, p, context) for p in preds) for g in golds)
    return any(rule(gold_value, p, context) for p in preds)


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, (str, list, tuple, dict)) and not value)


def _gold_arguments(event: dict[str, Any]) -> list[str]:
    return [k for k, v in event.items() if k not in _NOT_ARGUMENTS and not _is_blank(v)]


def _argument_results(gold: dict[str, Any], pred: dict[str, Any], context: _Context) -> dict[str, bool]:
    return {name: argument_right(name, gold[name], pred.get(name), context) for name in _gold_arguments(gold)}


# --------------------------------------------------------------------------- event match keys


def _shared(gold_list: Any, pred_list: Any, context: _Context) -> int:
    """One-to-one count of gold names matched by predicted names."""
    preds = [p for p in _as_list(pred_list) if p is not None]
    used: set[int] = set()
    shared = 0
    for g in _as_list(gold_list):
        for i, p in enumerate(preds):
            if i not in used and names_match(g, p, context):
                used.add(i)
                shared += 1
                break
    return shared


def _any_name(gold_value: Any, pred_value: Any, context: _Context) -> bool:
    if _is_blank(gold_value):
        return False
    return any(names_match(gold_value, p, context) for p in _as_list(pred_value))


def _group_key(list_arg: str) -> Callable[[dict[str, Any], dict[str, Any], _Context], bool]:
    def match(gold: dict[str, Any], pred: dict[str, Any], context: _Context) -> bool:
        members = _as_list(gold.get(list_arg))
        if not members:
            return not _is_blank(gold.get("name")) and text_matches(gold["name"], pred.get("name"), context)
        return _shared(members, pred.get(list_arg), context) >= min(2, len(members))

    return match


def _financing_key(gold: dict[str, Any], pred: dict[str, Any], context: _Context) -> bool:
    if not _close(gold.get("value"), pred.get("value")):
        return False
    if not name_key(gold.get("currency")) or name_key(gold.get("currency")) != name_key(pred.get("currency")):
        return False
    if _is_blank(gold.get("funder")) and _is_blank(gold.get("recipient")):
        return True
    return _any_name(gold.get("funder"), pred.get("funder"), context) or _any_name(
        gold.get("recipient"), pred.get("recipient"), context
    )


def _attack_key(gold: dict[str, Any], pred: dict[str, Any], context: _Context) -> bool:
    return _any_name(gold.get("location"), pred.get("location"), context) or _dates_compatible(
        gold.get("date"), pred.get("date")
    )


def _arg_key(name: str) -> Callable[[dict[str, Any], dict[str, Any], _Context], bool]:
    return lambda gold, pred, context: _any_name(gold.get(name), pred.get(name), context)


def _protest_key(gold: dict[str, Any], pred: dict[str, Any], context: _Context) -> bool:
    if not _any_name(gold.get("actor"), pred.get("actor"), context):
        return False
    if _is_blank(gold.get("target")):
        return True
    return any(text_matches(gold.get("target"), p, context) for p in _as_list(pred.get("target")))


_EVENT_KEYS: dict[str, Callable[[dict[str, Any], dict[str, Any], _Context], bool]] = {
    "MEETING": _group_key("participants"),
    "FINANCING": _financing_key,
    "PROJECT": _arg_key("name"),
    "AGREEMENT": _group_key("parties"),
    "ATTACK": _attack_key,
    "SECURITY_MEASURE": _arg_key("actor"),
    "STATEMENT": _arg_key("speaker"),
    "PROTEST": _protest_key,
}


def _type_of(item: dict[str, Any]) -> str:
    value = item.get("type")
    return value.strip().upper() if isinstance(value, str) else ""


# --------------------------------------------------------------------------- assignment

Score = tuple[float, ...]


def _assign(
    golds: Sequence[dict[str, Any]],
    preds: Sequence[dict[str, Any]],
    score_pair: Callable[[dict[str, Any], dict[str, Any]], Score | None],
) -> dict[int, int]:
    """Greedy one-to-one assignment, best score first, then augmented to maximum size."""
    candidates: list[tuple[tuple[Any, ...], int, int]] = []
    options: dict[int, list[tuple[tuple[Any, ...], int]]] = {}
    for gi, gold in enumerate(golds):
        optional = bool(gold.get("optional"))
        for pi, pred in enumerate(preds):
            value = score_pair(gold, pred)
            if value is None:
                continue
            order = (*(-x for x in value), optional, gi, pi)
            candidates.append((order, gi, pi))
            options.setdefault(gi, []).append((order, pi))
    candidates.sort()
    gold_to_pred: dict[int, int] = {}
    pred_to_gold: dict[int, int] = {}
    for _order, gi, pi in candidates:
        if gi not in gold_to_pred and pi not in pred_to_gold:
            gold_to_pred[gi] = pi
            pred_to_gold[pi] = gi
    adjacency = {gi: [pi for _o, pi in sorted(opts)] for gi, opts in options.items()}

    def augment(gi: int, seen: set[int]) -> bool:
        for pi in adjacency.get(gi, []):
            if pi in seen:
                continue
            seen.add(pi)
            if pi not in pred_to_gold or augment(pred_to_gold[pi], seen):
                pred_to_gold[pi] = gi
                gold_to_pred[gi] = pi
                return True
        return False

    unmatched = [gi for gi in adjacency if gi not in gold_to_pred]
    unmatched.sort(key=lambda gi: (bool(golds[gi].get("optional")), gi))
    for gi in unmatched:
        augment(gi, set())
    return gold_to_pred


def _entity_score(gold: dict[str, Any], pred: dict[str, Any]) -> Score | None:
    if not _type_of(gold) or _type_of(gold) != _type_of(pred):
        return None
    gold_key = name_key(gold.get("name"))
    gold_keys = {name_key(n) for n in _entity_names(gold)} - {""}
    pred_key = name_key(pred.get("name"))
    pred_alias_keys = {name_key(n) for n in _entity_names(pred)} - {""}
    if pred_key and pred_key == gold_key:
        tier = 3
    elif pred_key and pred_key in gold_keys:
        tier = 2
    elif pred_alias_keys & gold_keys:
        tier = 1
    else:
        return None
    agree = sum(
        argument_right(a, gold[a], pred.get(a)) for a in _ENTITY_ATTRIBUTES if not _is_blank(gold.get(a))
    )
    return (tier, agree)


def _amount_score(gold: dict[str, Any], pred: dict[str, Any]) -> Score | None:
    if not name_key(gold.get("currency")) or name_key(gold.get("currency")) != name_key(pred.get("currency")):
        return None
    if not _close(gold.get("value"), pred.get("value")):
        return None
    usd = _is_blank(gold.get("usd_stated")) or _close(gold.get("usd_stated"), pred.get("usd_stated"))
    return (float(usd), -_rel_diff(gold.get("value"), pred.get("value")))


_ENTITY_ATTRIBUTES = ("role", "country", "kind")


# --------------------------------------------------------------------------- summaries


def _fmt_value(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_fmt_value(v) for v in value) + "]"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _entity_summary(entity: dict[str, Any]) -> str:
    opt = " (optional)" if entity.get("optional") else ""
    return f"{_type_of(entity) or '?'} {entity.get('name')!s}{opt}"


def _amount_summary(amount: dict[str, Any]) -> str:
    text = f" ({amount['text']})" if amount.get("text") else ""
    return f"{_fmt_value(amount.get('value'))} {amount.get('currency')!s}{text}"


_SUMMARY_KEYS = (
    "name",
    "speaker",
    "actor",
    "funder",
    "recipient",
    "participants",
    "parties",
    "value",
    "currency",
    "target",
    "location",
    "date",
)


def _event_summary(event: dict[str, Any]) -> str:
    parts = [_type_of(event) or "?"]
    for key in _SUMMARY_KEYS:
        if not _is_blank(event.get(key)):
            value = _fmt_value(event[key])
            parts.append(f"{key}={value if len(value) <= 60 else value[:57] + '...'}")
    if event.get("optional"):
        parts.append("(optional)")
    return " ".join(parts)


# --------------------------------------------------------------------------- scoring


def _pred_list(prediction: dict[str, Any], key: str) -> list[dict[str, Any]]:
    return _dicts(prediction.get(key))


def score(
    gold: Sequence[GoldArticle],
    predicted: dict[str, dict[str, Any]],
    story_of: dict[str, str] | None = None,
    only_predicted: bool = False,
) -> Report:
    """Compare predictions (article id -> extractor JSON) with the gold articles."""
    gold_ids = {article.id for article in gold}
    report = Report(only_predicted=only_predicted)
    report.unknown_predictions = sorted(k for k in predicted if k not in gold_ids)
    for article in gold:
        prediction = predicted.get(article.id)
        if not isinstance(prediction, dict):
            if only_predicted:
                continue
            report.unpredicted.append(article.id)
            prediction = {}
        report.articles.append(article.id)
        _score_article(article, prediction, report)
    if story_of is not None:
        scored = set(report.articles)
        _score_stories([a for a in gold if a.id in scored], story_of, report)
    return report


def _row(table: dict[str, PRF], key: str) -> PRF:
    return table.setdefault(key or "?", PRF())


_IGNORE_NOTE = re.compile(r"(?P<name>[^():\s]+(?: [^():\s]+){0,4})\s+\([^()]*\)")


_THE = re.compile(r"^the\s+", re.IGNORECASE)


def _ignored_keys(strings: list[str]) -> set[str]:
    """The keys an article's ``ignore`` strings excuse: each string's own, and a name of up to five words
    before a bracketed note ("VCG (photo credit)" ignores VCG), which is how annotators say why a name is
    ignored; a longer string is a remark, whatever its brackets hold. "The Jakarta Post" ignores the
    outlet however the article is named, with its article or without."""
    keys = set()
    for string in strings:
        noted = _IGNORE_NOTE.fullmatch(string)
        for name in (string, noted["name"]) if noted else (string,):
            keys |= {name_key(name), name_key(_THE.sub("", name))}
    return keys - {""}


def _score_article(article: GoldArticle, prediction: dict[str, Any], report: Report) -> None:
    pred_entities = _pred_list(prediction, "entities")
    pred_amounts = _pred_list(prediction, "amounts")
    pred_events = _pred_list(prediction, "events")
    context = _Context(_alias_index(article.entities), _alias_index(pred_entities))
    ignored = _ignored_keys(article.ignore)
    aid = article.id

    # entities
    counts = PRF()
    pairs = _assign(article.entities, pred_entities, _entity_score)
    for gi, gold in enumerate(article.entities):
        row = _row(report.entity_types, _type_of(gold))
        if gi in pairs:
            pred = pred_entities[pairs[gi]]
            _hit(counts, row, gold)
            for attr in _ENTITY_ATTRIBUTES:
                if _is_blank(gold.get(attr)):
                    continue
                right = argument_right(attr, gold[attr], pred.get(attr), context)
                report.entity_attributes.setdefault(attr, Accuracy()).count(right)
                if not right:
                    report.attribute_errors.append(
                        Finding(
                            aid,
                            "attribute",
                            attr,
                            f"{_entity_summary(gold)}: {attr} gold={gold[attr]!r} "
                            f"predicted={pred.get(attr)!r}",
                        )
                    )
        elif not gold.get("optional"):
            counts.fn += 1
            row.fn += 1
            report.misses.append(Finding(aid, "entity", _type_of(gold), _entity_summary(gold)))
    matched = set(pairs.values())
    for pi, pred in enumerate(pred_entities):
        if pi in matched or not ignored.isdisjoint(map(name_key, _entity_names(pred))):
            continue
        counts.fp += 1
        _row(report.entity_types, _type_of(pred)).fp += 1
        report.extras.append(Finding(aid, "entity", _type_of(pred), _entity_summary(pred)))
    report.entities.add(counts)
    per_article = {"entities": counts}

    # amounts
    counts = PRF()
    pairs = _assign(article.amounts, pred_amounts, _amount_score)
    for gi, gold in enumerate(article.amounts):
        currency = str(gold.get("currency") or "").upper()
        row = _row(report.amount_currencies, currency)
        if gi in pairs:
            _hit(counts, row, gold)
            if not _is_blank(gold.get("usd_stated")):
                report.usd_stated.count(_close(gold["usd_stated"], pred_amounts[pairs[gi]].get("usd_stated")))
        elif not gold.get("optional"):
            counts.fn += 1
            row.fn += 1
            report.misses.append(Finding(aid, "amount", currency, _amount_summary(gold)))
    matched = set(pairs.values())
    for pi, pred in enumerate(pred_amounts):
        if pi in matched or name_key(pred.get("text")) in ignored:
            continue
        currency = str(pred.get("currency") or "").upper()
        counts.fp += 1
        _row(report.amount_currencies, currency).fp += 1
        report.extras.append(Finding(aid, "amount", currency, _amount_summary(pred)))
    report.amounts.add(counts)
    per_article["amounts"] = counts

    # events
    counts = PRF()
    results: dict[tuple[int, int], dict[str, bool]] = {}

    def event_score(gold: dict[str, Any], pred: dict[str, Any]) -> Score | None:
        kind = _type_of(gold)
        if not kind or kind != _type_of(pred):
            return None
        key = _EVENT_KEYS.get(kind)
        if key is not None and not key(gold, pred, context):
            return None
        outcome = _argument_results(gold, pred, context)
        results[(id(gold), id(pred))] = outcome
        return (sum(outcome.values()),)

    pairs = _assign(article.events, pred_events, event_score)
    for gi, gold in enumerate(article.events):
        kind = _type_of(gold)
        row = _row(report.event_types, kind)
        if gi not in pairs:
            if not gold.get("optional"):
                counts.fn += 1
                row.fn += 1
                report.misses.append(Finding(aid, "event", kind, _event_summary(gold)))
            continue
        pred = pred_events[pairs[gi]]
        _hit(counts, row, gold)
        for name, right in results[(id(gold), id(pred))].items():
            report.arguments.count(right)
            report.argument_names.setdefault(name, Accuracy()).count(right)
            report.argument_event_types.setdefault(kind, Accuracy()).count(right)
            if not right:
                report.argument_errors.append(
                    Finding(
                        aid,
                        "argument",
                        name,
                        f"{_event_summary(gold)}: {name} gold={_fmt_value(gold[name])!r} "
                        f"predicted={_fmt_value(pred.get(name))!r}",
                    )
                )
    matched = set(pairs.values())
    for pi, pred in enumerate(pred_events):
        if pi in matched:
            continue
        counts.fp += 1
        _row(report.event_types, _type_of(pred)).fp += 1
        report.extras.append(Finding(aid, "event", _type_of(pred), _event_summary(pred)))
    report.events.add(counts)
    per_article["events"] = counts
    report.per_article[aid] = per_article


def _hit(counts: PRF, row: PRF, gold: dict[str, Any]) -> None:
    optional = int(bool(gold.get("optional")))
    counts.tp += 1
    row.tp += 1
    counts.optional_hits += optional
    row.optional_hits += optional


def _score_stories(gold: Sequence[GoldArticle], story_of: dict[str, str], report: Report) -> None:
    usable = [a for a in gold if a.story and a.id in story_of and story_of[a.id] is not None]
    stories = PRF()
    for a, b in combinations(usable, 2):
        same_gold = a.story == b.story
        same_pred = story_of[a.id] == story_of[b.id]
        if same_gold and same_pred:
            stories.tp += 1
        elif same_pred:
            stories.fp += 1
        elif same_gold:
            stories.fn += 1
    report.stories = stories
    report.story_articles = len(usable)


# --------------------------------------------------------------------------- text output


def _prf_line(label: str, prf: PRF, width: int) -> str:
    return (
        f"{label:<{width}} {prf.tp:>5} {prf.fp:>5} {prf.fn:>5} {prf.optional_hits:>5}"
        f" {prf.precision:>9.3f} {prf.recall:>7.3f} {prf.f1:>7.3f}"
    )


def _acc_line(label: str, acc: Accuracy, width: int) -> str:
    value = acc.value
    shown = "-" if value is None else f"{value:.3f}"
    return f"{label:<{width}} {acc.correct:>7} {acc.total:>7} {shown:>9}"


def format_report(report: Report, verbose: bool = False) -> str:
    """A plain-text rendering of `report`: aligned tables, then findings when verbose."""
    lines: list[str] = []
    scored = len(report.articles)
    lines.append(
        f"Scored {scored} gold article{'s' if scored != 1 else ''}"
        f" ({scored - len(report.unpredicted)} with a prediction, {len(report.unpredicted)} without)"
        + (", restricted to predicted articles" if report.only_predicted else "")
    )
    if report.unpredicted:
        lines.append("No prediction for: " + ", ".join(report.unpredicted))
    if report.unknown_predictions:
        lines.append(
            "Predictions with no gold article (not scored): " + ", ".join(report.unknown_predictions)
        )
    lines.append("")

    width = 22
    header = (
        f"{'':<{width}} {'tp':>5} {'fp':>5} {'fn':>5} {'opt':>5} {'precision':>9} {'recall':>7} {'f1':>7}"
    )
    lines.append(header)
    lines.append("-" * len(header))
    lines.append(_prf_line("entities", report.entities, width))
    for key in sorted(report.entity_types):
        lines.append(_prf_line(f"  {key}", report.entity_types[key], width))
    lines.append(_prf_line("amounts", report.amounts, width))
    for key in sorted(report.amount_currencies):
        lines.append(_prf_line(f"  {key}", report.amount_currencies[key], width))
    lines.append(_prf_line("events", report.events, width))
    for key in sorted(report.event_types):
        lines.append(_prf_line(f"  {key}", report.event_types[key], width))
    if report.stories is not None:
        lines.append(_prf_line("story pairs", report.stories, width))
        lines.append(f"  ({report.story_articles} articles with a gold and a predicted story)")
    lines.append("(opt = true positives that were optional gold items)")
    lines.append("")

    header = f"{'':<{width}} {'correct':>7} {'total':>7} {'accuracy':>9}"
    lines.append(header)
    lines.append("-" * len(header))
    lines.append(_acc_line("event arguments", report.arguments, width))
    for key in sorted(report.argument_names):
        lines.append(_acc_line(f"  {key}", report.argument_names[key], width))
    lines.append("by event type")
    for key in sorted(report.argument_event_types):
        lines.append(_acc_line(f"  {key}", report.argument_event_types[key], width))
    lines.append("entity attributes")
    for key in sorted(report.entity_attributes):
        lines.append(_acc_line(f"  {key}", report.entity_attributes[key], width))
    lines.append(_acc_line("amount usd_stated", report.usd_stated, width))

    if verbose:
        for title, findings in (
            ("Misses", report.misses),
            ("Extras", report.extras),
            ("Wrong event arguments", report.argument_errors),
            ("Wrong entity attributes", report.attribute_errors),
        ):
            lines.append("")
            lines.append(f"{title} ({len(findings)})")
            for finding in findings:
                lines.append(f"  [{finding.article}] {finding.kind}: {finding.summary}")
    return "\n".join(lines)


def source_files(gold: Sequence[GoldArticle], folder: Path) -> list[Path]:
    """The files that hold the gold articles: text files and pages, and each feed once for all its items."""
    names = dict.fromkeys(a.text_file or a.container_file for a in gold if a.text_file or a.container_file)
    return [folder / name for name in names if name and (folder / name).exists()]
