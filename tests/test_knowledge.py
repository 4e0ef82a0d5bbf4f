"""Knowledge files: every entry and alias is found by the pipeline, the loader rejects bad files,
and the trigger data only uses values the corpus SCHEMA allows.

A test per addition: the entity tests are parametrised over every entry of every knowledge file,
so an analyst who adds a lender, place or official gets a test for it without writing one.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import fields
from pathlib import Path

import pytest
import yaml

from beltwatch.errors import KnowledgeError
from beltwatch.extract import extract_article
from beltwatch.extract.nlp import has_cjk, load_nlp
from beltwatch.knowledge import (
    ENTITY_FILES,
    KNOWLEDGE_DIR,
    SECTORS,
    SOURCED_FILES,
    KnownEntity,
    load_knowledge,
)
from beltwatch.model import ENTITY_TYPES, ORG_KINDS, Article, ArticleMeta, Entity
from beltwatch.stories.anchors import anchor_terms

SCHEMA = (Path(__file__).parent / "corpus" / "SCHEMA.md").read_text(encoding="utf-8")
KNOWLEDGE = load_knowledge()
PLACE_TYPES = ("GPE", "LOC", "FAC")


def extract(text: str, language: str = "en") -> list[Entity]:
    article = Article(id="t", text=text, meta=ArticleMeta(published="2024-03-30", language=language))
    return extract_article(article).entities


def sentence_for(entry: KnownEntity, name: str) -> str:
    """A short neutral sentence naming `name`; places go after "in", where a capital is a place, not its government."""
    if entry.type in PLACE_TYPES:
        return f"Officials said the talks were held in {name} last week."
    return f"Officials said {name} was mentioned in the report."


def schema_values(argument: str) -> set[str]:
    """The values SCHEMA.md lists for an argument, e.g. `status` (proposed, announced, ...)."""
    m = re.search(rf"`{argument}` \(([^)]*)\)", SCHEMA)
    assert m, f"SCHEMA.md lists no values for {argument}"
    return {v.strip() for v in m.group(1).split(",")}


def _case_id(entry: KnownEntity, name: str | None = None) -> str:
    return f"{entry.id}|{name}" if name else entry.id


ENTRIES = [pytest.param(e, id=_case_id(e)) for e in KNOWLEDGE.entities]
LATIN_ALIASES = [
    pytest.param(e, a, id=_case_id(e, a)) for e in KNOWLEDGE.entities for a in e.aliases if not has_cjk(a)
]
CJK_ALIASES = [
    pytest.param(e, a, id=_case_id(e, a)) for e in KNOWLEDGE.entities for a in e.aliases if has_cjk(a)
]
# a letter of neither Latin script nor Chinese: Urdu, Russian and Hindi names
_OTHER_LETTER = re.compile(r"[^\W\d_\u0000-\u024f]")
OTHER_SCRIPT_ALIASES = [
    pytest.param(e, a, id=_case_id(e, a))
    for e in KNOWLEDGE.entities
    for a in e.aliases
    if _OTHER_LETTER.search(a) and not has_cjk(a)
]
# a sentence of each other alphabet the aliases are written in
OTHER_SCRIPT_SENTENCES = {
    re.compile("[\u0600-\u06ff]"): "{} کا ذکر آج کے اجلاس میں ہوا۔",
    re.compile("[\u0400-\u04ff]"): "{} упоминался на встрече, сообщают источники.",
    re.compile("[\u0900-\u097f]"): "{} का उल्लेख आज की बैठक में हुआ।",
}
COUNTRY_FILE = yaml.safe_load((KNOWLEDGE_DIR / "countries.yaml").read_text(encoding="utf-8"))["entries"]
COUNTRY_NAMES = [
    pytest.param(c["code"], n, id=f"{c['code']}|{n}")
    for c in COUNTRY_FILE
    for n in c["names"]
    if not has_cjk(n)
]
COUNTRY_CJK_NAMES = [
    pytest.param(c["code"], n, id=f"{c['code']}|{n}") for c in COUNTRY_FILE for n in c["names"] if has_cjk(n)
]
DEMONYMS = [
    pytest.param(c["code"], d, id=f"{c['code']}|{d}") for c in COUNTRY_FILE for d in c.get("demonyms", [])
]


@pytest.fixture(scope="module", autouse=True)
def nlp():
    return load_nlp()


# --- every entry, every alias -----------------------------------------------------------------------


def test_every_entity_file_has_entries():
    stems = {e.id.split(":", 1)[0] for e in KNOWLEDGE.entities}
    assert stems == set(ENTITY_FILES)


def test_entity_ids_are_unique():
    ids = [e.id for e in KNOWLEDGE.entities]
    assert len(ids) == len(set(ids))


def test_no_spelling_names_two_entries():
    """One spelling, one entry: otherwise the ruler silently picks one of them."""
    owners: dict[str, set[str]] = {}
    for e in KNOWLEDGE.entities:
        for name in e.names:
            owners.setdefault(name, set()).add(e.id)
    assert {n: ids for n, ids in owners.items() if len(ids) > 1} == {}


@pytest.mark.parametrize("entry", ENTRIES)
def test_canonical_name_is_found(entry: KnownEntity):
    text = sentence_for(entry, entry.name)
    found = [e for e in extract(text) if e.name == entry.name]
    assert [e.type for e in found] == [entry.type], [(e.name, e.type) for e in extract(text)]
    entity = found[0]
    assert entity.mentions[0].text == entry.name
    if entry.type == "ORG":
        assert entity.kind == entry.kind
    if entry.country:
        assert entity.country == entry.country


@pytest.mark.parametrize("entry", ENTRIES)
def test_canonical_name_is_matched_by_the_ruler(entry: KnownEntity, nlp):
    """The ruler tags the name with the entry's id (a place that is also a country, "Hong Kong", may carry the
    country's id: both give the same entity)."""
    ids = {entry.id}
    country = KNOWLEDGE.country_by_name.get(entry.name)
    if country is not None and country.code == entry.country:
        ids.add(f"country:{country.code}")
    doc = nlp(sentence_for(entry, entry.name))
    spans = [s for s in doc.ents if s.ent_id_ in ids]
    assert [(s.text, s.label_) for s in spans] == [(entry.name, entry.type)]


