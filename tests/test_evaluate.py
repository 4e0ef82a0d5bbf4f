"""The scorer behind `beltwatch eval`: matching rules, counts, and the dev corpus against itself."""

from __future__ import annotations

import copy
import json
from collections import Counter
from pathlib import Path

import pytest

from beltwatch.errors import InputError, UsageError
from beltwatch.evaluate import (
    GoldArticle,
    argument_right,
    format_report,
    load_gold,
    name_key,
    names_match,
    score,
    text_matches,
)

DEV = Path(__file__).parent / "corpus" / "dev"


def article(
    aid: str = "a1", entities=(), amounts=(), events=(), ignore=(), story: str | None = None
) -> GoldArticle:
    meta = {"published": "2023-10-19"}
    if story:
        meta["story"] = story
    return GoldArticle(
        id=aid,
        text_file=f"{aid}.txt",
        meta=meta,
        entities=[dict(e) for e in entities],
        amounts=[dict(a) for a in amounts],
        events=[dict(e) for e in events],
        ignore=list(ignore),
    )


def pred(entities=(), amounts=(), events=()) -> dict:
    return {"entities": list(entities), "amounts": list(amounts), "events": list(events)}


XI = {
    "name": "Xi Jinping",
    "type": "PERSON",
    "aliases": ["Xi", "President Xi"],
    "role": "President of China",
    "country": "CN",
}
KAKAR = {
    "name": "Anwar-ul-Haq Kakar",
    "type": "PERSON",
    "aliases": ["Kakar", "Kakkar"],
    "role": "caretaker Prime Minister of Pakistan",
    "country": "PK",
}
CHINA = {"name": "China", "type": "GPE", "aliases": ["Beijing"], "country": "CN"}
PAKISTAN = {"name": "Pakistan", "type": "GPE", "aliases": [], "country": "PK"}
CDB = {"name": "China Development Bank", "type": "ORG", "kind": "lender", "aliases": ["CDB"], "country": "CN"}
EXIM = {
    "name": "Export-Import Bank of China",
    "type": "ORG",
    "kind": "lender",
    "aliases": ["Export–Import Bank of China", "China Exim Bank", "Exim Bank"],
    "country": "CN",
}
ENTITIES = [XI, KAKAR, CHINA, PAKISTAN, CDB, EXIM]
AMOUNTS = [
    {"text": "USD 60 billion", "value": 60000000000, "currency": "USD"},
    {"text": "350 billion yuan", "value": 350000000000, "currency": "CNY", "usd_stated": 47900000000},
]
MEETING = {
    "type": "MEETING",
    "participants": ["Xi Jinping", "Anwar-ul-Haq Kakar"],
    "date": "2023-10-19",
    "location": "Beijing",
}
FIN_CDB = {
    "type": "FINANCING",
    "funder": "China Development Bank",
    "recipient": "Pakistan",
    "value": 350000000000,
    "currency": "CNY",
    "usd_stated": 47900000000,
    "instrument": "financing window",
    "purpose": "Belt and Road Initiative",
}
FIN_EXIM = {**FIN_CDB, "funder": "Export-Import Bank of China"}
STATEMENT = {"type": "STATEMENT", "speaker": "Xi Jinping", "topic": "security", "date": "2023-10-19"}
EVENTS = [MEETING, FIN_CDB, FIN_EXIM, STATEMENT]


def seed_like() -> GoldArticle:
    return article(entities=ENTITIES, amounts=AMOUNTS, events=EVENTS)


def all_scores(report) -> list[float]:
    values = []
    for prf in (
        report.entities,
        report.amounts,
        report.events,
        *report.entity_types.values(),
        *report.event_types.values(),
    ):
        values += [prf.precision, prf.recall, prf.f1]
    values.append(report.arguments.value)
    values += [acc.value for acc in report.argument_names.values()]
    values += [acc.value for acc in report.entity_attributes.values()]
    return values


# ---------------------------------------------------------------- basic counts


