"""Typed events from the dependency parse, with trigger words from knowledge/triggers.yaml.

Each event type has one small function that finds its triggers in a sentence and reads the
arguments off the trigger's subtree (subject, object, prepositional phrases, appositions), falling
back to the sentence. A light coreference step resolves "he", "it", "the embassy" and "the project"
to the entity last named. Distributive "each" and coordinated actors give one event per actor.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

import yaml
from spacy.tokens import Doc, Span, Token

from beltwatch.extract.dates import DateMention
from beltwatch.extract.evidence import Sentences
from beltwatch.extract.nlp import doc_text
from beltwatch.knowledge import KNOWLEDGE_DIR, Country, Knowledge
from beltwatch.model import PLACE_TYPES, Amount, Entity, Event, Evidence

ACTOR_TYPES = ("PERSON", "ORG", "GPE")
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "a": 1, "an": 1,
}  # fmt: skip


@cache
def load_triggers() -> dict[str, Any]:
    return yaml.safe_load((KNOWLEDGE_DIR / "triggers.yaml").read_text(encoding="utf-8"))


@dataclass
class Context:
    """One article's parse and the facts found so far, shared by the event finders."""

    doc: Doc
    knowledge: Knowledge
    sentences: Sentences
    entities: list[Entity]
    amounts: list[Amount]
    dates: list[DateMention]
    published: date | None
    by_offset: dict[int, Entity] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return doc_text(self.doc)

    def __post_init__(self) -> None:
        self.dates = [d for d in self.dates if not _in_dateline(self.text, d)]
        for entity in self.entities:
            for m in entity.mentions:
                for i in range(m.start, m.end):
                    self.by_offset[i] = entity
        # latest mention first, for coreference; sorted once, not per pronoun (a long text has thousands)
        mentions = sorted(
            ((m.start, e) for e in self.entities for m in e.mentions), key=lambda p: p[0], reverse=True
        )
        self._latest_first = [e for _, e in mentions]
        self._negated_starts = [-start for start, _ in mentions]
        self.triggers = load_triggers()

    def named_before(self, offset: int) -> Iterator[Entity]:
        """The entities of the mentions that start before `offset`, the latest first."""
        first = bisect.bisect_right(self._negated_starts, -offset)
        return itertools.islice(self._latest_first, first, None)

    def entity(self, token: Token) -> Entity | None:
        return self.by_offset.get(token.idx)

    def entities_in(self, tokens, types: tuple[str, ...] = ACTOR_TYPES + PLACE_TYPES + ("PROJECT", "EVENT")):
        """Distinct entities named by `tokens`, in order."""
        out: list[Entity] = []
        for tok in tokens:
            entity = self.entity(tok)
            if entity is not None and entity.type in types and entity not in out:
                out.append(entity)
        return out

    def date_in(self, span: Span, trigger: Token | None = None) -> DateMention | None:
        """The span's first date; with the event's trigger, less a date that belongs to another happening before
        or after it ("signed a framework agreement, after an initial pact was signed in 2017")."""
        return next(
            (
                d for d in self.dates
                if span.start_char <= d.start < span.end_char and not d.deadline
                and not (trigger and self._dates_another(d, trigger))
            ),
            None,
        )  # fmt: skip

    def _dates_another(self, mention: DateMention, trigger: Token) -> bool:
        token = self.doc.char_span(mention.start, mention.end, alignment_mode="expand")
        if token is None:
            return False
        head = token.root
        while head.head.i != head.i and head.dep_ not in ("advcl", "relcl", "ccomp"):
            head = head.head
            if head.dep_ == "prep" and head.lower_ in ("after", "before", "following"):
                return trigger not in head.subtree
        marked = any(c.dep_ == "mark" and c.lower_ in ("after", "before") for c in head.children)
        return marked and trigger not in head.subtree

    def date_near(self, span: Span) -> str | None:
        """The sentence's own date (its main clause's, not an earlier or later happening's), else the last date
        stated before it in its paragraph, else the article's."""
        own = self.date_in(span, span.root)
        if own is not None and not self.is_future(own.value):
            return own.value
        paragraph_start = self.text.rfind("\n\n", 0, span.start_char)
        before = [
            d for d in self.dates if paragraph_start < d.start < span.start_char and not self.is_future(d.value)
        ]
        return before[-1].value if before else self.anchor_date

    def is_future(self, value: str) -> bool:
        """After publication: a plan or a promise, not when something was said or done."""
        return self.published is not None and value[:10] > self.published.isoformat()[: len(value)]

    def amounts_in(self, span: Span) -> list[Amount]:
        return [a for a in self.amounts if span.start_char <= a.start < span.end_char]

    @property
    def dateline(self) -> Entity | None:
        """The town a dateline names ("KATHMANDU — ...", "PUTRAJAYA: ..."), as the article names it elsewhere:
        where the report was filed."""
        found = _DATELINE.search(self.text)
        if found is None:
            return None
        town = found.group(1).strip().casefold()
        return next(
            (e for e in self.entities if e.type == "GPE" and town in {n.casefold() for n in (e.name, *e.aliases)}),
            None,
        )

    @property
    def anchor_date(self) -> str | None:
        """The date the article reports on: the first resolved date of its body, or its publication date."""
        for d in self.dates:
            if len(d.value) == 10 and (self.published is None or d.value <= self.published.isoformat()):
                return d.value
        return self.published.isoformat() if self.published else None

    def evidence(self, span: Span) -> Evidence:
        return self.sentences.evidence(span.start_char, span.end_char)


_DATELINE = re.compile(r"^[ \t]*(?:date \S+\s+)?([A-Z]{3,}(?: [A-Z]{3,})?)(?:,[^\n]{0,30})?\s*[—–:-]\s", re.MULTILINE)


def _in_dateline(text: str, mention: DateMention) -> bool:
    """"ISLAMABAD, Aug 14 - ...": a dateline gives the filing date, not the date of what happened."""
    line_start = text.rfind("\n", 0, mention.start) + 1
    head = text[line_start : mention.end + 4]
    return mention.start - line_start < 40 and re.search(r"\s[-–—:]\s", text[mention.end : mention.end + 4]) is not None and head[:1].isupper()


def _lemmas(tokens) -> set[str]:
    return {t.lemma_.lower() for t in tokens} | {t.lower_ for t in tokens}


def _subject(verb: Token) -> Token | None:
    # of two subjects the parser gives one verb ("NAIROBI, Kenya (AP) — Kenyan activists protested"), the one
    # nearer the verb is its subject; a dateline is not
    for child in sorted(verb.children, key=lambda c: (c.i > verb.i, -c.i)):
        if child.dep_ in ("nsubj", "nsubjpass"):
            if child.lower_ in ("which", "who", "that") and verb.dep_ == "relcl":
                return verb.head  # "India, which boycotted the forum"
            return child
    if verb.dep_ in ("conj", "xcomp", "advcl", "relcl", "acomp") and verb.head.i != verb.i:
        if verb.dep_ == "relcl":
            return verb.head
        return _subject(verb.head)  # "the government is willing to provide": willing's subject
    if any(c.dep_ == "csubj" for c in verb.children):
        # the parser reads "A has halted work on X and B has stopped work on Y" with the first clause as the
        # second's subject, and B as a conjunct of X: B is the name just before the second's auxiliaries
        first = min([verb, *(c for c in verb.children if c.dep_ in ("aux", "auxpass"))], key=lambda t: t.i)
        before = verb.doc[first.i - 1] if first.i > verb.sent.start else None
        return before if before is not None and before.pos_ == "PROPN" else None
    return None


def _actors(ctx: Context, token: Token | None, types=ACTOR_TYPES) -> list[Entity]:
    """The entities a noun phrase names, its conjuncts and appositions included, or what it refers back to."""
    if token is None:
        return []
    if _is_central_bank(ctx, token):  # "China's central bank" is the bank, not China
        return [e for e in [_central_bank(ctx, token)] if e is not None and e.type in types]
    found = ctx.entities_in(token.subtree, types)
    if found:
        # a relative clause or prepositional tail must not lend its names to the head
        head_entity = ctx.entity(token)
        if head_entity is not None and head_entity.type in types:
            conj = [_np_entity(ctx, c) or _refers_to(ctx, c) for c in token.conjuncts]
            return [head_entity, *[c for c in conj if c is not None and c.type in types and c != head_entity]]
        return [e for e in found if _mention_in_np(ctx, e, token)]
    return [e for e in [_refers_to(ctx, token)] if e is not None and e.type in types]


def _np_entity(ctx: Context, token: Token) -> Entity | None:
    """The entity a noun names, or one that ends just before it when the name's last word escaped the
    entity ("Sinohydro Corporation Limited" with "Limited" outside)."""
    return ctx.entity(token) or next(
        (e for c in token.children if c.dep_ in ("compound", "appos") and (e := ctx.entity(c)) is not None), None
    )  # "his counterpart Xi Jinping": the name in apposition


def _mention_in_np(ctx: Context, entity: Entity, head: Token) -> bool:
    for tok in head.subtree:
        if ctx.entity(tok) is entity:
            path = tok
            while path.i != head.i and path.head.i != path.i and path.dep_ not in ("relcl", "acl", "advcl", "ccomp"):
                if path.dep_ == "pobj" and entity.type == "GPE":
                    return False  # "Traders in Gwadar": the place says where, not who
                if path.dep_ == "poss" and entity.type == "PERSON":
                    return False  # "President Ruto's adviser David Ndii": the adviser, not the president
                path = path.head
            return path.i == head.i
    return False


# "the company", "the bank", "the group": the last organisation of that kind
KIND_NOUNS = {"company": "company", "firm": "company", "contractor": "company", "operator": "company",
              "bank": "lender", "lender": "lender",
              "group": "armed_group", "outfit": "armed_group"}  # fmt: skip
# a state as its government acts: "the Chinese government approved", "Pakistani authorities said"
STATE_NOUNS = {"government", "authorities", "side"}


def _refers_to(ctx: Context, token: Token) -> Entity | None:
    """Light coreference: pronouns and "the <noun>" point to the last entity of the right kind named before."""
    word = token.lower_
    if word in ("he", "she") and token.dep_ in ("nsubj", "nsubjpass"):
        return _last_person_subject(ctx, token) or next((e for e in ctx.named_before(token.idx) if e.type == "PERSON"), None)
    if word in ("he", "she", "his", "her"):
        return next((e for e in ctx.named_before(token.idx) if e.type == "PERSON"), None)
    if word in ("it", "its"):
        return next((e for e in ctx.named_before(token.idx) if e.type == "ORG"), None)
    if word in STATE_NOUNS:
        return _state_named(ctx, token)
    if _is_central_bank(ctx, token):
        return _central_bank(ctx, token)
    if word == "country" and any(c.dep_ == "det" and c.lower_ == "the" for c in token.children):
        # "the country" is the one the article is about, not the last named ("a highway that will link it with Serbia")
        return _most_mentioned(e for e in ctx.named_before(token.idx) if e.name in ctx.knowledge.country_by_name)
    determined = _determined(token)
    if determined and word in ctx.knowledge.title_heads:  # "The PM, who was in Beijing, also met ..."
        title = ctx.knowledge.titles_spelled_out.get(word, word)
        return next(
            (e for e in ctx.named_before(token.idx) if e.type == "PERSON" and title in (e.role or "").lower()), None
        )
    if determined and token.pos_ == "NOUN":
        noun = token.lemma_.lower()
        kind = KIND_NOUNS.get(noun)
        for e in ctx.named_before(token.idx):
            if kind is not None and e.kind == kind:
                return e
            if noun in e.name.lower().split() or noun in {w.lower() for a in e.aliases for w in a.split()}:
                return e
            if noun == "project" and e.type == "PROJECT":
                return e
    return None


def _last_person_subject(ctx: Context, pronoun: Token) -> Entity | None:
    """The person a subject pronoun continues: the last person named as a subject outside quotation marks,
    in its own sentence before it, else in the sentence before, where the main clause's subject comes first
    ("PM Orban recalled that he and Xi had agreed, when Xi was deputy president. ..., he said" is Orban;
    "Ball bearings were found, he added" is not Ball; "He said" after a quote that names a sheikh is still
    its speaker)."""
    sent = pronoun.sent
    found = _person_subject(ctx, reversed(ctx.doc[sent.start : pronoun.i]))
    if found is not None or sent.start == 0:
        return found
    before = ctx.doc[sent.start - 1].sent
    root_subjects = [c for c in before.root.children if c.dep_ == "nsubj"]
    return _person_subject(ctx, root_subjects) or _person_subject(ctx, reversed(before))


def _person_subject(ctx: Context, tokens) -> Entity | None:
    """The first of the tokens that names a person as a subject, or a pronoun subject that goes on from one."""
    for tok in tokens:
        if tok.lower_ in ("he", "she") and tok.dep_ == "nsubj" and not _quoted(tok):
            return _last_person_subject(ctx, tok)  # "..., he added. He said ...": the same person goes on
        entity = ctx.entity(tok)
        if entity is None or entity.type != "PERSON" or _quoted(tok):
            continue
        head = tok
        while head.dep_ in ("compound", "appos", "flat") and head.head.i != head.i:
            if head.dep_ != "appos" and ctx.entity(head.head) is not entity:
                break  # "Ball bearings": a name that only qualifies a noun is no one's subject
            head = head.head
        if head.dep_ in ("nsubj", "nsubjpass"):
            return entity
    return None


def _quoted(token: Token) -> bool:
    """Inside quotation marks of its own sentence."""
    before = token.sent[: token.i - token.sent.start].text
    return before.count("“") > before.count("”") or before.count('"') % 2 == 1


def _is_central_bank(ctx: Context, token: Token) -> bool:
    """"China's central bank", not the name "Central Bank of Argentina"."""
    return token.lower_ == "bank" and ctx.entity(token) is None and any(c.lower_ == "central" for c in token.children)


def _central_bank(ctx: Context, bank: Token) -> Entity | None:
    """"China's central bank", "the country's central bank": the state bank the article names for that country."""
    owner = next((c for c in bank.children if c.dep_ == "poss"), None)
    # "the central bank of Saudi Arabia"
    owner = owner or next((o for c in bank.children if c.lower_ == "of" for o in c.children if o.dep_ == "pobj"), None)
    state = (ctx.entity(owner) or _refers_to(ctx, owner)) if owner is not None else None
    return next(
        (
            e for e in ctx.entities
            if e.type == "ORG" and e.kind == "government" and "Bank" in e.name
            and (state is None or e.country == state.country)
        ),
        None,
    )  # fmt: skip


def _state_lender(ctx: Context, phrase: Token) -> Entity | None:
    """"a loan from China's Export–Import bank": a bank named by its state and lowercase words is the lender of
    that state the article names whose name holds those words."""
    tokens = [t for t in phrase.subtree if not t.is_punct and t.dep_ != "case"]
    if not any(t.lower_ in ("bank", "lender") and ctx.entity(t) is None for t in tokens):
        return None
    owners = [e for t in tokens if t.dep_ == "poss" and (e := ctx.entity(t)) is not None and e.type == "GPE"]
    if not owners or any(t.lower_ == "central" for t in tokens):
        return None
    words = {w.lower() for t in tokens if ctx.entity(t) is None for w in re.split(r"[-–]", t.text) if w}
    words -= {"bank", "lender", "the"}
    lenders = [e for e in ctx.entities if e.kind in LENDER_KINDS and e.country == owners[0].country]
    return next((e for e in lenders if words <= set(re.split(r"[\s-]+", e.name.lower()))), None)


def _state_named(ctx: Context, noun: Token) -> Entity | None:
    """The country a demonym before a state noun names ("the Chinese government"), as the article names it."""
    for word in (c for c in noun.children if c.dep_ in ("amod", "compound")):
        words = ctx.doc[word.left_edge.i : word.i + 1].text  # "the Sri Lankan government"
        country = _country_word(ctx, words) or _country_word(ctx, word.text)
        if country is not None:
            return next((e for e in ctx.entities if e.type == "GPE" and e.name == country.name), None)
    return None


