"""Entities: spaCy NER plus the knowledge ruler, merged into one record per real-world thing.

The statistical model finds names the knowledge files do not know; the ruler gives known names their
canonical form, type, kind and country. Mentions are then grouped: surnames and first names join
the full name they shorten ("Kakar" -> "Anwar-ul-Haq Kakar"), acronyms in brackets join the name
they follow, a capital used for its government joins its country.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise

from rapidfuzz import fuzz
from spacy.tokens import Doc, Span, Token

from beltwatch.extract.amounts import currencies
from beltwatch.extract.evidence import Sentences
from beltwatch.extract.nlp import doc_text, has_cjk
from beltwatch.knowledge import Country, Knowledge, KnownEntity
from beltwatch.model import Entity, Mention

LABELS = {"PERSON", "ORG", "GPE", "LOC", "FAC", "PROJECT", "EVENT"}
PLACE_PREPOSITIONS = {
    "in", "to", "at", "from", "near", "outside", "into", "via", "towards", "toward", "across", "around", "between",
    "of", "through", "on", "inside", "off",
}  # fmt: skip
# words of going somewhere: a capital they lead "to" is the city ("flew to Beijing", "a visit to Beijing")
MOTION_WORDS = {
    "go", "travel", "fly", "visit", "return", "arrive", "come", "move", "head", "trip", "flight", "journey", "route",
    "road", "railway", "line", "link", "way", "tour", "drive", "sail", "ship", "export", "transport", "deliver",
    "bring", "take", "send", "invite", "invitation", "delegation", "corridor", "connect", "connection",
}  # fmt: skip
LEADING_WORDS = {"the", "a", "an"}
STATE_WORDS = {"the", "government", "govt", "republic", "people", "'s", "’s", "state", "kingdom", "federal", "islamic"}
COMPASS_WORDS = {"north", "south", "east", "west", "central", "upper", "lower"}
TITLE_PREFIXES = {"prime", "foreign", "interior"}  # words that begin a title ("Prime Minister")
POSSESSIVE = {"'s", "’s", "'", "’"}
QUOTATION_OPENERS = {"“", '"', "‘", "'", "(", "[", ":"}
PORTFOLIO_HOLDERS = {"minister", "ministers"}  # "Minister for Railways"; a "secretary of" may be an organisation's


@dataclass
class Found:
    """One cleaned name occurrence before grouping."""

    text: str
    label: str
    start: int
    end: int
    known: KnownEntity | None = None
    country_code: str | None = None  # set for country names
    group: int = -1
    name: str | None = None  # when the text lacks a head word it shares ("Mangla" in "Mangla and Tarbela dams")

    @property
    def full_name(self) -> str:
        return self.name or self.text


@dataclass
class Group:
    """Occurrences believed to name one real-world thing."""

    found: list[Found] = field(default_factory=list)
    known: KnownEntity | None = None
    country_code: str | None = None

    @property
    def label(self) -> str:
        if self.known:
            return self.known.type
        if self.country_code:
            return "GPE"
        return Counter(f.label for f in self.found).most_common(1)[0][0]

    @property
    def surfaces(self) -> list[str]:
        return list(dict.fromkeys(f.text for f in self.found))


def normalise(name: str) -> str:
    """Case-folded, accent-free, punctuation-free form used to compare names."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[^\w\s]", " ", text.casefold())
    return " ".join(text.split())


def _title_case_lines(text: str) -> list[tuple[int, int]]:
    """Lines written in headline case, where the model mistakes capitalised verbs for names."""
    spans, pos = [], 0
    for line in text.splitlines(keepends=True):
        words = re.findall(r"[A-Za-z][\w'’-]*", line)
        if len(words) >= 5 and sum(w[0].isupper() for w in words) / len(words) >= 0.6:
            spans.append((pos, pos + len(line)))
        pos += len(line)
    return spans


def _trim(span: Span) -> Span | None:
    """Drop leading articles and stray punctuation, trailing possessives, anything after a line break and
    half a bracket: "KU) Confucius Institute" -> "Confucius Institute", "Special Protection Unit (SPU" ->
    "Special Protection Unit" (the bracketed acronym joins it later). A name that ends in "of" or "and" is
    the front of a longer name whose rest was taken for something else: it is dropped."""
    start, end = span.start, span.end
    doc = span.doc
    for i in range(start, end):
        if doc[i].text == ")" and "(" not in doc[start:i].text:
            start = i + 1
    while start < end and (doc[start].lower_ in LEADING_WORDS or doc[start].is_punct or not doc[start].text.strip()):
        start += 1
    for i in range(start, end):
        if doc[i].text == "(" and ")" not in doc[i:end].text:
            end = i
            break
    while end > start and (
        doc[end - 1].text in POSSESSIVE
        or not doc[end - 1].text.strip()
        or doc[end - 1].is_punct
        or (doc[end - 1].is_lower and doc[end - 1].pos_ in ("ADP", "ADJ", "DET") and doc[end - 1].lower_ not in ("of", "and", "for"))
    ):  # "Great Hall of the People in central": a name ends in a name word
        end -= 1
    for i in range(start, end):
        if "\n" in doc[i].text or (i > start and "\n" in doc[i - 1].whitespace_ + doc[i - 1].text[-1:]):
            end = i
            break
    if end > start and doc[end - 1].lower_ in ("of", "and", "&", "for", "the"):
        return None
    return doc[start:end] if end > start else None


def _whole_name(span: Span, knowledge: Knowledge) -> Span:
    """A person's name with the capitalised name words the model left beside it: "Sindh IG Mushtaq Ahmed
    Mahar" is tagged "Ahmed Mahar", and "Mushtaq" belongs to it. Titles, compass words and other
    entities' words stop it."""
    doc = span.doc

    def name_word(tok: Token, after: bool) -> bool:
        # after the name, the model's own ORG or PERSON may hold the rest of it ("Varun" + ORG "Tesh
        # Maharaj"); before it, another entity's word is the end of that entity ("... Transport János")
        tagged = not tok.ent_type_ or (after and tok.ent_type_ in ("PERSON", "ORG") and not tok.ent_id_)
        return (
            tok.pos_ == "PROPN"
            and tok.is_title
            and tagged
            and knowledge.org_kind(tok.text) == "other"
            and tok.lower_ not in knowledge.title_heads
            and tok.lower_ not in knowledge.honorifics
            and tok.lower_ not in COMPASS_WORDS
            and tok.lower_ not in TITLE_PREFIXES
            and tok.text not in knowledge.country_by_demonym
            and "\n" not in tok.whitespace_
        )

    start, end = span.start, span.end
    while start > 0 and name_word(doc[start - 1], after=False):
        start -= 1
    while end < len(doc) and name_word(doc[end], after=True) and "\n" not in doc[end - 1].whitespace_:
        end += 1
    return doc[start:end]


@cache
def _known_by_id(knowledge: Knowledge) -> dict[str, KnownEntity]:
    return {e.id: e for e in knowledge.entities}


def _with_place_after_of(ent: Span, ents: tuple[Span, ...]) -> Span:
    """"Central Bank of" + the known place "Argentina": the ruler took the place, and the model left the
    organisation's name cut before it. The organisation runs over the place (which stays a place of its
    own, as `_places_inside` has it) and the name words after it."""
    doc = ent.doc
    if ent.ent_id_ or ent.label_ != "ORG" or ent.end >= len(doc) or doc[ent.end - 1].lower_ != "of":
        return ent
    after = next((e for e in ents if e.start == ent.end), None)
    if after is None or after.label_ != "GPE" or not after.ent_id_:
        return ent
    if {t.lower_ for t in ent[:-1]} <= STATE_WORDS:
        return ent  # "the Government of Ghana" is Ghana, as a capital standing for it is
    end = after.end
    while end < len(doc) and doc[end].is_title and doc[end].pos_ in ("PROPN", "NOUN") and not doc[end].ent_type_:
        end += 1  # "Engineering Corps of" + "Bangladesh" + "Army"
    return doc[ent.start : end]


def _body_elsewhere(span: Span, body: KnownEntity, ents: tuple[Span, ...]) -> Span | None:
    """A known organisation named by a general alias ("Chinese Embassy") and then placed somewhere its
    own names do not say ("... in Myanmar") is another body of the same kind: the span over both."""
    doc = span.doc
    if body.kind != "government" or span.end + 1 >= len(doc) or doc[span.end].lower_ not in ("in", "at"):
        return None  # a company "in Pakistan" is the company, working there
    place = next((e for e in ents if e.start == span.end + 1 and e.label_ == "GPE"), None)
    if place is None:
        return None
    whole = doc[span.start : place.end]
    return None if normalise(whole.text) in {normalise(n) for n in body.names} else whole


# capitalised words, perhaps joined by dashes, then a bracketed acronym, just before a known name
_FRONT_AND_ACRONYM = re.compile(r"((?:[A-Z][\w]*[ \t]*[-–][ \t]*)*[A-Z][\w]*)[ \t]+\([A-Z]{2,10}\)[ \t]+$")


def _name_around_an_acronym(span: Span, knowledge: Knowledge) -> tuple[Span, str] | None:
    """An acronym written inside a name ("the Export – Import (EXIM) Bank of China") leaves its end looking like
    another known name ("Bank of China"): the front, less the acronym, with that end is the name."""
    text = doc_text(span.doc)
    m = _FRONT_AND_ACRONYM.search(text, max(0, span.start_char - 60), span.start_char)
    body = m and _known_by_name(knowledge).get(normalise(f"{m.group(1)} {span.text}"))
    whole = body and span.doc.char_span(m.start(1), span.end_char, alignment_mode="expand")
    return (whole, body.id) if body and whole is not None else None


@cache
def _known_by_name(knowledge: Knowledge) -> dict[str, KnownEntity]:
    return {normalise(n): e for e in knowledge.entities for n in e.names}


def _rest_of_known_name(span: Span, person: KnownEntity) -> Span:
    """"President Xi Jinping" matches the alias "President Xi"; "Jinping" is still his name."""
    words = set(person.name.split())
    end = span.end
    while end < len(span.doc) and span.doc[end].text in words and span.doc[end].text not in span.text.split():
        end += 1
    return span.doc[span.start : end]