def test_perfect_prediction_scores_one_everywhere():
    gold = seed_like()
    report = score([gold], {"a1": copy.deepcopy(gold.as_prediction())})
    assert all(v == 1.0 for v in all_scores(report))
    assert (report.entities.tp, report.amounts.tp, report.events.tp) == (6, 2, 4)
    assert report.arguments.total == 3 + 7 + 7 + 3
    assert not report.misses and not report.extras and not report.argument_errors
    assert report.unpredicted == []


def test_extra_output_keys_are_ignored():
    gold = seed_like()
    prediction = copy.deepcopy(gold.as_prediction())
    prediction["meta"] = {"language": "en"}
    for entity in prediction["entities"]:
        entity["mentions"] = [{"text": entity["name"], "start": 0, "end": 1}]
    for event in prediction["events"]:
        event["evidence"] = {"text": "...", "start": 0, "end": 3}
        event["argument_evidence"] = {"date": {"text": "...", "start": 0, "end": 3}}
    report = score([gold], {"a1": prediction})
    assert all(v == 1.0 for v in all_scores(report))


def test_missing_items_lower_recall_only():
    gold = seed_like()
    prediction = copy.deepcopy(gold.as_prediction())
    del prediction["entities"][0]  # Xi Jinping
    del prediction["amounts"][1]
    del prediction["events"][3]  # STATEMENT
    report = score([gold], {"a1": prediction})
    assert (report.entities.tp, report.entities.fp, report.entities.fn) == (5, 0, 1)
    assert report.entities.precision == 1.0
    assert report.entities.recall == pytest.approx(5 / 6)
    assert report.entity_types["PERSON"].fn == 1
    assert report.amounts.recall == 0.5
    assert report.events.recall == 0.75
    assert report.event_types["STATEMENT"].recall == 0.0
    kinds = Counter(f.kind for f in report.misses)
    assert kinds == {"entity": 1, "amount": 1, "event": 1}


def test_extra_items_lower_precision_only():
    gold = seed_like()
    prediction = copy.deepcopy(gold.as_prediction())
    prediction["entities"].append({"name": "India", "type": "GPE", "aliases": []})
    prediction["entities"].append({"name": "Xi Jinping", "type": "PERSON"})  # the same entity twice
    prediction["amounts"].append({"text": "USD 2 billion", "value": 2e9, "currency": "USD"})
    prediction["events"].append({"type": "STATEMENT", "speaker": "Anwar-ul-Haq Kakar", "topic": "security"})
    report = score([gold], {"a1": prediction})
    assert (report.entities.tp, report.entities.fp, report.entities.fn) == (6, 2, 0)
    assert report.entities.recall == 1.0
    assert report.entities.precision == pytest.approx(6 / 8)
    assert report.entity_types["GPE"].fp == 1
    assert report.amounts.precision == pytest.approx(2 / 3)
    assert report.events.precision == pytest.approx(4 / 5)
    assert len(report.extras) == 4


def test_entity_type_must_agree():
    gold = article(entities=[{"name": "Gwadar", "type": "GPE"}])
    report = score([gold], {"a1": pred(entities=[{"name": "Gwadar", "type": "FAC"}])})
    assert (report.entities.tp, report.entities.fp, report.entities.fn) == (0, 1, 1)
    assert report.entity_types["FAC"].fp == 1 and report.entity_types["GPE"].fn == 1


def test_amount_value_within_one_percent_and_currency():
    gold = article(amounts=[{"text": "USD 3.2 billion", "value": 3.2e9, "currency": "USD"}])
    close = pred(amounts=[{"text": "$3.22bn", "value": 3.22e9, "currency": "usd"}])
    assert score([gold], {"a1": close}).amounts.tp == 1
    far = pred(amounts=[{"text": "$3.3bn", "value": 3.3e9, "currency": "USD"}])
    assert score([gold], {"a1": far}).amounts.tp == 0
    other_currency = pred(amounts=[{"text": "EUR 3.2bn", "value": 3.2e9, "currency": "EUR"}])
    report = score([gold], {"a1": other_currency})
    assert report.amounts.tp == 0 and report.amount_currencies["EUR"].fp == 1