def _country_word(ctx: Context, word: str) -> Country | None:
    """The country a demonym or a country's name stands for ("Chinese", "Sri Lankan", "China")."""
    return ctx.knowledge.country_by_demonym.get(word) or ctx.knowledge.country_by_name.get(word)


def _most_mentioned(entities: Iterable[Entity]) -> Entity | None:
    """The entity the article names most often: the one it is about."""
    return max(entities, key=lambda e: len(e.mentions), default=None)


def _phrase(ctx: Context, head: Token) -> str:
    """The words of a noun phrase without its leading article."""
    return ctx.doc[head.left_edge.i + (head.left_edge.dep_ == "det") : head.right_edge.i + 1].text.strip()


def _ev(ctx: Context, etype: str, span: Span, args: dict[str, Any], arg_spans: dict[str, Span]) -> Event:
    args = {k: v for k, v in args.items() if v not in (None, [], "")}
    return Event(
        type=etype,
        arguments=args,
        evidence=ctx.evidence(span),
        argument_evidence={k: ctx.evidence(s) for k, s in arg_spans.items() if k in args},
    )


# --- STATEMENT -------------------------------------------------------------------------------------


def find_statements(ctx: Context) -> list[Event]:
    """One STATEMENT per speaker, its topic from the words of everything the speaker said."""
    conf = ctx.triggers["STATEMENT"]
    by_speaker: dict[str, tuple[Entity, Span, list[Span], DateMention | None]] = {}
    for sent in ctx.doc.sents:
        for tok in sent:
            speakers = _speakers(ctx, tok, conf)
            if any(s.type == "PERSON" for s in speakers):  # "Spokesperson for the Ministry X, Y said": Y speaks
                speakers = [s for s in speakers if s.type == "PERSON"]
            for speaker in speakers:
                if speaker.type == "GPE" or (speaker.type == "ORG" and speaker.kind in conf["excluded_kinds"]):
                    continue  # a country "says" through its officials; outlets report
                if speaker.name not in by_speaker:
                    by_speaker[speaker.name] = (speaker, sent, [], ctx.date_near(sent))
                by_speaker[speaker.name][2].append(sent)
    people = [e for e, *_ in by_speaker.values() if e.type == "PERSON"]
    topics = _topics(ctx)
    article_topic = _main_topic(_lemmas(ctx.doc), topics)
    events = []
    for speaker, first, said, when in by_speaker.values():
        if speaker.type == "ORG" and any(_speaks_for(p, speaker) for p in people):
            continue  # "BLA spokesman Jeeyand Baloch said": one statement, by the spokesman
        topic = _topic(_lemmas([t for s in said for t in s]), topics)
        security_voice = article_topic == "security" and _speaks_to_security(speaker, conf)
        if topic == "other" and (article_topic in conf["article_topics"] or security_voice):
            topic = article_topic  # "the projects will be an engine of growth" (cooperation), "the envoy was fine"
        venue = _venue(ctx, said)
        args = {"speaker": speaker.name, "topic": topic, "date": when, "location": venue.name if venue else None}
        events.append(_ev(ctx, "STATEMENT", first, args, {"speaker": first, "topic": first}))
    return events


def _speakers(ctx: Context, tok: Token, conf: dict[str, Any]) -> list[Entity]:
    """Who a verb of saying makes speak (its subject), or "according to" (its object: "according to Finance
    Minister Musokotwane")."""
    if tok.lower_ == "according" and tok.i + 1 < len(ctx.doc) and ctx.doc[tok.i + 1].lower_ == "to":
        return [e for o in ctx.doc[tok.i + 1].children if o.dep_ == "pobj" for e in _actors(ctx, o, ("PERSON",))]
    if tok.pos_ not in ("VERB", "AUX") or not _says(tok, conf) or _planned(tok) or _advises(ctx, tok):
        return []
    if _negated(tok):
        return []  # "the bank has not confirmed whether it will approve the loan"
    if tok.lemma_.lower() in ctx.triggers["MEETING"]["verbs"] and _objects_are_people(ctx, tok):
        return []  # "welcomed Xi Jinping": a guest greeted, not a statement
    subject = _subject(tok)
    if subject is not None and subject.dep_ == "nsubjpass":
        return []  # "Obligations to Exim Bank are expressed in dollars": what is said, not who says it
    if subject is None and tok.i > 0 and ctx.doc[tok.i - 1].is_punct:
        # '"...," said lead protester Steven Naw Awng': the speaker named after the verb, whatever the parse
        after = ctx.doc[tok.i + 1 : min(tok.i + 8, tok.sent.end)]
        return next(([e] for e in ctx.entities_in(after, ("PERSON",))), [])
    return _actors(ctx, subject)


def _venue(ctx: Context, sents: list[Span]) -> Entity | None:
    """Where something was said or done: the first town after "in" or "at" ("said at the launch ceremony in
    Islamabad"); countries and provinces say too little."""
    provinces = _provinces(ctx.knowledge)
    for sent in sents:
        if ctx.dateline is not None and any(t.lower_ == "here" and t.dep_ == "advmod" for t in sent):
            return ctx.dateline  # "ISLAMABAD: ... said here on Monday"
        for tok in sent:
            entity = ctx.entity(tok)
            if entity is not None and entity.type == "GPE" and tok.head.lower_ in ("in", "at"):
                if _elsewhere(tok.head, sent.root):
                    continue
                if entity.name not in ctx.knowledge.country_by_name and entity.name not in provinces:
                    return entity
    return None


@cache
def _provinces(knowledge: Knowledge) -> frozenset[str]:
    return frozenset(e.name for e in knowledge.entities if e.level == "province")


def _speaks_to_security(speaker: Entity, conf: dict[str, Any]) -> bool:
    """Governments, armed groups and officials of security (a home minister, a military spokesman): in news
    of an attack, what they say concerns it."""
    voices = conf["security_voices"]
    if speaker.type == "ORG":
        return speaker.kind in voices["kinds"]
    return bool(set((speaker.role or "").lower().split()) & set(voices["roles"]))


def _planned(verb: Token) -> bool:
    """"Xi will meet Hamid", "he is expected to announce": what is yet to happen has not happened."""
    if any(c.dep_ == "aux" and c.lower_ in ("will", "shall", "'ll") for c in verb.children):
        return True
    return verb.dep_ == "xcomp" and verb.head.lemma_.lower() in ("expect", "plan", "schedule", "due")


def _says(verb: Token, conf: dict[str, Any]) -> bool:
    """A verb of saying, or a verb that makes a statement noun ("made the remarks", "made the announcement")."""
    lemma = verb.lemma_.lower()
    if lemma in conf["verbs"]:
        return True
    return lemma in conf["making_verbs"] and any(
        c.dep_ == "dobj" and c.lemma_.lower() in conf["nouns"] for c in verb.children
    )


def _speaks_for(person: Entity, org: Entity) -> bool:
    role = person.role or ""
    return "spokes" in role.lower() and any(n in role for n in (org.name, *org.aliases))


def _topics(ctx: Context) -> dict[str, list[str]]:
    """Topic words; an attack's words (gunmen, wounded, died) speak of security too."""
    attack = ctx.triggers["ATTACK"]
    topics = dict(ctx.triggers["STATEMENT"]["topics"])
    topics["security"] = [
        *topics["security"],
        *(w for key in ("verbs", "nouns", "kill_verbs", "injure_verbs", "attacker_words") for w in attack[key]),
    ]
    return topics


def _topic(words: set[str], topics: dict[str, list[str]]) -> str:
    """Security concerns outrank everything (they are what this record is for); otherwise the most words win."""
    first = next(iter(topics))
    return first if words & set(topics[first]) else _main_topic(words, topics)


def _main_topic(words: set[str], topics: dict[str, list[str]]) -> str:
    """The topic most of the words name; of a whole article, a passing mention of security does not outweigh
    what the article is about."""
    scores = {topic: len(words & set(vocab)) for topic, vocab in topics.items()}
    best = max(scores, key=lambda k: scores[k])
    return best if scores[best] else "other"


# --- MEETING ---------------------------------------------------------------------------------------


def find_meetings(ctx: Context) -> list[Event]:
    """Meetings between named people (or government bodies) linked to a meeting word on the parse."""
    conf = ctx.triggers["MEETING"]
    events: list[Event] = []
    for sent in ctx.doc.sents:
        for trigger in sent:
            verb = trigger.pos_ == "VERB" and trigger.lemma_.lower() in conf["verbs"] and not _planned(trigger)
            if verb and trigger.lemma_.lower() in conf["place_verbs"] and not _visits_someone(ctx, trigger):
                continue  # "Kenyatta and Odinga visited China": visitors of a place, not a meeting of theirs
            noun = trigger.pos_ == "NOUN" and trigger.lower_ in conf["nouns"] and not _held_later(trigger)
            if trigger.pos_ == "VERB" and trigger.lemma_.lower() in conf["joint_verbs"]:
                participants = _doers(ctx, trigger)
            elif trigger.lower_ in conf["partners"]:
                participants = _with_counterpart(ctx, trigger)
            elif trigger.pos_ == "VERB" and trigger.lemma_.lower() in conf["telling_verbs"]:
                participants = _told(ctx, trigger)
            elif verb or noun:
                participants = _participants(ctx, sent, trigger, verb)
            else:
                continue
            if len(participants) < 2:
                if noun and events and not events[-1].arguments.get("location"):
                    _fill_place(events[-1], _venue(ctx, [sent]), sent, ctx)  # "Their meeting took place in Beijing"
                continue
            for group in _one_to_one(ctx, trigger, participants) if verb else [participants]:
                _add_meeting(ctx, events, sent, [p.name for p in group])
    return _placed_by_context(ctx, _dated_by_context(ctx, events), conf["nouns"])


def _placed_by_context(ctx: Context, events: list[Event], nouns: list[str]) -> list[Event]:
    """A meeting its own sentence does not place took place where one of the two sentences before it
    says, when that sentence names one of its participants or the meeting itself: "Xi arrived in Dhaka
    on Friday. He was received by Hamid ...", "The meeting was held in Beijing. It was co-chaired by ..."."""
    sents = list(ctx.doc.sents)
    starts = [s.start_char for s in sents]
    for event in events:
        if event.arguments.get("location"):
            continue
        at = bisect.bisect_right(starts, event.evidence.start) - 1
        names = set(event.arguments["participants"])
        for before in reversed(sents[max(0, at - 2) : max(at, 0)]):
            about = any(
                tok.lower_ in nouns or ((e := ctx.entity(tok)) is not None and e.name in names) for tok in before
            )
            venue = _venue(ctx, [before]) if about else None
            if venue is not None:
                _fill_place(event, venue, before, ctx)
                break
    return events


def _one_to_one(ctx: Context, verb: Token, participants: list[Entity]) -> list[list[Entity]]:
    """"Khan met Premier Li Keqiang and President Xi Jinping": one visitor meeting several people meets
    each of them, in meetings of their own."""
    host = _actors(ctx, _subject(verb), ("PERSON",))
    objects = [c for c in verb.children if c.dep_ == "dobj"]
    objects += [o for c in verb.children if c.dep_ == "prep" and c.lower_ == "with" for o in c.children]
    objects = [o for o in objects for o in (o, *o.conjuncts)]
    # "welcomed Xi and his spouse Peng Liyuan": a spouse comes along, the host meets the guest
    companions = [o for o in objects if o.lemma_.lower() in ctx.triggers["MEETING"]["companions"]]
    guests = [
        e for o in objects if o not in companions
        for e in [_np_entity(ctx, o)] if e is not None and e.type == "PERSON" and e not in host
    ]  # fmt: skip
    if len(host) != 1 or not guests or (len(guests) < 2 and not companions):
        return [participants]
    return [[host[0], guest] for guest in guests]


def _add_meeting(ctx: Context, events: list[Event], sent: Span, names: list[str]) -> None:
    # a later mention naming no one new is the same meeting; one with more people is another
    same = next((e for e in events if set(names) <= set(e.arguments["participants"])), None)
    # a dateline says where the report was filed, not where the leaders met
    places = [
        p for p in _places(ctx, sent, skip_countries=True)
        if any(sent.start_char <= m.start < sent.end_char and not m.text.isupper() for m in p.mentions)
    ]  # fmt: skip
    if same is not None:
        _fill(same, "date", ctx.date_in(sent), sent, ctx)
        if places and not same.arguments.get("location"):
            _fill_place(same, places[0], sent, ctx)
        return
    when = ctx.date_in(sent)
    args = {
        "participants": names,
        "date": when.value if when else None,
        "location": places[0].name if places else None,
    }
    events.append(_ev(ctx, "MEETING", sent, args, {k: sent for k in args}))


def _held_later(noun: Token) -> bool:
    """"Xi will meet Hamid and hold talks with Hasina": talks that a planned verb governs are yet to be held."""
    verb = noun.head if noun.dep_ == "dobj" else None
    while verb is not None and not _planned(verb) and verb.dep_ == "conj" and verb.head.i != verb.i:
        verb = verb.head
    return verb is not None and _planned(verb)


def _doers(ctx: Context, verb: Token) -> list[Entity]:
    """The leaders of two states who do something together (the verb's subject, or the agent of its
    passive): two of one side's officials watching a signing did not meet each other."""
    agent = next((c for c in verb.children if c.dep_ == "agent"), None)
    subject = _subject(verb)
    if agent is not None:
        people = [e for c in agent.children for e in _actors(ctx, c, ("PERSON",))]
    elif subject is not None and subject.dep_ != "nsubjpass":
        people = _actors(ctx, subject, ("PERSON",))
    else:
        return []
    return people if len({p.country for p in people if p.country}) >= 2 else []


def _visits_someone(ctx: Context, verb: Token) -> bool:
    return any(e.type == "PERSON" for c in verb.children if c.dep_ == "dobj" for e in _actors(ctx, c, ("PERSON",)))


def _told(ctx: Context, verb: Token) -> list[Entity]:
    """The speaker and the named person of another state they told something ("Xi told Yameen that ...");
    telling a reporter or an outlet is no meeting."""
    if _planned(verb):
        return []
    speakers = _actors(ctx, _subject(verb), ("PERSON",))
    told = [e for c in verb.children if c.dep_ in ("dobj", "dative") for e in _actors(ctx, c, ("PERSON",))]
    if len(speakers) != 1 or len(told) != 1:
        return []
    countries = {speakers[0].country, told[0].country}
    return [speakers[0], told[0]] if None not in countries and len(countries) == 2 else []


def _with_counterpart(ctx: Context, noun: Token) -> list[Entity]:
    """The leader and the named counterpart they act with (conjoined subjects) or speak to (the object of
    their verb); a counterpart who only speaks ("His Pakistani counterpart Dar said") met no one."""
    named = ctx.entities_in(noun.subtree, ("PERSON",))
    if len(named) != 1:
        return []
    if noun.dep_ == "conj":
        leaders = _actors(ctx, noun.head, ("PERSON",))
    elif noun.dep_ in ("dobj", "dative") and noun.head.pos_ == "VERB" and not _planned(noun.head):
        leaders = _actors(ctx, _subject(noun.head), ("PERSON",))
    else:
        return []
    return list(dict.fromkeys([*leaders[:1], named[0]])) if leaders[:1] != named else []


def _dated_by_context(ctx: Context, events: list[Event]) -> list[Event]:
    """A meeting or signing that no sentence dates took place when its paragraph last said, else on the
    article's day: news reports them as they happen."""
    for event in events:
        if not event.arguments.get("date"):
            event.arguments["date"] = _context_date(ctx, event)
    return events


