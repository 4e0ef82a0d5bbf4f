"""Projects: what an article says about each project it concerns, and what a project's claims add up to.

The registry keeps one record per project across articles and outlets. A project is what the
knowledge files know (projects.yaml entries with their aliases, and the project each site of
corridor_sites.yaml belongs to), or an infrastructure name an article's PROJECT event gives. An
umbrella programme (CPEC, the BRI) is never a project: it is what projects are counted in
(programmes.yaml, or a programme the event's sentence names). A phase, section or unit of a known
project ("Main Line-1 Phase II") is a project of its own whose parent is that project.

`project_facts` turns the PROJECT, FINANCING and AGREEMENT events of one extraction into facts
(`model.ProjectFact`), each with its event and sentence, every project the article names into a
mention (a project named without an event still has its record, its status unknown until an article
states one), and the statuses its sentences state in words of their own of a project they name without
an event, or of the one project the article is about where they refer to it; the store keeps them
and recomputes the records of the projects an article touches. `current_state` decides a record's state from its
status claims: the latest report wins, and among reports of about the same time the status more
outlets give, a suspension or cancellation before progress on a tie.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import cache
from typing import Any

import yaml

from beltwatch.errors import KnowledgeError
from beltwatch.knowledge import KNOWLEDGE_DIR, load_knowledge
from beltwatch.model import Entity, Event, Evidence, Extraction, ProjectFact, ProjectRef, first_day
from beltwatch.resolve import in_usd
from beltwatch.resolve.corridor import SITES_FILE
from beltwatch.resolve.places import normalize

PROGRAMMES_FILE = KNOWLEDGE_DIR / "programmes.yaml"
PROJECT_EVENTS = ("PROJECT", "FINANCING", "AGREEMENT")
# the lifecycle: how far along each status puts a project; suspension and cancellation interrupt it
PROGRESS = {
    "announced": 0,
    "proposed": 0,
    "upgrade proposed": 0,
    "agreement signed": 1,
    "financing committed": 2,
    "under construction": 3,
    "completed": 4,
}
INTERRUPTIONS = ("suspended", "cancelled")
# statuses that events other than PROJECT give the projects they concern
STATUS_OF_EVENT = {"AGREEMENT": "agreement signed", "FINANCING": "financing committed"}
# the instruments (triggers.yaml) that commit money to a project, and those that are an owner's outlay
# (kept apart: an investment is no loan); a deposit, rollover or restructuring moves an existing debt
COMMITMENTS = ("loan", "credit line", "grant", "financing window")
INVESTMENTS = ("investment", "equity")
# a FINANCING event's purpose that points back at the article's project ("€840m for the project has
# been borrowed", "a loan in place for the project that ...")
_THE_PROJECT = re.compile(r"^(?:the\s+)?project\b", re.IGNORECASE)
# an event's position for a fact that rests on a mention, not on an event
NO_EVENT = -1
# what a PROJECT event's sentence says of the work beside its status word: laying a foundation stone is
# the start of construction, not its end ("inaugurated the rail link by unveiling its foundation plaque")
_GROUNDBREAKING = re.compile(r"\bfoundation (?:stone|plaque)s?\b|\bground-?breaking\b|\bbr(?:oke|eaks?) ground\b",
                             re.IGNORECASE)  # fmt: skip
# a completion still to come ("when completed", "would be completed by 2023", "to ensure ... is completed")
_COMPLETION_TO_COME = re.compile(
    r"\b(?:when|once|until|will|would|should|shall|could|can|to|ensure|due)\b(?:\W+\w+){0,3}?\W+complet", re.IGNORECASE
)
# a share of the work done ("completed by 40 per cent", "55 percent of the terminal has been completed")
_SHARE = r"\d+(?:\.\d+)?\s*(?:%|(?:per ?cent|pc)\b)"
_PART_DONE = re.compile(rf"\b{_SHARE}[^.;]{{0,60}}\bcomplet|\bcomplet\w*\s+(?:by\s+)?(?:over\s+|about\s+)?{_SHARE}",
                        re.IGNORECASE)  # fmt: skip
# a step done, not the project ("completed the acquisition of a stake", "has completed the reclamation")
_STEP_DONE = re.compile(r"\bcomplet\w*\s+(?:the\s+|its\s+)?(?:acquisition|purchase|takeover|sale|reclamation|"
                        r"survey|study|design|operation)\b", re.IGNORECASE)  # fmt: skip
# construction still to come ("approval to commence the construction", "is yet to be constructed")
_WORK_TO_COME = re.compile(r"\b(?:to|will)\s+(?:commence|start|begin)\s+(?:the\s+)?(?:construction|work)\b|"
                           r"\byet to be (?:built|constructed|started)\b", re.IGNORECASE)  # fmt: skip
# a project done: opened, commissioned, put into operation ("flagged off for full commercial operations")
_DONE = re.compile(r"\b(?:inaugurat|opened(?! fire)|reopened|commissioned|handed over|flagged off|operationali[sz])\w*|"
                   r"\b(?:has|have|had|was|were)\s+(?:been\s+)?(?:\w+\s+)?completed\b|"
                   r"\b(?:put|went|came|entered)\s+into\s+(?:full\s+)?(?:commercial\s+)?operation", re.IGNORECASE)  # fmt: skip
# a sentence about the deal, where "construction" is only its purpose ("approved the loan for the
# construction of", "signing this agreement for the design, construction and operation of")
_LOAN_DEAL = re.compile(r"\b(?:approv|sign)\w*\b[^.;]{0,60}\bloan\b", re.IGNORECASE)
_AGREEMENT_DEAL = re.compile(r"\bsign\w*\b[^.;]{0,60}\b(?:agreement|memorandum|MoU)\b", re.IGNORECASE)
_WORK_GOING_ON = re.compile(r"\bbeing (?:built|constructed|upgraded)\b|\bunder construction\b|\bconstruction (?:began|"
                            r"started|work|is|was)\b|\bworks? (?:began|started|is|are|was|were)\b|"
                            r"\b(?:began|started|kicked off)\s+(?:the\s+)?(?:[\w-]+\s+)?(?:construction\s+)?work\b|"
                            r"\b(?:construction|works?)\b[^.;]{0,40}\b(?:continues|has entered|in full swing)\b",
                            re.IGNORECASE)  # fmt: skip
# the works taken up again ("the resumption of construction on the dam", "resumed construction of the line")
_RESUMED = re.compile(r"\b(?:resum|restart)\w*\s+(?:of\s+)?(?:the\s+)?(?:construction|works?)\b", re.IGNORECASE)
# construction said to start, not started: a project approved ("an approval to commence the construction")
_APPROVED_TO_START = re.compile(r"\bapprov\w*\b[^.;]{0,20}\bto\s+(?:commence|start|begin)\b", re.IGNORECASE)
_LOAN_SIGNED = re.compile(r"\bloan (?:agreement|deal|contract)s?\b[^.;]{0,80}\bsigned\b|"
                          r"\bsign\w*\b[^.;]{0,60}\bloan (?:agreement|deal|contract)s?\b", re.IGNORECASE)  # fmt: skip
# what a sentence that names a project without an event of it says of it (`_said`), in the order the events
# rank statuses: halted or scrapped works, a project opened, its foundation stone laid, works going on or
# taken up again, a loan agreement signed for it, a feasibility study of it
_SAID = (
    ("suspended", re.compile(r"\b(?:halted|suspended|stopped work|put on hold)\b", re.IGNORECASE)),
    ("cancelled", re.compile(r"\b(?:cancell?ed|scrapped)\b", re.IGNORECASE)),
    ("completed", _DONE),
    ("under construction", _GROUNDBREAKING),
    ("under construction", _RESUMED),
    ("under construction", _WORK_GOING_ON),
    ("financing committed", _LOAN_SIGNED),
    ("proposed", re.compile(r"\bfeasibility stud(?:y|ies)\b", re.IGNORECASE)),
)
# a state still to come or denied: these words within three words before the status word ("is likely to
# inaugurate", "have not stopped work")
_NOT_SO = re.compile(r"\b(?:will|would|could|should|shall|may|to|wants?|hopes?|expected|likely|yet|once|when|until|"
                     r"not|never)\W+(?:[\w'’-]+\W+){0,2}$|n't\s+(?:[\w'’-]+\s+){0,2}$", re.IGNORECASE)  # fmt: skip
# a former state recalled, which says nothing of the present ("the project was initially cancelled")
_RECALLED = re.compile(r"\b(?:initially|originally|previously|formerly)\b", re.IGNORECASE)
# the year a sentence puts its state in ("halted construction in 2011", "on hold since 2011")
_YEAR_STATED = re.compile(r"\b(?:[Ii]n|[Ss]ince|[Bb]y|[Ff]rom)\s+(?:[A-Z][a-z]+\s+)?((?:19|20)\d\d)\b")
_PART_WORDS = r"phase|section|unit|package|stage|lot|stretch|segment|leg|berth"
# the words before a project's name that make what the sentence says a part's ("the first section of the")
_PART_OF = re.compile(rf"\b(?:{_PART_WORDS})\b[^.;,]{{0,40}}\bof\s+(?:the\s+)?(?:[\w'’-]+\s+){{0,3}}$", re.IGNORECASE)
_A_PART = re.compile(rf"\b(?:{_PART_WORDS})\s+of\b", re.IGNORECASE)
# a part named right after its project's name, an abbreviation between ("(CEP) - Section 1")
_PART_NEXT = re.compile(rf"^\s*(?:\([^()]{{1,15}}\)\s*)?[-–—:,]?\s*(?P<part>(?:{_PART_WORDS})\s+[\w-]+)", re.IGNORECASE)
# money supposed, not committed
_SUPPOSED = re.compile(r"\b(?:would|could|might|if)\b", re.IGNORECASE)
# reports this close to the latest one describe the same moment, and outvote each other
SAME_MOMENT = timedelta(days=31)
# the event's sector words (triggers.yaml) as the knowledge files' sectors
SECTOR_OF = {
    "hydropower": "energy",
    "energy": "energy",
    "new energy": "energy",
    "coal power": "energy",
    "railways": "transport",
    "roads": "transport",
    "aviation": "transport",
    "ports": "ports",
    "industrial parks": "industry",
    "mining": "mining",
    "agriculture": "agriculture",
    "water": "water",
    "information technology": "telecom",
}
# a site's kind (corridor_sites.yaml) as the sector of the project it belongs to
SECTOR_OF_SITE = {
    "port": "ports",
    "airport": "transport",
    "railway": "transport",
    "dam": "energy",
    "power_plant": "energy",
    "economic_zone": "industry",
    "mine": "mining",
}
# "Main Line-1 Phase II", "Karachi Nuclear Power Plant Unit 3", "Phase 2A of the SGR"
_PART_AFTER = re.compile(rf"^(?P<base>.+?)\s+(?P<word>{_PART_WORDS})\b\s*(?P<number>\S*).*$", re.IGNORECASE)
_PART_BEFORE = re.compile(rf"^(?:the\s+)?(?:(?P<ordinal>[a-z0-9]+)\s+)?(?P<word>{_PART_WORDS})\b\S*(?:\s+(?P<number>\S+))?\s+of\s+"
                          rf"(?:the\s+)?(?P<base>.+)$", re.IGNORECASE)  # fmt: skip
# how the parts of one project are numbered: "Phase II", "Phase 2", "the second phase" are one part
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6", "vii": "7", "viii": "8", "ix": "9", "x": "10"}
_ORDINALS = {"first": "1", "second": "2", "third": "3", "fourth": "4", "fifth": "5", "sixth": "6", "1st": "1",
             "2nd": "2", "3rd": "3", "4th": "4", "5th": "5", "6th": "6"}  # fmt: skip
# a part named by its number right before its project's name ("the first phase of the Central Expressway")
_PART_FIRST = re.compile(rf"\b(?P<part>(?:{'|'.join(_ORDINALS)})\s+(?:{_PART_WORDS}))\s+of\s+(?:the\s+)?$", re.IGNORECASE)


@dataclass(frozen=True)
class Registry:
    """The projects and programmes the knowledge files know, by every normalised spelling."""

    projects: dict[str, ProjectRef]
    programmes: dict[str, str]  # a programme's spelling -> its name

    def programme(self, name: str) -> str | None:
        return self.programmes.get(normalize(name))

    def find(self, name: str) -> ProjectRef | None:
        """The known project a name gives, or a part of one ("ML-1 Phase II"); None for anything else."""
        key = normalize(name)
        if key in self.programmes or key.removesuffix(" project") in self.programmes:
            return None
        # "the Padma rail link project" is the Padma rail link
        for spelling in (key, key.removesuffix(" project")):
            if spelling in self.projects:
                return self.projects[spelling]
        for pattern in (_PART_AFTER, _PART_BEFORE):
            m = pattern.match(name.strip())
            parent = self.projects.get(normalize(m.group("base"))) if m else None
            if parent is not None:
                key, named = _part_key(parent, m)
                if key in self.projects:  # a part the files know by its number ("Phase 1" of the expressway)
                    return self.projects[key]
                return replace(parent, key=key, name=named if pattern is _PART_BEFORE else name.strip(),
                               parent=parent.name, lat=None, lon=None, precision=None)  # fmt: skip
        return None


def _part_key(parent: ProjectRef, part: re.Match[str]) -> tuple[str, str]:
    """One key for the ways news numbers a part ("ML-1 Phase II", "Phase 2 of ML-1", "the second phase of
    ML-1"): the parent's key, the part's word and its number in digits; and the part's name in that order
    ("Main Line-1 Phase 2")."""
    ordinal = (part.groupdict().get("ordinal") or "").lower()
    number = normalize(part.group("number") or "") or _ORDINALS.get(ordinal, ordinal)
    number = _ROMAN.get(number, _ORDINALS.get(number, number))
    word = part.group("word").capitalize()
    return normalize(f"{parent.key} {word} {number}"), f"{parent.name} {word} {number.upper()}".strip()


@cache
def load_registry() -> Registry:
    """The registry's knowledge: projects.yaml, the project sites of corridor_sites.yaml, programmes.yaml."""
    knowledge = load_knowledge()
    programmes = {normalize(n): e.name for e in knowledge.entities if e.umbrella for n in e.names}
    member_of, part_of = _programmes_file(set(programmes.values()))
    refs: dict[str, ProjectRef] = {}  # canonical name -> project
    spellings: dict[str, str] = {}  # normalised spelling -> canonical name
    for e in knowledge.entities:
        if e.id.startswith("projects:") and not e.umbrella:
            refs[e.name] = ProjectRef(
                key=normalize(e.name), name=e.name, country=e.country, sector=e.sector,
                lat=e.lat, lon=e.lon, precision=1 if e.lat is not None else None,
            )  # fmt: skip
            for spelling in e.names:
                spellings.setdefault(normalize(spelling), e.name)
    for site in _project_sites():
        name = spellings.get(normalize(site["project"]), site["project"])
        ref = refs.get(name) or ProjectRef(
            key=normalize(name), name=name, country=site["country"], sector=SECTOR_OF_SITE.get(site["kind"])
        )
        if ref.lat is None or site["precision"] < (ref.precision or 5):
            ref = replace(ref, lat=float(site["lat"]), lon=float(site["lon"]), precision=int(site["precision"]))
        refs[name] = ref
        for spelling in (name, site["name"], *(site.get("aliases") or ())):
            spellings.setdefault(normalize(spelling), name)
    for name, programme in member_of.items():
        _known(name in refs, f"{name!r} in the projects of {programme} is no known project")
        refs[name] = replace(refs[name], programme=programme)
    for part, parent in part_of.items():
        _known(part in refs and parent in refs, f"part {part!r} of {parent!r}: both must be known projects")
        refs[part] = replace(refs[part], parent=parent, programme=refs[part].programme or refs[parent].programme)
    return Registry({key: refs[name] for key, name in spellings.items()}, programmes)


def _known(condition: bool, message: str) -> None:
    if not condition:
        raise KnowledgeError(message, source=PROGRAMMES_FILE.name)


def _programmes_file(umbrellas: set[str]) -> tuple[dict[str, str], dict[str, str]]:
    """programmes.yaml, checked: project name -> its programme, and part -> the project it is part of."""
    try:
        data = yaml.safe_load(PROGRAMMES_FILE.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise KnowledgeError(f"cannot read knowledge file: {exc}", source=PROGRAMMES_FILE.name) from exc
    _known(isinstance(data, dict), "needs `programmes` and `parts`")
    member_of: dict[str, str] = {}
    for entry in data.get("programmes") or []:
        _known(isinstance(entry, dict) and entry.get("programme") in umbrellas,
               f"{entry!r}: `programme` must name an umbrella entry of projects.yaml")  # fmt: skip
        _known(isinstance(entry.get("source"), str), f"{entry['programme']}: needs a `source`")
        for name in entry.get("projects") or []:
            _known(name not in member_of, f"{name!r} is in two programmes")
            member_of[name] = entry["programme"]
    part_of: dict[str, str] = {}
    for entry in data.get("parts") or []:
        _known(isinstance(entry, dict) and {"part", "part_of", "source"} <= set(entry),
               f"{entry!r}: a part needs `part`, `part_of` and `source`")  # fmt: skip
        part_of[entry["part"]] = entry["part_of"]
    return member_of, part_of


def _project_sites() -> list[dict[str, Any]]:
    data = yaml.safe_load(SITES_FILE.read_text(encoding="utf-8"))
    return [s for s in data["sites"] if s.get("project")]


# --- facts ------------------------------------------------------------------------------------


def project_facts(extraction: Extraction) -> list[ProjectFact]:
    """What the article's PROJECT, FINANCING and AGREEMENT events say about the projects they concern."""
    registry = load_registry()
    entities = {e.name: e for e in extraction.entities}
    facts: list[ProjectFact] = []
    read: set[tuple[str, int]] = set()  # (project, sentence) pairs a PROJECT event has read the status of
    for position, event in enumerate(extraction.events):
        if event.type not in PROJECT_EVENTS:
            continue
        when = event.arguments.get("date") or extraction.article.meta.published
        programmes = _programmes_named(event, extraction.entities, registry)
        for project in _projects_of(event, extraction, entities, registry):
            project = replace(project, programme=project.programme or next(iter(programmes), None))
            values = [*_facts_of(event, project, extraction, entities, when)]
            values += [("programme", {"name": name}) for name in programmes]
            facts += [ProjectFact(project, kind, value, when, position, event.evidence) for kind, value in values]
            if event.type == "PROJECT":
                read.add((project.key, event.evidence.start))
    return _parts_not_wholes(facts + _mentions(extraction, registry) + _statuses_said(extraction, registry, read))


def _parts_not_wholes(facts: list[ProjectFact]) -> list[ProjectFact]:
    """A status a sentence gives a part of a project ("the Smokovac-Mateševo section of the Bar-Boljare
    motorway was inaugurated") is the part's: the whole is not completed when one section opens, so the
    status the same sentence seems to give the whole is dropped."""
    parts_stated = {(f.project.parent, f.evidence.start) for f in facts if f.kind == "status" and f.project.parent}
    return [f for f in facts if f.kind != "status" or (f.project.name, f.evidence.start) not in parts_stated]


def _mentions(extraction: Extraction, registry: Registry) -> list[ProjectFact]:
    """One mention fact for each project the article names, at its first mention: what makes a project
    named only in passing a record, and what counts the articles that report on it."""
    candidates = _project_entities(extraction.entities)
    named: dict[str, ProjectFact] = {}
    for entity in candidates:
        project = _project_of_entity(entity, registry)
        if project is None or project.key in named or not entity.mentions:
            continue
        if registry.find(entity.name) is None and _shadowed(entity, candidates):
            continue  # "SINOPEC Oil Refinery Project" beside "Hambantota SINOPEC Oil Refinery Project"
        first = min(entity.mentions, key=lambda m: m.start)
        named[project.key] = ProjectFact(project, "mention", {"name": entity.name},
                                         extraction.article.meta.published, NO_EVENT, first.evidence)  # fmt: skip
    return list(named.values())


def _statuses_said(extraction: Extraction, registry: Registry, read: set[tuple[str, int]]) -> list[ProjectFact]:
    """The statuses sentences state of the projects they name with no PROJECT event of them ("the Orange
    Line was inaugurated", "loan agreements were signed on the Kaliwa Dam Project"), and, in an article
    about one project, of that project where they refer to it without its name ("it was inaugurated in
    2016", "the airport opened"). Each is dated as `_when_said` says."""
    published = extraction.article.meta.published
    facts = []
    named = [(m, p) for e in _project_entities(extraction.entities) if (p := _project_of_entity(e, registry))
             for m in e.mentions]  # fmt: skip
    for mention, project in named:
        sentence = mention.evidence
        others = [m.start - sentence.start for m, p in named
                  if p.key != project.key and sentence.start <= m.start < sentence.end]  # fmt: skip
        status = _said(sentence.text, mention.start - sentence.start, others)
        if status and (project.key, sentence.start) not in read:
            read.add((project.key, sentence.start))
            when = _when_said(sentence.text, status, published)
            facts.append(ProjectFact(project, "status", {"status": status}, when, NO_EVENT, sentence))
    main = _main_project(extraction.entities, registry, clearly=True)
    if main is None:
        return facts
    project, names = main
    refers = re.compile(r"\b(?:" + "|".join(["it", "the project", "this project", *names]) + r")\b", re.IGNORECASE)
    current: ProjectRef | None = None  # the project the last sentence that spoke of one spoke of
    for sentence in _sentences(extraction.article.text):
        speaks, spoken = _spoken_of(sentence, named)
        if speaks:
            current = spoken
        if any(sentence.start <= m.start < sentence.end for m, _ in named) or not refers.search(sentence.text):
            continue  # a sentence that names a project speaks of it
        status = _said(sentence.text)
        if status:
            when = _when_said(sentence.text, status, published)
            meant = current if current is not None and _PRONOUN_FIRST.match(sentence.text) else project
            facts.append(ProjectFact(meant, "status", {"status": status}, when, NO_EVENT, sentence))
    return facts


_PRONOUN_FIRST = re.compile(r"\W*(?:\w+\W+){0,4}?it\b", re.IGNORECASE)


def _spoken_of(sentence: Evidence, named: list[tuple[Any, ProjectRef]]) -> tuple[bool, ProjectRef | None]:
    """Whether a sentence speaks of a project, and of which: the first it names (an unnamed part, when that
    one is named as the whole a part belongs to: "The section of the Beograd – Budapest main line between
    ..."), else the one named projects alone end in the word it calls a thing by ("The expressway has a
    total length of 19.49 km")."""
    here = sorted(((m.start, p) for m, p in named if sentence.start <= m.start < sentence.end), key=lambda x: x[0])
    if here:
        start, first = here[0]
        return True, None if _PART_OF.search(sentence.text[: start - sentence.start]) else first
    heads = {p.name.split()[-1].lower(): p for _, p in named}
    called = {w.lower() for w in re.findall(r"\b[Tt]he\s+(\w+)", sentence.text)}
    matches = {heads[w].key: heads[w] for w in called if w in heads}
    return (True, next(iter(matches.values()))) if len(matches) == 1 else (False, None)


def _when_said(sentence: str, status: str, published: str | None) -> str | None:
    """When a stated status held: the year the sentence puts it in, where that is before the report, for
    a state that passes ("construction was halted in 2011"); a project completed or cancelled stays so, and
    the report's date stands for it."""
    years = [y for y in _YEAR_STATED.findall(sentence) if published and y < published[:4]]
    return years[-1] if years and status not in ("completed", "cancelled") else published


# the nouns a project's name ends in that an article uses for it alone ("the airport", "the dam")
_HEAD_NOUNS = ("airport", "port", "dam", "railway", "motorway", "expressway", "highway", "plant", "bridge",
               "terminal", "refinery", "mine", "park", "zone")  # fmt: skip


def _main_project(
    found: list[Entity], registry: Registry, clearly: bool = False
) -> tuple[ProjectRef, list[str]] | None:
    """The project an article is about, with the nouns its names end in: the one it names most often, if
    no other is named as often; `clearly` about, the only one it names or one named at least twice as often
    as any other. None when it is about several."""
    counted: Counter[ProjectRef] = Counter()
    heads: dict[str, set[str]] = {}
    for entity in _project_entities(found):
        project = _project_of_entity(entity, registry)
        if project is not None:
            counted[project] += len(entity.mentions)
            ends = {n.split()[-1].lower() for n in (project.name, entity.name, *entity.aliases) if n.split()}
            heads.setdefault(project.key, set()).update(ends & set(_HEAD_NOUNS))
    ranked = counted.most_common(2)
    runner_up = ranked[1][1] if len(ranked) == 2 else 0
    if not ranked or ranked[0][1] < (2 * runner_up if clearly else runner_up + 1):
        return None
    return ranked[0][0], sorted(heads[ranked[0][0].key])


# a sentence ends at a full stop, question or exclamation mark before a capital or a quote, or at a line end
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“‘(])|\n+")


def _sentences(text: str) -> Iterable[Evidence]:
    start = 0
    for gap in [*_SENTENCE_END.finditer(text), None]:
        end = gap.start() if gap else len(text)
        if text[start:end].strip():
            yield Evidence(text[start:end], start, end)
        start = gap.end() if gap else end


def _project_entities(found: list[Entity]) -> list[Entity]:
    return [e for e in found if e.type in ("PROJECT", "FAC")]


def _shadowed(entity: Entity, others: list[Entity]) -> bool:
    """Whether another name contains this one ("Padma Bridge" in "Padma Bridge rail link"): where both
    are named, the longer is the one meant."""
    key = normalize(entity.name)
    return any(k != key and re.search(rf"\b{re.escape(key)}\b", k) for k in (normalize(o.name) for o in others))


def _project_of_entity(entity: Entity, registry: Registry) -> ProjectRef | None:
    """The project an entity is: a known one by any of its spellings, else a PROJECT entity of its own;
    a programme, or a facility the knowledge files do not know (a station, a bridge in passing), is none."""
    if any(registry.programme(n) for n in (entity.name, *entity.aliases)):
        return None
    known = next((p for p in map(registry.find, (entity.name, *entity.aliases)) if p is not None), None)
    if known is not None or entity.type != "PROJECT":
        return known
    return ProjectRef(key=normalize(entity.name), name=entity.name, country=entity.country)


def _projects_of(
    event: Event, extraction: Extraction, entities: dict[str, Entity], registry: Registry
) -> list[ProjectRef]:
    """The projects an event concerns: a PROJECT event's own project (a known one, or the name it gives,
    unless that is a programme); for the others, the projects named in their sentence or their text."""
    if event.type == "PROJECT":
        name = event.arguments.get("name")
        if not isinstance(name, str) or registry.programme(name):
            return []
        entity = entities.get(name)
        spellings = [name, *(entity.aliases if entity else ())]
        known = next((p for p in map(registry.find, spellings) if p is not None), None)
        return [known or _named_in_text(name, event)]
    found, text = extraction.entities, extraction.article.text
    named = _named_by(event, _project_entities(found))
    projects = [_part_named(p, e, event, text, registry) for e in named
                if (p := registry.find(e.name) or _project_entity(e, event, registry))]  # fmt: skip
    if not projects and _THE_PROJECT.match(str(event.arguments.get("purpose") or "")):
        projects = [main[0] for main in [_main_project(found, registry)] if main is not None]
    elif not projects and _unaddressed_loan(event, found, registry):
        projects = [main[0] for main in [_main_project(found, registry, clearly=True)] if main is not None]
    return list({p.key: p for p in projects}.values())


def _part_named(project: ProjectRef, entity: Entity, event: Event, text: str, registry: Registry) -> ProjectRef:
    """The part of a known project an event's sentence names right after the project's name ("a loan for
    the Central Expressway Project (CEP) - Section 1" is the section's, however the sentence was cut at
    the dash), else the project."""
    sentence = event.evidence
    for mention in entity.mentions:
        if sentence.start <= mention.start < sentence.end:
            after = _PART_NEXT.match(text[mention.end : mention.end + 40])
            before = _PART_FIRST.search(text[max(sentence.start, mention.start - 40) : mention.start])
            part = (registry.find(f"{project.name} {after.group('part')}") if after else None) or (
                registry.find(f"{before.group('part')} of {project.name}") if before else None
            )
            if part is not None:
                return part
    return project


def _unaddressed_loan(event: Event, found: list[Entity], registry: Registry) -> bool:
    """A loan, credit or grant whose sentence names no project, no programme and no purpose, and that is no
    supposition ("would have amounted to"): in an article about one project, that project's."""
    args = event.arguments
    return (event.type == "FINANCING" and args.get("instrument") in COMMITMENTS and not args.get("purpose")
            and not _programmes_named(event, found, registry) and not _SUPPOSED.search(event.evidence.text))  # fmt: skip


def _named_by(event: Event, candidates: list[Entity]) -> list[Entity]:
    """The projects (and programmes) an event's own arguments (purpose, subject, recipient) name; failing
    those, the ones its sentence names. Money whose purpose is CPEC stays with CPEC: it is no dam's that
    the same sentence names."""
    texts = " ".join(str(event.arguments.get(k) or "") for k in ("purpose", "subject", "recipient"))
    named = [e for e in candidates if e.name in texts] or [e for e in candidates if _in_sentence(e, event)]
    return [e for e in named if not _shadowed(e, named)]


def _project_entity(entity: Entity, event: Event, registry: Registry) -> ProjectRef | None:
    """A PROJECT entity the knowledge files do not know is a project of its own; a facility is not."""
    if entity.type != "PROJECT" or registry.programme(entity.name):
        return None
    found = _named_in_text(entity.name, event)
    return found if found.country else replace(found, country=entity.country)


def _named_in_text(name: str, event: Event) -> ProjectRef:
    sectors = [SECTOR_OF[s] for s in event.arguments.get("sectors") or () if s in SECTOR_OF]
    country = event.geo.country if event.geo is not None else None
    return ProjectRef(key=normalize(name), name=name, country=country, sector=next(iter(sectors), None))


def _in_sentence(entity: Entity, event: Event) -> bool:
    return any(event.evidence.start <= m.start < event.evidence.end for m in entity.mentions)


def _programmes_named(event: Event, found: list[Entity], registry: Registry) -> list[str]:
    """The programmes the event's sentence names ("built with a Chinese grant under CPEC")."""
    named = [registry.programme(e.name) for e in found if _in_sentence(e, event)]
    return list(dict.fromkeys(name for name in named if name))


def _facts_of(
    event: Event, project: ProjectRef, extraction: Extraction, entities: dict[str, Entity], when: str | None
) -> Iterable[tuple[str, dict[str, Any]]]:
    args = event.arguments
    kind = _money_kind(args, project, entities) if event.type == "FINANCING" else None
    status = _stated(args.get("status"), event.evidence.text) if event.type == "PROJECT" else STATUS_OF_EVENT[event.type]
    if isinstance(status, str) and kind != "investment" and (event.type != "FINANCING" or kind):
        yield "status", {"status": status}
    money = _money(args, when)
    if money and kind:
        yield kind, {
            "lender": args.get("funder"), "recipient": args.get("recipient"),
            "instrument": args.get("instrument"), **money,
        }  # fmt: skip
    elif money and event.type == "PROJECT":
        yield "cost", money
    roles = {"funder": "lender", "recipient": "recipient", "parties": "party"}
    for argument, role in roles.items():
        names = args.get(argument)
        for name in names if isinstance(names, list) else [names]:
            if isinstance(name, str) and name != project.name:
                yield "party", {"name": name, "role": _role(role, entities.get(name))}
    for name in args.get("locations") or ():
        yield "location", {"name": name}
    if event.geo is not None and event.geo.precision < 4:
        geo = event.geo
        yield "location", {
            "name": geo.name, "place_id": geo.place_id, "lat": geo.lat, "lon": geo.lon,
            "precision": geo.precision, "country": geo.country, "placed_by": event.placed_by,
        }  # fmt: skip


def _stated(status: Any, sentence: str) -> Any:
    """A PROJECT event's status as its whole sentence gives it: a foundation stone or a share of the work
    done means construction, a completion still to come (or of one step: a purchase, the reclamation) is
    construction where the sentence says work goes on ("a port city being constructed ... has completed the
    reclamation") and otherwise no status, construction still to start is a proposal (an approval to start it
    announces the project; of a part, it says nothing of the whole), a sentence
    about a loan or an agreement signed "for the construction of" a project, with no work said to go on,
    reports the deal, not the works, and an upgrade is where its works are (`_upgrade`)."""
    if status == "upgrade proposed":
        return _upgrade(sentence)
    if status not in ("under construction", "completed"):
        return status
    if status == "completed" and (_GROUNDBREAKING.search(sentence) or _PART_DONE.search(sentence)):
        return "under construction"
    if status == "completed" and (_STEP_DONE.search(sentence) or (_COMPLETION_TO_COME.search(sentence)
                                                                   and not _DONE.search(sentence))):  # fmt: skip
        return "under construction" if _WORK_GOING_ON.search(sentence) else None
    if status == "under construction" and _WORK_TO_COME.search(sentence):
        if _APPROVED_TO_START.search(sentence):
            return "announced"
        # a part's work to come ("the northern leg of the motorway is yet to be built") says nothing of the whole
        return None if _A_PART.search(sentence) else "proposed"
    if _WORK_GOING_ON.search(sentence) or _DONE.search(sentence):
        return status
    if _LOAN_DEAL.search(sentence):
        return "financing committed"
    return "agreement signed" if _AGREEMENT_DEAL.search(sentence) else status


def _upgrade(sentence: str) -> str:
    """An upgrade's status: the lifecycle has no "upgraded" state, so a rebuilt line reopened is completed,
    one being upgraded under construction, an upgrade signed for an agreement, and any other proposed."""
    if _DONE.search(sentence):
        return "completed"
    if _WORK_GOING_ON.search(sentence):
        return "under construction"
    return "agreement signed" if _AGREEMENT_DEAL.search(sentence) else "proposed"


def _said(sentence: str, at: int = 0, others: Iterable[int] = ()) -> str | None:
    """The status a sentence states in words of its own, for the project it names at `at` or refers to:
    an interruption first, as the events rank them; none for a state still to come ("will be opened",
    "wants construction to resume"), denied ("have not stopped work") or recalled ("was initially
    cancelled"), and what the whole sentence makes of it (`_stated`: "55 per cent of
    the work has been completed" is construction). A part opened ("the section of the line has reopened")
    leaves the whole under construction. What a sentence says after naming another project (at `others`)
    is that one's, not of a project it names later ("the dam is being built 315 km from Tarbela Dam")."""
    if _RECALLED.search(sentence):
        return None
    for status, pattern in _SAID:
        said = [m.start() for m in pattern.finditer(sentence) if not _NOT_SO.search(sentence[: m.start()])]
        if not said:
            continue
        if at > said[0] and any(other < said[0] for other in others):
            return None
        if status == "completed" and _PART_OF.search(sentence[:at]):
            return "under construction"
        return _stated(status, sentence)
    return None


def _money_kind(args: dict[str, Any], project: ProjectRef, entities: dict[str, Entity]) -> str | None:
    """What a FINANCING event's money is to a project: "financing" when a lender commits it (a loan, a
    credit line, a grant: COMMITMENTS), "investment" when an owner puts it in (a stake, an investment),
    None when no outside funder is named: the host country itself paying back its loan, or spending its
    own budget, lends nothing."""
    funder = args.get("funder")
    entity = entities.get(funder) if isinstance(funder, str) else None
    if not isinstance(funder, str) or (entity is not None and entity.type == "GPE" and entity.country
                                       and entity.country == project.country):  # fmt: skip
        return None
    if args.get("instrument") in COMMITMENTS:
        return "financing"
    return "investment" if args.get("instrument") in INVESTMENTS else None


def _role(role: str, entity: Entity | None) -> str:
    """What a party is to a project: its lender, a country (a host or a partner state), a government
    body or a company (implementing agencies and contractors), or a party the article names without
    saying which."""
    if role == "lender" or entity is None:
        return role
    if entity.type == "GPE":
        return "country"
    return entity.kind if entity.kind in ("lender", "government", "company", "multilateral") else role


def _money(args: dict[str, Any], when: str | None) -> dict[str, Any] | None:
    value, currency = args.get("value"), args.get("currency")
    if not isinstance(value, (int, float)) or not isinstance(currency, str):
        return None
    usd, usd_constant = args.get("usd"), args.get("usd_constant")
    if usd is None:
        usd, usd_constant = in_usd(float(value), currency, first_day(when))
    return {"value": float(value), "currency": currency, "usd": usd, "usd_constant": usd_constant}


# --- a record's state -------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusClaim:
    """A status as one report gives it: what, when, and who says so (the outlet, else the article)."""

    status: str
    date: str | None
    source: str


@dataclass(frozen=True)
class State:
    """Where a project stands: the status, its date, and how sure that is."""

    status: str | None
    date: str | None
    confidence: str | None  # "confirmed" (2+ outlets, none disagreeing), "reported" (one), "disputed"
    sources: int = 0


def current_state(claims: Iterable[StatusClaim]) -> State:
    """The latest well-supported state. A project's own statuses (construction, completion, suspension)
    outweigh the agreements and financing that concern it; of those, the reports of the latest moment
    (within SAME_MOMENT of the latest) vote, one vote per outlet."""
    claims = list(claims)
    own = [c for c in claims if c.status not in STATUS_OF_EVENT.values()]
    pool = [(day, c) for c in own or claims if (day := first_day(c.date)) is not None]
    if not pool:
        return State(None, None, None)
    latest = max(day for day, _ in pool)
    recent = [c for day, c in pool if latest - day <= SAME_MOMENT]
    votes = Counter({status: len({c.source for c in recent if c.status == status}) for status in
                     {c.status for c in recent}})  # fmt: skip
    best = max(votes, key=lambda s: (votes[s], s in INTERRUPTIONS, PROGRESS.get(s, -1)))
    when = max((c.date for c in recent if c.status == best and c.date), key=first_day)
    confidence = "disputed" if len(votes) > 1 else "confirmed" if votes[best] >= 2 else "reported"
    return State(best, when, confidence, votes[best])


def same_commitment(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Two financing facts are one commitment when one lender gives about the same sum (within 5 %)."""
    if a.get("lender") != b.get("lender") or a.get("currency") != b.get("currency"):
        return False
    x, y = float(a.get("value") or 0), float(b.get("value") or 0)
    return abs(x - y) <= 0.05 * max(x, y)


def committed_usd(financing: Iterable[dict[str, Any]]) -> float | None:
    """The dollars committed to a project: each commitment once, however many reports give it."""
    distinct: list[dict[str, Any]] = []
    for fact in financing:
        if new_commitment(fact, distinct):
            distinct.append(fact)
    return usd_total(distinct)


def new_commitment(fact: dict[str, Any], distinct: Iterable[dict[str, Any]]) -> bool:
    """Whether a financing fact commits money that none of `distinct` already does."""
    return not any(same_commitment(fact, other) for other in distinct)


def usd_total(commitments: Iterable[dict[str, Any]]) -> float | None:
    """The dollars of distinct commitments; None when none gives a figure in dollars."""
    dollars = [f["usd"] for f in commitments if isinstance(f.get("usd"), (int, float))]
    return float(sum(dollars)) if dollars else None