def test_unpredicted_articles_count_as_missed_or_are_skipped():
    first, second = seed_like(), article("a2", entities=[CHINA])
    report = score([first, second], {"a1": first.as_prediction()})
    assert report.unpredicted == ["a2"]
    assert report.entities.fn == 1 and report.entities.recall == pytest.approx(6 / 7)
    only = score([first, second], {"a1": first.as_prediction(), "zz": {}}, only_predicted=True)
    assert only.articles == ["a1"] and only.unpredicted == []
    assert only.entities.recall == 1.0
    assert only.unknown_predictions == ["zz"]


# ---------------------------------------------------------------- names


def test_name_key_folds_case_diacritics_punctuation_and_spaces():
    assert name_key("Export–Import Bank of China") == name_key("export-import bank of china")
    assert name_key("Zürich") == name_key("ZURICH")
    assert name_key("Moin-ul-Haque") == name_key("Moin ul  Haque")
    assert name_key("夏巴兹·谢里夫") == name_key("夏巴兹谢里夫")
    assert name_key("Gwadar") != name_key("Gwadar Port")


def test_entities_match_through_diacritics_and_punctuation():
    gold = article(
        entities=[
            EXIM,
            {"name": "Besham", "type": "GPE", "aliases": []},
            {"name": "Moin ul Haque", "type": "PERSON", "aliases": []},
        ]
    )
    prediction = pred(
        entities=[
            {"name": "EXPORT IMPORT BANK OF CHINA", "type": "ORG"},
            {"name": "Beşham", "type": "GPE"},
            {"name": "Moin-ul-Haque", "type": "PERSON"},
        ]
    )
    report = score([gold], {"a1": prediction})
    assert (report.entities.tp, report.entities.fp, report.entities.fn) == (3, 0, 0)


def test_alias_matching_for_entities():
    gold = article(entities=[XI, KAKAR, CHINA])
    prediction = pred(
        entities=[
            {"name": "Kakar", "type": "PERSON"},  # a gold alias
            {
                "name": "Xi",
                "type": "PERSON",
                "aliases": ["Xi Jinping"],
            },  # the gold name among predicted aliases
            {"name": "People's Republic of China", "type": "GPE", "aliases": ["Beijing"]},  # alias to alias
        ]
    )
    report = score([gold], {"a1": prediction})
    assert (report.entities.tp, report.entities.fp, report.entities.fn) == (3, 0, 0)


def test_exact_name_is_preferred_to_alias():
    gold = article(
        entities=[
            {"name": "Gwadar Port", "type": "FAC", "aliases": ["Gwadar"]},
            {"name": "Gwadar", "type": "FAC", "aliases": []},
        ]
    )
    prediction = pred(entities=[{"name": "Gwadar", "type": "FAC"}, {"name": "Gwadar port", "type": "FAC"}])
    report = score([gold], {"a1": prediction})
    assert report.entities.tp == 2 and report.entities.fn == 0


def test_assignment_is_maximal_even_when_greedy_would_block():
    # Greedy pairs P1 with G1 (exact name); only re-pairing lets both gold entities match.
    gold = article(entities=[{"name": "Alpha", "type": "ORG"}, {"name": "Gamma", "type": "ORG"}])
    prediction = pred(
        entities=[
            {"name": "Alpha", "type": "ORG", "aliases": ["Gamma"]},
            {"name": "Delta", "type": "ORG", "aliases": ["Alpha"]},
        ]
    )
    report = score([gold], {"a1": prediction})
    assert (report.entities.tp, report.entities.fp, report.entities.fn) == (2, 0, 0)


def test_event_arguments_match_through_gold_and_predicted_aliases():
    gold = article(entities=ENTITIES, events=[MEETING])
    event = {"type": "MEETING", "participants": ["Xi", "Kakar"], "date": "2023-10-19", "location": "China"}
    report = score([gold], {"a1": pred(events=[event])})
    assert report.events.tp == 1
    assert report.arguments.correct == report.arguments.total == 3

    # the predicted side's own aliases: "Mr Kakar" is only known through the predicted entity
    prediction = pred(
        entities=[{"name": "Mr Kakar", "type": "PERSON", "aliases": ["Anwar-ul-Haq Kakar"]}],
        events=[{**event, "participants": ["Xi Jinping", "Mr Kakar"]}],
    )
    report = score([gold], {"a1": prediction})
    assert report.events.tp == 1 and report.argument_names["participants"].correct == 1