def _person_after_title(span: Span, label: str, knowledge: Knowledge) -> tuple[Span | None, str]:
    """A title inside what the model called an organisation or a place: "Kazakh President Kassym-Jomart
    Tokayev" is a person, "Minister of Transportation" an office and no entity at all."""
    if label == "PERSON":
        return span, label
    titles = [i for i, tok in enumerate(span) if tok.lower_ in knowledge.title_heads]
    if not titles:
        whole = _whole_name(span, knowledge)
        after_title = whole.start > 0 and whole.doc[whole.start - 1].lower_ in knowledge.title_heads
        if after_title and label == "ORG" and _name_like(whole) and knowledge.org_kind(whole.text) == "other":
            return whole, "PERSON"  # "Sindh IG Varun Tesh Maharaj", the model's ORG "Tesh Maharaj"
        return span, label
    rest = span[titles[-1] + 1 :]
    while len(rest) > 1 and rest[0].lower_ in COMPASS_WORDS:  # "DIG South Javeed Alam Odho"
        rest = rest[1:]
    if len(rest) and _name_like(rest) and knowledge.org_kind(rest.text) == "other":
        return rest, "PERSON"
    owner = all(t.text in knowledge.country_by_demonym or t.ent_id_.startswith("country:") for t in span[: titles[0]])
    office = owner and (not len(rest) or rest[0].lower_ in ("of", "for"))  # "Kazakh President", "Minister of ..."
    return (None, label) if office else (span, label)


def _abbreviated(role: str) -> bool:
    """A role of short forms only ("Pak PM", "DIG South" is not: it says where)."""
    return all(len(word) <= 4 for word in role.split())


def _name_like(span: Span) -> bool:
    return all(t.pos_ == "PROPN" and (t.is_title or "-" in t.text) or t.text == "-" for t in span)


def _strip_title(span: Span, knowledge: Knowledge) -> Span:
    """"Foreign Minister Shah Mahmood Qureshi" -> "Shah Mahmood Qureshi"."""
    last_title = -1
    for i, tok in enumerate(span):
        if tok.lower_ in knowledge.title_heads or tok.lower_ in TITLE_PREFIXES:
            last_title = i
    span = span[last_title + 1 :] if 0 <= last_title < len(span) - 1 else span
    while len(span) > 1 and (span[0].lower_ in knowledge.honorifics or span[0].text == "."):
        span = span[1:]
    return span


def find_names(doc: Doc, knowledge: Knowledge) -> list[Found]:
    """Every name occurrence the ruler or the model found, cleaned and filtered; a facility or project
    name by its head word ("... Motorway", "Port of ...") wins over what the model made of its words."""
    known = _known_by_id(knowledge)
    demonyms = set(knowledge.country_by_demonym)
    ents, text = doc.ents, doc_text(doc)  # ents is built anew on every access
    headline_spans = _title_case_lines(text)
    outside_headlines = " ".join(text[a:b] for a, b in _complement(headline_spans, len(text)))
    known_spans = [(e.start_char, e.end_char) for e in ents if e.ent_id_]
    known_names = [(e.start_char, e.end_char) for e in ents if e.ent_id_ in known and known[e.ent_id_].type not in ("GPE", "LOC")]
    infrastructure = [
        f for f in [*infrastructure_names(text, knowledge), *state_ministries(text, knowledge)]
        if not any(a <= f.start and f.end <= b for a, b in known_spans)
    ] + places_by_head(text, knowledge, known_spans) + people_after_titles(doc, knowledge) + facilities_sharing_a_head(text, knowledge, known_spans) + place_bodies(text, knowledge) + missions_of_states(text, knowledge, known_spans) + bodies_of_states(text, knowledge, known_spans) + facilities_by_their_place(text, knowledge) + [
        f for f in organisations_named_after_places(text, knowledge)
        if all(_outside_or_longer(f, a, b, knowledge) for a, b in known_names)
    ]  # fmt: skip
    out = list(infrastructure)
    people: list[Span] = []  # persons' names as completed, which the model's pieces of them must not repeat
    longer = _known_ends_of_longer_names(ents, known)
    no_names: set[str] = set()  # acronyms of names that are no entities ("Standard Operating Procedure (SOP)")
    for ent in ents:
        if ent.label_ not in LABELS or any(f.start < ent.end_char and ent.start_char < f.end for f in infrastructure):
            continue
        whole = longer.get((ent.start, ent.end))
        if whole is not None and whole.end != ent.end:
            continue  # the front of a longer name, taken with the rest below
        ent = whole if whole is not None else ent
        if any(p.start <= ent.start and ent.end <= p.end for p in people):
            continue
        if ent.ent_id_.startswith("country:") and _in_a_currency(ent, doc_text(doc), knowledge):
            continue  # "US" in "3 billion US dollars" names money, not the country
        span = _trim(_with_place_after_of(ent, ents))
        if span is None:
            continue
        kid = ent.ent_id_ if whole is None else ""  # a span's ent_id_ is its root token's
        label = ent.label_
        if not kid:
            span, label = _person_after_title(span, label, knowledge)
            if span is None:
                continue
        if not kid and label == "PERSON":
            span = _strip_title(_whole_name(span, knowledge), knowledge)
            people.append(span)
        elif kid in known and known[kid].type == "PERSON":
            span = _rest_of_known_name(span, known[kid])
        elif kid in known and known[kid].type == "ORG" and (around := _name_around_an_acronym(span, knowledge)):
            span, kid = around  # "the Export – Import (EXIM) Bank of China" is no Bank of China
        elif kid in known and known[kid].type == "ORG":
            elsewhere = _body_elsewhere(span, known[kid], ents)
            if elsewhere is not None:  # "the Chinese Embassy in Myanmar" is not the one in Pakistan
                span, kid = elsewhere, ""
        elif kid in known and known[kid].type == "FAC":
            town = _port_city_town(span, knowledge)
            if town is not None:  # "Gwadar port city" is the town
                span, kid, label = town[0], town[1].id, "GPE"
        text = span.text.strip()
        if not kid and (
            text in knowledge.not_entities
            or text.lower() in knowledge.title_heads
            or text.lower() in knowledge.honorifics  # "Tun Dr" less its "Tun"
            or text.lower() in COMPASS_WORDS  # "relations with the West", "in South" cut off from "Asia"
            or _names_money(text)  # "Chinese yuan", "USD45B"
            or _is_title_word(span, ent.label_, knowledge)
            or _is_portfolio(span, label)
            or _names_no_organisation(span, label, knowledge, no_names)
            or _first_of_a_compound(span)
            or _a_kind_of_thing(text, knowledge)
            or _cut_off(span)
            or not _plausible(span, text, demonyms, headline_spans, outside_headlines)
            or text in no_names
        ):
            continue
        if not kid and label == "ORG" and _person_by_company(span, knowledge):
            label = "PERSON"
        if not kid and label in ("ORG", "EVENT"):
            span, label = _numbered_event(span, label, knowledge)
            text = span.text.strip()
        state = _government_of(text, knowledge) if not kid and label == "ORG" else None
        if state is not None:  # "the Chinese Government" acts for China, as "Beijing" does
            label, kid = "GPE", f"country:{state.code}"
        found = Found(text, label, span.start_char, span.end_char)
        if label == "ORG" and _the_in_name(span, headline_spans):
            found.name = f"The {text}"
        if kid.startswith("country:"):
            found.country_code = kid.split(":", 1)[1]
        elif kid:
            found.known = known[kid]
        out.append(found)
        if label == "ORG" and span.end <= ent.end:
            out.extend(_places_inside(span, knowledge))
    return out


def _port_city_town(span: Span, knowledge: Knowledge) -> tuple[Span, KnownEntity] | None:
    """"the Gwadar port city": a known port's name before "city" names the town, when the knowledge
    files know the town by the port's name less its word."""
    doc = span.doc
    if len(span) < 2 or span[-1].lower_ != "port" or span.end >= len(doc) or doc[span.end].lower_ != "city":
        return None
    town = span[:-1]
    place = _known_places(knowledge).get(town.text)
    return (town, place) if place is not None else None


def _known_ends_of_longer_names(ents: tuple[Span, ...], known: dict[str, KnownEntity]) -> dict[int, Span]:
    """A known organisation's name that ends a longer one the model saw in front of it ("Commercial" +
    "Bank of China", "Agricultural Development" + "Bank of China") names another organisation: the whole
    span, unknown, keyed by each part's (start, end)."""
    out: dict[tuple[int, int], Span] = {}
    for front, ent in pairwise(ents):
        body = known.get(ent.ent_id_)
        if body is None or body.type != "ORG" or front.ent_id_ or front.label_ != "ORG" or front.end != ent.start:
            continue
        if not (front[-1].is_title or front[-1].text.endswith("-")) or "\n" in front[-1].whitespace_:
            continue
        whole = Span(ent.doc, front.start, ent.end, label="ORG")
        out[front.start, front.end] = out[ent.start, ent.end] = whole
    return out


@cache
def _currency_with_country(knowledge: Knowledge) -> re.Pattern[str]:
    """The currency forms of currencies.yaml that hold a country's name ("US dollars", "$US", "U.S.$")."""
    vocab = currencies()
    names = {n for c in knowledge.countries for n in c.names}
    forms = [f for f in {*vocab.before, *vocab.after} if any(re.search(rf"(?<!\w){re.escape(n)}(?!\w)", f) for n in names)]
    alternation = "|".join(r"\s+".join(re.escape(w) for w in f.split()) for f in sorted(forms, key=len, reverse=True))
    return re.compile(rf"(?i:{alternation})")


def _names_money(text: str) -> bool:
    vocab = currencies()
    return vocab.code_of(text, "after") is not None or vocab.code_of(text, "before") is not None or any(
        m.group(0) == text for m in vocab.scan(text)
    )


def _in_a_currency(ent: Span, text: str, knowledge: Knowledge) -> bool:
    start = max(0, ent.start_char - 8)
    return any(
        m.start() + start <= ent.start_char and ent.end_char <= m.end() + start
        for m in _currency_with_country(knowledge).finditer(text[start : ent.end_char + 12])
    )


_NAME_PARTICLES = {"bin", "bint", "ibn", "al", "el", "de", "dela", "del", "da", "van", "von", "ur", "ul"}


def people_after_titles(doc: Doc, knowledge: Knowledge) -> list[Found]:
    """A full name after a title ("ambassador Bai Tian", "Saudi King Salman bin Abdulaziz Al Saud") is a
    person's, whatever the model made of it or if it saw nothing: two or more capitalised name words,
    no known name among them, and no organisation's word after them ("Chairman Shandong Ruyi Group")."""
    out = []
    for tok in doc:
        if tok.lower_ not in knowledge.title_heads or tok.is_upper:
            continue
        start = _after_posting(doc, tok.i + 1)
        end = start
        while end < len(doc) and (
            _personal_name_word(doc[end], knowledge)
            or (doc[end].lower_ in _NAME_PARTICLES and end + 1 < len(doc) and _personal_name_word(doc[end + 1], knowledge))
        ):
            end += 1
        if end - start < 2 or (end < len(doc) and doc[end].is_title and knowledge.org_kind(doc[end].text) != "other"):
            continue
        name = doc[start:end]
        if not _cut_off(name):
            out.append(Found(name.text, "PERSON", name.start_char, name.end_char))
    return out