@pytest.mark.parametrize(("entry", "alias"), LATIN_ALIASES)
def test_alias_maps_to_its_entry(entry: KnownEntity, alias: str):
    text = sentence_for(entry, alias)
    found = [e for e in extract(text) if e.name == entry.name]
    # a project's name of the other kind gives it that kind ("Dasu Dam" for a hydropower project)
    as_written = KNOWLEDGE.infrastructure.kind_named(alias) if entry.id.startswith("projects:") else None
    expected = entry.type if entry.umbrella else as_written or entry.type
    assert [e.type for e in found] == [expected], [(e.name, e.type) for e in extract(text)]
    assert alias in [m.text for m in found[0].mentions]
    if alias != entry.name:
        assert alias in found[0].aliases


@pytest.mark.parametrize(("entry", "alias"), CJK_ALIASES)
def test_chinese_script_alias_maps_to_its_entry(entry: KnownEntity, alias: str):
    """Chinese articles keep the Chinese surface as the name, with the English name among the aliases."""
    entities = extract(f"据报道，{alias}出席了会议。", language="zh")
    found = [e for e in entities if e.name == alias]
    assert len(found) == 1, [(e.name, e.aliases) for e in entities]
    assert found[0].type == entry.type
    assert entry.name in found[0].aliases


def other_script_sentence(alias: str) -> str:
    for script, sentence in OTHER_SCRIPT_SENTENCES.items():
        if script.search(alias):
            return sentence.format(alias)
    raise AssertionError(f"no test sentence in the alphabet of {alias!r}: add one to OTHER_SCRIPT_SENTENCES")