def test_names_match_and_text_rules_directly():
    assert names_match("Anwar-ul-Haq Kakar", "anwar ul haq kakar")
    assert not names_match("Fawad Chaudhry", "Zahid Hafeez Chaudhri")
    # containment of whole words
    assert text_matches("attack on the convoy", "the attack on the convoy of Chinese engineers")
    assert text_matches("suspended civil works at the Dasu and Diamer-Bhasha sites", "suspended civil works")
    assert not text_matches("attack on the convoy", "the")
    # content-word overlap: at least half of the gold's content words, plurals stripped
    assert text_matches("first tranche of the Stand-By Arrangement", "Stand-By Arrangement tranches")
    assert not text_matches("principal repayments due in fiscal years 2023-24", "repayment of principal")
    assert text_matches("restructuring (debt treatment) of outstanding debt", "debt restructuring")
    assert not text_matches("cost overrun on the Jakarta-Bandung high-speed railway", "railway cost overruns")
    assert not text_matches("cost overrun on the Jakarta-Bandung high-speed railway", "new stations")
    assert not text_matches("Belt and Road Initiative", None)


def test_argument_kinds():
    assert argument_right("killed", 13, 13) and not argument_right("killed", 13, 12)
    assert argument_right("killed", 0, 0) and not argument_right("killed", 0, None)
    assert argument_right("value", 1.0e9, 1.005e9) and not argument_right("value", 1.0e9, 1.02e9)
    assert argument_right("date", "2023-10", "2023-10") and not argument_right(
        "date", "2023-10", "2023-10-01"
    )
    assert argument_right("disputed", True, True) and not argument_right("disputed", True, "yes")
    assert argument_right("currency", "USD", "usd")
    assert argument_right("instrument", "financing window", "Financing-Window")
    assert not argument_right("instrument", "loan", "grant")
    assert argument_right("victim_nationality", ["CN", "PK"], ["pk", "cn", "AF"])
    assert not argument_right("victim_nationality", ["CN", "PK"], ["CN"])
    assert argument_right("sectors", ["railways", "coal power"], ["railway", "power", "ports"])
    assert argument_right("participants", ["Xi Jinping"], "Xi Jinping")
    assert argument_right("speaker", "Xi Jinping", ["Li Qiang", "Xi Jinping"])


# ---------------------------------------------------------------- ignore and optional


def test_ignore_list_drops_unmatched_predictions_only():
    gold = article(
        entities=[CHINA],
        amounts=[AMOUNTS[0]],
        ignore=[
            "Hazara Bulletin",
            "Rs 287",
            "Thursday",
            "killed: six victims (five Chinese engineers and the driver); the bomber is not counted",
        ],
    )
    prediction = pred(
        entities=[
            CHINA,
            {"name": "HAZARA BULLETIN", "type": "ORG"},
            {"name": "Thursday", "type": "EVENT"},
            {"name": "Sindh", "type": "GPE"},
        ],
        amounts=[
            AMOUNTS[0],
            {"text": "Rs287", "value": 287, "currency": "PKR"},
            {"text": "Rs 300", "value": 300, "currency": "PKR"},
        ],
    )
    report = score([gold], {"a1": prediction})
    assert (report.entities.tp, report.entities.fp) == (1, 1)  # only Sindh is an extra
    assert (report.amounts.tp, report.amounts.fp) == (1, 1)  # only Rs 300 is an extra
    assert {f.summary for f in report.extras} == {"GPE Sindh", "300 PKR (Rs 300)"}


def test_an_ignored_short_form_ignores_the_entity_predicted_under_its_full_name():
    gold = article(entities=[CHINA], ignore=["AFP"])
    agency = {"name": "Agence France-Presse", "type": "ORG", "aliases": ["AFP"]}
    other = {"name": "Associated Press", "type": "ORG", "aliases": ["AP"]}
    report = score([gold], {"a1": pred(entities=[CHINA, agency, other])})
    assert {f.summary for f in report.extras} == {"ORG Associated Press"}