def _context_date(ctx: Context, event: Event) -> str | None:
    sent = ctx.doc.char_span(event.evidence.start, event.evidence.end, alignment_mode="expand")
    return ctx.date_near(sent) if sent is not None else ctx.anchor_date


def _fill_place(event: Event, place: Entity | None, sent: Span, ctx: Context) -> None:
    if place is not None:
        event.arguments["location"] = place.name
        event.argument_evidence["location"] = ctx.evidence(sent)


def _fill(event: Event, name: str, mention: DateMention | None, sent: Span, ctx: Context) -> None:
    if mention is not None and not event.arguments.get(name):
        event.arguments[name] = mention.value
        event.argument_evidence[name] = ctx.evidence(sent)


def _participants(ctx: Context, sent: Span, trigger: Token, verb: bool) -> list[Entity]:
    """Who met: the trigger's subject and its phrase ("a meeting with X"), then others named in the sentence
    except whoever is only reporting it."""
    linked: list[Entity] = []
    if verb:
        linked += _actors(ctx, _subject(trigger), ("PERSON", "ORG"))
    for child in trigger.children:
        if child.dep_ in ("prep", "dobj", "poss", "compound", "nmod", "agent") or (
            child.dep_ == "pobj" and not verb
        ):
            # "the meeting of the Joint Cooperation Committee": the body is where people meet, not one of them
            types = ("PERSON",) if not verb and child.lower_ == "of" else ("PERSON", "ORG")
            linked += ctx.entities_in(child.subtree, types)
            if child.dep_ == "poss" and child.pos_ == "PRON":
                linked += [e for e in [_refers_to(ctx, child)] if e is not None]
    if trigger.dep_ in ("pobj", "dobj") and trigger.head.pos_ in ("VERB", "ADP"):
        holder = trigger.head if trigger.head.pos_ == "VERB" else trigger.head.head
        linked += _actors(ctx, _subject(holder), ("PERSON",))
    subject = _subject(trigger) if verb else None
    if subject is not None and subject.lower_ in ("two", "both", "they", "leaders", "sides"):
        return ctx.entities_in(sent, ("PERSON",))  # "when the two met": everyone the sentence names
    reporter = _reported_by(ctx, trigger if verb else trigger.head)
    linked = [e for e in dict.fromkeys(linked) if e.type == "PERSON" or e.kind == "government"]
    if len(linked) < 2:
        others = [e for e in ctx.entities_in(sent, ("PERSON",)) if e is not reporter]
        linked = list(dict.fromkeys([*linked, *others]))
    return linked


def _places(ctx: Context, sent: Span, skip_countries: bool = False) -> list[Entity]:
    """Places named in a locative phrase of the sentence, most specific first, datelines last."""
    ranked: list[tuple[int, int, Entity]] = []
    for tok in sent:
        entity = ctx.entity(tok)
        if entity is None or entity.type not in PLACE_TYPES:
            continue
        if any(r[2] is entity for r in ranked):
            continue
        if skip_countries and entity.type == "GPE" and entity.name in ctx.knowledge.country_by_name:
            continue
        locative = tok.head.lower_ in ("in", "at", "near", "outside", "on", "to", "of") or tok.dep_ == "pobj"
        dateline = tok.text.isupper() and len(tok.text) > 2
        rank = 3 if dateline else (0 if entity.type == "GPE" and locative else 1 if locative else 2)
        ranked.append((rank, tok.i, entity))
    ranked.sort(key=lambda r: (r[0], r[1]))
    return [r[2] for r in ranked]


# --- FINANCING -------------------------------------------------------------------------------------


def find_financing(ctx: Context) -> list[Event]:
    conf = ctx.triggers["FINANCING"]
    instruments: dict[str, str] = conf["instruments"]
    events = []
    for sent in ctx.doc.sents:
        amounts = ctx.amounts_in(sent)
        if not amounts:
            continue
        instrument = _instrument_named(sent, instruments)
        if instrument is None:
            continue
        whole = _whole_taken_up(ctx, sent, events, conf["whole_nouns"])
        if whole is not None:
            events.extend(_parts_of(ctx, sent, whole, amounts, instrument, instruments))
            continue
        found = [
            e for amount in amounts
            for e in _financing_for_amount(ctx, sent, amount, instrument, conf["recipient_prepositions"])
        ]  # fmt: skip
        events.extend(_first_per_pair(found))
    return [_swap_sides(ctx, e) for e in _first_statement_of_each(ctx, events)]


def _swap_sides(ctx: Context, event: Event) -> Event:
    """A yuan swap line is lent by China's side (the People's Bank of China, else China) to the other central
    bank (else its state), whatever the sentence's word order ("a 35 billion yuan swap line" with Argentina)."""
    if event.arguments.get("currency") != "CNY" or "swap" not in event.evidence.text.lower():
        return event
    banks = [e for e in ctx.entities if e.type == "ORG" and e.kind == "government" and "Bank" in e.name]
    states = [e for e in ctx.entities if e.type == "GPE" and e.name in ctx.knowledge.country_by_name]
    china = next((b for b in banks if b.country == "CN"), None) or next((s for s in states if s.country == "CN"), None)
    partner = next((b for b in banks if b.country not in (None, "CN")), None) or _most_mentioned(
        s for s in states if s.country != "CN"
    )
    for side, entity in (("funder", china), ("recipient", partner)):
        if entity is not None:
            event.arguments[side] = entity.name
    return event


def _instrument_named(span: Span, instruments: dict[str, str]) -> str | None:
    """The instrument a span's words name: a phrase ("line of credit") as written, a word by its lemma."""
    lowered, lemmas = span.text.lower(), _lemmas(span)
    return next((inst for word, inst in instruments.items() if (" " in word and word in lowered) or word in lemmas), None)


def _whole_taken_up(ctx: Context, sent: Span, events: list[Event], nouns: list[str]) -> Event | None:
    """The financing of the sentence just before (or the one before that, in its paragraph) that this
    sentence breaks down: its subject is a word for that sum ("the support", "the aid", "half of that")
    and it names no lender, company or state of its own."""
    if _names_a_party(ctx, sent):
        return None
    # the main clause's subject, or a reported clause's ("The package would include ..., officials said")
    clauses = [sent.root, *(c for c in sent.root.children if c.dep_ == "ccomp")]
    subjects = [s for s in map(_subject, clauses) if s is not None]
    words = [*subjects, *(t for s in subjects for c in s.children if c.lower_ == "of" for t in c.children)]
    if not any(w.lemma_.lower() in nouns and (w.pos_ == "PRON" or _determined(w)) for w in words):
        return None
    paragraph = ctx.text.rfind("\n\n", 0, sent.start_char)
    earlier = [e for e in events if e.evidence.start > paragraph or e.evidence.end >= sent.start_char - 2]
    earlier = [e for e in earlier if e.arguments.get("funder") or e.arguments.get("recipient")]
    return earlier[-1] if earlier else None


def _names_a_party(ctx: Context, sent: Span) -> bool:
    """An organisation or state the sentence names, other than as its source ("according to a copy of
    the speech released by the Ministry of Foreign Affairs")."""
    sources = {t.i for t in sent if t.lower_ == "according" for t in t.subtree}
    return bool(ctx.entities_in((t for t in sent if t.i not in sources), ("ORG", "GPE")))


def _determined(noun: Token) -> bool:
    return any(c.dep_ == "det" and c.lower_ in ("the", "this", "that") for c in noun.children)


def _parts_of(
    ctx: Context, sent: Span, whole: Event, amounts: list[Amount], instrument: str, instruments: dict[str, str]
) -> list[Event]:
    """Each amount smaller than the whole it breaks down, from the whole's funder to its recipient, as the
    words just after it call it ("210 billion yuan in lines of credit")."""
    funder = next((e for e in ctx.entities if e.name == whole.arguments.get("funder")), None)
    recipient = next((e for e in ctx.entities if e.name == whole.arguments.get("recipient")), None)
    parts = []
    for amount in amounts:
        span = ctx.doc.char_span(amount.start, amount.end, alignment_mode="expand")
        if span is None or not _smaller(amount, whole.arguments) or _not_money_moved(ctx, span, sent):
            continue
        own = _instrument_named(ctx.doc[span.end : min(span.end + 5, sent.end)], instruments)
        parts.append(_financing_event(ctx, sent, amount, span, own or instrument, funder, recipient, []))
    return parts


# "the $7 loan programme": a figure this small lost its "billion" on the way, and says nothing of the money
LEAST_FINANCING = 1000


def _not_money_moved(ctx: Context, amount: Span, sent: Span) -> bool:
    """A price, a running total, damage done or a sum paid back on a debt."""
    return (
        _values_a_project(ctx, amount) or _running_total(ctx, amount, sent) or _paid_back(ctx, amount)
        or _counts_damage(ctx, amount)
    )  # fmt: skip


def _counts_damage(ctx: Context, amount: Span) -> bool:
    """"putting the damages at some $37 million", "causing $37 million in damage": what was destroyed."""
    near = amount.doc[max(amount.sent.start, amount.start - 4) : min(amount.sent.end, amount.end + 3)]
    return any(t.lemma_.lower() in ctx.triggers["FINANCING"]["damage_words"] for t in near)


def _smaller(amount: Amount, whole: dict[str, Any]) -> bool:
    if amount.currency == whole["currency"]:
        return amount.value < whole["value"]
    part_usd = amount.value if amount.currency == "USD" else amount.usd_stated
    whole_usd = whole["value"] if whole["currency"] == "USD" else whole.get("usd_stated")
    return part_usd is not None and whole_usd is not None and part_usd < whole_usd


def _first_per_pair(events: list[Event]) -> list[Event]:
    """One sentence's financing between the same funder and recipient, less the amounts that only restate
    an earlier one: in another currency ("a EUR 274.5 million loan, worth USD 301 million") or at about
    the same value. A tranche and its facility ("$500 million as part of a $1.3 billion rollover") stay."""
    kept: list[Event] = []
    for event in events:
        if not any(_restates(event.arguments, k.arguments) for k in kept):
            kept.append(event)
    return kept


def _first_statement_of_each(ctx: Context, events: list[Event]) -> list[Event]:
    """The article's financing, less later sentences that only name an amount again ("The $2-billion
    loan was due on March 24"): the same sum, the same date, and no other funder. A headline's state
    ("China lends US$989 million") gives way to the lender of that state the body names for the sum."""
    kept: list[Event] = []
    for event in events:
        args = event.arguments
        if any(_names_again(args, k.arguments) for k in kept):
            continue
        stated = next((i for i, k in enumerate(kept) if _names_again({**args, "funder": None}, k.arguments)), None)
        if stated is not None and _lender_of_state(ctx, args.get("funder"), kept[stated].arguments.get("funder")):
            kept[stated] = event
        else:
            kept.append(event)
    return kept


def _lender_of_state(ctx: Context, lender: str | None, state: str | None) -> bool:
    country = ctx.knowledge.country_by_name.get(state or "")
    named = next((e for e in ctx.entities if e.name == lender), None)
    return country is not None and named is not None and named.kind in LENDER_KINDS and named.country == country.code


def _names_again(later: dict[str, Any], first: dict[str, Any]) -> bool:
    return (
        later["currency"] == first["currency"]
        and abs(later["value"] - first["value"]) <= 0.01 * max(abs(first["value"]), 1)
        and later.get("funder") in (None, first.get("funder"))
        and later.get("date") == first.get("date")
    )


def _restates(later: dict[str, Any], first: dict[str, Any]) -> bool:
    if (later.get("funder"), later.get("recipient")) != (first.get("funder"), first.get("recipient")):
        return False
    if later["currency"] != first["currency"]:
        return True
    return abs(later["value"] - first["value"]) <= 0.05 * max(abs(first["value"]), 1)


def _financing_for_amount(ctx: Context, sent: Span, amount: Amount, instrument: str, preps) -> list[Event]:
    doc = ctx.doc
    amount_span = doc.char_span(amount.start, amount.end, alignment_mode="expand")
    if amount.value < LEAST_FINANCING or amount_span is None or _values_a_project(ctx, amount_span):
        return []
    if _running_total(ctx, amount_span, sent) or _counts_damage(ctx, amount_span):
        return []
    directed = _by_verb(ctx, amount_span) or _by_participle(ctx, amount_span)
    if directed is None and _paid_back(ctx, amount_span):
        return []  # "Pakistan repaid China's $1 billion loan" still names who lent to whom
    recipients = _recipients(ctx, sent, preps)
    # a lender may be named after the amount ("a USD 2.9 billion programme with the IMF"); others come first
    named = [
        (abs(m.start - amount.start), e)
        for e in ctx.entities_in(sent, ("ORG", "GPE"))
        for m in e.mentions
        if sent.start_char <= m.start < sent.end_char
    ]
    lenders = [c for c in named if c[1].kind in LENDER_KINDS and not _invested_in(ctx, c[1], sent)]
    candidates = [
        (amount.start - m.start, e)
        for e in ctx.entities_in(sent, ("ORG", "GPE"))
        for m in e.mentions
        if sent.start_char <= m.start < amount.start and e not in recipients and not _where(ctx, m.start)
    ]
    companies = [c for c in candidates if c[1].kind == "company"]
    pool = lenders or companies or [c for c in candidates if c[1].type == "GPE"] or candidates
    funders: list[Entity] = [] if lenders else _funding_states(ctx, sent)  # "a Chinese-funded airport"
    if pool and not funders:
        nearest = min(pool, key=lambda c: c[0])[1]
        funders = [nearest]
        if re.search(r"\beach\b", sent.text):
            funders = list(dict.fromkeys(e for _, e in pool))
    recipients = [r for r in recipients if r not in funders and (r.kind not in LENDER_KINDS or _invested_in(ctx, r, sent))]
    recipients = [r for r in recipients if r.name not in _umbrellas(ctx.knowledge)]  # "a loan under the BRI"
    subject_places = [
        e for e in _actors(ctx, _subject(sent.root), ("GPE",)) if e not in funders and all(e is not c[1] for c in pool)
    ]
    if directed is not None:  # what the verb says of direction outweighs where names stand
        funders = [f for f in directed[0] if f is not None] or [f for f in funders if f is not directed[1]]
    recipient = (recipients or subject_places or [_focus_country(ctx, funders, sent)])[0]
    if directed is not None:
        recipient = directed[1] or (recipient if recipient not in funders else None)
    projects = _specific(ctx, sent, _projects_in(ctx, sent) or _paragraph_projects(ctx, sent))
    if not funders and recipient is not None and _invested_in(ctx, recipient, sent):
        funders = _possessors(ctx, recipient, sent)  # "invested in Beijing's Silk Road Fund"
    return [
        _financing_event(ctx, sent, amount, amount_span, instrument, funder, recipient, projects)
        for funder in funders or [None]
        if funder is not None or recipient is not None
    ]


def _where(ctx: Context, offset: int) -> bool:
    """A place named where something happens ("Xi in Pakistan to unveil $45 billion"), not who pays."""
    token = ctx.doc.char_span(offset, offset + 1, alignment_mode="expand")
    if token is None:
        return False
    head = token.root
    while head.dep_ in ("compound", "amod") and head.head.i != head.i:
        head = head.head
    return ctx.entity(head) is not None and head.dep_ == "pobj" and head.head.lower_ in ("in", "at", "near")


def _financing_event(
    ctx: Context,
    sent: Span,
    amount: Amount,
    amount_span: Span,
    instrument: str,
    funder: Entity | None,
    recipient: Entity | None,
    projects: list[Entity],
) -> Event:
    args = {
        "funder": funder.name if funder else None,
        "recipient": recipient.name if recipient and recipient is not funder else None,
        "value": amount.value,
        "currency": amount.currency,
        "usd_stated": amount.usd_stated,
        "instrument": instrument,
        "purpose": _purpose(ctx, amount_span, projects),
        "date": ctx.date_near(sent),
    }
    return _ev(ctx, "FINANCING", sent, args, {k: sent for k in args})