@pytest.mark.parametrize(("entry", "alias"), OTHER_SCRIPT_ALIASES)
def test_other_script_alias_is_the_anchor_of_its_entry(entry: KnownEntity, alias: str):
    """An Urdu, Russian or Hindi name links a report in that language to the English reports of one happening:
    in a sentence of its own alphabet it is its entry's story anchor (outlets say who reports, and are none)."""
    terms = anchor_terms(other_script_sentence(alias))
    if entry.id.startswith("media:"):
        assert f"E:{entry.id}" not in terms
    else:
        assert f"E:{entry.id}" in terms, terms


# --- countries -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "name"), COUNTRY_NAMES + COUNTRY_CJK_NAMES)
def test_country_lookup_by_name(code: str, name: str):
    assert KNOWLEDGE.country_by_name[name].code == code


@pytest.mark.parametrize(("code", "demonym"), DEMONYMS)
def test_country_lookup_by_demonym(code: str, demonym: str):
    assert KNOWLEDGE.country_by_demonym[demonym].code == code


def test_country_canonical_name_is_the_first_listed():
    for c in COUNTRY_FILE:
        assert KNOWLEDGE.country_by_code(c["code"]).name == c["names"][0]


@pytest.mark.parametrize(("code", "name"), COUNTRY_NAMES)
def test_country_name_is_found_as_the_country(code: str, name: str):
    entities = extract(f"Officials said {name} was mentioned in the report.")
    canonical = KNOWLEDGE.country_by_code(code).name
    found = [e for e in entities if e.name == canonical]
    assert [(e.type, e.country) for e in found] == [("GPE", code)], [(e.name, e.type) for e in entities]
    if name != canonical:
        assert name in found[0].aliases


@pytest.mark.parametrize(("code", "name"), COUNTRY_CJK_NAMES)
def test_country_chinese_name_is_found_as_the_country(code: str, name: str):
    entities = extract(f"据报道，{name}官员出席了会议。", language="zh")
    found = [e for e in entities if e.name == name]
    assert [(e.type, e.country) for e in found] == [("GPE", code)]
    assert KNOWLEDGE.country_by_code(code).name in found[0].aliases


@pytest.mark.parametrize(("code", "demonym"), DEMONYMS)
def test_demonym_gives_a_person_country_and_is_no_entity(code: str, demonym: str):
    entities = extract(f"The {demonym} ambassador, Ali Rehman, said the talks went well.")
    assert demonym not in [e.name for e in entities]
    person = next(e for e in entities if e.name == "Ali Rehman")
    assert person.type == "PERSON"
    assert person.country == code


# --- validation ------------------------------------------------------------------------------------


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    for path in KNOWLEDGE_DIR.glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def _edit_first_entry(directory: Path, stem: str, **changes) -> None:
    path = directory / f"{stem}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    entry = data["entries"][0]
    for key, value in changes.items():
        if value is None:
            entry.pop(key, None)
        else:
            entry[key] = value
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_copied_knowledge_loads(knowledge_copy: Path):
    copied = load_knowledge.__wrapped__(knowledge_copy)
    assert copied.entities == KNOWLEDGE.entities