def test_an_ignore_string_with_a_bracketed_note_or_an_article_ignores_the_name():
    gold = article(entities=[CHINA], ignore=["VCG (photo credit)", "The Jakarta Post", "ATTACK date: the blast is not dated (it was in August)"])
    credit = {"name": "VCG", "type": "ORG"}
    outlet = {"name": "Jakarta Post", "type": "ORG"}
    remark = {"name": "the blast is not dated", "type": "EVENT"}
    report = score([gold], {"a1": pred(entities=[CHINA, credit, outlet, remark])})
    assert {f.summary for f in report.extras} == {"EVENT the blast is not dated"}


def test_ignore_never_takes_a_gold_match_away():
    gold = article(entities=[{"name": "Gwadar", "type": "GPE"}], ignore=["Gwadar"])
    report = score([gold], {"a1": pred(entities=[{"name": "Gwadar", "type": "GPE"}])})
    assert report.entities.tp == 1


def test_optional_items_count_when_hit_and_not_when_missed():
    sri_lanka = {"name": "Sri Lanka", "type": "GPE", "optional": True}
    optional_meeting = {
        "type": "MEETING",
        "participants": ["Xi Jinping", "Ranil Wickramasinghe"],
        "optional": True,
    }
    gold = article(entities=[XI, CHINA, sri_lanka], events=[STATEMENT, optional_meeting])

    without = score([gold], {"a1": pred(entities=[XI, CHINA], events=[STATEMENT])})
    assert (without.entities.tp, without.entities.fn) == (2, 0)
    assert without.entities.recall == 1.0 and without.events.recall == 1.0
    assert not without.misses

    hit = score(
        [gold],
        {
            "a1": pred(
                entities=[XI, CHINA, {"name": "Sri Lanka", "type": "GPE"}],
                events=[STATEMENT, {"type": "MEETING", "participants": ["Xi", "Ranil Wickramasinghe"]}],
            )
        },
    )
    assert (hit.entities.tp, hit.entities.fp, hit.entities.fn, hit.entities.optional_hits) == (3, 0, 0, 1)
    assert hit.events.tp == 2 and hit.events.optional_hits == 1
    assert hit.events.precision == 1.0 and hit.events.recall == 1.0


def test_required_gold_preferred_to_optional_on_a_tie():
    required = {"name": "Diamer-Bhasha Dam", "type": "FAC", "aliases": []}
    optional = {**required, "type": "PROJECT", "optional": True}
    statement = {"type": "STATEMENT", "speaker": "China", "topic": "security"}
    gold = article(entities=[required, optional], events=[{**statement, "optional": True}, statement])
    report = score(
        [gold],
        {"a1": pred(entities=[{"name": "Diamer Bhasha Dam", "type": "FAC"}], events=[dict(statement)])},
    )
    assert (report.entities.tp, report.entities.fn, report.entities.optional_hits) == (1, 0, 0)
    assert (report.events.tp, report.events.fn, report.events.optional_hits) == (1, 0, 0)


# ---------------------------------------------------------------- events


def test_each_financing_pairs_with_the_right_funder():
    # Both gold events share value, currency and recipient, so each prediction is a candidate for
    # both; the pairing must follow the funder. Predictions in the opposite order to the gold.
    gold = article(entities=ENTITIES, events=[FIN_CDB, FIN_EXIM])
    prediction = pred(
        events=[
            {**FIN_EXIM, "funder": "China Exim Bank", "instrument": "loan"},
            {**FIN_CDB, "funder": "CDB"},
        ]
    )
    report = score([gold], {"a1": prediction})
    assert (report.events.tp, report.events.fp, report.events.fn) == (2, 0, 0)
    assert report.argument_names["funder"].correct == 2
    assert report.argument_names["instrument"].correct == 1
    assert report.arguments.correct == report.arguments.total - 1
    assert [f.type for f in report.argument_errors] == ["instrument"]