def _values_a_project(ctx: Context, amount: Span) -> bool:
    """"the $65 billion China-Pakistan Economic Corridor", "at a cost of RM44 billion", "projects valued at
    about $60 billion": an amount that prices something names its value, not money lent or given."""
    head = amount.root
    while head.dep_ in ("compound", "nummod", "quantmod", "amod", "nmod") and head.head.i != head.i:
        head = head.head
    entity = ctx.entity(head)
    if entity is not None and entity.type in ("PROJECT", "FAC") and head.i >= amount.end:
        # "the $216 million Chinese-funded airport in Pokhara": the price says what a state paid
        return not _FUNDED_BY.search(ctx.doc[amount.end : head.i].text)
    if _noun_after(amount).lemma_.lower() in ctx.triggers["FINANCING"]["priced_nouns"]:
        return True
    pricing = ctx.triggers["FINANCING"]["pricing_words"]
    if head.lemma_.lower() in pricing:
        return True  # "the estimated €420 million cost"
    for _ in range(3):  # the amount, its preposition, the noun or verb that governs them
        if head.head.i == head.i:
            break
        head = head.head
        if head.lemma_.lower() in pricing:
            return True
        subject = _subject(head) if head.lemma_ == "be" else None
        if subject is not None and subject.lemma_.lower() in pricing:
            return True  # "the cost of the fifth instalment would be about 36.2 million euros"
    return False


def _noun_after(amount: Span) -> Token:
    """The noun an amount stands before, past the other modifiers of its phrase ("the US$3.6-billion,
    6,400-megawatt project"); read off the words, as the parser often makes the amount the head."""
    for tok in amount.doc[amount.end : amount.end + 8]:
        if tok.pos_ == "NOUN" and tok.dep_ != "compound":
            return tok
        if tok.pos_ not in ("NUM", "PUNCT", "ADJ", "NOUN", "PROPN", "SYM"):
            return tok
    return amount[-1]


def _paid_back(ctx: Context, amount: Span) -> bool:
    """"the $1 billion loan will be repaid by today", "servicing the loans will cost KSh 37 billion, down from
    KSh 50 billion", "$7.9 million relates to interest on the loan": money a borrower pays back on a debt is no
    new financing. Read off the clause that holds the amount: its verb, that verb's arguments and what they
    are said to be."""
    words = set(ctx.triggers["FINANCING"]["repayment_words"])
    verb = amount.root
    while verb.pos_ not in ("VERB", "AUX") and verb.head.i != verb.i:
        verb = verb.head
    arguments = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass", "csubj", "dobj", "attr")]
    arguments += [
        p for c in verb.children if c.dep_ == "prep" and c.lower_ in ("to", "on", "toward", "towards")
        for p in c.children if p.dep_ == "pobj"
    ]  # fmt: skip
    # "the principal amount", not "an interest rate of 2 percent", which prices a loan
    clause = [verb, *arguments, *(m for a in arguments for m in a.children if m.dep_ == "amod")]
    return any(t.lemma_.lower() in words or t.lower_ in words for t in clause)


def _running_total(ctx: Context, amount: Span, sent: Span) -> bool:
    """"Beijing has invested more than $65 billion as part of the BRI", "with Beijing investing over $65 billion
    under CPEC": what a state has put into a programme so far is a sum of many commitments, not one."""
    verb = amount.root
    while verb.pos_ not in ("VERB", "AUX") and verb.head.i != verb.i:
        verb = verb.head
    ongoing = verb.tag_ == "VBG" or any(c.dep_ == "aux" and c.lemma_ == "have" for c in verb.children)
    framed = any(e.name in _umbrellas(ctx.knowledge) for e in ctx.entities_in(sent, ("PROJECT",)))
    return ongoing and framed and verb.lemma_.lower() == "invest"


def _by_verb(ctx: Context, amount: Span) -> tuple[list[Entity | None], Entity | None] | None:
    """Funders and recipient read off the verb that governs the amount, when its subject is named:
    a giving verb's subject gives, a receiving verb's subject gets; the other side is named after a
    preposition ("to Pakistan", "from China", "with two lenders") or as an indirect object. None when
    the verb says nothing of direction or its subject names nobody."""
    conf = ctx.triggers["FINANCING"]
    verb = amount.root
    measuring = set(conf["measuring_verbs"])
    while (verb.pos_ not in ("VERB", "AUX") or verb.lemma_.lower() in measuring) and verb.head.i != verb.i:
        if verb.dep_ in ("conj", "appos"):
            return None  # "Saudi Arabia deposited USD 2 billion and the UAE USD 1 billion": the verb is shared
        verb = verb.head
    lemma = verb.lemma_.lower()
    receiving = lemma in conf["receiving_verbs"]
    if not (receiving or lemma in conf["giving_verbs"]):
        return None
    passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children)
    head = _subject(verb)
    if head is None or (ctx.entity(head) is None and _refers_to(ctx, head) is None):
        return None  # the subject is the money itself ("a loan from the ADB was approved")
    subject = _parties(ctx, head)
    if not subject:
        return None
    others: list[Entity] = []
    for child in verb.children:
        if child.dep_ in ("dative", "iobj") or (child.dep_ == "prep" and child.lower_ in ("to", "for")):
            targets = [child] if child.dep_ in ("dative", "iobj") else [c for c in child.children if c.dep_ == "pobj"]
            side = "recipient"
        elif child.dep_ in ("prep", "agent") and child.lower_ in conf["funder_prepositions"]:
            targets, side = [c for c in child.children if c.dep_ == "pobj"], "funder"
        else:
            continue
        if (side == "funder") == (receiving or passive):
            others += [e for t in targets for e in _parties(ctx, t)]
    if receiving != passive:  # "Zambia reached a deal with ...", "Pakistan was given ... by China"
        return list(dict.fromkeys(others)) or [None], subject[0]
    funders: list[Entity | None] = list(subject) if re.search(r"\beach\b", amount.sent.text) else subject[:1]
    return funders, (others or [None])[0]


_FUNDED_BY = re.compile(r"\b([A-Z][a-z]+)-(?:funded|financed|backed)\b")


def _funding_states(ctx: Context, sent: Span) -> list[Entity]:
    """The state a compound adjective says pays ("the $216 million Chinese-funded airport"), as the
    article names it."""
    found = []
    for m in _FUNDED_BY.finditer(sent.text):
        word = m.group(1)
        country = _country_word(ctx, word)
        found += [e for e in ctx.entities if country and e.type == "GPE" and e.name == country.name]
    return list(dict.fromkeys(found))


def _by_participle(ctx: Context, amount: Span) -> tuple[list[Entity | None], Entity | None] | None:
    """The funder a participle after the money names: "an investment ($4.7 billion) financed by China",
    "a EUR 687 million loan that was provided by China's Exim Bank", "financed by a loan from Exim";
    or the money's own "from": "was financed by a $216m loan from China's Exim Bank"."""
    giving = ctx.triggers["FINANCING"]["giving_verbs"]
    noun = amount.root
    while noun.dep_ in ("compound", "nummod", "quantmod", "amod", "nmod", "appos") and noun.head.i != noun.i:
        noun = noun.head
    phrases = [
        agent for clause in noun.children if clause.dep_ in ("acl", "relcl") and clause.lemma_.lower() in giving
        for agent in clause.children if agent.dep_ == "agent"
    ]  # fmt: skip
    phrases += [c for c in noun.children if c.dep_ == "prep" and c.lower_ == "from" and noun.i >= amount.end - 1]
    for phrase in phrases:
        found = [e for e in ctx.entities_in(phrase.subtree, ("ORG", "GPE")) if e.kind != "media"]
        found += [e for t in phrase.children if t.dep_ == "pobj" and (e := _state_lender(ctx, t)) is not None]
        if found:
            return [found[-1]], None  # the last named: "a loan from China's Exim Bank" is Exim's
    return None


LENDER_KINDS = ("lender", "multilateral")


def _invested_in(ctx: Context, entity: Entity, sent: Span) -> bool:
    """"invested in the Silk Road Fund", "contributing 100 billion yuan to the Silk Road Fund": a fund or bank
    named after "in", "into" or "to" receives the money."""
    for tok in sent:
        if ctx.entity(tok) is entity:
            head = tok
            while head.dep_ in ("compound", "poss", "amod") and head.head.i != head.i:
                head = head.head
            return head.dep_ == "pobj" and head.head.lower_ in ("in", "into", "to")
    return False


def _purpose(ctx: Context, amount: Span, projects: list[Entity]) -> str | None:
    """What the money is for: a project the sentence names, else the phrase the amount heads or
    qualifies ("USD 2.4 billion of principal due ...", "a USD 3 billion Stand-By Arrangement"),
    else a project its paragraph names."""
    aim = _stated_aim(ctx, amount)
    if aim is not None:
        return aim
    sent = amount.sent
    named = [p for p in projects if any(sent.start_char <= m.start < sent.end_char for m in p.mentions)]
    named += [e for t in sent if t.pos_ == "NOUN" and (e := _refers_to(ctx, t)) in projects]  # "the airport was ..."
    if len(projects) == 1 and any(t.lemma_ == "project" and _determined(t) for t in sent):
        named.append(projects[0])  # "The project ... was financed by": the one project the money can be for
    if named:
        return named[0].name
    root = amount.root
    for child in [*(c for c in root.children if c.i >= amount.end), _word_after(amount)]:
        if child.dep_ == "prep" and child.lower_ in ("of", "for", "towards", "in"):
            objects = [c for c in child.children if c.dep_ == "pobj"]  # "360 billion yuan in financial assistance"
            if objects and ctx.entity(objects[0]) is None and (child.lower_ != "in" or objects[0].pos_ == "NOUN"):
                return _phrase(ctx, objects[0])
    if root.dep_ == "pobj" and root.head.lower_ in ("of", "for") and root.head.head.pos_ == "NOUN":
        owner = root.head.head  # "a second loan tranche of about USD 334 million", "a stake ... for USD 1.1 billion"
        if ctx.entity(owner) is None:
            words = [t for t in owner.subtree if t.i < root.head.i and t.dep_ != "det"]
            return ctx.doc[words[0].i : words[-1].i + 1].text.strip() if words else None
    head = root
    while head.dep_ in ("compound", "nummod", "quantmod", "amod", "nmod") and head.head.i != head.i:
        head = head.head
    if head.i != root.i and head.pos_ in ("NOUN", "PROPN") and ctx.entity(head) is None:
        words = [t for t in head.subtree if not (amount.start <= t.i < amount.end) and t.dep_ != "det"]
        text = ctx.doc[words[0].i : words[-1].i + 1].text if words else ""
        if text and words[0].i >= amount.start:
            return text
    return projects[0].name if projects else None


def _word_after(amount: Span) -> Token:
    """The word after an amount and the conversion in brackets beside it ("360 billion yuan ($50.7 billion) in")."""
    i = amount.end
    if i < len(amount.doc) and amount.doc[i].text == "(":
        close = next((t.i for t in amount.doc[i : i + 12] if t.text == ")"), i)
        i = close + 1
    return amount.doc[min(i, len(amount.doc) - 1)]


def _stated_aim(ctx: Context, amount: Span) -> str | None:
    """The "for" phrase of the loan or the lending verb ("approved a loan of USD 1 billion to Sri Lanka for the
    construction of the first phase of the Central Expressway"), when it names a thing, not a party."""
    head = amount.root
    while head.head.i != head.i and head.pos_ not in ("VERB", "AUX"):
        head = head.head
        for prep in (c for c in head.children if c.dep_ == "prep" and c.lower_ in ("for", "towards")):
            aim = next((c for c in prep.children if c.dep_ == "pobj"), None)
            if aim is not None and aim.i >= amount.end and ctx.entity(aim) is None and aim.pos_ == "NOUN":
                return _phrase(ctx, aim)
    return None


def _possessors(ctx: Context, entity: Entity, sent: Span) -> list[Entity]:
    for tok in sent:
        if ctx.entity(tok) is entity:
            owners = [c for c in tok.head.subtree if c.dep_ == "poss" and ctx.entity(c) not in (None, entity)]
            return [e for e in (ctx.entity(c) for c in owners) if e is not None and e.type == "GPE"][:1]
    return []


def _focus_country(ctx: Context, funders: list[Entity], sent: Span) -> Entity | None:
    """The country the article is about (the most-named country that is not the funder's), when the
    sentence's paragraph names it: "China had rolled over a loan" in a paragraph about Pakistan's debt."""
    text = ctx.text
    start = text.rfind("\n\n", 0, sent.start_char) + 1
    end = text.find("\n\n", sent.end_char)
    paragraph = (start, len(text) if end < 0 else end)
    excluded = {f.country for f in funders if f} | {f.name for f in funders if f}
    countries = [
        e for e in ctx.entities
        if e.type == "GPE" and e.name in ctx.knowledge.country_by_name and e.country not in excluded
        and e.name not in excluded
    ]  # fmt: skip
    focus = _most_mentioned(countries)
    if focus is None or not any(paragraph[0] <= m.start < paragraph[1] for m in focus.mentions):
        return None
    return focus


def _recipients(ctx: Context, sent: Span, preps) -> list[Entity]:
    """Who gets the money: a state, body or project after a preposition of receiving, or a region
    ("financial assistance to countries in Africa"); a programme the money is for comes after a body that
    takes it ("support for the Belt and Road Initiative by contributing 100 billion yuan to the Silk Road Fund")."""
    out = []
    for tok in sent:
        entity = ctx.entity(tok)
        if entity is None or entity.type not in ("ORG", "GPE", "LOC", "PROJECT"):
            continue
        head = tok
        while head.dep_ in ("compound", "amod", "poss", "nmod", "appos", "conj") and head.head.i != head.i:
            head = head.head
        if head.dep_ == "pobj" and head.head.lower_ in preps:
            locative = head.head.lower_ == "in" and entity.type == "GPE"
            if entity not in out and entity.kind != "media" and not locative:
                out.append(entity)
        elif tok.dep_ == "poss" and tok.head.lemma_.lower() in ("debt", "loan", "loans", "principal"):
            out.append(entity)
    return sorted(out, key=lambda e: e.type == "PROJECT")


def _specific(ctx: Context, sent: Span, projects: list[Entity]) -> list[Entity]:
    """Projects less a programme the money only comes under ("a $216m loan ... under the Belt and Road
    Initiative" is for the airport, the article's one project); money "for the Belt and Road" is for it."""
    under = [p for p in projects if p.name in _umbrellas(ctx.knowledge) and _named_under(ctx, p, sent)]
    if not under:
        return projects
    rest = [p for p in projects if p not in under]
    if rest:
        return rest
    named = [e for e in _article_projects(ctx) if e.name not in _umbrellas(ctx.knowledge)]
    return named if len(named) == 1 else []


def _named_under(ctx: Context, entity: Entity, sent: Span) -> bool:
    """"under the Belt and Road Initiative", "as part of CPEC": the frame, not the aim."""
    for tok in sent:
        if ctx.entity(tok) is entity:
            head = tok
            while head.dep_ in ("compound", "amod", "nmod", "appos") and head.head.i != head.i:
                head = head.head
            return head.dep_ == "pobj" and (head.head.lower_ == "under" or head.head.head.lower_ == "part")
    return False


def _paragraph_projects(ctx: Context, sent: Span) -> list[Entity]:
    text = ctx.text
    start = text.rfind("\n\n", 0, sent.start_char) + 1
    end = text.find("\n\n", sent.end_char)
    end = len(text) if end < 0 else end
    para = ctx.doc.char_span(start, end, alignment_mode="contract")
    return _projects_in(ctx, para) if para is not None else []