@pytest.mark.parametrize(
    ("stem", "changes"),
    [
        pytest.param("lenders", {"type": "BANK"}, id="bad-type"),
        pytest.param("places", {"type": "CITY"}, id="bad-place-type"),
        pytest.param("organisations", {"kind": "ngo"}, id="bad-kind"),
        pytest.param("lenders", {"kind": "bank"}, id="bad-lender-kind"),
        pytest.param("officials", {"country": "PAK"}, id="country-alpha-3"),
        pytest.param("places", {"country": 92}, id="country-not-a-string"),
        pytest.param("armed_groups", {"name": None}, id="missing-name"),
        pytest.param("media", {"name": 42}, id="name-not-a-string"),
        pytest.param("projects", {"aliases": ["CPEC", 7]}, id="alias-not-a-string"),
        pytest.param("projects", {"sector": "railways"}, id="sector-not-in-the-list"),
        pytest.param("projects", {"lat": 91.0, "lon": 67.0}, id="lat-out-of-range"),
        pytest.param("projects", {"lat": 24.8, "lon": "east"}, id="lon-not-a-number"),
        pytest.param("projects", {"lat": 24.8, "lon": None}, id="lat-without-lon"),
        pytest.param("officials", {"since": "2013"}, id="since-not-a-year"),
        pytest.param("officials", {"until": 13}, id="until-not-a-year"),
        pytest.param("officials", {"since": 2020, "until": 2018}, id="until-before-since"),
        pytest.param("lenders", {"source": " "}, id="empty-source"),
        pytest.param("armed_groups", {"source": ["NACTA"]}, id="source-not-a-string"),
    ],
)
def test_bad_entry_raises_with_file_name(knowledge_copy: Path, stem: str, changes: dict):
    _edit_first_entry(knowledge_copy, stem, **changes)
    with pytest.raises(KnowledgeError) as info:
        load_knowledge.__wrapped__(knowledge_copy)
    assert f"{stem}.yaml" in str(info.value)


@pytest.mark.parametrize("code", ["ZZ", "pk"])
def test_unknown_country_code_raises_with_file_name(knowledge_copy: Path, code: str):
    _edit_first_entry(knowledge_copy, "places", country=code)
    with pytest.raises(KnowledgeError) as info:
        load_knowledge.__wrapped__(knowledge_copy)
    assert "places.yaml" in str(info.value)


def test_bad_org_kind_rule_raises_with_file_name(knowledge_copy: Path):
    path = knowledge_copy / "org_kinds.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["rules"][0]["kind"] = "rebels"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(KnowledgeError) as info:
        load_knowledge.__wrapped__(knowledge_copy)
    assert "org_kinds.yaml" in str(info.value)


@pytest.mark.parametrize("change", [{"GPE": ["District"]}, {"LOC": "river"}], ids=["upper-case", "not-a-list"])
def test_bad_place_heads_raise_with_file_name(knowledge_copy: Path, change: dict):
    path = knowledge_copy / "place_heads.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    path.write_text(yaml.safe_dump({**data, **change}), encoding="utf-8")
    with pytest.raises(KnowledgeError) as info:
        load_knowledge.__wrapped__(knowledge_copy)
    assert "place_heads.yaml" in str(info.value)


def test_country_without_code_raises_with_file_name(knowledge_copy: Path):
    path = knowledge_copy / "countries.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    del data["entries"][0]["code"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KnowledgeError) as info:
        load_knowledge.__wrapped__(knowledge_copy)
    assert "countries.yaml" in str(info.value)


def test_unparsable_yaml_raises_with_file_name(knowledge_copy: Path):
    (knowledge_copy / "media.yaml").write_text("type: ORG\nentries: [\n  - {name: Xinhua\n", encoding="utf-8")
    with pytest.raises(KnowledgeError) as info:
        load_knowledge.__wrapped__(knowledge_copy)
    assert "media.yaml" in str(info.value)


def test_entries_not_a_list_raises_with_file_name(knowledge_copy: Path):
    (knowledge_copy / "events.yaml").write_text(
        "type: EVENT\nentries: {name: Boao Forum}\n", encoding="utf-8"
    )
    with pytest.raises(KnowledgeError) as info:
        load_knowledge.__wrapped__(knowledge_copy)
    assert "events.yaml" in str(info.value)


# --- entry values the loader does not check --------------------------------------------------------