def test_financing_needs_value_currency_and_a_party():
    gold = article(entities=ENTITIES, events=[FIN_CDB])
    wrong_value = {**FIN_CDB, "value": 80000000000}
    wrong_parties = {**FIN_CDB, "funder": "Silk Road Fund", "recipient": "India"}
    only_recipient = {**FIN_CDB, "funder": None}
    assert score([gold], {"a1": pred(events=[wrong_value])}).events.tp == 0
    assert score([gold], {"a1": pred(events=[wrong_parties])}).events.tp == 0
    assert score([gold], {"a1": pred(events=[only_recipient])}).events.tp == 1


def test_meeting_needs_two_shared_participants():
    gold = article(entities=ENTITIES, events=[MEETING])
    one = {"type": "MEETING", "participants": ["Xi Jinping", "Li Qiang"]}
    report = score([gold], {"a1": pred(events=[one])})
    assert (report.events.tp, report.events.fp, report.events.fn) == (0, 1, 1)


def test_attack_matches_on_location_or_compatible_date():
    attack = {
        "type": "ATTACK",
        "target": "bus carrying workers to Dasu",
        "victim_nationality": ["CN"],
        "killed": 13,
        "location": "Upper Kohistan",
        "date": "2021-07",
    }
    gold = article(events=[attack])
    by_date = {
        "type": "ATTACK",
        "location": "Dasu",
        "date": "2021-07-14",
        "killed": 13,
        "target": "bus carrying Chinese workers",
        "victim_nationality": ["CN", "PK"],
    }
    report = score([gold], {"a1": pred(events=[by_date])})
    assert report.events.tp == 1
    right = {f.type for f in report.argument_errors}
    assert right == {"location", "date"}  # target, nationality (every gold element) and killed are right
    elsewhere = {"type": "ATTACK", "location": "Karachi", "date": "2022-04-26"}
    assert score([gold], {"a1": pred(events=[elsewhere])}).events.tp == 0


def test_protest_needs_actor_and_target():
    gold = article(
        entities=[
            {"name": "India", "type": "GPE"},
            {"name": "China-Pakistan Economic Corridor", "type": "PROJECT", "aliases": ["CPEC"]},
        ],
        events=[
            {
                "type": "PROTEST",
                "actor": "India",
                "target": "China-Pakistan Economic Corridor",
                "form": "protest",
                "reason": "the corridor runs through Pakistan-occupied Kashmir",
            }
        ],
    )
    good = {
        "type": "PROTEST",
        "actor": "India",
        "target": "CPEC",
        "form": "protest",
        "reason": "CPEC passes through Pakistan-occupied Kashmir",
    }
    report = score([gold], {"a1": pred(events=[good])})
    assert report.events.tp == 1 and report.arguments.correct == report.arguments.total == 4
    other_target = {**good, "target": "Belt and Road Forum"}
    assert score([gold], {"a1": pred(events=[other_target])}).events.tp == 0


def test_argument_accuracy_counts_per_argument_and_type():
    gold = article(entities=ENTITIES, events=[MEETING, STATEMENT])
    prediction = pred(
        events=[
            {"type": "MEETING", "participants": ["Xi Jinping", "Anwar-ul-Haq Kakar"], "date": "2023-10-18"},
            {"type": "STATEMENT", "speaker": "Xi", "topic": "cooperation", "date": "2023-10-19"},
        ]
    )
    report = score([gold], {"a1": prediction})
    assert report.events.tp == 2
    # MEETING: participants right, date wrong, location missing; STATEMENT: speaker, date right, topic wrong
    assert (report.arguments.correct, report.arguments.total) == (3, 6)
    assert report.argument_names["date"].correct == 1 and report.argument_names["date"].total == 2
    assert report.argument_names["location"].value == 0.0
    assert report.argument_event_types["MEETING"].correct == 1
    assert report.argument_event_types["STATEMENT"].correct == 2
    assert len(report.argument_errors) == 3