# --- PROJECT ---------------------------------------------------------------------------------------


def find_projects(ctx: Context) -> list[Event]:
    conf = ctx.triggers["PROJECT"]
    statuses: dict[str, str] = conf["statuses"]
    ranking = list(dict.fromkeys(statuses.values()))
    umbrella = _umbrellas(ctx.knowledge)
    projects = _known_projects(ctx.knowledge)
    found: dict[str, tuple[Entity, str, Span, int]] = {}
    for sent in ctx.doc.sents:
        for tok in sent:
            lemma = tok.lemma_.lower()
            resumed = lemma in conf["resumptions"]
            status = "under construction" if resumed else _status_word(lemma, tok.lower_, statuses)
            if status is None or tok.pos_ not in ("VERB", "NOUN", "ADJ") or _describes_maker(tok) or _negated(tok):
                continue
            if _names_a_thing(tok) or _earlier_or_later_stage(tok):
                continue
            if tok.pos_ == "NOUN" and lemma in conf["verbs_only"]:
                continue  # "the final stop being Dakar"
            if _yet_to_come(tok):
                if status != "completed" or resumed:
                    continue
                status = "under construction"  # "is due to be completed in 2021": work is under way
            elif status == "under construction" and _built_before(tok):
                status = "completed"  # "after Mangla and Tarbela dams were built"
            direct = [c for c in tok.children if c.dep_ in ("dobj", "nsubj", "nsubjpass", "pobj")]
            direct += [c for c in tok.subtree if c.dep_ == "pobj" and c.head.head.i == tok.i]
            if status == "completed" and _a_part_done(ctx, tok, direct, sent, conf["part_nouns"]):
                status = "under construction"  # "inaugurated the first section of the motorway": the rest is not done
            linked = [
                e for d in direct for e in _actors(ctx, d, ("PROJECT", "FAC"))
                if e.name not in umbrella or _is_the_argument(ctx, e, d)
            ]
            clause = _time_clause(tok)
            own = [t for t in sent if _time_clause(t) == clause]
            linked += [e for e in _projects_in(ctx, own) if e.name not in umbrella]
            if status == "proposed":  # "proposed to join hands building a Silk Road economic belt": what is proposed
                linked += [
                    e for t in tok.subtree if t.dep_ in ("dobj", "pobj") and t.i > tok.i
                    for e in _actors(ctx, t, ("PROJECT",)) if e.name in umbrella and _is_the_argument(ctx, e, t)
                ]  # fmt: skip
            if not linked:
                linked = [p for d in direct if (p := _project_pronoun(ctx, d, sent)) is not None and p.name not in umbrella]
            if not linked:
                linked = [p for d in direct if (p := _the_one_of_its_kind(ctx, d)) is not None]
            if status in ("under construction", "completed"):  # "build the Belt and Road into a road for peace"
                linked = [e for e in linked if e.name not in _worldwide(ctx.knowledge)]
            rank = -1 if resumed else ranking.index(status)  # work resumed after a suspension goes on
            for project in dict.fromkeys(linked):
                if project.type == "FAC" and project.name not in projects and not _fac_is_project(ctx, project):
                    continue
                key = _PROJECT_WORD.sub("", project.name).lower()  # "the ECRL project" is the ECRL
                known = found.get(key)
                if known is None or rank < known[3]:
                    shorter = known is not None and len(known[0].name) < len(project.name)
                    found[key] = (known[0] if shorter else project, status, sent, rank)
                elif len(project.name) < len(known[0].name):
                    found[key] = (project, *known[1:])
    return [_project_event(ctx, project, status, sent) for project, status, sent, _ in found.values()]


_PROJECT_WORD = re.compile(r"\s+project$", re.IGNORECASE)


_SET_APART = {"besides", "beside", "except", "apart"}  # "besides this section, the X section has been completed"


def _a_part_done(ctx: Context, token: Token, direct: list[Token], sent: Span, part_nouns: list[str]) -> bool:
    """"inaugurated the first section of the motorway", "The section of the Lahore-Karachi line between A and B
    has reopened": a part of a named project before the status word leaves the rest undone, however the parser
    hung it. A part that is itself the named project ("the Havelian-Islamabad section has been completed") is done."""
    if any(d.lemma_.lower() in part_nouns and ctx.entity(d) is None and d.head.lower_ not in _SET_APART for d in direct):
        return True
    return any(
        t.lemma_.lower() in part_nouns and t.nbor(1).lower_ == "of" and _projects_in(ctx, t.doc[t.i + 2 : t.i + 6])
        for t in sent[: token.i - sent.start]
    )


def _project_pronoun(ctx: Context, token: Token, sent: Span) -> Entity | None:
    """"Although it was inaugurated in 2016", "This has been completed": a pronoun a status word is about is the
    project the sentence or the one before last named."""
    if token.lower_ not in ("it", "this"):
        return None
    previous = ctx.doc[sent.start - 1].sent if sent.start > 0 else sent
    for entity in ctx.named_before(token.idx):
        if not any(previous.start_char <= m.start < token.idx for m in entity.mentions):
            return None
        if entity in _projects_in(ctx, previous) or entity in _projects_in(ctx, sent):
            return entity
    return None


def _the_one_of_its_kind(ctx: Context, noun: Token) -> Entity | None:
    """"Nepal's third international airport opened": a facility called by its kind is the article's one
    facility or project of that kind (the one whose names, as the article spells them, end in that word)."""
    if noun.pos_ != "NOUN" or ctx.entity(noun) is not None:
        return None
    kind = noun.lemma_.lower()
    if kind not in ctx.knowledge.infrastructure.heads or kind in ctx.knowledge.infrastructure.not_projects:
        return None
    named = [
        e for e in ctx.entities
        if e.type in ("FAC", "PROJECT") and e.name not in _umbrellas(ctx.knowledge)
        and any(n.lower().split()[-1] == kind for n in (e.name, *e.aliases) if n)
    ]  # fmt: skip
    return named[0] if len(named) == 1 else None


def _built_before(verb: Token) -> bool:
    """"was built", "were constructed": a past passive of building tells of work done ("is being built" and
    "has been built" do not say it is finished)."""
    aux = [c for c in verb.children if c.dep_ in ("aux", "auxpass")]
    return verb.tag_ == "VBN" and [a.lower_ for a in aux] in (["was"], ["were"])


def _status_word(lemma: str, word: str, statuses: dict[str, str]) -> str | None:
    """The status a word states; a verb made again ("reopen", "recommission", "relaunch") states its stem's,
    unless it has one of its own ("rebuild")."""
    status = statuses.get(lemma) or statuses.get(word)
    if status is None and lemma.startswith("re") and len(lemma) > 5:
        status = statuses.get(lemma[2:].lstrip("-"))
    return status


def _names_a_thing(token: Token) -> bool:
    """"a 10,000-sq-m building", "two new buildings", "construction defects", "the construction company": a
    status word that names an object or describes another noun says nothing of how far a project is; "the
    building of a dam", "construction work" do."""
    if token.dep_ == "compound" and token.head.pos_ == "NOUN":
        return token.head.lemma_.lower() not in ("work", "works")
    if any(c.dep_ == "prep" and c.lower_ == "of" for c in token.children):
        return False
    counted = any(
        (c.dep_ == "det" and c.lower_ in ("a", "an")) or c.dep_ == "nummod" or c.like_num for c in token.children
    )
    return counted and token.tag_ in ("NN", "NNS", "VBG")


def _earlier_or_later_stage(token: Token) -> bool:
    """"reopened after being rebuilt", "reopened following a major rebuilding", "before reopening the sites": a
    stage set before or after the clause's own is not the project's status; the clause's verb is."""
    head = token
    while head.dep_ in ("pcomp", "pobj", "compound", "amod") and head.head.i != head.i:
        head = head.head
        if head.dep_ == "prep" or head.pos_ == "ADP":
            return head.lower_ in ("after", "following", "before")
    return False


def _negated(token: Token) -> bool:
    """"They have not stopped work": a negated trigger states that the thing did not happen."""
    return any(c.dep_ == "neg" for c in token.children)


def _yet_to_come(token: Token) -> bool:
    """A status still ahead: "will be completed", "is due to be completed", "when completed", "to ensure
    the project is completed"."""
    if _planned(token):
        return True
    if token.tag_ == "VBN" and any(c.lower_ in ("when", "once") for c in token.children):
        return not any(c.dep_ in ("aux", "auxpass") for c in token.children)
    return token.dep_ in ("ccomp", "xcomp") and token.head.lemma_.lower() in ("ensure", "aim", "want", "hope")


def _describes_maker(token: Token) -> bool:
    """"China-built", "Chinese-funded": a hyphened word that says who made a thing, not how far it is."""
    return token.i > 0 and token.nbor(-1).text == "-" and token.dep_ in ("amod", "compound")


def _is_the_argument(ctx: Context, entity: Entity, token: Token) -> bool:
    """A programme is what a status word is about only when it is the word's own argument or that argument's
    "of" ("proposed the Silk Road Economic Belt", "proposed the creation of a Silk Road Economic Belt"), not a frame around it ("a plant built under the
    Belt and Road Initiative", "the first section of a motorway under CPEC")."""
    if token.dep_ == "pobj" and token.head.lower_ != "of":
        return False
    of_objects = [p for c in token.children if c.lower_ == "of" for p in c.children if p.dep_ == "pobj"]
    return any(ctx.entity(t) is entity for t in (token, *of_objects))


@cache
def _umbrellas(knowledge: Knowledge) -> frozenset[str]:
    """The programmes of many projects (CPEC, the BRI)."""
    return frozenset(e.name for e in knowledge.entities if e.umbrella)


@cache
def _worldwide(knowledge: Knowledge) -> frozenset[str]:
    """The programmes of no one country (the BRI and its silk roads), under any of their names."""
    return frozenset(n for e in knowledge.entities if e.worldwide for n in e.names)


@cache
def _known_projects(knowledge: Knowledge) -> frozenset[str]:
    """The projects file's entries, which are projects whatever their kind ("Dasu Dam", "Rashakai Special
    Economic Zone"), less the umbrella programmes."""
    entries = [e for e in knowledge.entities if e.id.startswith("projects:") and not e.umbrella]
    return frozenset(name for e in entries for name in (e.name, *e.aliases))


def _time_clause(token: Token) -> int:
    """The clause "after", "before" or "since" opens that holds the token, else its sentence's root: such a
    clause speaks of another time than the rest of its sentence ("Mohmand and Bhasha dams are being built
    50 years after Mangla and Tarbela dams were built")."""
    head = token
    while head.head.i != head.i:
        marked = any(c.dep_ == "mark" and c.lower_ in ("after", "before", "since") for c in head.children)
        if marked or (head.dep_ == "prep" and head.lower_ in ("after", "before", "since")):
            return head.i
        head = head.head
    return head.i


def _projects_in(ctx: Context, span) -> list[Entity]:
    """The projects a span names: PROJECT entities, and facilities the projects file lists."""
    known = _known_projects(ctx.knowledge)
    return [e for e in ctx.entities_in(span, ("PROJECT", "FAC")) if e.type == "PROJECT" or e.name in known]


def _fac_is_project(ctx: Context, facility: Entity) -> bool:
    """A facility is a project when no PROJECT entity shares a word with it ("Tarbela Dam" vs "Tarbela 5th
    Extension"), and it is infrastructure, not a hotel or a hospital."""
    if any(facility.name.lower().endswith(head) for head in ctx.knowledge.infrastructure.not_projects):
        return False
    words = set(facility.name.lower().split()) - {"dam", "port", "airport", "the"}
    return not any(words & set(e.name.lower().split()) for e in ctx.entities if e.type == "PROJECT")


PROJECT_PARTY_KINDS = ("company", "lender")


def _project_event(ctx: Context, project: Entity, status: str, sent: Span) -> Event:
    mention_sents = [
        s for s in ctx.doc.sents if any(s.start_char <= m.start < s.end_char for m in project.mentions)
    ]
    context_text = " ".join(
        ctx.doc[s.start : min(s.end + 40, len(ctx.doc))].text.lower() for s in mention_sents
    ) + " " + project.name.lower()
    sectors = _sectors(ctx, context_text)
    # the towns a name joins are where the project runs: "Naivasha-Kisumu Standard Gauge Railway"
    locations = [
        e.name for e in ctx.entities
        if e.type == "GPE" and e is not project and re.search(rf"\b{re.escape(e.name)}\b", project.name)
    ]  # fmt: skip
    for s in mention_sents:
        for e in _places(ctx, s, skip_countries=True):
            if e.type == "FAC" and e.name.split()[-1] == project.name.split()[-1]:
                continue  # "the Dasu and Diamer-Bhasha dams": one dam is not where the other is
            if e is not project and e.name not in locations:
                locations.append(e.name)
    country = project.country and ctx.knowledge.country_by_code(project.country)
    if country and country.name not in locations:
        locations.append(country.name)  # last: a place in the country says more
    value = next(
        (a for s in mention_sents for a in ctx.amounts_in(s) if a.currency and abs(a.start - _nearest(project, a)) < 80),
        None,
    )
    parties = [e.name for e in ctx.entities_in(sent, ("ORG",)) if e.kind != "media"]
    parties += [e.name for e in ctx.entities_in(sent, ("GPE",)) if e.name in ctx.knowledge.country_by_name]
    # who builds and who lends are named wherever the project is
    parties += [e.name for s in mention_sents for e in ctx.entities_in(s, ("ORG",)) if e.kind in PROJECT_PARTY_KINDS]
    for person in ctx.entities_in(sent, ("PERSON",)):
        country = person.country and ctx.knowledge.country_by_code(person.country)
        if country and country.name not in parties:
            parties.append(country.name)
    host = project.country and ctx.knowledge.country_by_code(project.country)
    if host and any(e.name == host.name for e in ctx.entities):
        parties.append(host.name)  # the state the project is in is a party to it, as the article names it
    if _sole_project(ctx, project):
        parties += [e.name for e in ctx.entities if e.type == "ORG" and e.kind in PROJECT_PARTY_KINDS]
    when = ctx.date_in(sent)
    args = {
        "name": project.name,
        "status": status,
        "sectors": sectors,
        "locations": locations,
        "value": value.value if value else None,
        "currency": value.currency if value else None,
        "parties": list(dict.fromkeys(parties)),
        "date": when.value if when else None,
    }
    return _ev(ctx, "PROJECT", sent, args, {k: sent for k in args})


def _sole_project(ctx: Context, project: Entity) -> bool:
    """The one project an article names: the builders and lenders it names are that project's."""
    return all(e is project for e in _article_projects(ctx))


def _article_projects(ctx: Context) -> list[Entity]:
    """The projects and programmes an article names, and the facilities that are projects."""
    return [e for e in ctx.entities if e.type == "PROJECT" or (e.type == "FAC" and _fac_is_project(ctx, e))]


def _sectors(ctx: Context, text: str) -> list[str]:
    """The sectors whose words a (lower-cased) text uses, outside the names of programmes ("the Belt and Road"
    is no road)."""
    text = _programme_names(ctx.knowledge).sub(" ", text)
    return [
        sector for sector, words in ctx.triggers["PROJECT"]["sectors"].items()
        if any(re.search(rf"\b{re.escape(w)}\b", text) for w in words)
    ]  # fmt: skip


@cache
def _programme_names(knowledge: Knowledge) -> re.Pattern[str]:
    names = {n.lower() for e in knowledge.entities if e.umbrella for n in (e.name, *e.aliases)}
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + r")(?!\w)")


def _nearest(entity: Entity, amount: Amount) -> int:
    return min((m.start for m in entity.mentions), key=lambda s: abs(s - amount.start))


# --- AGREEMENT -------------------------------------------------------------------------------------