@pytest.mark.parametrize("entry", ENTRIES)
def test_entry_values_are_well_formed(entry: KnownEntity):
    assert entry.type in ENTITY_TYPES
    assert entry.name.strip() == entry.name and entry.name
    assert all(a.strip() == a and a for a in entry.aliases)
    assert entry.name not in entry.aliases
    if entry.type == "ORG":
        assert entry.kind in ORG_KINDS
    if entry.country:
        assert KNOWLEDGE.country_by_code(entry.country) is not None
    if entry.capital_of:
        assert KNOWLEDGE.country_by_code(entry.capital_of) is not None
        assert entry.type == "GPE"
    if entry.sector:
        assert entry.sector in SECTORS
    if entry.lat is not None:
        assert -90 <= entry.lat <= 90 and -180 <= entry.lon <= 180
        assert round(entry.lat, 3) == entry.lat and round(entry.lon, 3) == entry.lon, "rounded to 3 places"
    if entry.until is not None:
        assert entry.since is not None and entry.since <= entry.until


# the loader's keys: the entity's own, and the reference keys (source, sector, lat/lon, since/until)
ENTRY_KEYS = {f.name for f in fields(KnownEntity)} - {"id"}
assert ENTRY_KEYS >= {"source", "sector", "lat", "lon", "since", "until"}


@pytest.mark.parametrize("stem", ENTITY_FILES)
def test_entries_have_no_stray_keys(stem: str):
    """The loader ignores keys it does not know: a typo ("alias:") or a comma in an unquoted value
    in a `{...}` entry silently loses data."""
    data = yaml.safe_load((KNOWLEDGE_DIR / f"{stem}.yaml").read_text(encoding="utf-8"))
    stray = {
        entry["name"]: sorted(set(entry) - ENTRY_KEYS) for entry in data["entries"] if set(entry) - ENTRY_KEYS
    }
    assert stray == {}


# --- the reference: every entry says where its facts come from -------------------------------------


def _entries_of(stem: str) -> list[KnownEntity]:
    return [e for e in KNOWLEDGE.entities if e.id.split(":", 1)[0] == stem]


SOURCED = [pytest.param(e, id=_case_id(e)) for stem in SOURCED_FILES for e in _entries_of(stem)]


@pytest.mark.parametrize("entry", SOURCED)
def test_entry_has_a_source(entry: KnownEntity):
    assert entry.source and entry.source.strip() == entry.source


@pytest.mark.parametrize("entry", [pytest.param(e, id=_case_id(e)) for e in _entries_of("projects")])
def test_project_has_a_sector(entry: KnownEntity):
    assert entry.sector in SECTORS


@pytest.mark.parametrize("entry", [pytest.param(e, id=_case_id(e)) for e in _entries_of("officials")])
def test_official_has_role_country_and_since(entry: KnownEntity):
    assert entry.role and entry.country and entry.since is not None


@pytest.mark.parametrize(("stem", "least"), [("projects", 200), ("officials", 150)])
def test_reference_is_large_enough(stem: str, least: int):
    assert len(_entries_of(stem)) >= least


# --- org kinds and titles --------------------------------------------------------------------------


ORG_KIND_RULES = yaml.safe_load((KNOWLEDGE_DIR / "org_kinds.yaml").read_text(encoding="utf-8"))["rules"]


def _org_kind_word_cases():
    for rule in ORG_KIND_RULES:
        for word in rule["words"]:
            yield pytest.param(rule["kind"], word, id=f"{rule['kind']}|{word}")


def test_org_kind_rules_are_valid():
    assert ORG_KIND_RULES
    for rule in ORG_KIND_RULES:
        assert rule["kind"] in ORG_KINDS
        assert rule["words"] and all(isinstance(w, str) and w.strip() for w in rule["words"])


@pytest.mark.parametrize(("kind", "word"), list(_org_kind_word_cases()))
def test_every_org_kind_word_decides_its_kind(kind: str, word: str):
    """A made-up name holding the word gets the rule's kind: no rule is shadowed by an earlier one."""
    assert KNOWLEDGE.org_kind(f"Karakoram {word}") == kind


def test_org_kind_of_unknown_words_is_other():
    assert KNOWLEDGE.org_kind("Karakoram Sunrise") == "other"


def test_title_heads_are_lower_case():
    assert KNOWLEDGE.title_heads
    assert all(h == h.lower() and h.strip() for h in KNOWLEDGE.title_heads)