def test_entity_attribute_accuracy():
    gold = article(entities=[XI, CDB])
    prediction = pred(
        entities=[
            {"name": "Xi Jinping", "type": "PERSON", "role": "Chinese President", "country": "cn"},
            {"name": "China Development Bank", "type": "ORG", "kind": "company", "country": "CN"},
        ]
    )
    report = score([gold], {"a1": prediction})
    attrs = report.entity_attributes
    assert (attrs["role"].correct, attrs["role"].total) == (1, 1)
    assert (attrs["country"].correct, attrs["country"].total) == (2, 2)
    assert (attrs["kind"].correct, attrs["kind"].total) == (0, 1)


def test_malformed_predictions_do_not_crash():
    gold = seed_like()
    prediction = {
        "entities": [None, "Xi", {"type": "PERSON"}, {"name": "Xi Jinping"}],
        "amounts": [{"value": "lots", "currency": "USD"}, {"value": None}],
        "events": [
            {"type": None},
            {
                "type": "financing",
                "value": "350000000000",
                "currency": "CNY",
                "funder": ["China Development Bank"],
                "participants": "x",
            },
        ],
    }
    report = score([gold], {"a1": prediction})
    assert report.events.tp == 1  # lower-case type, string value and a list funder still match
    assert report.entities.tp == 0


# ---------------------------------------------------------------- stories


def test_story_pairs_three_articles_predicted_as_two_plus_one():
    gold = [article(aid, story="gwadar") for aid in ("a", "b", "c")] + [article("d", story="other")]
    report = score(gold, {}, story_of={"a": "s1", "b": "s1", "c": "s2", "d": "s3"})
    stories = report.stories
    assert (stories.tp, stories.fp, stories.fn) == (1, 0, 2)
    assert stories.precision == 1.0 and stories.recall == pytest.approx(1 / 3)
    assert stories.f1 == pytest.approx(0.5)
    assert report.story_articles == 4


def test_story_pairs_false_merge_and_missing_entries():
    gold = [article("a", story="x"), article("b", story="y"), article("c", story="y"), article("e")]
    report = score(gold, {}, story_of={"a": "s", "b": "s", "c": "s", "e": "s"})
    # "e" has no gold story and is left out; a-b, a-c are false merges, b-c is right
    assert (report.stories.tp, report.stories.fp, report.stories.fn) == (1, 2, 0)
    assert report.story_articles == 3
    assert score(gold, {}).stories is None


# ---------------------------------------------------------------- output


def test_to_json_and_format_report():
    gold = seed_like()
    prediction = copy.deepcopy(gold.as_prediction())
    prediction["entities"].append({"name": "India", "type": "GPE"})
    del prediction["events"][0]
    report = score([gold, article("a2")], {"a1": prediction}, story_of={"a1": "s"})
    data = report.to_json()
    json.dumps(data)
    assert data["entities"]["fp"] == 1 and data["events"]["fn"] == 1
    assert data["unpredicted"] == ["a2"]
    assert data["per_article"]["a1"]["entities"]["tp"] == 6
    assert data["extras"][0]["summary"] == "GPE India"
    text = format_report(report)
    assert "entities" in text and "event arguments" in text and "No prediction for: a2" in text
    assert "Misses" not in text
    rows = [line for line in text.splitlines() if line.startswith(("entities ", "amounts ", "events "))]
    assert len(rows) == 3 and len({len(line) for line in rows}) == 1  # aligned columns
    verbose = format_report(report, verbose=True)
    assert "[a1] event: MEETING" in verbose and "[a1] entity: GPE India" in verbose


# ---------------------------------------------------------------- the dev corpus


@pytest.fixture(scope="module")
def corpus() -> list[GoldArticle]:
    return load_gold(DEV)