def find_agreements(ctx: Context) -> list[Event]:
    conf = ctx.triggers["AGREEMENT"]
    events: list[Event] = []
    nouns = set(conf["nouns"])
    for sent in ctx.doc.sents:
        lemmas = _lemmas(sent)
        purchases = [t for t in sent if t.pos_ == "VERB" and t.lemma_.lower() in conf["purchase_verbs"]]
        sold = [e for verb in purchases for e in _sellers(ctx, verb)]
        verbs = [t for t in sent if _is_signing(t, conf, nouns)] + purchases
        if not (lemmas & nouns or any(v.lemma_ == "agree" or _signed_by_two(ctx, v) for v in verbs) or sold):
            continue
        shared = _parties_between(ctx, sent, nouns) + sold
        if not verbs and len(shared) < 2:
            continue
        recalled = _recalled_signings(ctx, sent, verbs)
        main = [v for v in verbs if v not in recalled]
        found = _agreement_parties(ctx, sent, main, conf, shared)
        if main or not recalled:
            _add_agreement(ctx, events, sent, main, found, ctx.date_in(sent, next(iter(main), None)))
        for verb, when in recalled.items():
            parties = _agreement_parties(ctx, sent, [verb], conf, shared) or found or _countries_named(ctx, sent)
            _add_agreement(ctx, events, sent, [verb], parties, when, recalled=True)
    return _dated_by_context(ctx, [e for e in events if len(e.arguments["parties"]) >= 2])


def _agreement_parties(ctx: Context, sent: Span, verbs: list[Token], conf: dict[str, Any], shared: list[Entity]):
    """Who is party to what the verbs sign: their subjects, agents and "with"/"between" phrases, the
    parties the agreement noun names, companies in the sentence."""
    parties = list(shared)
    for verb in verbs:
        parties += _parties(ctx, _subject(verb)) or _both_sides(ctx, sent, _subject(verb))
        # "was signed by Pakistan and China"
        parties += [e for a in verb.children if a.dep_ == "agent" for c in a.children for e in _parties(ctx, c)]
        for child in verb.subtree:
            if child.lower_ in ("with", "between") and child.head.i in {v.i for v in verb.subtree}:
                parties += [e for c in child.children for e in _parties(ctx, c)]
        if verb.lower_ in conf["signing_nouns"] and verb.head.lemma_ in conf["witness_verbs"]:
            parties += _parties(ctx, _subject(verb.head))  # "Conte and Xi witnessed the signing of ..."
    parties += [e for e in ctx.entities_in(sent, ("ORG",)) if e.kind == "company"]
    return [p for p in dict.fromkeys(parties) if p.kind != "media"]


_PAIR_NOUNS = {"partner", "side", "neighbour", "neighbor", "ally"}  # "the partners", with no number


def _both_sides(ctx: Context, sent: Span, subject: Token | None) -> list[Entity]:
    """"They signed 18 agreements", "the two countries then signed", "the close trade partners agreed": the
    states the sentence names, else those of the sentence before, else the two the article names most."""
    if subject is None:
        return []
    pair = subject.lower_ == "they" or any(c.lower_ in ("two", "both") for c in subject.children)
    if not pair and not (subject.tag_ == "NNS" and subject.lemma_.lower() in _PAIR_NOUNS and _determined(subject)):
        return []
    for span in (sent, ctx.doc[sent.start - 1].sent if sent.start else None):
        states = _countries_named(ctx, span) if span is not None else []
        if len(states) >= 2:
            return states
    countries = [e for e in ctx.entities if e.type == "GPE" and e.name in ctx.knowledge.country_by_name]
    return sorted(countries, key=lambda e: -len(e.mentions))[:2] if len(countries) >= 2 else []


def _countries_named(ctx: Context, sent: Span) -> list[Entity]:
    """For a recalled signing whose clause names no party ("agreements signed during Xi's visit", in a
    sentence about Duterte): the countries of the people the sentence names, and the countries it names."""
    states = [e for t in sent if ctx.entity(t) is not None for e in _parties(ctx, t)]
    return list(dict.fromkeys(e for e in states if e.type == "GPE" and e.name in ctx.knowledge.country_by_name))


def _add_agreement(
    ctx: Context,
    events: list[Event],
    sent: Span,
    verbs: list[Token],
    parties: list[Entity],
    when: DateMention | None,
    recalled: bool = False,
) -> None:
    """A new agreement, or what the sentence adds to one already found with a party in common (or in the
    sentence just before); a recalled signing joins one only of its own date (a pact signed in an earlier
    year is another agreement)."""
    if not parties:
        return
    where = _signed_at(ctx, verbs)
    merged = next(
        (
            e for e in events
            if (set(e.arguments["parties"]) & {p.name for p in parties} or e.evidence.end >= sent.start_char - 2)
            and not (recalled and _dated_apart(e.arguments.get("date") or _context_date(ctx, e), when))
            and not _signed_apart(e, where)
        ),
        None,
    )  # fmt: skip
    if merged is not None:
        merged.arguments["parties"] = list(dict.fromkeys([*merged.arguments["parties"], *(p.name for p in parties)]))
        _fill(merged, "date", when, sent, ctx)
        if where is not None and not merged.arguments.get("location"):
            merged.arguments["location"] = where.name
            merged.argument_evidence["location"] = ctx.evidence(sent)
        return
    obj = next((c for v in verbs for c in v.children if c.dep_ == "dobj"), None) or _signed_thing(verbs)
    args = {
        "parties": [p.name for p in parties],
        "subject": _phrase(ctx, obj) if obj is not None else None,
        "sectors": _sectors(ctx, sent.text.lower()),
        "date": when.value if when else None,
        "location": where.name if where else None,
    }
    events.append(_ev(ctx, "AGREEMENT", sent, args, {k: sent for k in args}))


def _signed_apart(known: Event, where: Entity | None) -> bool:
    """"signed agreements in Beijing with the Exim Bank ... The framework agreement was signed in Colombo":
    signings in two places are two agreements."""
    place = known.arguments.get("location")
    return where is not None and place is not None and place != where.name


def _dated_apart(known: str | None, other: DateMention | str | None) -> bool:
    """Two dates that cannot be one day: neither is the other or a part of it ("2018-11" holds "2018-11-20")."""
    value = other.value if isinstance(other, DateMention) else other
    if not known or not value:
        return False
    return not (known.startswith(value) or value.startswith(known))


def _recalled_signings(ctx: Context, sent: Span, verbs: list[Token]) -> dict[Token, DateMention]:
    """Signing verbs of a subordinate clause that dates itself before the sentence ("have signed a
    framework agreement ... after an initial pact was signed in 2017", "agreements signed during Xi's
    visit in November 2018"), with that date: an earlier agreement, told as background."""
    recalled = {}
    for verb in verbs:
        if verb.pos_ != "VERB" or verb.dep_ not in ("advcl", "relcl", "acl"):
            continue
        own = next((d for d in ctx.dates if _within(ctx, d, verb)), None)
        main = ctx.date_in(sent, next((v for v in verbs if v is not verb), sent.root))
        if own is not None and (main is None or main is own or own.value < main.value[: len(own.value)]):
            recalled[verb] = own
    return recalled


def _within(ctx: Context, mention: DateMention, verb: Token) -> bool:
    span = ctx.doc.char_span(mention.start, mention.end, alignment_mode="expand")
    return span is not None and verb.is_ancestor(span.root)


def _signed_thing(verbs: list[Token]) -> Token | None:
    """What was signed when no verb has an object: the subject of a passive ("six MoUs were signed") or the
    "of" of a signing noun ("witnessed the signing of a memorandum of understanding")."""
    for verb in verbs:
        for child in verb.children:
            if child.dep_ == "nsubjpass":
                return child
            if child.lower_ == "of" and verb.pos_ == "NOUN":
                return next((c for c in child.children if c.dep_ == "pobj"), None)
    return None


def _sellers(ctx: Context, verb: Token) -> list[Entity]:
    """Who sold what a purchase verb bought: the party after a "from" of its clause (the parser often hangs
    it on the object: "bought shares in the terminal from X")."""
    return [
        e for prep in verb.subtree if prep.dep_ == "prep" and prep.lower_ == "from" and _clause_of(prep).i == verb.i
        for obj in prep.children for e in _parties(ctx, obj)
    ]  # fmt: skip


def _clause_of(token: Token) -> Token:
    """The verb whose clause a token is in."""
    while token.pos_ not in ("VERB", "AUX") and token.head.i != token.i:
        token = token.head
    return token


def _parties_between(ctx: Context, sent: Span, nouns: set[str]) -> list[Entity]:
    """The parties an agreement noun names itself ("the swap agreement between China and Argentina"): the
    agreement stands without a verb of signing."""
    return [
        entity
        for noun in sent
        if noun.pos_ in ("NOUN", "PROPN") and noun.lemma_.lower() in nouns
        for prep in noun.children
        if prep.lower_ == "between"
        for obj in prep.children
        for entity in _parties(ctx, obj)
    ]


def _signed_by_two(ctx: Context, verb: Token) -> bool:
    """"China and Colombia signed a cooperation plan": what two named sides sign together is an agreement,
    whatever the text calls it."""
    return verb.pos_ == "VERB" and verb.lemma_.lower() in ("sign", "ink") and len(_parties(ctx, _subject(verb))) >= 2


def _is_signing(token: Token, conf: dict[str, Any], nouns: set[str]) -> bool:
    """A verb of agreeing ("signed", "inked", "renewed"), or a noun of signing whose phrase, or a conjunct's,
    names an agreement ("the signing of a memorandum", "the signing and exchange of two documents")."""
    if token.pos_ == "VERB" and token.lemma_.lower() in conf["verbs"]:
        return True
    return token.lower_ in conf["signing_nouns"] and any(
        _lemmas(list(c.subtree)) & nouns for c in (token, *token.conjuncts)
    )


def _parties(ctx: Context, token: Token | None) -> list[Entity]:
    """Who is party to an agreement: organisations and states named, and for a leader or minister who
    signs or witnesses it, the state they act for."""
    parties = []
    for entity in _actors(ctx, token, ("ORG", "GPE", "LOC", "PERSON")):  # LOC: "support to Africa"
        if entity.type != "PERSON":
            parties.append(entity)
            continue
        country = ctx.knowledge.country_by_code(entity.country) if entity.country else None
        found = next((e for e in ctx.entities if e.type == "GPE" and country and e.name == country.name), None)
        if found is not None:
            parties.append(found)
    return parties + [s for s in _unnamed_for_a_state(ctx, token) if s not in parties]


def _unnamed_for_a_state(ctx: Context, token: Token | None) -> list[Entity]:
    """"Xi and Saudi Arabia's powerful crown prince reached deals": someone a country's possessive names but
    nobody's name acts for that country."""
    if token is None:
        return []
    found = []
    for noun in (token, *token.conjuncts):
        if ctx.entity(noun) is not None or noun.pos_ != "NOUN" or _refers_to(ctx, noun) is not None:
            continue  # "Pakistan's central bank" is the bank the article names
        owners = [ctx.entity(c) for c in noun.children if c.dep_ == "poss"]
        found += [o for o in owners if o is not None and o.type == "GPE" and o.name in ctx.knowledge.country_by_name]
    return found


def _signed_at(ctx: Context, verbs: list[Token]) -> Entity | None:
    """Where an agreement was signed: a town in a locative phrase of the signing verb itself ("signed the
    documents in Colombo"), not a place the agreement is about ("a stake in the port of Hambantota")."""
    for verb in verbs:
        if any(c.lower_ == "here" for c in verb.children) and ctx.dateline is not None:
            return ctx.dateline  # "KATHMANDU — Nepal and China signed the MoU here"
        for prep in verb.subtree:
            if prep.dep_ == "prep" and prep.lower_ in ("in", "at") and not _elsewhere(prep, verb):
                for obj in prep.children:
                    entity = ctx.entity(obj)
                    if entity is not None and entity.type == "GPE":
                        return entity
    return None


def _elsewhere(token: Token, verb: Token) -> bool:
    """A place of another happening the clause dates itself by: "days ahead of a summit in Beijing"."""
    return any(t.lower_ in ("ahead", "before", "after") for t in token.ancestors if t.i != verb.i and verb.is_ancestor(t))


# --- ATTACK ----------------------------------------------------------------------------------------


@dataclass
class _Attack:
    sents: list[Span]
    date: str | None


def _attack_triggers(ctx: Context, sent: Span) -> list[Token]:
    """Attack words of a sentence; plural nouns alone ("frequent attacks") are generic mentions, not events."""
    conf = ctx.triggers["ATTACK"]
    found = [
        t for t in sent
        if (t.pos_ == "VERB" and t.lemma_.lower() in conf["verbs"] and not _aims_at_a_figure(t, conf))
        or (t.pos_ in ("NOUN", "PROPN") and t.lemma_.lower() in conf["nouns"])
        or (t.pos_ == "VERB" and t.lemma_.lower() in conf["attacker_verbs"] and _done_by_attackers(t, conf))
    ]  # fmt: skip
    return [] if all(t.tag_ in ("NNS", "NNPS") for t in found) else found


def _aims_at_a_figure(verb: Token, conf: dict[str, Any]) -> bool:
    """"had targeted between 385,000 tonnes and 405,000 tonnes of copper": a target set, not a target hit
    ("targeted two Chinese engineers" is one)."""
    if verb.lemma_.lower() != "target":
        return False
    counted = [t.head for c in verb.children if c.dep_ in ("dobj", "prep") for t in c.subtree if t.like_num]
    hit = set(conf["target_nouns"]) | set(conf["local_victims"])
    return bool(counted) and not any(n.lemma_.lower() in hit or n.ent_type_ in ("NORP", "PERSON") for n in counted)


def _done_by_attackers(verb: Token, conf: dict[str, Any]) -> bool:
    """"Gunmen killed a guard", "were killed by militants": the doer is an attacker."""
    doers = [c for c in verb.children if c.dep_ == "nsubj"]
    doers += [o for c in verb.children if c.dep_ == "agent" for o in c.children if o.dep_ == "pobj"]
    while verb.dep_ == "conj" and not doers and verb.head.i != verb.i:
        verb = verb.head  # "stormed the hotel and opened fire"
        doers = [c for c in verb.children if c.dep_ == "nsubj"]
    return any(d.lower_ in conf["attacker_words"] for d in doers)


def _has_casualties(ctx: Context, sent: Span) -> bool:
    """Casualty counts or a claim of responsibility: they belong to the attack the article reports."""
    conf = ctx.triggers["ATTACK"]
    lemmas = {t.lemma_.lower() for t in sent}
    return bool(lemmas & set(conf["kill_verbs"] + conf["injure_verbs"])) or (
        "claim" in lemmas and "responsibility" in lemmas
    )


def find_attacks(ctx: Context) -> list[Event]:
    """Attack sentences grouped by the date they give; each group with a date or a place is one ATTACK.

    Undated sentences, and sentences that only count casualties, belong to the attack the article
    reports (the one dated nearest before publication). Plural mentions with no date ("frequent
    attacks") are generic, and a date after publication cannot be an attack's date."""
    groups: list[_Attack] = []
    undated: list[Span] = []
    casualty_only: list[Span] = []
    published = ctx.published.isoformat() if ctx.published else "9999"
    for sent in ctx.doc.sents:
        triggers = _attack_triggers(ctx, sent)
        if not triggers:
            if _has_casualties(ctx, sent):
                casualty_only.append(sent)
            continue
        when = ctx.date_in(sent)
        if when is not None and when.value > published:
            when = None
        if when is None:
            undated.append(sent)
            continue
        group = next((g for g in groups if g.date and _same_happening(g.date, when.value)), None)
        if group is None:
            groups.append(_Attack([sent], when.value))
        else:
            group.sents.append(sent)
    main = _main_attack(ctx, groups)
    if undated and main is None:
        main = _Attack([], None)
        groups.append(main)
    if main is not None:
        taken = {s.start for g in groups for s in g.sents}
        main.sents.extend(s for s in [*undated, *casualty_only] if s.start not in taken)
    events = []
    for group in groups:
        group.sents.sort(key=lambda s: s.start)
        event = _attack_event(ctx, group)
        if event is not None:
            events.append(event)
    return events