def _after_posting(doc: Doc, i: int) -> int:
    """Past the country a title names after it: "ambassador to Malaysia Bai Tian"."""
    if i + 1 >= len(doc) or doc[i].lower_ not in ("to", "in") or not doc[i + 1].ent_id_.startswith("country:"):
        return i
    end = i + 2
    while end < len(doc) and doc[end].ent_iob_ == "I":
        end += 1
    return end


def _personal_name_word(tok: Token, knowledge: Knowledge) -> bool:
    return (
        tok.is_title
        and tok.is_alpha
        and not tok.ent_id_
        and tok.lower_ not in knowledge.title_heads
        and tok.lower_ not in knowledge.honorifics
        and tok.lower_ not in COMPASS_WORDS
        and tok.lower_ not in TITLE_PREFIXES
        and knowledge.org_kind(tok.text) == "other"
        and not _not_a_name_word(tok.text, knowledge)
        and "\n" not in tok.whitespace_
    )


def _the_in_name(span: Span, headline_spans: list[tuple[int, int]]) -> bool:
    """"told The Express Tribune": a capital "The" inside a sentence is part of the name it begins; after an
    opening quote or bracket it starts the quotation ("“The Ministry of Foreign Affairs is ...")."""
    before = span.doc[span.start - 1] if span.start > 0 else None
    return (
        before is not None
        and before.text == "The"
        and not before.is_sent_start
        and not (before.i > 0 and span.doc[before.i - 1].text in QUOTATION_OPENERS)
        and not any(a <= before.idx < b for a, b in headline_spans)
    )


_NAME_WORD = r"(?:[A-Z]\w*|\d+(?:st|nd|rd|th)?)"
_JOIN = r"(?:[ \t]+|[ \t]*[-–][ \t]*)"


@cache
def _infrastructure_patterns(knowledge: Knowledge) -> tuple[re.Pattern[str], re.Pattern[str]]:
    heads = sorted(knowledge.infrastructure.heads, key=len, reverse=True)
    head = "|".join(r"[ \t-]+".join(re.escape(w) for w in h.split()) for h in heads)
    named = re.compile(
        rf"(?<![\w-])((?:{_NAME_WORD}{_JOIN}){{1,7}})((?i:{head}))((?:[ \t]+Project)?)"
        rf"(?![\w-]|[ \t]+[A-Z]|[ \t]+(?:and|&)[ \t]+[A-Z])"  # "China Road and Bridge Corporation" is a firm
    )
    port_of = "|".join(re.escape(h.title()) for h in knowledge.infrastructure.port_of)
    of_place = re.compile(rf"(?<![\w-])(?:{port_of}) of {_NAME_WORD}(?:{_JOIN}{_NAME_WORD}){{0,2}}")
    return named, of_place


def infrastructure_names(text: str, knowledge: Knowledge) -> list[Found]:
    """Facility and project names by their head word: "Multan-Sukkur Motorway" (FAC), "Karot Hydropower
    Project" (PROJECT), "Port of Chancay" (FAC). The name runs over the capitalised words before the head,
    less leading function words, titles, demonyms and dates; a head of generic words alone names nothing."""
    named, of_place = _infrastructure_patterns(knowledge)
    infra = knowledge.infrastructure
    out = []
    for m in named.finditer(text):
        words = re.findall(rf"{_NAME_WORD}|[-–]", m.group(1))
        lead = 0
        while lead < len(words) and (words[lead] in "-–" or _not_a_name_word(words[lead], knowledge)):
            lead += 1
        head = m.group(2)
        if head.lower() in infra.port_of and re.match(r"[ \t]+city\b", text[m.end(2) :]):
            continue  # "Djibouti's Red Sea port city" is the town
        while words[lead:] and f"{words[-1]} {head}".lower() in infra.heads:
            head = f"{words.pop()} {head}"  # the greedy name took the first word of a longer head ("Ring Road")
        name_words = [w for w in words[lead:] if w not in "-–"]
        if not any(w.lower() not in infra.generic and not w[0].isdigit() for w in name_words):
            continue
        if head.islower() and len(head.split()) == 1 and len(name_words) < 2:
            continue  # "Gwadar port": a town and a common noun, left to the knowledge files
        if head.lower() in infra.joined_only and not any(w in "-–" for w in words[lead:]):
            continue  # "the Silk Road" is no road; "Garsen-Witu-Lamu Road" is
        start = m.start(1) + m.group(1).index(words[lead]) if lead < len(words) else m.start(2)
        end = m.end(3) if m.group(3) else m.end(2)
        label = "PROJECT" if m.group(3) else infra.type_of(head)
        out.append(Found(text[start:end], label, start, end))
    for m in of_place.finditer(text):
        if not any(f.start <= m.start() < f.end for f in out):
            out.append(Found(m.group(0), "FAC", m.start(), m.end()))
    return out + _ports_of_places(text, knowledge)


@cache
def _facility_in_place_pattern(knowledge: Knowledge) -> re.Pattern[str]:
    heads = sorted(knowledge.infrastructure.facilities - knowledge.infrastructure.not_projects, key=len, reverse=True)
    head = "|".join(r"[ \t]+".join(re.escape(w) for w in h.split()) for h in heads)
    place = rf"{_NAME_WORD}(?:[ \t]+{_NAME_WORD})?"
    return re.compile(rf"(?<![\w-])({head})[ \t]+(?:in|at)[ \t]+({place})(?![\w-])")


def facilities_by_their_place(text: str, knowledge: Knowledge) -> list[Found]:
    """A facility the knowledge files know, described by its kind and its town ("the international airport in
    Pokhara", "a deepwater port in Chancay"): that facility, and the town, still mentioned. Only a known
    facility whose name holds both the town and the kind is meant; a new one stays a description."""
    out = []
    for m in _facility_in_place_pattern(knowledge).finditer(text):
        head, town = m.group(1).lower().split()[-1], m.group(2)
        known = [
            e for e in _known_facilities(knowledge).values()
            if any(town.lower() in n.lower().split() and head in n.lower().split() for n in e.names)
        ]
        if len({e.id for e in known}) != 1:
            continue
        out.append(Found(m.group(0), known[0].type, m.start(), m.end(), known=known[0]))
        place = _known_places(knowledge).get(town)
        out.append(Found(town, "GPE", m.start(2), m.end(2), known=place))
    return out


@cache
def _ports_of_pattern(knowledge: Knowledge) -> re.Pattern[str]:
    heads = "|".join(re.escape(h) for h in knowledge.infrastructure.port_of)
    name = rf"{_NAME_WORD}(?:[ \t]+{_NAME_WORD}){{0,2}}"
    return re.compile(rf"(?<![\w-])((?i:{heads}))s of ({name}) and ({name})(?![\w-])")


def _ports_of_places(text: str, knowledge: Knowledge) -> list[Found]:
    """"the ports of Trieste and Genoa": two ports, each named as "Port of Trieste" is; the towns' names
    are their mentions."""
    out = []
    for m in _ports_of_pattern(knowledge).finditer(text):
        head = m.group(1).title()
        for i in (2, 3):
            if not _not_a_name_word(m.group(i).split()[0], knowledge):
                out.append(Found(m.group(i), "FAC", m.start(i), m.end(i), name=f"{head} of {m.group(i)}"))
    return out


@cache
def _shared_head_pattern(knowledge: Knowledge) -> re.Pattern[str]:
    plurals = sorted((h + "s" for h in knowledge.infrastructure.facilities if not h.endswith("y")), key=len, reverse=True)
    name = rf"{_NAME_WORD}(?:{_JOIN}{_NAME_WORD}){{0,2}}"
    heads = "|".join(r"[ \t]+".join(re.escape(w) for w in h.split()) for h in plurals)
    return re.compile(rf"(?<![\w-])({name})[ \t]+and[ \t]+({name})[ \t]+((?i:{heads}))(?![\w-]|[ \t]+[A-Z])")  # "... Economic Zones Development Company" is a firm


def facilities_sharing_a_head(text: str, knowledge: Knowledge, known_spans: list[tuple[int, int]]) -> list[Found]:
    """Two facilities named before one plural head word ("the Mangla and Tarbela dams"): each is a
    facility of its own, named with the head ("Mangla Dam", "Tarbela Dam"), unless the knowledge files
    know the whole phrase as one name."""
    out = []
    for m in _shared_head_pattern(knowledge).finditer(text):
        if any(a <= m.start() and m.end() <= b for a, b in known_spans):
            continue
        head = m.group(3)[:-1].title()
        first = m.group(1)
        while " " in first and _not_a_name_word(first.split()[0], knowledge):
            first = first.split(" ", 1)[1]  # "After Mangla": a sentence's first word is no name
        if _not_a_name_word(first, knowledge):
            continue
        start = m.start(1) + len(m.group(1)) - len(first)
        out.append(_facility(knowledge, Found(first, "FAC", start, m.end(1), name=f"{first} {head}")))
        second = Found(text[m.start(2) : m.end(3)], "FAC", m.start(2), m.end(3), name=f"{m.group(2)} {head}")
        out.append(_facility(knowledge, second))
    return out


def _facility(knowledge: Knowledge, found: Found) -> Found:
    """The facility as the knowledge files know it, when they do."""
    found.known = _known_facilities(knowledge).get(normalise(found.full_name))
    if found.known is not None:
        found.label = found.known.type
    return found


@cache
def _known_facilities(knowledge: Knowledge) -> dict[str, KnownEntity]:
    return {normalise(n): e for e in knowledge.entities if e.type in ("FAC", "PROJECT") for n in e.names}


def _not_a_name_word(word: str, knowledge: Knowledge) -> bool:
    lower = word.lower()
    return (
        lower in _FUNCTION_WORDS
        or lower in knowledge.title_heads
        or word in knowledge.country_by_demonym
        or lower in _CALENDAR_WORDS
    )


_FUNCTION_WORDS = {
    "the", "a", "an", "in", "at", "on", "by", "for", "from", "with", "to", "and", "of", "as", "after", "before", "under",
    "over", "while", "when", "its", "their", "his", "her", "your", "my", "this", "that", "these", "those", "new-look", "said", "says",
    "both", "all", "our", "two", "three", "first", "second", "third", "last", "next", "mr", "ms", "dr",
}  # fmt: skip
_CALENDAR_WORDS = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february", "march",
    "april", "may", "june", "july", "august", "september", "october", "november", "december",
}  # fmt: skip