def test_load_gold_expands_the_feed(corpus):
    ids = [a.id for a in corpus]
    assert len(corpus) == 19 and len(set(ids)) == 19
    items = [a for a in corpus if a.container_file]
    assert [a.id for a in items] == [f"bri-topic-feed#{i}" for i in range(1, 5)]
    assert all(a.text_file is None and a.container_file == "bri-topic-feed.rss" for a in items)
    assert [a.item_index for a in items] == [1, 2, 3, 4]
    assert items[1].story == "2024-10-karachi-airport-blast"
    assert "news.example.org" in items[0].ignore  # the channel's ignore list applies to each item
    seed = next(a for a in corpus if a.id == "seed-xi-kakar")
    assert seed.text_file == "seed-xi-kakar.txt" and seed.story == "2023-10-bri-forum-xi-kakar"
    assert seed.gold_file == "seed-xi-kakar.gold.json"
    html = next(a for a in corpus if a.id == "sri-lanka-exim-debt-deal-2023")
    assert html.text_file == "sri-lanka-exim-debt-deal-2023.html"


def test_gold_counts_match_the_readme(corpus):
    def required(items):
        return [i for i in items if not i.get("optional")]

    entities = [e for a in corpus for e in required(a.entities)]
    events = [e for a in corpus for e in required(a.events)]
    amounts = [m for a in corpus for m in a.amounts]
    assert (len(entities), len(amounts), len(events)) == (259, 32, 91)
    assert sum(len(a.entities) for a in corpus) - 259 == 26
    assert sum(len(a.events) for a in corpus) - 91 == 44
    assert Counter(e["type"] for e in entities) == {
        "GPE": 88,
        "ORG": 61,
        "PERSON": 56,
        "PROJECT": 24,
        "FAC": 20,
        "LOC": 9,
        "EVENT": 1,
    }
    assert Counter(e["type"] for e in events) == {
        "STATEMENT": 39,
        "FINANCING": 13,
        "PROJECT": 11,
        "ATTACK": 10,
        "SECURITY_MEASURE": 7,
        "AGREEMENT": 4,
        "MEETING": 4,
        "PROTEST": 3,
    }
    assert Counter(m["currency"] for m in amounts) == {"USD": 27, "CNY": 2, "EUR": 2, "PKR": 1}
    stories = Counter(a.story for a in corpus)
    assert len(stories) == 16
    assert sum(n * (n - 1) // 2 for n in stories.values()) == 4


def test_gold_scored_against_itself_is_perfect(corpus):
    predicted = {a.id: copy.deepcopy(a.as_prediction()) for a in corpus}
    report = score(corpus, predicted, story_of={a.id: a.story for a in corpus})
    assert all(v == 1.0 for v in all_scores(report))
    assert report.entities.tp - report.entities.optional_hits == 259
    assert report.amounts.tp == 32
    assert report.events.tp - report.events.optional_hits == 91
    assert report.arguments.total > 500 and report.arguments.value == 1.0
    assert report.usd_stated.value == 1.0
    assert (report.stories.tp, report.stories.fp, report.stories.fn) == (4, 0, 0)
    assert not (report.misses or report.extras or report.argument_errors or report.attribute_errors)


def test_gold_with_optional_items_removed_loses_nothing(corpus):
    predicted = {
        a.id: {
            k: [i for i in a.as_prediction()[k] if not i.get("optional")]
            for k in ("entities", "amounts", "events")
        }
        for a in corpus
    }
    report = score(corpus, predicted)
    assert report.entities.f1 == report.amounts.f1 == report.events.f1 == 1.0
    assert report.entities.tp == 259 and report.events.tp == 91


def test_empty_predictions_score_zero(corpus):
    report = score(corpus, {a.id: {} for a in corpus})
    assert report.entities.recall == 0.0 and report.events.f1 == 0.0
    assert report.entities.fn == 259 and report.amounts.fn == 32 and report.events.fn == 91
    assert report.arguments.value is None


def test_load_gold_errors(tmp_path):
    with pytest.raises(UsageError):
        load_gold(tmp_path / "missing")
    (tmp_path / "bad.gold.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError):
        load_gold(tmp_path)
    (tmp_path / "bad.gold.json").write_text(json.dumps({"id": "x", "entities": []}), encoding="utf-8")
    (tmp_path / "dup.gold.json").write_text(json.dumps({"id": "x"}), encoding="utf-8")
    with pytest.raises(InputError, match="duplicate"):
        load_gold(tmp_path)
    single = load_gold(tmp_path / "bad.gold.json")
    assert [a.id for a in single] == ["x"] and single[0].events == []