@pytest.mark.parametrize(("short", "spelled"), sorted(KNOWLEDGE.titles_spelled_out.items()))
def test_a_spelled_out_title_is_a_title_spelled_in_title_words(short: str, spelled: str):
    assert short in KNOWLEDGE.title_heads
    assert spelled == spelled.lower() and any(w in KNOWLEDGE.title_heads for w in spelled.split())


# --- triggers --------------------------------------------------------------------------------------


TRIGGERS = yaml.safe_load((KNOWLEDGE_DIR / "triggers.yaml").read_text(encoding="utf-8"))


def _lemma_lists(node, path: str):
    """Every list of trigger words in triggers.yaml, with its path."""
    if isinstance(node, dict):
        for key, value in node.items():
            if path == "SECURITY_MEASURE.verbs":
                continue  # values there are object filters, where empty means "any object"
            yield from _lemma_lists(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        yield path, node


TRIGGER_LISTS = [pytest.param(words, id=path) for path, words in _lemma_lists(TRIGGERS, "")]


def test_every_event_type_has_triggers():
    from beltwatch.model import EVENT_TYPES

    assert set(TRIGGERS) - {"KEYWORDS"} == set(EVENT_TYPES)


def test_keyword_languages_name_only_event_types():
    from beltwatch.model import EVENT_TYPES

    for language, conf in TRIGGERS["KEYWORDS"].items():
        assert set(conf) - {"sentence_ends", "both"} <= set(EVENT_TYPES), language


@pytest.mark.parametrize("words", TRIGGER_LISTS)
def test_trigger_lists_are_non_empty_lower_case_strings(words: list):
    assert words
    assert all(isinstance(w, str) and w.strip() == w and w for w in words)
    assert all(w == w.lower() for w in words), "lemmas are compared lower-cased"


def test_trigger_dicts_are_non_empty():
    assert TRIGGERS["FINANCING"]["instruments"]
    assert TRIGGERS["PROJECT"]["statuses"]
    assert TRIGGERS["PROJECT"]["sectors"]
    assert TRIGGERS["SECURITY_MEASURE"]["verbs"]
    assert TRIGGERS["PROTEST"]["forms"]
    assert TRIGGERS["STATEMENT"]["topics"]
    for verb, objects in TRIGGERS["SECURITY_MEASURE"]["verbs"].items():
        assert verb == verb.lower()
        assert isinstance(objects, list)


@pytest.mark.parametrize("topic", list(TRIGGERS["STATEMENT"]["topics"]))
def test_every_statement_topic_has_words(topic: str):
    assert TRIGGERS["STATEMENT"]["topics"][topic]
    assert topic in schema_values("topic")


def test_statement_excluded_kinds_are_org_kinds():
    assert set(TRIGGERS["STATEMENT"]["excluded_kinds"]) <= set(ORG_KINDS)


def test_project_statuses_are_schema_statuses():
    allowed = schema_values("status")
    assert allowed >= {"proposed", "suspended", "completed"}
    assert set(TRIGGERS["PROJECT"]["statuses"].values()) <= allowed


def test_financing_instruments_are_schema_instruments():
    allowed = schema_values("instrument")
    assert allowed >= {"loan", "rollover", "equity"}
    assert set(TRIGGERS["FINANCING"]["instruments"].values()) <= allowed


def test_protest_forms_are_schema_forms():
    allowed = schema_values("form")
    assert allowed == {"boycott", "protest", "condemnation"}
    assert set(TRIGGERS["PROTEST"]["forms"].values()) <= allowed


def test_every_protest_form_has_a_trigger():
    assert set(TRIGGERS["PROTEST"]["forms"].values()) == schema_values("form")


def test_not_entities_are_never_entities():
    names = sorted(KNOWLEDGE.not_entities)
    text = " ".join(f"The ministry posted a notice on {n} on Friday." for n in names)
    assert not [e.name for e in extract(text) if e.name in KNOWLEDGE.not_entities]