def _same_happening(a: str, b: str) -> bool:
    if len(a) == 10 and len(b) == 10:
        return abs((date.fromisoformat(a) - date.fromisoformat(b)).days) <= 3
    return a[: min(len(a), len(b))] == b[: min(len(a), len(b))]


def _main_attack(ctx: Context, groups: list[_Attack]) -> _Attack | None:
    """The attack the article reports: a group dated within a month before publication."""
    if ctx.published is None:
        return groups[0] if groups else None
    for group in groups:
        value = group.date or ""
        if len(value) == 10 and 0 <= (ctx.published - date.fromisoformat(value)).days <= 31:
            return group
        if len(value) == 7 and value == ctx.published.isoformat()[:7]:
            return group
    return None


def _attack_event(ctx: Context, group: _Attack) -> Event | None:
    if not any(_attack_triggers(ctx, s) for s in group.sents):
        return None
    places: list[Entity] = []
    for sent in group.sents:
        for place in _places(ctx, sent, skip_countries=True):
            if place not in places:
                places.append(place)
    ranked = sorted(places, key=lambda e: _place_rank(ctx, e, group))
    if group.date is None and not ranked:
        return None
    casualties = _casualties(ctx, group, next((p.country for p in ranked if p.country), None))
    first = group.sents[0]
    args: dict[str, Any] = {
        "claimed_by": casualties.claimant.name if casualties.claimant else None,
        "target": _target(ctx, group),
        "victim_nationality": casualties.nationalities,
        "location": ranked[0].name if ranked else None,
        "date": group.date or ctx.anchor_date,
    }
    if casualties.disputed:
        args["disputed"] = True
        args["claims"] = casualties.claims
    else:
        args["killed"] = casualties.killed
        args["injured"] = casualties.injured
    return _ev(ctx, "ATTACK", first, args, {k: first for k in args})


def _place_rank(ctx: Context, place: Entity, group: _Attack) -> tuple[int, int, int, int]:
    """Towns before facilities before provinces before datelines; reactions ("In Beijing, a spokesman said") last;
    of two towns, the one the attack word governs ("kidnapped in Quetta's Jinnah Town on May 24 ... have been
    shifted to Karachi") first."""
    holding = [
        i for i, s in enumerate(group.sents) if any(s.start_char <= m.start < s.end_char for m in place.mentions)
    ]
    first = min(holding, default=99)
    reaction = all(_is_reaction(ctx, group.sents[i]) for i in holding) if holding else True
    dateline = all(m.text.isupper() for m in place.mentions)
    known = next((e for e in ctx.knowledge.entities if e.name == place.name), None)
    province = known is not None and known.level == "province"
    kind = 3 if dateline else 2 if province else 0 if place.type == "GPE" else 1
    governed = {t.idx for s in group.sents for trigger in _attack_triggers(ctx, s) for t in trigger.subtree}
    near = any(m.start in governed for m in place.mentions)
    return (int(reaction), kind, int(not near), first)


def _is_reaction(ctx: Context, sent: Span) -> bool:
    """A sentence whose attack word is what somebody said about it ("called the bombing ...")."""
    triggers = _attack_triggers(ctx, sent)
    return bool(triggers) and all(_reported_by(ctx, t) is not None and not _has_casualties(ctx, sent) for t in triggers)


def _count(token: Token) -> int | None:
    """The number a noun phrase counts: "three Chinese teachers and their driver" is four."""
    total = 0
    heads = [token, *token.conjuncts]
    for head in heads:
        nums = [c for c in head.children if c.dep_ == "nummod" or (c.like_num and c.dep_ in ("amod", "quantmod", "compound"))]
        if head.like_num:
            nums = [head]
        if nums:
            value = _number(nums[0])
            if value is None:
                return None
            total += value
        elif head.tag_ == "NN" and head.pos_ == "NOUN":
            total += 1
        else:
            return None if head.i == token.i else total
    return total or None


def _number(token: Token) -> int | None:
    word = token.lower_.replace(",", "")
    if word.isdigit():
        return int(word)
    return NUMBER_WORDS.get(word)


@dataclass
class _Casualties:
    killed: int | None = None
    injured: int | None = None
    claims: list[dict[str, Any]] = field(default_factory=list)
    claimant: Entity | None = None
    nationalities: list[str] = field(default_factory=list)
    disputed: bool = False


def _casualties(ctx: Context, group: _Attack, home: str | None) -> _Casualties:
    """Killed and injured as the article states them; figures a claimant gives are claims. Victims named
    only by a local role ("two policemen") are of `home`, the country the attack took place in."""
    conf = ctx.triggers["ATTACK"]
    attackers = set(conf["attacker_words"])
    out = _Casualties()
    none_said = False
    for sent in group.sents:
        for tok in sent:
            lemma = tok.lemma_.lower()
            if lemma in conf["claim_verbs"] and (lemma != "carry" or "out" in {c.lower_ for c in tok.children}):
                out.claimant = out.claimant or _claiming_group(ctx, tok)
            if lemma in conf["seize_verbs"] and (taken := _victims(tok)) is not None:
                _add_nationalities(ctx, taken, out.nationalities)  # "kidnapped four Chinese workers"
            if lemma not in conf["kill_verbs"] + conf["injure_verbs"]:
                continue
            victims = _victims(tok)
            if victims is None or victims.lower_ in attackers or _mentions(victims, attackers):
                continue
            if _mentions(victims, {"them", "they"}) and any(t.lower_ in attackers for t in sent if t.i < tok.i):
                continue  # "the attackers ... two of them were killed"
            if any(t.lower_ in ("no", "nobody", "none") for t in victims.subtree):
                none_said = True
                continue
            count = _count(victims)
            if count is None:
                continue
            _add_nationalities(ctx, victims, out.nationalities)
            # "13 people were killed including nine Chinese nationals and police": the list may hang on the verb
            listed = [p for c in tok.children if c.lemma_ == "include" for p in c.children if p.dep_ == "pobj"]
            for phrase in listed:
                _add_nationalities(ctx, phrase, out.nationalities)
            local = any(_mentions_lemma(v, set(conf["local_victims"])) for v in [victims, *listed])
            local = local or _others_than_included(victims)
            if home and home not in out.nationalities and local:
                out.nationalities.append(home)  # the victims not named as foreigners were of the country
            speaker = _reported_by(ctx, tok)
            is_kill = lemma in conf["kill_verbs"]
            if speaker is not None and speaker.kind == "armed_group":
                out.claims.append({"claimant": speaker.name, "killed" if is_kill else "injured": count})
                continue
            if is_kill:
                out.killed = max(out.killed or 0, count)
            else:
                out.injured = max(out.injured or 0, count)
        if any(w in sent.text.lower() for w in conf["none_words"]):
            none_said = True
    target = _target_token(ctx, group)
    if target is not None:
        _add_nationalities(ctx, target, out.nationalities)
    if none_said:
        out.killed = out.killed or 0
        out.injured = out.injured or 0
    out.disputed = bool(out.claims) and (none_said or out.killed is not None)
    if out.disputed:
        out.claims.append({"claimant": "officials", "killed": out.killed or 0, "injured": out.injured or 0})
    return out


def _claiming_group(ctx: Context, verb: Token) -> Entity | None:
    """The armed group that claims an attack ("was claimed by the BLA" too); a unit's claim is its parent group's."""
    agent = next((c for c in verb.children if c.dep_ == "agent"), None)
    claimants = [e for c in agent.children for e in _actors(ctx, c, ("ORG",))] if agent is not None else []
    groups = [e for e in claimants or _actors(ctx, _subject(verb), ("ORG",)) if e.kind == "armed_group"]
    if not groups:
        return None
    known = next((k for k in ctx.knowledge.entities if k.name == groups[0].name and k.part_of), None)
    if known is not None:
        parent = next((e for e in ctx.entities if e.name == known.part_of), None)
        return parent or groups[0]
    return groups[0]


def _add_nationalities(ctx: Context, phrase: Token, found: list[str]) -> None:
    for tok in phrase.subtree:
        country = ctx.knowledge.country_by_demonym.get(tok.text)
        code = country.code if country is not None else None
        entity = ctx.entity(tok)
        if entity is not None and entity.type == "ORG" and entity.kind == "government":
            code = entity.country  # "two members of the Frontier Constabulary"
        if code and code not in found:
            found.append(code)


def _victims(verb: Token) -> Token | None:
    """Who was killed or hurt: the object of "killed", the subject of "were killed" / "died" / "are dead";
    of "six people, including five engineers, killed", all six."""
    for child in verb.children:
        if child.dep_ == "dobj":
            return child
    for child in verb.children:
        if child.dep_ in ("nsubjpass", "nsubj"):
            if child.dep_ == "nsubj" and verb.lemma_.lower() in ("kill",):
                continue
            return child
    if verb.dep_ == "acomp" and verb.head.i != verb.i:
        return _victims(verb.head)
    if verb.dep_ in ("acl", "amod") and verb.head.pos_ in ("NOUN", "PROPN", "NUM"):
        noun = verb.head
        if noun.dep_ == "pobj" and noun.head.lemma_ == "include" and noun.head.head.pos_ == "NOUN":
            return noun.head.head
        return noun
    return None


def _others_than_included(victims: Token) -> bool:
    """"Four people, including three Chinese nationals": more victims than the named ones."""
    included = [p for c in victims.children if c.lemma_ == "include" for p in c.children if p.dep_ == "pobj"]
    total, named = _count(victims), _count(included[0]) if included else None
    return total is not None and named is not None and total > named


def _mentions(token: Token, words: set[str]) -> bool:
    return any(t.lower_ in words for t in token.subtree)


def _mentions_lemma(token: Token, lemmas: set[str]) -> bool:
    return any(t.lemma_.lower() in lemmas for t in token.subtree)


def _reported_by(ctx: Context, token: Token) -> Entity | None:
    """The speaker whose words a token sits in: "the BLA said ... it killed four" gives the BLA.
    A spokesperson speaks for the organisation their role names."""
    verbs = ctx.triggers["STATEMENT"]["verbs"]
    for node in token.ancestors:
        if node.lemma_.lower() not in verbs:
            continue
        actors = _actors(ctx, _subject(node), ("PERSON", "ORG"))
        if not actors:
            continue
        speaker = actors[0]
        if speaker.type == "PERSON":
            return next((e for e in ctx.entities if e.type == "ORG" and _speaks_for(speaker, e)), speaker)
        return speaker
    return None


def _target_token(ctx: Context, group: _Attack) -> Token | None:
    """What was hit: what an attack verb names as its object ("attacked a mine in the village of ..."), else
    people and vehicles before places ("a convoy ... near the airport"), and of one kind the mention that says
    what it carried ("the vehicle carrying Chinese engineers") before a bare one."""
    verbs = ctx.triggers["ATTACK"]["verbs"]
    attacked = next(
        (
            tok for sent in group.sents if not _is_reaction(ctx, sent) for tok in sent
            if tok.dep_ in ("dobj", "nsubjpass") and tok.pos_ in ("NOUN", "PROPN")
            and tok.head.pos_ == "VERB" and tok.head.lemma_.lower() in verbs and _told_as_done(tok.head)
        ),
        None,
    )  # fmt: skip
    if attacked is not None:  # a later mention of it may say what it carried ("their van" ... "the van carrying")
        said = (t for s in group.sents for t in s if t.lemma_ == attacked.lemma_ and _described(t))
        return next(said, attacked)
    nouns = ctx.triggers["ATTACK"]["target_nouns"]
    found = [
        tok for sent in group.sents for tok in sent
        if tok.lemma_.lower() in nouns and tok.pos_ == "NOUN" and not _is_reaction(ctx, sent)
        and (tok.dep_ in ("pobj", "dobj", "nsubjpass") or _described(tok))
    ]  # fmt: skip
    if found:
        return min(found, key=lambda t: (nouns.index(t.lemma_.lower()), not _described(t), t.i))
    attack_nouns = ctx.triggers["ATTACK"]["nouns"]
    attacked_on = (
        obj for sent in group.sents for tok in sent
        if tok.pos_ == "NOUN" and tok.lemma_.lower() in attack_nouns and tok.tag_ == "NN"
        for prep in tok.children if prep.dep_ == "prep" and prep.lower_ == "on"
        for obj in prep.children if obj.dep_ == "pobj" and obj.pos_ == "NOUN"
    )  # fmt: skip
    return next(attacked_on, None)  # "condemned the attack on a Chinese convoy": only a reaction says what was hit


def _told_as_done(verb: Token) -> bool:
    """"Gunmen attacked a mine", "a bus was attacked": one deed, not a habit ("have often targeted projects")."""
    if verb.tag_ == "VBD":
        return True
    return verb.tag_ == "VBN" and any(c.dep_ == "auxpass" and c.lower_ in ("was", "were") for c in verb.children)


def _described(noun: Token) -> bool:
    return any(c.dep_ == "acl" and c.tag_ == "VBG" for c in noun.children)


def _target(ctx: Context, group: _Attack) -> str | None:
    tok = _target_token(ctx, group)
    if tok is None:
        return None
    left = tok.left_edge.i + (tok.left_edge.dep_ == "det")
    right = max([tok.i] + [c.right_edge.i for c in tok.children if c.i > tok.i and c.dep_ in ("prep", "acl")])
    return ctx.doc[left : right + 1].text


# --- SECURITY_MEASURE ------------------------------------------------------------------------------


def find_security_measures(ctx: Context) -> list[Event]:
    events = []
    for sent in ctx.doc.sents:
        for tok in sent:
            _add_investigators(ctx, events, tok)
            if tok.pos_ != "VERB" or _negated(tok) or not _takes_measure(ctx, tok):
                continue
            actors = _measure_actors(ctx, tok)
            if not actors:
                continue
            measure = ctx.doc[tok.i : tok.right_edge.i + 1].text.strip().rstrip(" .,")
            when = ctx.date_near(sent)  # news reports a measure as it is taken
            own = {ctx.entity(t) for t in tok.subtree}
            places = sorted((p for p in _places(ctx, sent, skip_countries=False) if p not in actors), key=lambda p: p not in own)
            for actor in actors:
                name = actor if isinstance(actor, str) else actor.name
                if any(e.arguments.get("actor") == name for e in events):
                    continue
                host = _host_state(ctx, name)
                args = {
                    "actor": name,
                    "measure": measure,
                    "date": when,
                    "location": host or (places[0].name if places else None),
                }
                events.append(_ev(ctx, "SECURITY_MEASURE", sent, args, {k: sent for k in args}))
    return events


def _takes_measure(ctx: Context, verb: Token) -> bool:
    """A measure's verb with what makes it one ("tightened security", "warned its citizens not to travel"),
    or any verb with crowd-control equipment ("used water cannons"), unless it asks a state to act."""
    conf = ctx.triggers["SECURITY_MEASURE"]
    verbs: dict[str, list[str]] = conf["verbs"]
    lemma = verb.lemma_.lower() if verb.lemma_.lower() in verbs else verb.lower_
    if lemma in conf["asking_verbs"] and _asks_a_state(ctx, verb):
        return False  # "urges Pakistan to ensure security": a demand on a state
    if lemma in verbs:
        return not verbs[lemma] or bool({t.lower_ for t in verb.subtree if t.i != verb.i} & set(verbs[lemma]))
    return bool({t.lower_ for c in verb.children if c.dep_ == "dobj" for t in c.subtree} & set(conf["equipment"]))