def _places_inside(span: Span, knowledge: Knowledge) -> list[Found]:
    """A town named at the end of an organisation's name ("consulate general in Karachi", "University of
    Karachi") is also a mention of that town."""
    places = _known_places(knowledge)
    out = []
    for i, tok in enumerate(span[:-1]):
        if tok.lower_ in ("in", "of", "at"):
            name = span[i + 1 :].text
            if name in places:
                start = span[i + 1].idx
                out.append(Found(name, "GPE", start, start + len(name), known=places[name]))
    return out


@cache
def _known_places_cached(knowledge: Knowledge) -> dict[str, KnownEntity]:
    return {n: e for e in knowledge.entities if e.type == "GPE" and not e.level for n in e.names}


def _known_places(knowledge: Knowledge) -> dict[str, KnownEntity]:
    return _known_places_cached(knowledge)


def _is_title_word(span: Span, label: str, knowledge: Knowledge) -> bool:
    """"Interior" in "Interior Minister Mohsin Naqvi" or "Ports" in "Ports and Shipping Minister X" is part
    of a title, not an organisation."""
    doc = span.doc
    if label != "ORG" and len(span) > 1 and span[0].text not in knowledge.country_by_demonym:
        return False  # a name may stand before a title, but no name begins with a demonym ("Bangladeshi Railway")
    for tok in doc[span.end : span.end + 4]:
        if tok.lower_ in knowledge.title_heads:
            return True
        if not (tok.is_title or tok.lower_ in ("and", "&")):
            return False
    return False


def _person_by_company(span: Span, knowledge: Knowledge) -> bool:
    """A name the model called an organisation that the sentence treats as a person's: listed with people
    ("leaders such as Khawaja Saad Rafique, Marriyum Aurangzeb and ...") or owning a government ("Javier
    Milei's government"). Only a name of two or more name words that no organisation's word ends."""
    if len(span) < 2 or not _name_like(span) or knowledge.org_kind(span.text) != "other":
        return False
    root = span.root
    doc = span.doc
    linked = [t for t in root.children if t.dep_ == "conj"] + ([root.head] if root.dep_ == "conj" else [])
    if any(t.ent_type_ == "PERSON" and not t.ent_id_.startswith("country:") for t in linked):
        return True
    after = doc[span.end : span.end + 2]
    return len(after) == 2 and after[0].text in POSSESSIVE and after[1].lower_ in ("government", "administration")


_ORDINAL = re.compile(r"\d+(?:st|nd|rd|th)")


def _numbered_event(span: Span, label: str, knowledge: Knowledge) -> tuple[Span, str]:
    """"the 19th National Congress of the Communist Party of China": a numbered congress, session or summit is
    an EVENT named with its number, not the organisation that holds it."""
    doc = span.doc
    start = span.start - 1 if span.start > 0 and _ORDINAL.fullmatch(doc[span.start - 1].text) else span.start
    if not _ORDINAL.fullmatch(doc[start].text) or not any(t.text in knowledge.numbered_events for t in span):
        return span, label
    return doc[start : span.end], "EVENT"


def _government_of(name: str, knowledge: Knowledge) -> Country | None:
    """The state whose government a name is by its demonym or name ("Chinese Government", "Pakistan Govt")."""
    owner, _, last = name.rpartition(" ")
    if last.lower() not in ("government", "govt"):
        return None
    return knowledge.country_by_demonym.get(owner) or knowledge.country_by_name.get(owner)


def _names_no_organisation(span: Span, label: str, knowledge: Knowledge, acronyms: set[str]) -> bool:
    """A procedure, plan or agreement the model took for an organisation ("Standard Operating Procedure");
    its bracketed acronym after it, if any, goes into `acronyms`, as no name either."""
    if label != "ORG" or span.text.split()[-1] not in knowledge.not_organisation_heads:
        return False
    m = re.match(r"\s*\(([A-Z][A-Za-z]{1,9})\)", doc_text(span.doc)[span.end_char : span.end_char + 14])
    if m:
        acronyms.add(m.group(1))
    return True


def _a_kind_of_thing(text: str, knowledge: Knowledge) -> bool:
    """"This Port will connect ...", "other regional States": one word that ends names of facilities or
    places says what a thing is, not which one."""
    word = text.lower()
    return " " not in text and (
        word in knowledge.infrastructure.heads
        or word in knowledge.place_heads
        or word.removesuffix("s") in knowledge.place_heads
    )


def _first_of_a_compound(span: Span) -> bool:
    """"Non-CPEC", "Ethio-Djibouti", "Jamiat Ulema-i-Islami": a name the model cut from the name a dash joins
    it to is the front of one compound, and names nothing alone. Before a common word it is still a name
    ("the Taliban-run administration", "a Kathmandu-based professor")."""
    after = doc_text(span.doc)[span.end_char : span.end_char + 4]
    return re.match(r"[-–](?:[A-Z]|[a-z]{1,2}[-–])", after) is not None


def _cut_off(span: Span) -> bool:
    """A name that runs to the end of a text stopping mid-sentence may be cut mid-word ("... and Transport
    Minister Ramesh L"): a page opening or a feed's summary ends where its length does, not where a name does."""
    text = doc_text(span.doc).rstrip()
    return span.end_char >= len(text) and not text.endswith((".", "!", "?", '"', "”", ")"))


def _is_portfolio(span: Span, label: str) -> bool:
    """"Minister for Planning & Development", "Minister of Construction and Transport": the words after an
    office's "for" or "of" say what it is in charge of; they name no organisation."""
    doc = span.doc
    start = span.start - (span.start > 0 and doc[span.start - 1].lower_ == "the")
    return (
        label == "ORG"
        and start >= 2
        and doc[start - 1].lower_ in ("for", "of")
        and doc[start - 2].lower_ in PORTFOLIO_HOLDERS
    )


def _complement(spans: list[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    out, pos = [], 0
    for a, b in spans:
        out.append((pos, a))
        pos = b
    out.append((pos, length))
    return out


def _plausible(span: Span, text: str, demonyms: set[str], headline_spans, outside_headlines: str) -> bool:
    """Filters for the statistical model's guesses (the ruler's matches are trusted)."""
    if not text or text == text.lower() or len(span) > 8 or ":" in text:
        return False
    if text in demonyms or text.rstrip("s") in demonyms:
        return False
    if len(span) == 1 and span[0].pos_ in ("VERB", "AUX", "ADJ", "ADV", "PRON"):
        return False
    if any(a <= span.start_char < b for a, b in headline_spans):
        return re.search(rf"(?<!\w){re.escape(text)}(?!\w)", outside_headlines) is not None
    return True


def _is_place_use(doc: Doc, found: Found) -> bool:
    """A capital stands for its government when it acts: as a subject or object ("Islamabad and Beijing
    agreed", "pressed Islamabad") or an owner ("Beijing's account"); anywhere else it is a place."""
    span = doc.char_span(found.start, found.end, alignment_mode="expand")
    if span is None or found.text.isupper():
        return True  # datelines are places
    if span.end < len(doc) and doc[span.end].text in POSSESSIVE:
        return False
    token = span.root
    while token.dep_ == "conj" and token.head.i != token.i:
        token = token.head
    if token.dep_ == "pobj" and token.head.lower_ == "to":
        went = token.head.head  # "flew to Beijing", "from Mombasa to Nairobi", but "a payment to Beijing"
        route = any(t.lower_ == "from" for t in doc[max(token.head.i - 4, 0) : token.head.i])
        return went.lemma_ in MOTION_WORDS or route
    if token.dep_ == "pobj":
        return token.head.lower_ in PLACE_PREPOSITIONS  # "For Beijing, the question is ..." is the government
    if token.dep_ == "npadvmod" and token.head.tag_ == "VBN":
        return False  # "the Beijing-financed port"
    return token.dep_ not in ("nsubj", "nsubjpass", "dobj", "poss")


def group_names(doc: Doc, found: list[Found], knowledge: Knowledge) -> list[Group]:
    """Group occurrences into real-world entities."""
    by_key: dict[str, Group] = {}
    for f in found:
        known = f.known
        if known and known.capital_of and not _is_place_use(doc, f):
            f.known, f.country_code = None, known.capital_of
        if f.country_code:
            key = f"country:{f.country_code}"
        elif f.known:
            key = f.known.id
        else:
            key = f"{f.label}:{normalise(f.full_name).removeprefix('the ')}"  # "The Express Tribune" too
        group = by_key.setdefault(key, Group(known=f.known, country_code=f.country_code))
        group.found.append(f)
    groups = _acronyms_of_other_states(list(by_key.values()))
    groups = _merge_acronyms(doc_text(doc), groups)
    groups = _bare_place_names(groups)
    groups = _places_by_gazetteer(doc, groups, knowledge)
    groups = _routes_between_places(groups)
    _people_without_place_in_front(groups)
    _organisations_read_as_people(groups, knowledge)
    _parts_of_towns(doc, groups, knowledge)
    groups = _merge_misspelt_names(groups)
    groups = _merge_short_person_names(groups)
    groups = _merge_fronts_of_longer_names(groups)
    groups = _merge_shortened_works(groups)
    groups = _merge_inverted_bodies(groups)
    groups = _merge_bodies_placed_elsewhere(groups)
    groups = _merge_bare_heads(groups, knowledge)
    _missions_in_the_articles_country(groups, knowledge)
    groups = _ministries_of_the_articles_state(doc_text(doc), groups, knowledge)
    _recover_surnames(doc, groups, knowledge)
    for_states = {f.start for g in groups if g.country_code for f in g.found}
    return [g for g in groups if not _only_in_datelines(doc_text(doc), g, for_states)]


# "ISLAMABAD: ...", "MANILA, Philippines – ...", "Islamabad [Pakistan], Jan. 22 (ANI): ...", "Islamabad, May 19
# (PTI) ...": what may follow a town at the head of a paragraph for it to be where the report was filed. A town
# and a bare dash ("COLOMBO - ...") is left alone: the bundled corpus counts that town as named.
_DATELINE_UPPER = re.compile(r"\s*[,:(]")
_DATELINE_TITLE = re.compile(r"(?:\s*\[[^\]\n]{1,30}\])?(?:\s*:|,\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2}\b)")
_LINE_HEAD = re.compile(r"(?:^|\n)[ \t]*(?:date \S+\s+)?$")


def _only_in_datelines(text: str, group: Group, for_states: set[int]) -> bool:
    """A town named only where the report was filed is no subject of the report: it is left out, as bylines are.
    A town the text names again as a place, even inside another name ("the Karachi airport"), is kept; so is a
    country ("SERBIA: ..." labels the story's country). A capital standing for its state ("Dushanbe rarely
    comments") does not name the town (`for_states`: where such mentions start)."""
    if group.label != "GPE" or group.country_code or not all(_in_dateline(text, f) for f in group.found):
        return False
    named = {m.start() for f in group.found for m in re.finditer(rf"\b{re.escape(f.text)}\b", text, re.IGNORECASE)}
    return named - for_states <= {f.start for f in group.found}


def _in_dateline(text: str, found: Found) -> bool:
    if not _LINE_HEAD.search(text[max(0, found.start - 40) : found.start]):
        return False
    after = _DATELINE_UPPER if found.text.isupper() else _DATELINE_TITLE
    return bool(after.match(text, found.end))


def _merge_inverted_bodies(groups: list[Group]) -> list[Group]:
    """"the Interior Ministry" beside "the Ministry of Interior": a body named by its portfolio before its head word
    is the one body of the article named by the head word "of" the portfolio."""
    return _merge_into_sole_match(
        groups,
        lambda group: group.label == "ORG",
        lambda group, other: all(any(_inverted(s, t) for t in _names(other)) for s in group.surfaces),
    )


def _inverted(short: str, name: str) -> bool:
    words = normalise(short).split()
    return len(words) >= 2 and normalise(name) == " ".join([words[-1], "of", *words[:-1]])


def _merge_bodies_placed_elsewhere(groups: list[Group]) -> list[Group]:
    """A bare "Chinese Embassy" in an article that also names "the Chinese embassy in Mali" is that embassy,
    not the one the knowledge files read a bare name as: the article says where it is."""
    for group in groups:
        if not group.known or group.known.kind != "government":
            continue
        fronts = {normalise(s) + " in " for s in group.surfaces}
        placed = [g for g in groups if not g.known and g.label == "ORG" and any(
            normalise(s).startswith(front) for s in g.surfaces for front in fronts
        )]  # fmt: skip
        if len(placed) == 1:
            for f in group.found:
                f.label, f.known = "ORG", None
            placed[0].found.extend(group.found)
            group.found = []
    return [g for g in groups if g.found]


_MISSION_WORDS = r"(?i:embassy|consulate[ \t]+general|consulate|high[ \t]+commission)"


_BARE_MISSION = re.compile(rf"^(?:the[ \t]+)?([A-Z]\w+?)(?:['’]s)?[ \t]+({_MISSION_WORDS})$", re.IGNORECASE)


def _missions_in_the_articles_country(groups: list[Group], knowledge: Knowledge) -> None:
    """A state's mission the article names without its place ("the Chinese embassy", "China's embassy") is
    its mission in the country the article is about, the foreign country it names most; the knowledge
    files read a bare "Chinese embassy" as the one in Pakistan, which holds only where Pakistan is that
    country."""
    for group in groups:
        bare = [_BARE_MISSION.match(s) for s in group.surfaces]
        if group.label != "ORG" or not bare or not all(bare):
            continue
        word = bare[0].group(1).title()
        state = knowledge.country_by_demonym.get(word) or knowledge.country_by_name.get(word)
        host = _country_most_named(groups, state.code if state else None, knowledge)
        if state is None or host is None:
            continue
        name = f"{_demonym(state)} {_mission_word(bare[0].group(2))} in {_with_article(host.name)}"
        if group.known is not None and normalise(name) in {normalise(n) for n in group.known.names}:
            continue  # the knowledge files' reading holds
        group.known = None
        for f in group.found:
            f.label, f.name = "ORG", name


# country names English writes with "the": "in the Central African Republic", "in the Philippines"
_NAMES_WITH_THE = re.compile(r"\b(?:Republic|Kingdom|States|Islands|Emirates|Federation)\b|^(?:Philippines|Netherlands|Gambia|Bahamas|Maldives)$")


def _with_article(country: str) -> str:
    return f"the {country}" if _NAMES_WITH_THE.search(country) else country


def _country_most_named(groups: list[Group], exclude: str | None, knowledge: Knowledge) -> Country | None:
    """The country other than `exclude` the article names most often; the first named among equals."""
    named = [g for g in groups if g.country_code and g.country_code != exclude]
    if not named:
        return None
    most = max(named, key=lambda g: (len(g.found), -min(f.start for f in g.found)))
    return knowledge.country_by_code(most.country_code)


def _merge_bare_heads(groups: list[Group], knowledge: Knowledge) -> list[Group]:
    """"The Embassy condemned ...", "the Consulate General" after "the Chinese Embassy": a body named by its
    head word alone is the one body of the article whose name holds that word, whatever the model typed it."""
    for group in groups:
        if group.known or group.country_code or len(group.surfaces) != 1:
            continue
        words = normalise(group.surfaces[0]).split()
        if not words or knowledge.org_kind(words[0]) != "government" or any(w != "general" for w in words[1:]):
            continue
        holders = [g for g in groups if g is not group and g.found and g.label == "ORG" and any(
            set(words) <= set(normalise(n).split()) for n in _names(g)
        )]  # fmt: skip
        if len(holders) == 1:
            for f in group.found:
                f.label = "ORG"
            _merge_into(holders[0], group)
    return [g for g in groups if g.found]


def _bare_place_names(groups: list[Group]) -> list[Group]:
    """"Darvoz" elsewhere in an article that names the "Darvoz district" (or "the village of Darvoz") is
    that place, whatever the model called it."""
    places = {
        normalise(f.text): g
        for g in groups if g.label == "GPE" and not g.known for f in g.found if f.name
    }  # fmt: skip
    for group in groups:
        if group.known or group.country_code or len(group.surfaces) != 1:
            continue
        place = places.get(normalise(group.surfaces[0]))
        if place is not None and place is not group:
            for f in group.found:
                f.label = place.label
            _merge_into(place, group)
    return [g for g in groups if g.found]


def _places_by_gazetteer(doc: Doc, groups: list[Group], knowledge: Knowledge) -> list[Group]:
    """A name the model called a person or an organisation that the gazetteer knows as a town or region of
    the article's countries ("Kandy" in a Sri Lankan story) is that place, and joins the place's other
    mentions. A name with a title before it stays a person. The gazetteer is reference data, read here
    for typing as the resolve stage reads it for coordinates."""
    from beltwatch.resolve.places import is_place_in

    countries = {g.country_code or (g.known.country if g.known else None) for g in groups} - {None}
    places = {normalise(s): g for g in groups if g.label == "GPE" for s in g.surfaces}
    for group in groups:
        if group.known or group.country_code or group.label not in ("PERSON", "ORG") or len(group.surfaces) != 1:
            continue
        name = group.surfaces[0]
        if any(_titled(doc, f, knowledge) for f in group.found):
            continue
        if is_place_in(name, countries):
            for f in group.found:
                f.label = "GPE"
            same = places.get(normalise(name))
            if same is not None:
                _merge_into(same, group)
    return [g for g in groups if g.found]


_ROUTE_JOINT = re.compile(r"\s*[-–—]\s*|\s+and\s+")


def _routes_between_places(groups: list[Group]) -> list[Group]:
    """"the Naivasha-Kisumu stretch", "between Obrenovac and Preljina": a name the model called an organisation
    that is only towns of the article's countries joined by dashes or "and" is those towns, each its own place."""
    from beltwatch.resolve.places import is_place_in

    countries = {g.country_code or (g.known.country if g.known else None) for g in groups} - {None}
    places = {normalise(s): g for g in groups if g.label == "GPE" for s in g.surfaces}
    for group in groups:
        if group.known or group.label != "ORG" or len(group.surfaces) != 1:
            continue
        parts = _ROUTE_JOINT.split(group.surfaces[0])
        if len(parts) < 2 or not all(re.fullmatch(_PLACE_WORD, p) and is_place_in(p, countries) for p in parts):
            continue
        for f in group.found:
            pos = f.start
            for part in parts:
                pos = f.text.index(part, pos - f.start) + f.start
                town = Found(part, "GPE", pos, pos + len(part))
                pos = town.end
                place = places.get(normalise(part))
                if place is None:
                    place = places[normalise(part)] = Group()
                    groups.append(place)
                place.found.append(town)
        group.found = []
    return [g for g in groups if g.found]


def _parts_of_towns(doc: Doc, groups: list[Group], knowledge: Knowledge) -> None:
    """"Karachi's Clifton area", "Karachi's posh Zamzama district": a place the article names only as a
    known town's own is a part of that town, a LOC by its bare name, not a town or district of its own."""
    towns = {n for n, e in _known_places(knowledge).items() if not e.level}
    for group in groups:
        if group.label != "GPE" or group.known or group.country_code:
            continue
        if all(_town_before(doc, f, towns) for f in group.found):
            for f in group.found:
                f.label, f.name = "LOC", None


def _town_before(doc: Doc, found: Found, towns: set[str]) -> bool:
    span = doc.char_span(found.start, found.end, alignment_mode="expand")
    if span is None:
        return False
    i = span.start - 1
    while i >= 0 and doc[i].is_lower and doc[i].pos_ == "ADJ":
        i -= 1  # "posh", "upscale"
    return i >= 1 and doc[i].text in POSSESSIVE and doc[i - 1].text in towns


def _people_without_place_in_front(groups: list[Group]) -> None:
    """"Deputy Commissioner Chagai Saif Ullah Khaitran": a first word that the article names as a place of
    its own is the office's district, not the person's name."""
    places = {normalise(s) for g in groups if g.label in ("GPE", "LOC") for s in g.surfaces}
    for group in groups:
        if group.label != "PERSON" or group.known:
            continue
        for f in group.found:
            first, _, rest = f.text.partition(" ")
            if len(rest.split()) >= 2 and normalise(first) in places:
                f.start += len(f.text) - len(rest)
                f.text = rest


def _organisations_read_as_people(groups: list[Group], knowledge: Knowledge) -> None:
    """"Cosco Shipping", "Shengsheng Apparel Group", "reports Bangla Tribune": a name the model called a
    person whose every mention ends in a word that names organisations (org_kinds.yaml) is an organisation."""
    for group in groups:
        if group.label != "PERSON" or group.known:
            continue
        if all(" " in f.text and knowledge.org_kind(f.text.rsplit(" ", 1)[1]) != "other" for f in group.found):
            for f in group.found:
                f.label = "ORG"


def _titled(doc: Doc, found: Found, knowledge: Knowledge) -> bool:
    span = doc.char_span(found.start, found.end, alignment_mode="expand")
    return span is not None and span.start > 0 and (
        doc[span.start - 1].lower_ in knowledge.title_heads or doc[span.start - 1].lower_ in knowledge.honorifics
    )


def _recover_surnames(doc: Doc, groups: list[Group], knowledge: Knowledge) -> None:
    """A surname the model did not tag ("Kenyatta named the service ...") is still a mention of the one
    person whose full name ends with it; so is a first name after a title ("PM Shehbaz thanked ...")."""
    taken = {i for g in groups for f in g.found for i in range(f.start, f.end)}
    people = [g for g in groups if g.label == "PERSON"]
    by_surname: dict[str, list[Group]] = {}
    by_first_name: dict[str, list[Group]] = {}
    for person in people:
        for surname in {s.split()[-1] for s in person.surfaces if len(s.split()) > 1}:
            by_surname.setdefault(surname, []).append(person)
        for first in {s.split()[0] for s in person.surfaces if len(s.split()) > 1}:
            by_first_name.setdefault(first, []).append(person)
    for token in doc:
        owners = by_surname.get(token.text, [])
        titled = token.i > 0 and doc[token.i - 1].lower_ in knowledge.title_heads
        if not owners and titled:
            owners = by_first_name.get(token.text, [])
        if len(owners) == 1 and token.pos_ == "PROPN" and token.idx not in taken:
            neighbours = [doc[i] for i in (token.i - 1, token.i + 1) if 0 <= i < len(doc)]
            if any(n.pos_ == "PROPN" and n.idx not in taken and n.lower_ not in knowledge.title_heads for n in neighbours):
                continue  # part of a longer name the model missed
            owners[0].found.append(Found(token.text, "PERSON", token.idx, token.idx + len(token.text)))


def _merge_into(target: Group, source: Group) -> None:
    target.found.extend(source.found)
    source.found = []
    target.known = target.known or source.known


def _acronyms_of_other_states(groups: list[Group]) -> list[Group]:
    """A project or facility named only by a short acronym ("ML1") in an article about other states, which
    never names its country, is another thing of that acronym ("Metro Línea 1 (ML1)" in Bogotá, not
    Pakistan's Main Line-1)."""
    countries = {g.country_code for g in groups if g.country_code}
    for group in groups:
        known = group.known
        if known is None or known.type not in ("PROJECT", "FAC") or not countries or known.country in (None, *countries):
            continue
        if all(len(f.text) <= 5 and not f.text.islower() and " " not in f.text for f in group.found):
            group.known = None
    return groups


def _merge_acronyms(text: str, groups: list[Group]) -> list[Group]:
    """"Inter-Services Public Relations (ISPR)": the bracketed acronym joins the name before it."""
    by_surface = {normalise(s): g for g in groups for s in g.surfaces}
    for group in groups:
        for f in list(group.found):
            m = re.match(r"\s*\(([A-Z][A-Za-z0-9-]{1,9})\)", text[f.end : f.end + 14])
            if not m:
                continue
            other = by_surface.get(normalise(m.group(1)))
            if other is not None and other is not group and not other.known:
                _merge_into(group, other)
            elif other is None:
                start = f.end + m.start(1)
                group.found.append(Found(m.group(1), group.label, start, start + len(m.group(1))))
    return [g for g in groups if g.found]


def _merge_short_person_names(groups: list[Group]) -> list[Group]:
    """One-word names join the one person whose full name holds that word (or a close spelling of it)."""
    people = [g for g in groups if g.label == "PERSON" and any(len(s.split()) > 1 for s in g.surfaces)]
    for group in groups:
        if group in people or group.known or group.country_code or len(group.surfaces) != 1:
            continue
        word = group.surfaces[0]
        if len(word.split()) != 1:
            continue
        matches = [p for p in people if _shortens(word, p, fuzzy=False)]
        if not matches and group.label == "PERSON":
            matches = [p for p in people if _shortens(word, p, fuzzy=True)]
        if len(matches) == 1:
            _merge_into(matches[0], group)
    return [g for g in groups if g.found]


def _merge_misspelt_names(groups: list[Group]) -> list[Group]:
    """"Xi Jingping" in an article that names Xi Jinping, "East Cost Rail Link" beside the East Coast Rail
    Link: an unknown name of two or more words, one slip of the keyboard from the name of exactly one other
    entity of its type in the article, is that entity."""
    return _merge_into_sole_match(
        groups,
        lambda group: not group.country_code,
        lambda group, other: any(_misspelt(s, t) for s in group.surfaces for t in _names(other)),
    )


def _misspelt(a: str, b: str) -> bool:
    """Two names of the same words but one, and that one a slip of the keyboard ("Cost" for "Coast")."""
    words_a, words_b = a.split(), b.split()
    if len(words_a) != len(words_b) or len(words_a) < 2:
        return False
    differ = [(x, y) for x, y in zip(words_a, words_b, strict=True) if x != y]
    return len(differ) == 1 and min(map(len, differ[0])) >= 4 and fuzz.ratio(*differ[0]) >= 80


def _merge_fronts_of_longer_names(groups: list[Group]) -> list[Group]:
    """"Sheikh Mohammed bin Rashid" after "Sheikh Mohammed bin Rashid Al Maktoum": a person's name of two or
    more words that begins the longer name of exactly one other person is that person."""
    return _merge_into_sole_match(
        groups,
        lambda group: group.label == "PERSON",
        lambda group, other: all(any(_begins(s, t) for t in other.surfaces) for s in group.surfaces),
    )


def _merge_shortened_works(groups: list[Group]) -> list[Group]:
    """"Karot Project" beside the Karot Hydropower Project: a project's or facility's name that keeps the
    first and last words of exactly one longer name of its type in the article, and drops only words between
    them, is that project."""
    return _merge_into_sole_match(
        groups,
        lambda group: group.label in ("PROJECT", "FAC"),
        lambda group, other: all(any(_shortens_name(s, t) for t in _names(other)) for s in group.surfaces),
    )


def _merge_into_sole_match(
    groups: list[Group], eligible: Callable[[Group], bool], related: Callable[[Group, Group], bool]
) -> list[Group]:
    """Each unknown, `eligible` name of two or more words that is `related` to exactly one other entity of its
    type in the article is merged into that entity."""
    for group in groups:
        if group.known or not group.found or not eligible(group) or any(len(s.split()) < 2 for s in group.surfaces):
            continue
        matches = [g for g in groups if g is not group and g.found and g.label == group.label and related(group, g)]
        if len(matches) == 1:
            _merge_into(matches[0], group)
    return [g for g in groups if g.found]


def _names(group: Group) -> list[str]:
    """How the article writes an entity, and the names the knowledge files give it."""
    return [*group.surfaces, *(group.known.names if group.known else ())]


def _shortens_name(short: str, name: str) -> bool:
    words, full = short.split(), name.split()
    if len(full) <= len(words) or words[0] != full[0] or words[-1].lower() != full[-1].lower():
        return False
    rest = iter(full)
    return all(any(w == f for f in rest) for w in words)


def _begins(front: str, name: str) -> bool:
    words = front.split()
    return len(name.split()) > len(words) and name.split()[: len(words)] == words


def _shortens(word: str, person: Group, fuzzy: bool) -> bool:
    for surface in [*person.surfaces, *(person.known.names if person.known else ())]:
        parts = re.split(r"[\s-]+", surface)
        if len(parts) < 2:
            continue
        if word in (parts[0], parts[-1]):
            return True
        if fuzzy and fuzz.ratio(word.lower(), parts[-1].lower()) >= 85:
            return True
    return False


def _role_of(doc: Doc, group: Group, knowledge: Knowledge) -> str | None:
    """A title before a name or an apposition beside it ("Chakar Baloch, a deputy superintendent ...")."""
    for f in sorted(group.found, key=lambda f: f.start):
        span = doc.char_span(f.start, f.end, alignment_mode="expand")
        if span is None:
            continue
        role = _title_before(doc, span, knowledge) or _apposition(span, knowledge)
        if role:
            return _role_with_country(role, knowledge)
    return None


def _has_title(tokens, knowledge: Knowledge) -> bool:
    return any(t.lower_ in knowledge.title_heads for t in tokens)


def _title_before(doc: Doc, span: Span, knowledge: Knowledge) -> str | None:
    start = span.start
    while start > 0:
        tok = doc[start - 1]
        if "\n" in tok.text or tok.is_punct and tok.text not in ("'s", "’s", "-"):
            break
        if tok.dep_ in ("compound", "amod", "poss", "nmod", "case") or tok.text in ("'s", "’s") or (
            tok.lower_ in knowledge.title_heads
        ):
            start -= 1
            continue
        break
    title = doc[start : span.start]
    return title.text.strip() if len(title) and _has_title(title, knowledge) else None


def _apposition(span: Span, knowledge: Knowledge) -> str | None:
    root = span.root
    for child in root.children:
        if child.dep_ == "appos" and child.i >= span.end and _has_title([child], knowledge):
            left = child.left_edge.i + (child.left_edge.dep_ == "det")
            return span.doc[left : child.right_edge.i + 1].text
    if root.dep_ == "appos" and root.head.i < span.start and root.head.lower_ in knowledge.title_heads:
        head = root.head
        left = head.left_edge.i + (head.left_edge.dep_ == "det")
        return span.doc[left : head.i + 1].text or None
    return None


def _role_with_country(role: str, knowledge: Knowledge) -> str:
    """"Pakistan's caretaker Prime Minister" and "Chinese President" read as "... of Pakistan/China"."""
    m = re.match(r"^(?P<c>[A-Z][\w .]+?)(?:'s|’s)\s+(?P<r>.+)$", role)
    if m and m.group("c") in knowledge.country_by_name:
        return f"{m.group('r')} of {knowledge.country_by_name[m.group('c')].name}"
    for demonym, country in knowledge.country_by_demonym.items():
        if role.startswith(demonym + " ") and _has_title_word(role, knowledge):
            return f"{role[len(demonym) + 1 :]} of {country.name}"
    return role


def _has_title_word(role: str, knowledge: Knowledge) -> bool:
    return any(w.lower() in knowledge.title_heads for w in role.split())


def _country_of(group: Group, role: str | None, knowledge: Knowledge) -> str | None:
    if group.country_code:
        return group.country_code
    if group.known and group.known.country:
        return group.known.country
    for text in [*group.surfaces, role or ""]:
        country = knowledge.country_in(text)
        if country is not None:
            return country.code
    return None


def _name_of(group: Group, knowledge: Knowledge) -> str:
    if group.known:
        return group.known.name
    if group.country_code:
        country = knowledge.country_by_code(group.country_code)
        return country.name if country else group.surfaces[0]
    # the longest spelling is the fullest; ties go to the first seen
    return max((f.full_name for f in group.found), key=len)


def to_entities(doc: Doc, groups: list[Group], knowledge: Knowledge, sentences: Sentences) -> list[Entity]:
    entities = []
    for group in groups:
        name = _name_of(group, knowledge)
        label = _type_as_written(group, knowledge)
        owner = _owning_state(doc, group, name, knowledge) if label == "ORG" else None
        if owner is not None:
            name = f"{name} of {owner.name}"
        role = _role_of(doc, group, knowledge) if label == "PERSON" else None
        if label == "PERSON" and group.known and (not role or _abbreviated(role)):
            role = group.known.role or role  # "Pak PM Kakar": the knowledge file spells the office out
        kind = None
        if label == "ORG":
            kind = group.known.kind if group.known and group.known.kind else knowledge.org_kind(name)
        mentions = [
            Mention(f.text, f.start, f.end, sentences.evidence(f.start, f.end))
            for f in sorted(group.found, key=lambda f: f.start)
        ]
        aliases = [s for s in dict.fromkeys(n for f in group.found for n in (f.text, f.full_name)) if s != name]
        entities.append(
            Entity(
                name=name,
                type=label,
                aliases=aliases,
                role=role,
                country=_country_of(group, role, knowledge),
                kind=kind,
                mentions=mentions,
            )
        )
    return sorted(entities, key=lambda e: e.mentions[0].start)


def _type_as_written(group: Group, knowledge: Knowledge) -> str:
    """An entry of the projects file is the kind its names in this article say, when they all say one
    ("Dasu Dam" is a facility, "Dasu Hydropower Project" a project: CONVENTIONS.md); else its kind."""
    known = group.known
    if not known or not known.id.startswith("projects:") or known.umbrella:
        return group.label
    said = {knowledge.infrastructure.kind_named(s) for s in group.surfaces} - {None}
    return said.pop() if len(said) == 1 else group.label  # type: ignore[return-value]


_STATE_BODY = re.compile(r"Ministry (of|for) [A-Z][\w ,&]+")
_POSSESSOR = re.compile(r"((?:[A-Z][\w.-]*\s+){0,2}[A-Z][\w.-]*)\s*(?:'s|’s)\s+$")


@cache
def _short_ministry_pattern(knowledge: Knowledge) -> re.Pattern[str]:
    short = "|".join(re.escape(k) for k in sorted(knowledge.ministries, key=len, reverse=True))
    owner = r"((?:[A-Z][\w.-]*[ \t]+){0,2}[A-Z][\w.-]*)[ \t]*(?:'s|’s)?"
    return re.compile(rf"(?<![\w-]){owner}[ \t]+((?i:{short}))[ \t]+([Mm]inistry)\b")


def state_ministries(text: str, knowledge: Knowledge) -> list[Found]:
    """A state's ministry by its short form, owned by a possessive or a demonym ("Nepal's foreign
    ministry", "the Pakistani interior ministry"): named "Ministry of Foreign Affairs of Nepal"."""
    out = []
    for m in _short_ministry_pattern(knowledge).finditer(text):
        country = _country_ending(m.group(1).split(), knowledge)
        if country is not None:
            full = knowledge.ministries[m.group(2).lower()]
            name = f"Ministry of {full} of {country.name}"
            out.append(Found(text[m.start(2) : m.end(3)], "ORG", m.start(2), m.end(3), name=name))
    for m in _bare_ministry_pattern(knowledge).finditer(text):  # "the foreign ministry said": whose, decided later
        full = knowledge.ministries[m.group(1).lower()]
        out.append(Found(text[m.start(1) : m.end()], "ORG", m.start(1), m.end(), name=f"Ministry of {full}"))
    return out


@cache
def _bare_ministry_pattern(knowledge: Knowledge) -> re.Pattern[str]:
    short = "|".join(re.escape(k) for k in sorted(knowledge.ministries, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])[Tt]he[ \t]+((?i:{short}))[ \t]+ministry\b")


def _ministries_of_the_articles_state(text: str, groups: list[Group], knowledge: Knowledge) -> list[Group]:
    """A ministry the article names without its state ("the foreign ministry said") is the ministry of the
    state its dateline is in, else of the country it names most: news names its own government's bodies so.
    It joins that ministry where the article also names it with its state."""
    bare = [g for g in groups if g.label == "ORG" and all(_stateless_ministry(f, knowledge) for f in g.found)]
    state = bare and (_dateline_state(text, groups, knowledge) or _country_most_named(groups, None, knowledge))
    for group in bare:
        if not state:
            group.found = []  # a ministry of no state the article names is nobody's to record
            continue
        name = f"{group.found[0].name} of {state.name}"
        for f in group.found:
            f.name = name
        same = next((g for g in groups if g is not group and any(f.full_name == name for f in g.found)), None)
        if same is not None:
            _merge_into(same, group)
    return [g for g in groups if g.found]


def _stateless_ministry(found: Found, knowledge: Knowledge) -> bool:
    return bool(_BARE_MINISTRY.match(found.text) and found.name and knowledge.country_in(found.name) is None)


_BARE_MINISTRY = re.compile(r"^\w+[ \t]+ministry$")


def _dateline_state(text: str, groups: list[Group], knowledge: Knowledge) -> Country | None:
    """The country of the town the report was filed from ("KATHMANDU — ..."), by the knowledge files or the
    gazetteer among the article's countries (reference data, read here as `_places_by_gazetteer` reads it)."""
    from beltwatch.resolve.places import resolve_place

    countries = [g.country_code for g in groups if g.country_code]
    for group in groups:
        if group.label == "GPE" and any(_in_dateline(text, f) for f in group.found):
            code = group.country_code or (group.known.capital_of or group.known.country if group.known else None)
            place = None if code else resolve_place(group.found[0].text.title(), context_countries=countries)
            code = code or (place.country if place else None)
            if code:
                return knowledge.country_by_code(code)
    return None


@cache
def _place_names(knowledge: Knowledge) -> str:
    """A regular expression alternation of the places' and countries' names, longest first."""
    places = {n for e in knowledge.entities if e.type == "GPE" for n in e.names if n[:1].isupper()}
    places |= {n for c in knowledge.countries for n in c.names}
    return "|".join(re.escape(n) for n in sorted(places, key=len, reverse=True))


@cache
def _place_body_pattern(knowledge: Knowledge) -> re.Pattern[str]:
    bodies = "|".join(re.escape(b) for b in knowledge.place_bodies)
    return re.compile(rf"(?<![\w-])({_place_names(knowledge)})[ \t]+((?i:{bodies}))\b(?![ \t]+[A-Z])")


@cache
def _place_named_pattern(knowledge: Knowledge) -> re.Pattern[str]:
    demonyms = "|".join(re.escape(d) for d in sorted(knowledge.country_by_demonym, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{_place_names(knowledge)}|{demonyms})((?:[ \t]+(?:[A-Z][\w'’.-]*|&|and))+)")


def organisations_named_after_places(text: str, knowledge: Knowledge) -> list[Found]:
    """An organisation whose name begins with a place and ends with a word organisations' names end with
    ("China National Petroleum Company", "Kenya Transporters Association"): one organisation, up to the
    last such word, with at least one name word between the place and it; a newspaper needs none
    ("The Kathmandu Post")."""
    out = []
    for m in _place_named_pattern(knowledge).finditer(text):
        words = list(re.finditer(r"\S+", m.group(1)))
        heads = [i for i, w in enumerate(words)
                 if (i > 0 and w.group().rstrip(".") in knowledge.name_heads)
                 or (i == 0 and w.group().rstrip(".,") in knowledge.outlet_heads)]  # fmt: skip
        if not heads or not words[0].group()[:1].isupper():
            continue
        before = text[: m.start()].split()[-1:]
        if before and before[0][:1].isupper() and not _not_a_name_word(before[0], knowledge):
            continue  # inside a longer name
        end = m.start(1) + words[heads[-1]].start() + len(words[heads[-1]].group().rstrip(".,"))
        out.append(Found(text[m.start() : end], "ORG", m.start(), end))
    return out


def _outside_or_longer(found: Found, start: int, end: int, knowledge: Knowledge) -> bool:
    """Whether a known name at start:end leaves `found` a name of its own: apart from it, or holding it with
    name words more than a company's legal form ("China Three Gorges International Corporation" is a
    subsidiary of "China Three Gorges"; "China Three Gorges Corporation Limited" is the same firm)."""
    if end <= found.start or found.end <= start:
        return True
    if start < found.start or found.end < end:
        return False
    after = found.text[end - found.start :].split()
    if after[:1] in (["and"], ["&"]):
        return False  # two names: "China Road and Bridge Corporation and Gilgit Development Company"
    rest = found.text[: start - found.start].split() + after
    return any(w not in knowledge.name_heads for w in rest)


@cache
def _state_possessive(knowledge: Knowledge) -> str:
    """A regular expression for a state's name as a possessor ("China's "), the name its first group."""
    states = "|".join(re.escape(n) for n in sorted(knowledge.country_by_name, key=len, reverse=True) if len(n) > 2)
    return rf"\b({states})['’]s[ \t]+"


@cache
def _mission_pattern(knowledge: Knowledge) -> re.Pattern[str]:
    place = r"[A-Z][\w'’-]*(?:[ \t]+(?:of[ \t]+)?[A-Z][\w'’-]*){0,3}"
    return re.compile(
        rf"{_state_possessive(knowledge)}({_MISSION_WORDS})(?:[ \t]+in[ \t]+(?:the[ \t]+)?({place}))?(?![\w'’-])"
    )


def missions_of_states(text: str, knowledge: Knowledge, known_spans: list[tuple[int, int]]) -> list[Found]:
    """A state's mission named through the state ("China's embassy in Tajikistan", "China's embassy"): the
    mission, named as the demonym form names it ("Chinese Embassy in Tajikistan"), and the state and the
    place, still mentioned. A mission the knowledge files name ("China's embassy in Islamabad") is theirs."""
    out = []
    for m in _mission_pattern(knowledge).finditer(text):
        if any(a <= m.start() and m.end() <= b for a, b in known_spans):
            continue
        state = knowledge.country_by_name[m.group(1)]
        name = f"{_demonym(state)} {_mission_word(m.group(2))}" + (f" in {m.group(3)}" if m.group(3) else "")
        out.append(Found(m.group(0), "ORG", m.start(), m.end(), name=name))
        out.append(Found(m.group(1), "GPE", m.start(1), m.end(1), country_code=state.code))
        if m.group(3):
            place = knowledge.country_by_name.get(m.group(3))
            out.append(Found(m.group(3), "GPE", m.start(3), m.end(3), country_code=place.code if place else None))
    return out


@cache
def _state_owned_pattern(knowledge: Knowledge) -> re.Pattern[str]:
    word = r"[A-Z][\w]*(?:[ \t]*[-–][ \t]*[A-Za-z][\w]*)?"
    return re.compile(rf"{_state_possessive(knowledge)}({word}(?:[ \t]+(?:{word}|bank|Bank))*)(?![\w-])")


def bodies_of_states(text: str, knowledge: Knowledge, known_spans: list[tuple[int, int]]) -> list[Found]:
    """A known body named through its state ("China's Export–Import bank" for the Export-Import Bank of China):
    the body, and the state, still mentioned. Only a name the knowledge files hold as "<words> of <state>"."""
    known = _known_by_name(knowledge)
    out = []
    for m in _state_owned_pattern(knowledge).finditer(text):
        if any(a <= m.start(2) and m.end(2) <= b for a, b in known_spans):
            continue
        body = known.get(normalise(f"{m.group(2)} of {m.group(1)}"))
        if body is None or body.type != "ORG":
            continue
        state = knowledge.country_by_name[m.group(1)]
        out.append(Found(m.group(2), "ORG", m.start(2), m.end(2), known=body))
        out.append(Found(m.group(1), "GPE", m.start(1), m.end(1), country_code=state.code))
    return out


def _mission_word(words: str) -> str:
    return " ".join(w.capitalize() for w in words.split())


def _demonym(state: Country) -> str:
    """How a state's missions are named: "Chinese Embassy"."""
    return state.demonyms[0] if state.demonyms else state.name


def place_bodies(text: str, knowledge: Knowledge) -> list[Found]:
    """A place's body named by the place and a common word ("Haripur police", "Khyber Pakhtunkhwa
    interior department"): one organisation, and the place is still mentioned."""
    if not knowledge.place_bodies:
        return []
    places = {n: e for e in knowledge.entities if e.type == "GPE" for n in e.names}
    out = []
    for m in _place_body_pattern(knowledge).finditer(text):
        before = text[: m.start()].split()[-1:]
        if before and before[0][:1].isupper() and not _not_a_name_word(before[0], knowledge):
            continue  # inside a longer name: "the Royal Solomon Islands Police Force" is a name of its own
        if normalise(m.group(0)) in _known_names(knowledge):
            continue  # "Pakistan military" is the knowledge files' Pakistan Army
        out.append(Found(m.group(0), "ORG", m.start(), m.end()))
        place = places.get(m.group(1))
        country = knowledge.country_by_name.get(m.group(1))
        out.append(Found(m.group(1), "GPE", m.start(), m.end(1), known=place,
                         country_code=country.code if country and place is None else None))  # fmt: skip
    return out


_PLACE_WORD = r"[A-Z][\w'’-]*"
_POSSESSIVE_END = re.compile(r"['’]s?$")


@cache
def _place_head_patterns(knowledge: Knowledge) -> tuple[re.Pattern[str], re.Pattern[str]]:
    heads = "|".join(re.escape(h) for h in sorted(knowledge.place_heads, key=len, reverse=True))
    name = rf"{_PLACE_WORD}(?:[ \t]+{_PLACE_WORD}){{0,2}}"
    one = re.compile(rf"(?<![\w'’-])({name})[ \t]+((?i:{heads}))\b(?![ \t]*[-–]?[ \t]*[A-Z])")
    shared = re.compile(rf"(?<![\w'’-])({name})[ \t]+and[ \t]+({name})[ \t]+((?i:{heads}))s\b(?![ \t]*[A-Z])")
    return one, shared


@cache
def _place_of_pattern(knowledge: Knowledge) -> re.Pattern[str]:
    heads = "|".join(re.escape(h) for h in sorted(knowledge.place_heads, key=len, reverse=True))
    # the word may be described first, in lower case or by a demonym: "the east coast city of ...", "the Chinese
    # city of ...", but not "the Darvoz district of ...", which names the district
    demonyms = "|".join(re.escape(d) for d in sorted(knowledge.country_by_demonym, key=len, reverse=True))
    described = rf"(?:(?:[a-z][\w-]*|{demonyms})[ \t]+){{0,3}}?"
    return re.compile(
        rf"\b(?i:the)[ \t]+{described}(?P<head>(?i:{heads}))[ \t]+(?i:of)[ \t]+"
        rf"(?P<name>{_PLACE_WORD}(?:[ \t]+{_PLACE_WORD}){{0,2}})"
    )


def places_by_head(text: str, knowledge: Knowledge, known_spans: list[tuple[int, int]]) -> list[Found]:
    """A place named by its name and a word that says what it is ("Darvoz district", "Osun state", the
    "Malikha and Maykha rivers"): the place is "Darvoz district", with "Darvoz" its alias. The name runs
    over the capitalised words before the word, less possessors, function words, titles and demonyms;
    a known name that holds the word ("Indus River") is left to the knowledge files."""
    one, shared = _place_head_patterns(knowledge)
    named = [(m.start(1), m.group(1), m.group(2), m.end()) for m in one.finditer(text)]
    for m in shared.finditer(text):
        named += [(m.start(1), m.group(1), m.group(3), m.end()), (m.start(2), m.group(2), m.group(3), m.end())]
    out = [
        Found(m["name"], knowledge.place_heads[m["head"].lower()], m.start("name"), m.end("name"), name=m["name"])
        for m in _place_of_pattern(knowledge).finditer(text)
        if not any(a <= m.start("name") and m.end("name") <= b for a, b in known_spans)
        and not _not_a_name_word(m["name"].split()[0], knowledge)
    ]  # "the village of Ajata Aboki"
    for start, name, head, end in named:
        found = _place_by_head(start, name, head, knowledge, text[end : end + 1])
        if found and found.label == "LOC" and text[found.end : found.end + len(head) + 1] == f" {head}":
            found.end += len(head) + 1  # a river is named with its word: "Santa Cruz" alone is the province
            found.text = text[found.start : found.end]
        inside_known = found and any(a <= found.start and end <= b for a, b in known_spans)
        if found and not inside_known and not any(f.start == found.start for f in out):
            out.append(found)
    return out


def _place_by_head(start: int, name: str, head: str, knowledge: Knowledge, after: str) -> Found | None:
    words = list(re.finditer(r"\S+", name))
    while words and (_not_a_name_word(words[0].group(), knowledge) or _POSSESSIVE_END.search(words[0].group())):
        words = words[1:]  # "the Ogun", "Myanmar’s Kachin state": the place's name starts after them
    if not words or any(_POSSESSIVE_END.search(w.group()) for w in words):
        return None
    start += words[0].start()
    bare = name[words[0].start() :]
    etype = knowledge.place_heads[head.lower()]
    known = normalise(bare) in _known_names(knowledge) or bare in knowledge.country_by_name
    # a river is a thing of its own, whatever its name also names
    if etype != "LOC" and known and not _unit_named_after_country(bare, head, after, knowledge):
        return None  # "Balochistan province": the place the knowledge files know
    if head[0].isupper() and head.lower() in knowledge.place_heads_gazetteer_only and not _in_gazetteer(bare):
        return None  # "Islamic State", "Planning Division"
    return Found(bare, etype, start, start + len(bare), name=f"{bare} {head}")


def _unit_named_after_country(bare: str, head: str, after: str, knowledge: Knowledge) -> bool:
    """"eastern Niger state," is a Nigerian state, not the country Niger: a country's name with a lower-case
    word of a country's parts, the phrase ending there. Before another word the word describes something of the
    country's ("Pakistan state media", "China region's ...")."""
    return bare in knowledge.country_by_name and head.islower() and (not after or after in ",.;:)\n")


@cache
def _known_names(knowledge: Knowledge) -> frozenset[str]:
    return frozenset(normalise(n) for e in knowledge.entities for n in e.names)


def _in_gazetteer(name: str) -> bool:
    from beltwatch.resolve.places import is_place_in

    return is_place_in(name, (), anywhere_population=0)


def _country_ending(words: list[str], knowledge: Knowledge) -> Country | None:
    """The country whose name or demonym ends `words` ("Sri Lanka" in "the Sri Lanka")."""
    for size in range(len(words), 0, -1):
        tail = " ".join(words[-size:])
        country = knowledge.country_by_name.get(tail) or knowledge.country_by_demonym.get(tail)
        if country is not None:
            return country
    return None


def _owning_state(doc: Doc, group: Group, name: str, knowledge: Knowledge) -> Country | None:
    """The state whose ministry an unknown "Ministry of ..." is, when the article says so by a possessive
    ("Tajikistan's Ministry of Foreign Affairs"): ministries are named with their state, as every state
    has one of each."""
    if group.known or not _STATE_BODY.fullmatch(name) or knowledge.country_in(name) is not None:
        return None
    text = doc_text(doc)
    for found in group.found:
        m = _POSSESSOR.search(text[max(0, found.start - 45) : found.start])
        country = _country_ending(m.group(1).split(), knowledge) if m else None
        if country is not None:
            return country
    return None


def extract_entities(doc: Doc, knowledge: Knowledge, sentences: Sentences) -> list[Entity]:
    """Every entity of one English article, once, with all its mentions."""
    groups = group_names(doc, find_names(doc, knowledge), knowledge)
    return to_entities(doc, groups, knowledge, sentences)


def extract_known_entities(text: str, knowledge: Knowledge, sentences: Sentences) -> list[Entity]:
    """Entities of an article in a language without a model: known names in any script, found verbatim."""
    groups: dict[str, Group] = {}
    taken: list[tuple[int, int]] = []
    names = sorted(
        ((name, e) for e in knowledge.entities for name in e.names if has_cjk(name)), key=lambda p: -len(p[0])
    )
    countries = sorted(
        ((name, c) for c in knowledge.countries for name in c.names if has_cjk(name)), key=lambda p: -len(p[0])
    )
    for name, target in [*names, *countries]:
        for m in re.finditer(re.escape(name), text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            taken.append((m.start(), m.end()))
            if isinstance(target, KnownEntity):
                key, group = target.id, groups.setdefault(target.id, Group(known=target))
            else:
                key = f"country:{target.code}"
                group = groups.setdefault(key, Group(country_code=target.code))
            group.found.append(Found(name, group.label, m.start(), m.end()))
    entities = []
    for group in groups.values():
        surfaces = group.surfaces
        name = surfaces[0]
        english = _name_of(group, knowledge)
        label = group.label
        entities.append(
            Entity(
                name=name,
                type=label,
                aliases=[s for s in [*surfaces[1:], english] if s != name],
                role=group.known.role if group.known and label == "PERSON" else None,
                country=_country_of(group, None, knowledge),
                kind=(group.known.kind if group.known else None) if label == "ORG" else None,
                mentions=[
                    Mention(f.text, f.start, f.end, sentences.evidence(f.start, f.end))
                    for f in sorted(group.found, key=lambda f: f.start)
                ],
            )
        )
    return sorted(entities, key=lambda e: e.mentions[0].start)


def token_entity_map(entities: list[Entity]) -> dict[int, Entity]:
    """Character offset -> entity, for the event extractor to name its arguments."""
    out: dict[int, Entity] = {}
    for entity in entities:
        for m in entity.mentions:
            for i in range(m.start, m.end):
                out[i] = entity
    return out


def entity_at(index: dict[int, Entity], token: Token) -> Entity | None:
    return index.get(token.idx)