def _objects_are_people(ctx: Context, verb: Token) -> bool:
    objects = [c for c in verb.children if c.dep_ == "dobj"]
    return bool(objects) and all(any(e.type == "PERSON" for e in _actors(ctx, o, ("PERSON",))) for o in objects)


def _advises(ctx: Context, verb: Token) -> bool:
    """"The embassy warned its citizens not to travel": advice to a state's own people is a measure it
    takes, not a statement (a demand for an investigation is both)."""
    return verb.lemma_.lower() in ctx.triggers["SECURITY_MEASURE"]["advice_verbs"] and _takes_measure(ctx, verb)


def _add_investigators(ctx: Context, events: list[Event], noun: Token) -> None:
    """A state's investigators at work abroad are a measure that state took: the investigators, or an
    investigation team, that a demonym or a possessive ties to a state."""
    conf = ctx.triggers["SECURITY_MEASURE"]
    team = noun.lemma_.lower() == "team" and any(c.lower_ in conf["investigating_teams"] for c in noun.children)
    if noun.pos_ != "NOUN" or not (team or noun.lower_ in conf["investigators"]):
        return
    demonyms = [ctx.knowledge.country_by_demonym.get(c.text) for c in noun.children if c.dep_ in ("amod", "compound")]
    owners = [e.name for c in noun.children if c.dep_ == "poss" for e in _actors(ctx, c, ("GPE",))]
    state = next((c.name for c in demonyms if c is not None), None) or next(iter(owners), None)
    if state is None or any(e.arguments.get("actor") == state for e in events):
        return
    clause = noun.head if noun.head.pos_ == "VERB" else noun
    if clause.lemma_.lower() in ctx.triggers["STATEMENT"]["verbs"]:
        return  # "Pakistani investigators said the bomb weighed 20 kg": a finding, not a measure
    measure = ctx.doc[clause.left_edge.i : clause.right_edge.i + 1].text.strip().rstrip(" .,")
    places = [p for p in _places(ctx, noun.sent, skip_countries=False) if p.name != state]
    args = {"actor": state, "measure": measure, "date": ctx.date_near(noun.sent),
            "location": places[0].name if places else None}  # fmt: skip
    events.append(_ev(ctx, "SECURITY_MEASURE", noun.sent, args, {k: noun.sent for k in args}))


_EMBASSY = re.compile(r"\b(?:Embassy|High Commission) in (?:the )?(.+)$")


def _host_state(ctx: Context, actor: str) -> str | None:
    """The state an embassy is in: what it tells its people there, it tells them about that state ("the
    embassy warned its citizens not to travel outside Bangui" is a measure in the Central African
    Republic; "China's embassy in Tajikistan urged Chinese workers to evacuate" one in Tajikistan)."""
    m = _EMBASSY.search(actor)
    state = ctx.knowledge.country_by_name.get(m.group(1)) if m else None
    return state.name if state is not None else None


def _asks_a_state(ctx: Context, verb: Token) -> bool:
    """"urges Pakistan to ...", "called on the Myanmar government to ...": the one asked is a state."""
    asked = [c for c in verb.children if c.dep_ == "dobj"]
    asked += [o for c in verb.children if c.dep_ == "prep" and c.lower_ == "on" for o in c.children]
    return any(
        any(e.type == "GPE" or e.kind == "government" for e in _actors(ctx, a, ("GPE", "ORG")))
        or (a.lemma_.lower() in STATE_NOUNS and _state_named(ctx, a) is not None)
        for a in asked
    )


def _measure_actors(ctx: Context, verb: Token) -> list[Entity | str]:
    """Who took the measure: the agent of a passive (or the organisations named after it), else the subject;
    an unnamed body ("Police in Haripur") is kept as the words that describe it."""
    agent = next((c for c in verb.children if c.dep_ == "agent"), None)
    if agent is not None:
        found = ctx.entities_in(agent.subtree, ("ORG", "PERSON"))
        if not found:
            after = [t for t in verb.sent if t.i > agent.right_edge.i]
            found = [e for e in ctx.entities_in(after, ("ORG",)) if e.kind in ("company", "government")]
        if found:
            return list(found)
    subject = _subject(verb)
    if subject is None or subject.dep_ == "nsubjpass":
        return []  # "security was tightened": the subject is what was tightened, not who did it
    company = _company_meant(ctx, subject)
    if company is not None:
        return [company]
    government = _government_of(ctx, subject)
    if government is not None:
        return [government]
    head_entity = ctx.entity(subject)
    actors: list[Entity | str] = list(_actors(ctx, subject, ("ORG", "PERSON", "GPE")))
    if head_entity is None and all(isinstance(a, Entity) and a.type == "GPE" for a in actors):
        # "Police from Salingyi township, where the mine is located": the body, not what is said of its place
        clauses = [c for c in subject.subtree if c.dep_ in ("relcl", "acl", "appos") or c.is_punct]
        end = min([c.left_edge.i for c in clauses if c.i > subject.i] + [subject.right_edge.i + 1])
        phrase = ctx.doc[subject.left_edge.i + (subject.left_edge.dep_ == "det") : end]
        forces = ctx.triggers["SECURITY_MEASURE"]["unnamed_actors"]
        named_force = any(t.lemma_.lower() in forces for t in phrase)  # "Malian security forces", "Police commandos"
        actors = [phrase.text] if named_force else []
    return [a for a in actors if not (isinstance(a, Entity) and a.kind == "media")]


def _government_of(ctx: Context, noun: Token) -> str | None:
    """The government a phrase names, as "Government of X": "the Balochistan government", "Pakistan's
    government", "the Kyrgyz government", "the provincial government" (the province the article names most),
    "the government" (the country it names most)."""
    if noun.lemma_.lower() != "government" or ctx.entity(noun) is not None:
        return None
    words = {c.lower_ for c in noun.children}
    named = [e for c in noun.children if c.dep_ in ("compound", "poss") for e in _actors(ctx, c, ("GPE",))]
    named += [e for c in noun.children if c.lower_ == "of" for o in c.children for e in _actors(ctx, o, ("GPE",))]
    state = next(iter(named), None) or _state_named(ctx, noun)
    if state is None and "provincial" in words:
        state = _most_named(ctx, _provinces(ctx.knowledge))
    elif state is None and _determined(noun) and not words & {"local", "interim", "new", "previous", "former"}:
        state = _most_named(ctx, ctx.knowledge.country_by_name)
    return f"Government of {state.name}" if state is not None else None


def _most_named(ctx: Context, names) -> Entity | None:
    return _most_mentioned(e for e in ctx.entities if e.type == "GPE" and e.name in names)


def _company_meant(ctx: Context, noun: Token) -> Entity | None:
    """The company an unnamed one stands for: "the company" is the last named before it; "a Chinese company",
    as a report opens before naming it, the first of that country named after it."""
    if ctx.entity(noun) is not None or KIND_NOUNS.get(noun.lower_) != "company":
        return None
    if _determined(noun):
        return _refers_to(ctx, noun)
    if not any(c.dep_ == "det" and c.lower_ in ("a", "an") for c in noun.children):
        return None
    state = _state_named(ctx, noun)
    return next(
        (
            e for e in ctx.entities
            if e.kind == "company" and e.mentions[0].start > noun.idx and (state is None or e.country == state.country)
        ),
        None,
    )  # fmt: skip


# --- PROTEST ---------------------------------------------------------------------------------------


def find_protests(ctx: Context) -> list[Event]:
    conf = ctx.triggers["PROTEST"]
    forms: dict[str, str] = conf["forms"]
    # a march whose own sentence names no one is by whoever the article says organised or led the protest
    organisers = list(dict.fromkeys(_organisers(ctx) + _crowd_leaders(ctx, ctx.doc[:])))
    events = []
    for sent in ctx.doc.sents:
        for tok in sent:
            form = forms.get(tok.lemma_.lower())
            if form is None or tok.pos_ != "VERB":
                continue
            if tok.lemma_.lower() in conf["intransitive_forms"] and any(c.dep_ == "dobj" for c in tok.children):
                continue
            subject = _subject(tok)
            named = [a for a in _actors(ctx, subject, ("GPE", "ORG", "PERSON")) if a.kind != "media"]
            if subject is not None and ctx.entity(subject) is None and subject.lemma_.lower() not in STATE_NOUNS:
                named = [a for a in named if a.type != "GPE"]  # "Kenyan activists protested": the activists
            actors = named or _crowd_leaders(ctx, sent) or organisers
            obj = next((c for c in tok.children if c.dep_ == "dobj"), None)
            if obj is None:
                prep = next((c for c in tok.children if c.dep_ == "prep" and c.lower_ in ("against", "over")), None)
                # "marched against what they say is a plan": the clause is what they oppose
                obj = next((c for c in prep.children if c.dep_ in ("pobj", "pcomp")), None) if prep is not None else None
            if not actors or obj is None:
                continue
            targets = _actors(ctx, obj, ("PROJECT", "EVENT", "ORG", "FAC", "GPE")) or [
                e for c in tok.children if c.dep_ == "prep" and c.lower_ in ("in", "under")
                for o in c.children for e in _actors(ctx, o, ("PROJECT",))
            ]  # "opposes projects in the so-called CPEC": the parser hangs the programme on the verb
            target = targets[0].name if targets else _phrase(ctx, obj)
            if not targets and obj.lemma_.lower() in ctx.triggers["ATTACK"]["nouns"]:
                hit = _target(ctx, _Attack(list(ctx.doc.sents), None))
                target = f"{target} on {hit}" if hit and " on " not in target else target
            reason_tok = next((c for c in tok.children if c.dep_ == "advcl" or (c.dep_ == "prep" and c.lower_ == "as")), None)
            reason = ctx.doc[reason_tok.left_edge.i : reason_tok.right_edge.i + 1].text if reason_tok is not None else None
            places = [p for p in _places(ctx, sent, skip_countries=True) if p not in actors and p.name != target]
            for actor in actors:
                args = {
                    "actor": actor.name,
                    "target": target,
                    "form": form,
                    "reason": reason,
                    "location": places[0].name if places else None,
                    "date": ctx.date_near(sent),  # news reports a march or a boycott as it happens
                }
                events.append(_ev(ctx, "PROTEST", sent, args, {k: sent for k in args}))
    return events


def _organisers(ctx: Context) -> list[Entity]:
    """Who the article says organised the protest ("Ye Htut Khaung, one of the organizers"): the actor of a
    march whose own sentence names no one."""
    nouns = set(ctx.triggers["PROTEST"]["organiser_nouns"])
    found = [
        entity for tok in ctx.doc for appos in tok.children
        if appos.dep_ == "appos" and any(t.lemma_.lower() in nouns for t in appos.subtree)
        and (entity := ctx.entity(tok)) is not None and entity.type in ("PERSON", "ORG")
    ]  # fmt: skip
    return list(dict.fromkeys(found))


def _crowd_leaders(ctx: Context, sent: Span) -> list[Entity]:
    """Who leads or organises the crowd a sentence speaks of ("protesters led by the Joint Opposition",
    "thousands of villagers led by ...")."""
    conf = ctx.triggers["PROTEST"]
    leaders: list[Entity] = []
    for tok in sent:
        crowd = tok.head.lemma_.lower() in conf["crowd_nouns"] or (tok.dep_ == "acl" and tok.head.pos_ == "NOUN")
        if tok.lemma_.lower() in conf["leading_verbs"] and crowd:
            for agent in (c for c in tok.children if c.dep_ == "agent"):
                leaders += [e for c in agent.children for e in _actors(ctx, c, ("ORG", "PERSON"))]
    return list(dict.fromkeys(leaders))


FINDERS = (
    find_meetings,
    find_projects,
    find_financing,
    find_agreements,
    find_attacks,
    find_security_measures,
    find_statements,
    find_protests,
)


MERGE_KEYS = {
    "FINANCING": ("funder", "value", "currency"),
    "PROJECT": ("name",),
    "STATEMENT": ("speaker",),
    "SECURITY_MEASURE": ("actor",),
    "PROTEST": ("actor", "target", "form"),
    "ATTACK": ("date",),
}


def merge_duplicates(events: list[Event]) -> list[Event]:
    """The same fact stated twice (headline and body) is one event; the later statement fills gaps."""
    kept: dict[tuple, Event] = {}
    out = []
    for event in events:
        fields = MERGE_KEYS.get(event.type)
        key = (event.type, *(repr(event.arguments.get(f)) for f in fields)) if fields else None
        if key is None or key not in kept:
            if key is not None:
                kept[key] = event
            out.append(event)
            continue
        first = kept[key]
        for name, value in event.arguments.items():
            if name not in first.arguments:
                first.arguments[name] = value
                first.argument_evidence[name] = event.evidence
    return out


def extract_events(ctx: Context) -> list[Event]:
    """Every event of one English article, in the order of the schema's types."""
    events = merge_duplicates([event for finder in FINDERS for event in finder(ctx)])
    return _condemned_as_reported(ctx, _signed_where_they_met(_headline_measures_restated(ctx, events)))


def _headline_measures_restated(ctx: Context, events: list[Event]) -> list[Event]:
    """"China warns citizens after nine killed" over "the Chinese embassy warned its citizens not to travel":
    a headline's measure that the body states again with the same verb is the body's (its actor named as
    the body names it)."""
    first_line = ctx.text.find("\n")
    measures = [e for e in events if e.type == "SECURITY_MEASURE"]

    def stem(event: Event) -> str:
        return event.arguments.get("measure", "")[:4].lower()

    return [
        e for e in events
        if not (
            e.type == "SECURITY_MEASURE" and 0 <= e.evidence.start < first_line
            and any(o is not e and o.evidence.start > first_line and stem(o) == stem(e) for o in measures)
        )
    ]  # fmt: skip


def _condemned_as_reported(ctx: Context, events: list[Event]) -> list[Event]:
    """A condemnation of "the bombing" or "this act of terrorism" condemns the attack the article reports:
    its target names that attack, what was hit and where ("attack on a Chinese convoy in Gwadar")."""
    attacks = [e for e in events if e.type == "ATTACK" and e.arguments.get("target")]
    words = set(ctx.triggers["ATTACK"]["nouns"]) | {"terrorism", "act"}
    for event in events:
        target = event.arguments.get("target") or ""
        if event.type != "PROTEST" or event.arguments.get("form") != "condemnation" or not attacks:
            continue
        head = target.split(" on ")[0]
        if not words & set(head.lower().split()):
            continue
        attack = attacks[0].arguments
        where = attack.get("location")
        hit = attack["target"] + (f" in {where}" if where and where not in attack["target"] else "")
        event.arguments["target"] = f"{head} on {hit}"
    # one condemnation of the attack per actor: "denounced this act of terrorism" again is the same one
    kept, condemning = [], set()
    for event in events:
        if event.type == "PROTEST" and event.arguments.get("form") == "condemnation" and " on " in (
            event.arguments.get("target") or ""
        ):
            if event.arguments["actor"] in condemning:
                continue
            condemning.add(event.arguments["actor"])
        kept.append(event)
    return kept


def _signed_where_they_met(events: list[Event]) -> list[Event]:
    """An agreement whose sentences name no place was signed where a meeting of the same day took place
    ("high-level meetings at the Presidential Palace in Abu Dhabi at which partnerships were signed")."""
    meetings = [e for e in events if e.type == "MEETING" and e.arguments.get("location") and e.arguments.get("date")]
    for event in events:
        if event.type != "AGREEMENT" or event.arguments.get("location") or not event.arguments.get("date"):
            continue
        met = next((m for m in meetings if not _dated_apart(m.arguments["date"], event.arguments["date"])), None)
        if met is not None:
            event.arguments["location"] = met.arguments["location"]
            event.argument_evidence["location"] = met.argument_evidence.get("location", met.evidence)
    return events
