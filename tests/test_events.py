"""Events: one or more short sentences per event type and per trigger-driven behaviour.

Every sentence is written for the test. Articles are published on Saturday 2024-03-30, so "on Tuesday"
is 2024-03-26, "on Sunday" 2024-03-24. Every event must carry evidence that holds its trigger sentence.
"""

from __future__ import annotations

import pytest

from beltwatch.extract import extract_article
from beltwatch.extract.nlp import load_nlp
from beltwatch.knowledge import load_knowledge
from beltwatch.model import Article, ArticleMeta, Event

PUBLISHED = "2024-03-30"  # a Saturday


@pytest.fixture(scope="module", autouse=True)
def nlp():
    return load_nlp()


def extract(text: str, published: str = PUBLISHED) -> list[Event]:
    """Events of `text`, each checked to carry well-formed evidence from the text."""
    events = extract_article(
        Article(id="t", text=text, meta=ArticleMeta(published=published, language="en"))
    ).events
    for event in events:
        ev = event.evidence
        assert ev.text.strip(), event
        assert text[ev.start : ev.end] == ev.text, event
    return events


def of_type(events: list[Event], etype: str) -> list[Event]:
    return [e for e in events if e.type == etype]


def one(events: list[Event], etype: str, sentence: str) -> Event:
    """The single event of `etype`; its evidence must hold the sentence that triggers it."""
    found = of_type(events, etype)
    assert len(found) == 1, [(e.type, e.arguments) for e in events]
    assert sentence in found[0].evidence.text
    return found[0]


def arg(event: Event, key: str):
    return event.arguments.get(key)


# --- MEETING ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "During the visit, President Xi Jinping will meet Prime Minister Sheikh Hasina in Dhaka.",
        "Premier Li Qiang is expected to meet Prime Minister Shehbaz Sharif in Beijing next week.",
        "In Dhaka, Xi Jinping will tour a bridge and hold talks with Prime Minister Sheikh Hasina.",
    ],
)
def test_a_meeting_yet_to_happen_is_no_meeting(text: str):
    assert of_type(extract(text), "MEETING") == []


def test_a_meeting_is_where_it_took_place_not_where_the_report_was_filed():
    text = (
        "MANILA, Philippines – President Rodrigo Duterte and President Xi Jinping held a meeting on Thursday. "
        "Their meeting took place at a guesthouse in Beijing."
    )
    meeting = one(extract(text), "MEETING", "held a meeting on Thursday")
    assert arg(meeting, "location") == "Beijing"


def test_the_body_whose_meeting_it_is_does_not_meet():
    text = "Xi Jinping attended the annual meeting of the Council of Heads of State in Astana on Monday."
    assert of_type(extract(text), "MEETING") == []


def test_an_announcement_yet_to_come_is_no_statement():
    text = "President Xi Jinping is expected to announce new investment in the corridor."
    assert of_type(extract(text), "STATEMENT") == []


def test_meeting_of_two_named_people_with_date_and_place():
    text = "Prime Minister Shehbaz Sharif met Chinese Premier Li Qiang in Beijing on Thursday."
    meeting = one(extract(text), "MEETING", text)
    assert sorted(arg(meeting, "participants")) == ["Li Qiang", "Shehbaz Sharif"]
    assert arg(meeting, "date") == "2024-03-28"
    assert arg(meeting, "location") == "Beijing"


def test_a_meeting_no_sentence_dates_takes_its_paragraphs_date_else_the_articles():
    dated = "Talks in Beijing\n\nOn Tuesday the delegation arrived. Shehbaz Sharif met Li Qiang in Beijing."
    assert arg(of_type(extract(dated), "MEETING")[0], "date") == "2024-03-26"
    undated = "Talks in Beijing\n\nShehbaz Sharif met Li Qiang in Beijing."
    assert arg(of_type(extract(undated), "MEETING")[0], "date") == PUBLISHED


def test_meeting_from_held_talks_with():
    text = (
        "Foreign Minister Ishaq Dar held talks with his Chinese counterpart Wang Yi in Beijing on Wednesday."
    )
    meeting = one(extract(text), "MEETING", text)
    assert sorted(arg(meeting, "participants")) == ["Ishaq Dar", "Wang Yi"]
    assert arg(meeting, "date") == "2024-03-27"


def test_meeting_of_two_unknown_people_with_appositions():
    text = (
        "Ahmed Raza, the chairman of the Gwadar Port Authority, met Zhang Wei, a manager at China Overseas "
        "Port Holding Company, in Gwadar on Monday."
    )
    meeting = one(extract(text), "MEETING", text)
    assert sorted(arg(meeting, "participants")) == ["Ahmed Raza", "Zhang Wei"]
    assert arg(meeting, "location") == "Gwadar"
    assert arg(meeting, "date") == "2024-03-25"


def test_meeting_of_three_people():
    """Three who meet together ("X, Y and Z met") are one meeting; a host meeting two guests ("Xi met Sharif
    and Zardari") holds a meeting with each, as news reports of state visits count them."""
    text = "Xi Jinping, Shehbaz Sharif and Asif Ali Zardari met in Beijing on Monday."
    meeting = one(extract(text), "MEETING", text)
    assert sorted(arg(meeting, "participants")) == ["Asif Ali Zardari", "Shehbaz Sharif", "Xi Jinping"]


@pytest.mark.parametrize(
    ("before", "place"),
    [
        ("Chinese President Xi Jinping arrived in Dhaka on Friday for a state visit.", "Dhaka"),
        ("The second meeting of the joint committee was held in Beijing on Friday.", "Beijing"),
        ("Floods cut the road to Chittagong on Friday.", None),  # neither the meeting nor its people
    ],
)
def test_a_meeting_takes_the_place_a_sentence_before_it_gives_its_people_or_itself(before, place):
    received = "Xi Jinping was received by his Bangladeshi counterpart, Abdul Hamid, at the airport."
    meeting = one(extract(f"{before} {received}"), "MEETING", received)
    assert arg(meeting, "location") == place


def test_an_embassys_measure_is_in_the_state_it_is_in():
    text = (
        "The Chinese embassy in the Central African Republic warned its citizens not to travel outside Bangui "
        "after nine Chinese nationals were killed."
    )
    measure = one(extract(text), "SECURITY_MEASURE", text)
    assert arg(measure, "location") == "Central African Republic"


@pytest.mark.parametrize(
    "text",
    [
        "During a visit to Astana, Xi Jinping and his Kazakh counterpart Kassym-Jomart Tokayev agreed to double trade.",
        "Prime Minister Shehbaz Sharif told his Chinese counterpart Li Qiang on Tuesday that security would improve.",
    ],
)
def test_a_leader_acting_with_or_speaking_to_a_named_counterpart_met_them(text: str):
    meeting = one(extract(text), "MEETING", text)
    assert len(arg(meeting, "participants")) == 2


@pytest.mark.parametrize(
    "text",
    [
        "His Chinese counterpart Wang Yi said the corridor was vital.",
        "Shehbaz Sharif will tell his Chinese counterpart Li Qiang that security will improve.",
    ],
)
def test_a_counterpart_who_only_speaks_or_is_yet_to_be_told_met_no_one(text: str):
    assert of_type(extract(text), "MEETING") == []


def test_a_deadline_is_not_when_a_meeting_took_place():
    text = "On Monday Xi Jinping and Shehbaz Sharif met in Beijing and agreed to lift trade to $40 billion by 2030."
    assert arg(one(extract(text), "MEETING", text), "date") == "2024-03-25"


@pytest.mark.parametrize(
    "text",
    [
        "Chinese President Xi Jinping on Thursday welcomed Kenyan President William Ruto to China.",
        "Xi Jinping was greeted on arrival in Astana by Kazakh President Kassym-Jomart Tokayev on Tuesday.",
        "Chinese President Xi Jinping told Maldivian President Abdulla Yameen on Thursday that the ports mattered.",
    ],
)
def test_a_leader_welcomed_greeted_or_told_by_another_met_them(text: str):
    assert len(arg(one(extract(text), "MEETING", text), "participants")) == 2


def test_telling_a_reporter_is_no_meeting():
    text = "Interior Minister Mohsin Naqvi told reporters in Islamabad that security would be increased."
    assert of_type(extract(text), "MEETING") == []


def test_welcoming_a_guest_is_a_meeting_not_a_statement():
    text = "In Islamabad, Prime Minister Shehbaz Sharif warmly welcomed Xi Jinping on Tuesday."
    events = extract(text)
    assert of_type(events, "STATEMENT") == []
    assert len(of_type(events, "MEETING")) == 1


@pytest.mark.parametrize(
    "text",
    [
        "President Uhuru Kenyatta and opposition leader Raila Odinga visited China two months ago.",
        "Prime Minister Shehbaz Sharif visited the Chinese embassy to express his condolences.",
    ],
)
def test_visitors_of_a_place_or_an_embassy_met_no_one(text: str):
    assert of_type(extract(text), "MEETING") == []


def test_visit_by_one_person_is_no_meeting():
    assert of_type(extract("Shehbaz Sharif visited the dam site on Monday."), "MEETING") == []


# --- FINANCING -------------------------------------------------------------------------------------


def test_financing_loan_with_lender_amount_and_recipient():
    text = "The Export-Import Bank of China extended a USD 600 million loan to Pakistan on Monday."
    fin = one(extract(text), "FINANCING", text)
    assert arg(fin, "funder") == "Export-Import Bank of China"
    assert arg(fin, "recipient") == "Pakistan"
    assert (arg(fin, "value"), arg(fin, "currency"), arg(fin, "instrument")) == (600e6, "USD", "loan")
    assert arg(fin, "date") == "2024-03-25"


def test_financing_lender_named_after_the_amount():
    text = "A USD 500 million loan from the Asian Development Bank was approved for Pakistan on Friday."
    fin = one(extract(text), "FINANCING", text)
    assert arg(fin, "funder") == "Asian Development Bank"
    assert arg(fin, "recipient") == "Pakistan"
    assert (arg(fin, "value"), arg(fin, "instrument")) == (500e6, "loan")


def test_financing_lender_named_by_the_loans_own_from():
    text = "The terminal was financed by a $150 million loan from the Export-Import Bank of China."
    fin = one(extract(text), "FINANCING", text)
    assert arg(fin, "funder") == "Export-Import Bank of China"


def test_financing_the_country_that_borrows_is_the_articles_country():
    text = (
        "Kenya is repaying its railway debt to China. Kenya faces heavy payments this year. "
        "The country borrowed $3 billion from China in 2014 for the line, which runs toward Uganda."
    )
    fin = one(extract(text), "FINANCING", "The country borrowed $3 billion")
    assert (arg(fin, "funder"), arg(fin, "recipient")) == ("China", "Kenya")


def test_financing_a_fund_the_money_goes_to_receives_it():
    text = (
        "Xi Jinping announced more support for the Belt and Road Initiative on Sunday, contributing "
        "100 billion yuan to the Silk Road Fund."
    )
    fin = one(extract(text), "FINANCING", text)
    assert arg(fin, "recipient") == "Silk Road Fund"
    assert arg(fin, "funder") != "Silk Road Fund"


def test_financing_grant_received():
    text = "Pakistan received a USD 300 million grant from the Asian Development Bank."
    fin = one(extract(text), "FINANCING", text)
    assert (arg(fin, "funder"), arg(fin, "recipient")) == ("Asian Development Bank", "Pakistan")
    assert arg(fin, "instrument") == "grant"


def test_financing_rollover_of_a_loan_is_a_rollover():
    text = "China Development Bank rolled over a USD 1.5 billion loan to Pakistan."
    fin = one(extract(text), "FINANCING", text)
    assert (arg(fin, "funder"), arg(fin, "recipient")) == ("China Development Bank", "Pakistan")
    assert (arg(fin, "value"), arg(fin, "instrument")) == (1.5e9, "rollover")


def test_financing_rollover_noun():
    text = "The Export-Import Bank of China agreed to a rollover of USD 2.4 billion for Pakistan."
    fin = one(extract(text), "FINANCING", text)
    assert (arg(fin, "funder"), arg(fin, "recipient"), arg(fin, "instrument")) == (
        "Export-Import Bank of China",
        "Pakistan",
        "rollover",
    )


def test_financing_deposit_with_a_central_bank():
    text = "China deposited USD 2 billion with the State Bank of Pakistan."
    fin = one(extract(text), "FINANCING", text)
    assert (arg(fin, "funder"), arg(fin, "recipient")) == ("China", "State Bank of Pakistan")
    assert (arg(fin, "value"), arg(fin, "instrument")) == (2e9, "deposit")


@pytest.mark.parametrize(
    "text",
    [
        "China Merchants Port Holdings will acquire an 85% stake in the port for USD 1.12 billion.",
        "China Merchants Port Holdings bought a stake in the port for USD 1.12 billion.",
    ],
)
def test_financing_stake_is_equity(text: str):
    fin = one(extract(text), "FINANCING", text)
    assert arg(fin, "funder") == "China Merchants Port Holdings"
    assert (arg(fin, "value"), arg(fin, "currency"), arg(fin, "instrument")) == (1.12e9, "USD", "equity")


def test_financing_investment_in_a_project():
    text = "China will invest USD 2 billion in the Gwadar East Bay Expressway."
    fin = one(extract(text), "FINANCING", text)
    assert arg(fin, "funder") == "China"
    assert arg(fin, "instrument") == "investment"
    assert arg(fin, "purpose") == "Gwadar East Bay Expressway"


def test_financing_window_set_up_by_each_of_two_lenders():
    text = (
        "China Development Bank and the Export-Import Bank of China will each set up a financing window "
        "worth 350 billion yuan."
    )
    found = of_type(extract(text), "FINANCING")
    assert sorted(arg(e, "funder") for e in found) == [
        "China Development Bank",
        "Export-Import Bank of China",
    ]
    for fin in found:
        assert (arg(fin, "value"), arg(fin, "currency"), arg(fin, "instrument")) == (
            350e9,
            "CNY",
            "financing window",
        )
        assert text in fin.evidence.text


def test_financing_each_lends_gives_one_event_per_lender():
    text = (
        "China Development Bank and the Export-Import Bank of China will each lend USD 1 billion to Pakistan."
    )
    found = of_type(extract(text), "FINANCING")
    assert sorted(arg(e, "funder") for e in found) == [
        "China Development Bank",
        "Export-Import Bank of China",
    ]
    assert {arg(e, "recipient") for e in found} == {"Pakistan"}
    assert {arg(e, "value") for e in found} == {1e9}


def test_financing_window_opened_by_a_fund_in_the_passive():
    text = "Officials said a financing window of 20 billion yuan would be opened by the Silk Road Fund."
    fin = one(extract(text), "FINANCING", text)
    assert arg(fin, "funder") == "Silk Road Fund"
    assert (arg(fin, "value"), arg(fin, "currency"), arg(fin, "instrument")) == (
        20e9,
        "CNY",
        "financing window",
    )


TWO_DEPOSITS = "Saudi Arabia deposited USD 2 billion and the United Arab Emirates USD 1 billion with the State Bank of Pakistan."


def test_two_amounts_with_two_funders_are_paired_by_nearness():
    found = of_type(extract(TWO_DEPOSITS), "FINANCING")
    assert sorted((arg(e, "value"), arg(e, "funder")) for e in found) == [
        (1e9, "United Arab Emirates"),
        (2e9, "Saudi Arabia"),
    ]
    assert {arg(e, "instrument") for e in found} == {"deposit"}


def test_two_amounts_with_two_funders_share_the_recipient():
    found = of_type(extract(TWO_DEPOSITS), "FINANCING")
    assert [arg(e, "recipient") for e in found] == ["State Bank of Pakistan", "State Bank of Pakistan"]


def test_a_loan_named_again_later_is_one_financing():
    text = (
        "China has rolled over a $2 billion loan to Pakistan, the finance ministry said. The $2 billion loan was due"
        " on March 24 and has been extended for one year. The UAE also rolled over its $2 billion deposits with the"
        " State Bank of Pakistan."
    )
    found = [(arg(e, "funder"), arg(e, "value")) for e in of_type(extract(text), "FINANCING")]
    assert found == [("China", 2_000_000_000), ("United Arab Emirates", 2_000_000_000)]


def test_a_demonym_government_that_lends_is_its_state():
    text = "China and Sri Lanka are old partners. The Chinese government has approved a loan of $1 billion to Sri Lanka."
    financing = one(extract(text), "FINANCING", "The Chinese government")
    assert (arg(financing, "funder"), arg(financing, "recipient")) == ("China", "Sri Lanka")


@pytest.mark.parametrize(
    "text",
    [
        ("Gunmen attacked the convoy, the latest attack on projects where Beijing has invested more than $65 billion as"
        " part of its Belt and Road Initiative."),
        ("Chinese engineers work on many projects in Pakistan, with Beijing investing over $65 billion as part of the"
        " China-Pakistan Economic Corridor."),
    ],
)
def test_what_a_state_has_put_into_a_programme_so_far_is_no_financing(text: str):
    assert of_type(extract(text), "FINANCING") == []


def test_an_investment_in_a_programme_stated_as_one_commitment_is_financing():
    text = "China will invest $46 billion in the China-Pakistan Economic Corridor, officials said on Friday."
    assert arg(one(extract(text), "FINANCING", text), "value") == 46e9


def test_the_for_phrase_of_a_loan_is_its_purpose():
    text = "China approved a loan of $1 billion to Sri Lanka for the construction of the first phase of the expressway."
    purpose = arg(one(extract(text), "FINANCING", text), "purpose")
    assert purpose == "construction of the first phase of the expressway"


@pytest.mark.parametrize(
    ("text", "purpose"),
    [
        ("China pledged $40 billion in financial support to Kenya on Monday.", "financial support"),
        ("China pledged 300 billion yuan ($41 billion) in grants to Kenya on Monday.", "grants to Kenya"),
    ],
)
def test_the_in_phrase_after_an_amount_is_its_purpose(text: str, purpose: str):
    assert arg(one(extract(text), "FINANCING", text), "purpose") == purpose


def test_amount_without_a_financing_word_is_no_financing():
    assert of_type(extract("The dam will cost USD 2 billion, officials said."), "FINANCING") == []


@pytest.mark.parametrize(
    "text",
    [
        "An IMF mission is in Pakistan for a review under the $7 loan programme.",
        "State media said 32 Chinese-invested factories were vandalized, putting the damages at some $37 million.",
        "The ministry said the cost of the fifth loan instalment would be about 36.2 million euros.",
    ],
)
def test_a_scale_less_figure_damage_done_or_a_cost_is_no_financing(text: str):
    assert of_type(extract(text), "FINANCING") == []


@pytest.mark.parametrize(
    "text",
    [
        "Most of the estimated 420 million euros cost was met by European Union funds for the bridge.",
        "The $2.4bn power plant is a main source of foreign investment in Bangladesh.",
    ],
)
def test_the_price_of_a_facility_is_no_financing(text: str):
    assert of_type(extract(text), "FINANCING") == []


def test_a_currency_swap_is_financing_of_its_own_kind():
    text = "The People's Bank of China renewed a 70 billion yuan currency swap arrangement with Argentina on Tuesday."
    assert arg(one(extract(text), "FINANCING", text), "instrument") == "other"


def test_a_headlines_state_gives_way_to_the_lender_the_body_names():
    text = (
        "China lends US$989 million for expressway\n\n"
        "The Export-Import Bank of China has agreed to provide a loan of US$989 million to Sri Lanka for the expressway."
    )
    assert [arg(e, "funder") for e in of_type(extract(text), "FINANCING")] == ["Export-Import Bank of China"]


def test_a_yuan_swap_line_is_lent_by_chinas_side_to_the_other():
    text = (
        "Argentina and China renewed their currency swap agreement. The latest extension in June 2024 secured "
        "a 35 billion yuan swap line for Argentina's reserves."
    )
    swap = one(extract(text), "FINANCING", "swap line")
    assert (arg(swap, "funder"), arg(swap, "recipient")) == ("China", "Argentina")


def test_a_buyer_pays_for_what_it_acquires():
    text = "COSCO Shipping acquired 67 percent of the Piraeus port for 368.5 million euros, its largest investment in Greece."
    financing = one(extract(text), "FINANCING", text)
    assert arg(financing, "funder") == "COSCO Shipping"
    assert arg(financing, "value") == 368_500_000


# --- PROJECT ---------------------------------------------------------------------------------------


def project(text: str, name: str) -> Event:
    found = [e for e in of_type(extract(text), "PROJECT") if arg(e, "name") == name]
    assert len(found) == 1, [(e.type, e.arguments) for e in extract(text)]
    assert text.split(". ")[0].rstrip(".") in found[0].evidence.text
    return found[0]


@pytest.mark.parametrize(
    ("text", "name", "status"),
    [
        ("Pakistan halted the Karachi Circular Railway in March after a dispute over land.",
         "Karachi Circular Railway", "suspended"),
        ("China Road and Bridge Corporation suspended construction of the Karot Hydropower Project.",
         "Karot Hydropower Project", "suspended"),
        ("Work on the Karachi Circular Railway was suspended in March after a dispute over land.",
         "Karachi Circular Railway", "suspended"),
        ("Prime Minister Shehbaz Sharif inaugurated the Suki Kinari Hydropower Project on Friday.",
         "Suki Kinari Hydropower Project", "completed"),
        ("The Sahiwal Coal Power Project was completed in 2017.", "Sahiwal Coal Power Project", "completed"),
        ("The Jakarta-Bandung High-Speed Railway opened to passengers in October 2023.",
         "Jakarta-Bandung High-Speed Railway", "completed"),
        ("Chinese firms are building the Karot Hydropower Project on the Jhelum river.",
         "Karot Hydropower Project", "under construction"),
        ("Construction of the Gwadar East Bay Expressway is under way.", "Gwadar East Bay Expressway",
         "under construction"),
        ("The two sides agreed to upgrade the Main Line-1 railway from Karachi to Peshawar.", "Main Line-1",
         "upgrade proposed"),
        ("Pakistan and China proposed an upgrade of the Main Line-1 railway.", "Main Line-1", "upgrade proposed"),
        ("The prime minister inaugurated the first section of the Multan-Sukkur Motorway on Saturday.",
         "Multan-Sukkur Motorway", "under construction"),
        ("President Ruto commissioned the first berth of the Lamu Port in May.", "Lamu Port", "under construction"),
        # a section named as a project of its own is done when it is completed, besides any other section
        ("Besides this stretch, the Havelian-Islamabad section has also been completed.",
         "Havelian-Islamabad section", "completed"),
        ("The Karot Hydropower Project is due to be completed in 2026.", "Karot Hydropower Project",
         "under construction"),
        ("The Suki Kinari Hydropower Project, when completed, will feed 870 MW into the grid.",
         "Suki Kinari Hydropower Project", "under construction"),
        (("Contractors resumed work on the Karachi Circular Railway in May. The Karachi Circular Railway had "
          "been suspended for a year."), "Karachi Circular Railway", "under construction"),
    ],
)  # fmt: skip
def test_project_status(text: str, name: str, status: str):
    assert arg(project(text, name), "status") == status


@pytest.mark.parametrize(
    ("text", "name", "status"),
    [
        ("The Lahore Orange Line Metro reopened in June after being rebuilt by a Chinese contractor.",
         "Lahore Orange Line Metro", "completed"),
        ("The Lahore Orange Line Metro has reopened following a long rebuilding.", "Lahore Orange Line Metro",
         "completed"),
        ("The section of the Karachi Circular Railway between two suburbs reopened on Monday.",
         "Karachi Circular Railway", "under construction"),
    ],
)  # fmt: skip
def test_project_status_read_through_the_sentence(text: str, name: str, status: str):
    assert arg(project(text, name), "status") == status


def test_a_pronoun_after_a_named_project_gets_its_status():
    text = "The Sahiwal Coal Power Project lies in Punjab. Although it was inaugurated in 2017, it is still run by its builder."
    found = of_type(extract(text), "PROJECT")
    assert [(arg(e, "name"), arg(e, "status")) for e in found] == [("Sahiwal Coal Power Project", "completed")]


@pytest.mark.parametrize(
    "text",
    [
        "Engineers found construction defects in the Karot Hydropower Project last year.",
        "The Karot Hydropower Project has two offices: a 2,000-sq-m building for engineers and a smaller one for guards.",
    ],
)
def test_a_status_word_naming_a_thing_is_no_status(text: str):
    assert of_type(extract(text), "PROJECT") == []


def test_a_project_runs_through_the_towns_its_name_joins():
    text = "Pakistan halted the Karachi Circular Railway in March. Commuters in Karachi were angry."
    assert "Karachi" in arg(project(text, "Karachi Circular Railway"), "locations")


def test_a_negated_stop_is_no_suspension():
    events = extract("The contractor said it has not stopped work on the Mohmand Dam.")
    assert [arg(e, "status") for e in of_type(events, "PROJECT")] in ([], ["under construction"])
    assert of_type(events, "SECURITY_MEASURE") == []


def test_a_stop_on_a_line_is_no_suspension():
    text = "Naivasha is the last stop of the Mombasa-Nairobi Standard Gauge Railway."
    assert "suspended" not in [arg(e, "status") for e in of_type(extract(text), "PROJECT")]


def test_a_project_named_with_and_without_the_word_project_is_one_project():
    text = (
        "Malaysia restarted the East Coast Rail Link project on Monday. The East Coast Rail Link will link "
        "Kota Bharu with Port Klang."
    )
    found = of_type(extract(text), "PROJECT")
    assert [arg(e, "status") for e in found] == ["under construction"]


def test_a_maker_named_with_a_hyphen_is_no_status():
    assert of_type(extract("Workers at the China-built Sahiwal Coal Power Project went on strike on Monday."), "PROJECT") == []


@pytest.mark.parametrize(
    "text",
    [
        "Xi Jinping proposed the creation of a Silk Road Economic Belt with Central Asian countries.",
        "China and Pakistan agreed to launch the China-Pakistan Economic Corridor in April.",
    ],
)
def test_a_programme_that_is_the_argument_of_a_status_word_is_a_project_event(text: str):
    assert of_type(extract(text), "PROJECT"), text


@pytest.mark.parametrize(
    "text",
    [
        "The plant was built by Huaneng for Pakistan under the Belt and Road Initiative in 22 months.",
        (
            "The minister inaugurated the first section of the largest road project under the China-Pakistan "
            "Economic Corridor in Multan."
        ),
    ],
)
def test_a_programme_that_only_frames_a_project_is_no_project_event(text: str):
    names = [arg(e, "name") for e in of_type(extract(text), "PROJECT")]
    assert not {"Belt and Road Initiative", "China-Pakistan Economic Corridor"} & set(names), names


def test_project_inauguration_date():
    text = "Prime Minister Shehbaz Sharif inaugurated the Suki Kinari Hydropower Project on Friday."
    assert arg(project(text, "Suki Kinari Hydropower Project"), "date") == "2024-03-29"


def test_project_upgrade_with_value_and_locations():
    text = (
        "The two sides agreed to upgrade the Main Line-1 railway from Karachi to Peshawar at a cost of "
        "USD 6.7 billion."
    )
    event = project(text, "Main Line-1")
    assert arg(event, "status") == "upgrade proposed"
    assert (arg(event, "value"), arg(event, "currency")) == (6.7e9, "USD")
    assert arg(event, "locations") == ["Karachi", "Peshawar", "Pakistan"]
    assert "railways" in arg(event, "sectors")


def test_a_known_projects_country_is_its_last_location():
    text = "Chinese firms are building the Karot Hydropower Project in Kotli."
    assert arg(project(text, "Karot Hydropower Project"), "locations") == ["Kotli", "Pakistan"]


def test_a_projects_builder_named_in_another_sentence_is_a_party():
    text = (
        "Work on the Karot Hydropower Project was suspended on Monday. China Three Gorges Corporation is building the"
        " Karot Hydropower Project."
    )
    assert "China Three Gorges Corporation" in arg(project(text, "Karot Hydropower Project"), "parties")


def test_the_state_a_project_is_in_is_a_party():
    text = "Pakistan says work on the Karot Hydropower Project was suspended on Monday."
    assert "Pakistan" in arg(project(text, "Karot Hydropower Project"), "parties")


def test_the_builders_and_lenders_of_an_articles_one_project_are_its_parties():
    text = (
        "Work on the Karot Hydropower Project was suspended on Monday. The Export-Import Bank of China lent most "
        "of the money, and China Three Gorges Corporation owns it."
    )
    parties = arg(project(text, "Karot Hydropower Project"), "parties")
    assert {"Export-Import Bank of China", "China Three Gorges Corporation"} <= set(parties)


@pytest.mark.parametrize(
    "programme", [e.name for e in load_knowledge().entities if e.worldwide]
)
def test_a_worldwide_programme_is_built_only_as_a_figure_of_speech(programme: str):
    text = f"Xi called for joint efforts to build the {programme} into a road for peace on Sunday."
    assert of_type(extract(text), "PROJECT") == []


def test_a_proposal_to_build_a_programme_proposes_it():
    text = "He proposed to join hands building a Silk Road Economic Belt with innovative cooperation."
    event = project(text, "Silk Road Economic Belt")
    assert arg(event, "status") == "proposed"


def test_a_facility_called_by_its_kind_is_the_articles_one_of_that_kind():
    text = (
        "Nepal's third international airport opened for business on Sunday. The Pokhara International Airport has "
        "a single runway."
    )
    assert arg(project(text, "Pokhara International Airport"), "status") == "completed"


def test_a_kind_the_article_names_twice_is_no_one_facility():
    text = "A new dam opened on Sunday. The Mohmand Dam and the Dasu Dam are in Khyber Pakhtunkhwa."
    assert of_type(extract(text), "PROJECT") == []


def test_project_sector_from_its_name():
    text = "Chinese firms are building the Karot Hydropower Project on the Jhelum river."
    assert arg(project(text, "Karot Hydropower Project"), "sectors") == ["hydropower"]


def test_dams_being_built_after_others_were_built_have_their_own_statuses():
    text = "Mohmand and Bhasha dams are being constructed 50 years after Mangla and Tarbela dams were built."
    statuses = {arg(e, "name"): arg(e, "status") for e in of_type(extract(text), "PROJECT")}
    assert statuses["Diamer-Bhasha Dam"] == "under construction"
    assert statuses["Tarbela Dam"] == "completed"


# --- AGREEMENT -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "sector"),
    [
        ("The Philippines and China signed a memorandum on oil and gas development on Tuesday.", "oil and gas"),
        ("Pakistan and China signed an agreement on trade on Tuesday.", "trade"),
        ("Nepal and China signed an agreement on infrastructure on Tuesday.", "infrastructure"),
        ("Argentina and China signed a currency swap agreement on Tuesday.", "finance"),
        ("Hungary and China signed a loan agreement for the railway on Tuesday.", "railways"),
    ],
)
def test_agreement_sectors_from_its_sentence(text: str, sector: str):
    assert sector in arg(one(extract(text), "AGREEMENT", text), "sectors")


def test_agreement_between_two_countries():
    text = "Pakistan and China signed an agreement on Monday to expand the corridor."
    agreement = one(extract(text), "AGREEMENT", text)
    assert sorted(arg(agreement, "parties")) == ["China", "Pakistan"]
    assert arg(agreement, "date") == "2024-03-25"


def test_agreement_with_a_company_and_a_place():
    text = "The Sri Lanka Ports Authority signed a concession agreement with China Merchants Port Holdings in Colombo."
    agreement = one(extract(text), "AGREEMENT", text)
    assert sorted(arg(agreement, "parties")) == ["China Merchants Port Holdings", "Sri Lanka Ports Authority"]
    assert arg(agreement, "location") == "Colombo"
    assert "concession agreement" in arg(agreement, "subject")


def test_agreement_memorandum_of_understanding():
    text = "Pakistan signed a memorandum of understanding with China on agricultural cooperation."
    agreement = one(extract(text), "AGREEMENT", text)
    assert sorted(arg(agreement, "parties")) == ["China", "Pakistan"]


def test_capitals_as_governments_are_agreement_parties():
    text = "Islamabad and Beijing agreed to expand cooperation on the corridor."
    agreement = one(extract(text), "AGREEMENT", text)
    assert sorted(arg(agreement, "parties")) == ["China", "Pakistan"]


# --- ATTACK ----------------------------------------------------------------------------------------


DASU_STYLE = (
    "Gunmen attacked a bus carrying Chinese engineers near Dasu on Tuesday, killing three Chinese engineers "
    "and their Pakistani driver."
)


@pytest.mark.parametrize(
    "sentence",
    [
        "Gunmen killed two Chinese engineers near Gwadar on Sunday.",
        "Two Chinese engineers were shot dead by militants near Gwadar on Sunday.",
        "Four gunmen opened fire on a camp of Chinese workers near Gwadar on Sunday.",
        "Gunmen stormed a camp of Chinese workers near Gwadar on Sunday.",
        "Gunmen kidnapped two Chinese workers near Gwadar on Sunday.",
    ],
)
def test_what_attackers_do_is_an_attack(sentence: str):
    attack = one(extract(sentence), "ATTACK", sentence)
    assert (arg(attack, "location"), arg(attack, "date")) == ("Gwadar", "2024-03-24")


def test_the_people_kidnapped_give_the_attack_their_nationality():
    attack = one(extract("Gunmen kidnapped four Chinese workers near Gwadar on Sunday."), "ATTACK", "kidnapped")
    assert arg(attack, "victim_nationality") == ["CN"]


def test_the_attack_is_where_its_word_puts_it_not_where_its_victims_went():
    text = ("As the whereabouts of two Chinese nationals kidnapped in Quetta's Jinnah Town on May 24 are still "
            "unknown, 11 Chinese nationals have been shifted to Karachi.")  # fmt: skip
    assert arg(one(extract(text), "ATTACK", text), "location") == "Quetta"


def test_what_only_a_reaction_says_was_hit_is_the_target():
    text = "The embassy strongly condemned the terrorist attack on a Chinese convoy in Gwadar on Sunday."
    attack = one(extract(text), "ATTACK", text)
    assert "convoy" in arg(attack, "target")
    assert arg(attack, "victim_nationality") == ["CN"]


def test_a_killing_by_no_attacker_is_no_attack():
    assert of_type(extract("Floods killed two Chinese engineers near Gwadar on Sunday."), "ATTACK") == []


def test_attack_date_from_a_weekday_place_and_count():
    attack = one(extract(DASU_STYLE), "ATTACK", DASU_STYLE)
    assert arg(attack, "date") == "2024-03-26"
    assert arg(attack, "location") == "Dasu"
    assert arg(attack, "killed") == 4
    assert "CN" in arg(attack, "victim_nationality")
    assert "bus" in arg(attack, "target")


def test_attack_victims_of_two_nationalities_in_a_coordinated_phrase():
    attack = one(extract(DASU_STYLE), "ATTACK", DASU_STYLE)
    assert sorted(arg(attack, "victim_nationality")) == ["CN", "PK"]


def test_attack_victims_named_by_a_local_role_are_of_the_attacks_country():
    text = "Gunmen attacked a hotel in Gwadar on Tuesday, killing two policemen and a guard."
    attack = one(extract(text), "ATTACK", text)
    assert arg(attack, "victim_nationality") == ["PK"]


def test_attack_victims_beyond_the_foreigners_included_are_of_the_attacks_country():
    text = "Five people, including three Chinese technicians, were killed in a blast near Turbat on Monday."
    attack = one(extract(text), "ATTACK", text)
    assert arg(attack, "killed") == 5
    assert sorted(arg(attack, "victim_nationality")) == ["CN", "PK"]


def test_attack_victims_counted_before_killed_in_a_headline_phrase():
    text = "Seven workers, including four Chinese welders, killed in a bombing near Gwadar on Monday."
    attack = one(extract(text), "ATTACK", text)
    assert arg(attack, "killed") == 7
    assert sorted(arg(attack, "victim_nationality")) == ["CN", "PK"]


def test_attack_victims_listed_after_the_verb():
    text = (
        "A van was attacked near Turbat on Monday in which nine people were killed including five Chinese "
        "surveyors and two policemen."
    )
    attack = one(extract(text), "ATTACK", text)
    assert sorted(arg(attack, "victim_nationality")) == ["CN", "PK"]


def test_attack_victims_who_are_dead():
    text = "Two Chinese surveyors and their Pakistani guard are dead after a bomb hit their car near Turbat on Monday."
    attack = one(extract(text), "ATTACK", text)
    assert arg(attack, "killed") == 3
    assert sorted(arg(attack, "victim_nationality")) == ["CN", "PK"]


def test_attack_claimed_in_the_passive():
    text = "Gunmen attacked a bus near Turbat on Monday. The attack was claimed by the Balochistan Liberation Army."
    attack = one(extract(text), "ATTACK", "Gunmen attacked a bus near Turbat on Monday.")
    assert arg(attack, "claimed_by") == "Balochistan Liberation Army"


def test_attack_target_is_what_the_attack_verb_names():
    text = (
        "Gunmen attacked a gold mine in the village of Kettleby near Turbat on Wednesday, killing three "
        "security guards. Such groups have often targeted workers in the province."
    )
    attack = one(extract(text), "ATTACK", "Gunmen attacked a gold mine")
    assert arg(attack, "target").startswith("gold mine")


def test_attack_target_the_mention_that_says_what_it_carried():
    text = (
        "A bomber attacked their van near Dasu on Tuesday. The blast was so strong that the van carrying "
        "Chinese engineers fell into a ravine."
    )
    attack = one(extract(text), "ATTACK", "A bomber attacked their van near Dasu on Tuesday.")
    assert arg(attack, "target") == "van carrying Chinese engineers"


def test_attack_weekday_resolves_against_another_publication_date():
    text = "Gunmen attacked a bus near Dasu on Tuesday, killing four workers."
    attack = one(extract(text, published="2024-04-05"), "ATTACK", text)  # a Friday
    assert arg(attack, "date") == "2024-04-02"


def test_attack_killed_and_wounded_of_two_nationalities_attackers_not_counted():
    text = (
        "Gunmen ambushed a van carrying Chinese surveyors near Turbat on Sunday, killing two Chinese surveyors "
        "and wounding a Pakistani guard. Security forces killed three attackers."
    )
    attack = one(extract(text), "ATTACK", text.split(" Security")[0])
    assert (arg(attack, "killed"), arg(attack, "injured")) == (2, 1)
    assert sorted(arg(attack, "victim_nationality")) == ["CN", "PK"]
    assert arg(attack, "location") == "Turbat"
    assert arg(attack, "date") == "2024-03-24"


def test_attack_attackers_killed_in_the_next_sentence_not_counted():
    text = (
        "Gunmen attacked a bus near Gwadar on Tuesday, killing four workers and injuring six others. "
        "Two of the attackers were also killed."
    )
    attack = one(extract(text), "ATTACK", "Gunmen attacked a bus near Gwadar on Tuesday")
    assert (arg(attack, "killed"), arg(attack, "injured")) == (4, 6)


def test_attack_casualties_stated_in_the_next_sentence():
    text = (
        "Militants attacked a checkpoint in Turbat on Wednesday. Two soldiers were killed and five people "
        "were injured, police said."
    )
    attack = one(extract(text), "ATTACK", "Militants attacked a checkpoint in Turbat on Wednesday.")
    assert (arg(attack, "killed"), arg(attack, "injured")) == (2, 5)
    assert (arg(attack, "location"), arg(attack, "date")) == ("Turbat", "2024-03-27")


def test_attack_nobody_hurt_gives_zero_casualties():
    text = (
        "Militants attacked a convoy of Chinese engineers near Gwadar on Sunday. Two attackers were killed, "
        "and nobody in the convoy was hurt, officials said."
    )
    attack = one(
        extract(text), "ATTACK", "Militants attacked a convoy of Chinese engineers near Gwadar on Sunday."
    )
    assert (arg(attack, "killed"), arg(attack, "injured")) == (0, 0)
    assert arg(attack, "victim_nationality") == ["CN"]
    assert "disputed" not in attack.arguments


CLAIMED = (
    "Militants attacked a convoy of Chinese engineers near Gwadar on Sunday. "
    "The Balochistan Liberation Army claimed responsibility for the attack."
)


def test_attack_claimed_by():
    attack = one(extract(CLAIMED), "ATTACK", "Militants attacked a convoy")
    assert arg(attack, "claimed_by") == "Balochistan Liberation Army"
    assert arg(attack, "location") == "Gwadar"
    assert "convoy" in arg(attack, "target")


def test_attack_claimed_by_an_acronym():
    text = "A bomb exploded near a bus in Quetta on Monday. The BLA claimed responsibility."
    attack = one(extract(text), "ATTACK", "A bomb exploded near a bus in Quetta on Monday.")
    assert arg(attack, "claimed_by") == "Balochistan Liberation Army"


DISPUTED = (
    "Militants attacked a convoy of Chinese engineers near Gwadar on Sunday. The Balochistan Liberation Army "
    "claimed responsibility for the attack and said it had killed nine Chinese nationals. Officials said no one "
    "was hurt in the attack."
)


def test_attack_claimant_figures_are_disputed_claims():
    attack = one(extract(DISPUTED), "ATTACK", "Militants attacked a convoy")
    assert arg(attack, "disputed") is True
    assert "killed" not in attack.arguments, "a claimant's figure is not a fact"
    assert {"claimant": "Balochistan Liberation Army", "killed": 9} in arg(attack, "claims")
    assert arg(attack, "claimed_by") == "Balochistan Liberation Army"


def test_attack_officials_nobody_hurt_claim_is_zero():
    attack = one(extract(DISPUTED), "ATTACK", "Militants attacked a convoy")
    officials = [c for c in arg(attack, "claims") if c["claimant"] != "Balochistan Liberation Army"]
    assert [(c.get("killed"), c.get("injured")) for c in officials] == [(0, 0)]


def test_background_attack_is_a_separate_attack():
    text = (
        "Gunmen attacked a convoy of Chinese engineers near Gwadar on Tuesday, killing two engineers. "
        "In July 2021, a bus bombing near Dasu killed 13 people."
    )
    found = sorted(of_type(extract(text), "ATTACK"), key=lambda e: arg(e, "date"))
    assert [(arg(e, "date"), arg(e, "location"), arg(e, "killed")) for e in found] == [
        ("2021-07", "Dasu", 13),
        ("2024-03-26", "Gwadar", 2),
    ]
    assert "In July 2021" in found[0].evidence.text
    assert "on Tuesday" in found[1].evidence.text


@pytest.mark.parametrize(
    "text",
    [
        "Chinese workers have been attacked in the past, and companies have complained about security.",
        "Attacks on Chinese nationals have increased in recent years.",
        "Analysts said bombings and ambushes remain a risk for foreign engineers.",
    ],
)
def test_generic_mention_is_no_attack(text: str):
    assert of_type(extract(text), "ATTACK") == []


def test_a_production_target_is_no_attack():
    text = "The Las Bambas mine had targeted between 385,000 tonnes and 405,000 tonnes of copper production in 2019."
    assert of_type(extract(text), "ATTACK") == []


# --- SECURITY_MEASURE ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Police tightened security around the camps on Monday.",
        "The police tightened security around the camps on Monday.",
        "Police increased security around the camps on Monday.",
        "Police strengthened security around the camps on Monday.",
    ],
)
def test_security_tightened_by_police(text: str):
    measure = one(extract(text), "SECURITY_MEASURE", text)
    assert arg(measure, "actor").lower() in ("police", "the police")
    assert "security around the camps" in arg(measure, "measure")
    assert arg(measure, "date") == "2024-03-25"


LOCAL_POLICE = {"police in haripur", "haripur police"}


def test_a_rise_in_anything_but_security_is_no_measure():
    assert of_type(extract("Police increased their salaries on Monday."), "SECURITY_MEASURE") == []


def test_security_measure_by_the_police_of_a_town():
    text = "Police in Haripur tightened security around the camps of Chinese workers on Monday."
    measure = one(extract(text), "SECURITY_MEASURE", text)
    assert arg(measure, "actor").lower() in LOCAL_POLICE
    assert arg(measure, "location") == "Haripur"


def test_security_measure_by_an_embassy():
    text = "The Chinese Embassy in Pakistan advised Chinese citizens to avoid travel to Balochistan."
    measure = one(extract(text), "SECURITY_MEASURE", text)
    assert arg(measure, "actor") == "Chinese Embassy in Pakistan"
    assert arg(measure, "measure").startswith("advised Chinese citizens")


def test_security_measure_investigation_ordered():
    text = "Interior Minister Mohsin Naqvi ordered an investigation into the attack."
    measure = one(extract(text), "SECURITY_MEASURE", text)
    assert arg(measure, "actor") == "Mohsin Naqvi"
    assert "investigation" in arg(measure, "measure")


@pytest.mark.parametrize(
    ("text", "actor"),
    [
        ("Additional troops were deployed around the site by the Frontier Constabulary on Monday.",
         "Frontier Constabulary"),
        ("The site was evacuated by the Frontier Constabulary on Monday.", "Frontier Constabulary"),
        pytest.param(
            "Security was tightened around the Chinese consulate by the Sindh Rangers.", "Rangers",
            marks=(),
        ),
        pytest.param(
            "The area was cordoned off by the Counter-Terrorism Department after the blast.",
            "Counter-Terrorism Department",
            marks=(),
        ),
    ],
)  # fmt: skip
def test_security_measure_in_the_passive_names_the_agent(text: str, actor: str):
    measure = one(extract(text), "SECURITY_MEASURE", text)
    assert arg(measure, "actor") == actor


def test_security_measure_cordon_in_the_active():
    text = "The Frontier Constabulary cordoned off the area around the site on Monday."
    measure = one(extract(text), "SECURITY_MEASURE", text)
    assert arg(measure, "actor") == "Frontier Constabulary"


def test_security_measure_actor_is_the_local_police_not_its_town():
    text = "Haripur police stepped up security at the camps on Monday."
    measure = one(extract(text), "SECURITY_MEASURE", text)
    assert arg(measure, "actor").lower() in LOCAL_POLICE


def test_tightening_something_other_than_security_is_no_measure():
    assert (
        of_type(extract("The government tightened its grip on the budget on Monday."), "SECURITY_MEASURE")
        == []
    )


# --- STATEMENT -------------------------------------------------------------------------------------


THREE_SPEAKERS = (
    "Interior Minister Mohsin Naqvi said the attackers would be punished and security for Chinese nationals "
    "would be increased. Finance Minister Muhammad Aurangzeb said the loan rollover would ease pressure on "
    "reserves. Chinese Ambassador Jiang Zaidong said the two countries would deepen cooperation and friendship."
)


def test_one_statement_per_speaker_with_topic():
    found = of_type(extract(THREE_SPEAKERS), "STATEMENT")
    assert sorted((arg(e, "speaker"), arg(e, "topic")) for e in found) == [
        ("Jiang Zaidong", "cooperation"),
        ("Mohsin Naqvi", "security"),
        ("Muhammad Aurangzeb", "finance"),
    ]
    for event in found:
        assert event.evidence.text.strip().startswith(("Interior", "Finance", "Chinese"))
        assert arg(event, "speaker").split()[-1] in event.evidence.text


def test_repeated_speaker_gives_one_statement():
    text = "Ahsan Iqbal said the corridor had created jobs. Iqbal also said the loan terms were fair."
    statement = one(extract(text), "STATEMENT", "Ahsan Iqbal said the corridor had created jobs.")
    assert arg(statement, "speaker") == "Ahsan Iqbal"


@pytest.mark.parametrize(
    "text",
    [
        "Xinhua said the talks were productive.",
        "Xinhua reported that the talks were held in Beijing.",
        "The talks were productive, Reuters said.",
        "China Daily quoted Mao Ning as saying the attack would not derail cooperation.",
    ],
)
def test_media_outlets_are_not_speakers(text: str):
    speakers = [arg(e, "speaker") for e in of_type(extract(text), "STATEMENT")]
    assert not {"Xinhua", "Reuters", "China Daily"} & set(speakers)


def test_speaker_quoted_by_a_wire_is_the_speaker():
    text = "Wang Yi said the partnership was strong, according to Reuters."
    statement = one(extract(text), "STATEMENT", text)
    assert arg(statement, "speaker") == "Wang Yi"
    assert arg(statement, "topic") == "cooperation"


def test_country_in_the_speakers_title_is_not_a_speaker():
    text = "Pakistan's planning minister, Ahsan Iqbal, said the review of the corridor would end soon."
    statement = one(extract(text), "STATEMENT", text)
    assert arg(statement, "speaker") == "Ahsan Iqbal"


def test_statement_is_not_dated_by_a_future_date_it_mentions():
    text = "Planning minister Ahsan Iqbal said on Friday that the railway would be completed next year."
    statement = one(extract(text), "STATEMENT", text)
    assert arg(statement, "date") == "2024-03-29"


def test_one_visitor_meeting_several_people_meets_each_of_them():
    text = "Prime Minister Imran Khan met Chinese Premier Li Keqiang and President Xi Jinping in Beijing on Sunday."
    meetings = of_type(extract(text), "MEETING")
    assert sorted(arg(e, "participants")[1] for e in meetings) == ["Li Keqiang", "Xi Jinping"]
    assert {arg(e, "participants")[0] for e in meetings} == {"Imran Khan"}


def test_statement_is_not_dated_by_a_future_date_in_what_was_said():
    text = "Pakistan's planning minister, Ahsan Iqbal, said the railway would be completed next year."
    statement = one(extract(text), "STATEMENT", text)
    assert arg(statement, "date") in (None, PUBLISHED)


def test_pronoun_speaker_is_the_person_named_before():
    text = "Interior Minister Mohsin Naqvi visited the site on Monday. He said security would be increased."
    statement = one(extract(text), "STATEMENT", "He said security would be increased.")
    assert (arg(statement, "speaker"), arg(statement, "topic")) == ("Mohsin Naqvi", "security")


@pytest.mark.parametrize(
    "before",
    [
        "Interior Minister Mohsin Naqvi said the attackers had come from the hills, naming Ali Khan as their leader.",
        "Interior Minister Mohsin Naqvi said: \u201cWe warned Ali Khan last week.\u201d",
        # a name that only qualifies a noun is no subject; "he" of the sentence between goes on as the minister
        "Interior Minister Mohsin Naqvi said a woman carried out the attack. Ball bearings were found, he said.",
    ],
)
def test_a_pronoun_speaker_continues_the_last_subject(before: str):
    """The last person named is an object or is inside a quotation: "he" is still the minister."""
    text = f"{before} He added that security would be increased."
    speakers = [arg(e, "speaker") for e in of_type(extract(text), "STATEMENT")]
    assert speakers == ["Mohsin Naqvi"]


def test_what_a_passive_verb_of_saying_has_as_subject_is_what_was_said():
    text = "Obligations to the Exim Bank are expressed in US dollars, the finance ministry of Montenegro said."
    assert "Export-Import Bank of China" not in [arg(e, "speaker") for e in of_type(extract(text), "STATEMENT")]


def test_advice_to_its_own_people_is_an_embassys_measure_not_its_statement():
    text = "The Chinese Embassy in Tajikistan urged Chinese businesses and workers to evacuate the border areas."
    events = extract(text)
    assert of_type(events, "STATEMENT") == []
    assert arg(one(events, "SECURITY_MEASURE", text), "actor") == "Chinese Embassy in Tajikistan"


def test_a_demand_for_an_investigation_is_a_statement_and_a_measure():
    text = "Chinese Foreign Minister Wang Yi demanded a thorough investigation into the attack."
    events = extract(text)
    assert [arg(e, "speaker") for e in of_type(events, "STATEMENT")] == ["Wang Yi"]
    assert [arg(e, "actor") for e in of_type(events, "SECURITY_MEASURE")] == ["Wang Yi"]


def test_a_condemnation_names_the_attack_the_article_reports():
    text = (
        "Gunmen attacked a convoy of Chinese engineers in Gwadar on Sunday. The Chinese Embassy in Pakistan "
        "denounced this act of terrorism. The embassy also condemned the bombing in a second statement."
    )
    protests = of_type(extract(text), "PROTEST")
    assert [(arg(e, "actor"), arg(e, "form")) for e in protests] == [("Chinese Embassy in Pakistan", "condemnation")]
    assert arg(protests[0], "target") == "act of terrorism on convoy of Chinese engineers in Gwadar"


def test_condemnation_is_a_security_statement():
    text = "The Chinese Embassy in Pakistan condemned the attack on the convoy."
    statement = one(extract(text), "STATEMENT", text)
    assert (arg(statement, "speaker"), arg(statement, "topic")) == ("Chinese Embassy in Pakistan", "security")


def test_an_account_of_an_attack_is_a_security_statement():
    text = "Governor Zorvan Kettleby said three gunmen had stormed the hotel and two people were wounded."
    statement = one(extract(text), "STATEMENT", text)
    assert (arg(statement, "speaker"), arg(statement, "topic")) == ("Zorvan Kettleby", "security")


def test_statement_without_topic_words_takes_the_articles_topic():
    text = (
        "The two governments signed a cooperation agreement on the port on Monday, deepening their partnership "
        "and friendship. Minister Tavish Orrenby said the harbour would open to ships in May."
    )
    statement = one(extract(text), "STATEMENT", "Minister Tavish Orrenby said")
    assert arg(statement, "topic") == "cooperation"


def test_statement_made_in_a_town():
    text = "Minister Tavish Orrenby said at a ceremony in Gwadar that the attack in Balochistan would not stop work."
    statement = one(extract(text), "STATEMENT", text)
    assert arg(statement, "location") == "Gwadar"


def test_a_province_is_no_venue():
    text = "Minister Tavish Orrenby said security in Balochistan would be increased."
    statement = one(extract(text), "STATEMENT", text)
    assert arg(statement, "location") is None


ATTACK_NEWS = (
    "Gunmen attacked a convoy near Gwadar on Sunday, killing two guards. Militants fired rockets at the "
    "port and the blast wounded four workers."
)


def test_a_security_official_without_topic_words_speaks_to_security_in_news_of_an_attack():
    text = ATTACK_NEWS + " Home Minister Tavish Orrenby said the envoy was fine."
    statement = one(extract(text), "STATEMENT", "Home Minister Tavish Orrenby said")
    assert arg(statement, "topic") == "security"


def test_a_manager_without_topic_words_says_other_in_news_of_an_attack():
    text = ATTACK_NEWS + " Site manager Tavish Orrenby said the envoy was fine."
    statement = one(extract(text), "STATEMENT", "Site manager Tavish Orrenby said")
    assert arg(statement, "topic") == "other"


# --- PROTEST ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "actor", "target", "form"),
    [
        ("India boycotted the Belt and Road Forum in Beijing.", "India",
         "Belt and Road Forum for International Cooperation", "boycott"),
        ("The Joint Opposition protested against Port City Colombo on Friday.", "Joint Opposition",
         "Port City Colombo", "protest"),
        ("The Chinese Embassy in Pakistan condemned the attack on the convoy.", "Chinese Embassy in Pakistan",
         "attack on the convoy", "condemnation"),
    ],
)  # fmt: skip
def test_protest_actor_target_and_form(text: str, actor: str, target: str, form: str):
    protest = one(extract(text), "PROTEST", text)
    assert (arg(protest, "actor"), arg(protest, "target"), arg(protest, "form")) == (actor, target, form)


def test_protest_reason():
    text = "The Joint Opposition boycotted the signing ceremony in Colombo, citing fears of a debt trap."
    protest = one(extract(text), "PROTEST", text)
    assert arg(protest, "actor") == "Joint Opposition"
    assert arg(protest, "form") == "boycott"
    assert "debt trap" in arg(protest, "reason")


def test_place_in_a_prepositional_phrase_is_not_the_protest_target():
    text = "The Joint Opposition boycotted the signing ceremony in Colombo, citing fears of a debt trap."
    protest = one(extract(text), "PROTEST", text)
    assert arg(protest, "target") != "Colombo"
    assert "signing ceremony" in arg(protest, "target")


def test_place_in_a_prepositional_phrase_is_not_the_protest_actor():
    text = "Traders in Gwadar boycotted the port on Monday."
    actors = [arg(e, "actor") for e in of_type(extract(text), "PROTEST")]
    assert "Gwadar" not in actors


def test_protest_needs_an_actor_and_a_target():
    assert of_type(extract("There were protests on Friday."), "PROTEST") == []


# --- evidence --------------------------------------------------------------------------------------


def test_every_event_of_an_article_has_its_own_sentence_as_evidence():
    sentences = [
        "Prime Minister Shehbaz Sharif met Chinese Premier Li Qiang in Beijing on Thursday.",
        "The Export-Import Bank of China extended a USD 600 million loan to Pakistan on Monday.",
        "The Chinese Embassy in Pakistan advised Chinese citizens to avoid travel to Balochistan.",
        "India boycotted the Belt and Road Forum in Beijing.",
    ]
    text = "\n\n".join(sentences)
    events = extract(text)
    by_type = {e.type: e for e in events}
    assert {"MEETING", "FINANCING", "SECURITY_MEASURE", "PROTEST"} <= set(by_type)
    for etype, sentence in zip(["MEETING", "FINANCING", "SECURITY_MEASURE", "PROTEST"], sentences):
        assert by_type[etype].evidence.text.strip() == sentence


# --- direction of money, by the verb that governs the amount -------------------------------------------

def _financing_conf() -> dict:
    from beltwatch.extract.events import load_triggers

    return load_triggers()["FINANCING"]


@pytest.mark.parametrize("verb", _financing_conf()["giving_verbs"])
def test_a_giving_verb_names_its_subject_the_funder(verb: str):
    text = f"China will {verb} a USD 1 billion loan to Pakistan next month, officials said."
    fin = one(extract(text), "FINANCING", "USD 1 billion")
    assert (arg(fin, "funder"), arg(fin, "recipient")) == ("China", "Pakistan")


@pytest.mark.parametrize("verb", _financing_conf()["receiving_verbs"])
def test_a_receiving_verb_names_its_subject_the_recipient(verb: str):
    text = f"Zambia will {verb} a USD 1 billion loan from the China Development Bank, officials said."
    fin = one(extract(text), "FINANCING", "USD 1 billion")
    assert (arg(fin, "funder"), arg(fin, "recipient")) == ("China Development Bank", "Zambia")


def test_a_deal_reached_with_a_lender_makes_the_subject_the_recipient():
    text = "Zambia has reached a deal with the China Development Bank to restructure USD 1.5 billion in debt."
    fin = one(extract(text), "FINANCING", text)
    assert (arg(fin, "funder"), arg(fin, "recipient")) == ("China Development Bank", "Zambia")


def test_a_passive_giving_verb_with_an_agent():
    text = "Pakistan was given a USD 2 billion loan by China on Friday."
    fin = one(extract(text), "FINANCING", text)
    assert (arg(fin, "funder"), arg(fin, "recipient")) == ("China", "Pakistan")


def test_a_shared_verb_leaves_direction_to_word_order():
    text = "Saudi Arabia deposited USD 2 billion and the United Arab Emirates USD 1 billion with the State Bank of Pakistan."
    funders = {arg(e, "value"): arg(e, "funder") for e in of_type(extract(text), "FINANCING")}
    assert funders[1e9] == "United Arab Emirates"


@pytest.mark.parametrize(
    ("text", "funder"),
    [
        (("The new terminal in Gwadar was financed by a $230 million loan from China’s Export–Import bank. "
         "Officials of the Exim Bank visited the site in May."), "Export-Import Bank of China"),
        (("The new terminal in Gwadar was financed by a $230 million loan from China's development bank. "
         "Officials of the China Development Bank visited the site in May."), "China Development Bank"),
    ],
)  # fmt: skip
def test_a_bank_named_by_its_state_and_common_words_is_that_states_lender(text: str, funder: str):
    assert [arg(e, "funder") for e in of_type(extract(text), "FINANCING")] == [funder]


@pytest.mark.parametrize(
    "text",
    [
        "Officials said the $500 million loan taken from China last year will be repaid in June.",
        "Servicing the railway loans will cost Kenya KSh 40 billion a year, down from an earlier estimate of KSh 45 billion.",
        "Of the payment to the Exim Bank, $12 million relates to interest on the loan.",
    ],
)
def test_money_paid_back_on_a_debt_is_no_financing(text: str):
    assert of_type(extract(text), "FINANCING") == []


@pytest.mark.parametrize(
    "text",
    [
        "China lent Pakistan $1 billion last year, to be repaid over ten years.",
        "The Exim Bank approved a $300 million loan at an interest rate of 2 percent.",
    ],
)
def test_a_loan_with_its_repayment_terms_is_financing(text: str):
    assert len(of_type(extract(text), "FINANCING")) == 1


def test_the_price_of_a_facility_a_state_funded_is_its_financing():
    text = (
        "Nepal and China signed a trade deal on Monday. The $216 million Chinese-funded international airport in "
        "Pokhara was inaugurated last year."
    )
    loan = one(extract(text), "FINANCING", "Chinese-funded")
    assert (arg(loan, "funder"), arg(loan, "value")) == ("China", 2.16e8)


def test_an_amount_that_prices_a_project_is_no_financing():
    text = "Investment in the USD 3 billion Zorvan Kettle Motorway was celebrated on Friday."
    assert of_type(extract(text), "FINANCING") == []


@pytest.mark.parametrize(
    "breakdown",
    [
        "The package would include $3 billion in credit lines and $1 billion in grants, officials said.",
        "Over half of that will be $3 billion in credit lines, with $1 billion in grants.",
    ],
)
def test_the_parts_of_a_pledge_go_from_its_funder_to_its_recipient(breakdown: str):
    text = f"China pledged $5 billion in financing to Kenya on Tuesday. {breakdown}"
    found = of_type(extract(text), "FINANCING")
    parts = {arg(e, "value"): (arg(e, "funder"), arg(e, "recipient"), arg(e, "instrument")) for e in found}
    assert parts == {
        5e9: ("China", "Kenya", "other"),
        3e9: ("China", "Kenya", "credit line"),
        1e9: ("China", "Kenya", "grant"),
    }, [e.arguments for e in found]


def test_the_parts_of_a_debt_paid_back_are_no_financing():
    text = (
        "China lent $50 million to Kenya on Tuesday. The amount of $30 million relates to the principal, and "
        "the remaining amount of $8 million relates to interest on the loan."
    )
    assert [arg(e, "value") for e in of_type(extract(text), "FINANCING")] == [5e7]


@pytest.mark.parametrize("called", ["The airport", "The project"])
def test_a_programme_the_money_only_comes_under_is_not_what_it_is_for(called: str):
    """Under the BRI, for the airport the sentence calls by its kind or "the project" (the article's one)."""
    text = (
        f"Nepal opened the Pokhara International Airport on Sunday. {called} was financed by a $216 million "
        "loan from the Export-Import Bank of China under the Belt and Road Initiative."
    )
    loan = one(extract(text), "FINANCING", "was financed by")
    assert arg(loan, "purpose") == "Pokhara International Airport"


def test_the_country_where_money_is_announced_does_not_pay_it():
    text = "Xi in Pakistan to unveil $45 billion in investments\n\nChinese President Xi Jinping arrived on Monday.\n"
    found = of_type(extract(text), "FINANCING")
    assert [arg(e, "funder") for e in found] != ["Pakistan"]
    assert [arg(e, "recipient") for e in found] == ["Pakistan"]


def test_money_for_a_programme_is_for_it():
    text = "The China Development Bank will lend $5 billion for the Belt and Road Initiative, officials said."
    loan = one(extract(text), "FINANCING", text)
    assert arg(loan, "purpose") == "Belt and Road Initiative"


def test_a_sentence_that_names_its_own_lender_is_no_breakdown():
    text = (
        "China pledged $5 billion in financing to Kenya on Tuesday. The support includes a $1 billion loan "
        "from the African Development Bank to Uganda."
    )
    small = [e for e in of_type(extract(text), "FINANCING") if arg(e, "value") == 1e9]
    assert [arg(e, "funder") for e in small] == ["African Development Bank"]


@pytest.mark.parametrize(
    "text",
    [
        "Bhutan and China signed a new transit agreement on Monday, after a first pact was signed in 2016.",
        "Bhutan and China signed a new transit agreement, before the old one expired in 2016.",
    ],
)
def test_a_date_of_an_earlier_or_later_happening_is_not_the_events(text: str):
    assert [arg(e, "date") for e in of_type(extract(text), "AGREEMENT")] != ["2016"]


def test_an_unnamed_party_a_country_possesses_stands_for_that_country():
    text = "Premier Li Qiang of China and Kenya's visiting president met in Beijing on Monday, reaching deals on railways."
    assert [arg(e, "parties") for e in of_type(extract(text), "AGREEMENT")] == [["China", "Kenya"]]


def test_what_two_named_sides_sign_is_an_agreement_whatever_it_is_called():
    text = "China and Colombia signed on Wednesday a cooperation plan on jointly building the Belt and Road."
    assert set(arg(one(extract(text), "AGREEMENT", text), "parties")) == {"China", "Colombia"}


def test_a_government_named_by_a_two_word_demonym_is_its_state():
    text = (
        "Sri Lanka needs foreign exchange. China Merchants Port Holdings and the Sri Lankan government have agreed "
        "a 99-year concession agreement for Hambantota Port."
    )
    agreement = one(extract(text), "AGREEMENT", "concession agreement")
    assert set(arg(agreement, "parties")) == {"China Merchants Port Holdings", "Sri Lanka"}


def test_signings_in_two_places_are_two_agreements():
    text = (
        "Sri Lanka signed debt treatment agreements in Beijing with the Export-Import Bank of China on Wednesday. "
        "The framework agreement related to this was signed between Sri Lanka and China in Colombo."
    )
    places = sorted(arg(e, "location") for e in of_type(extract(text), "AGREEMENT"))
    assert places == ["Beijing", "Colombo"]


@pytest.mark.parametrize(
    "text",
    [
        "Viktor Orban of Hungary hosted Xi Jinping of China in Budapest. They signed 18 cooperation agreements.",
        "Vietnam's leader To Lam met Xi Jinping of China. The two countries then signed documents on railways.",
        "China and Malaysia resumed work on the railway. In April the close partners agreed to cut its cost.",
    ],
)
def test_what_they_or_the_two_countries_signed_binds_the_states_just_named(text: str):
    agreement = one(extract(text), "AGREEMENT", text.split(". ")[1])
    assert len(arg(agreement, "parties")) == 2


def test_leaders_who_oversaw_a_signing_met_and_make_their_states_parties():
    text = (
        "Vietnamese leader Nguyen Phu Trong and his Chinese counterpart Xi Jinping oversaw the signing of "
        "36 cooperation agreements on Tuesday."
    )
    events = extract(f"Vietnam and China deepened their ties. {text}")
    assert set(arg(one(events, "AGREEMENT", text), "parties")) == {"Vietnam", "China"}
    assert set(arg(one(events, "MEETING", text), "participants")) == {"Nguyen Phu Trong", "Xi Jinping"}


@pytest.mark.parametrize(
    ("text", "sectors"),
    [
        ("China and Colombia signed a cooperation plan on jointly building the Belt and Road on Monday.", None),
        ("China and Serbia signed an agreement on a bridge and a road under the BRI on Monday.", ["roads"]),
    ],
)
def test_the_belt_and_road_is_no_road(text: str, sectors):
    assert arg(one(extract(text), "AGREEMENT", text), "sectors") == sectors


# --- AGREEMENT: witnesses, nominal signings, renewals ----------------------------------------------------

@pytest.mark.parametrize("verb", ["witnessed"])
def test_leaders_at_a_signing_make_their_states_parties(verb: str):
    text = (
        "Italy joined China's scheme. Italian Prime Minister Giuseppe Conte and Chinese President Xi Jinping "
        f"{verb} the signing of a memorandum of understanding on Saturday in Rome."
    )
    agreement = one(extract(text), "AGREEMENT", "memorandum")
    assert set(arg(agreement, "parties")) == {"Italy", "China"}


@pytest.mark.parametrize("act", ["the signing and exchange of two documents", "the exchange of MoUs"])
def test_leaders_at_a_signing_or_exchange_of_documents_make_their_states_parties(act: str):
    text = (
        "Chile and China held talks on Monday. Chilean President Gabriel Boric and Chinese President Xi Jinping "
        f"witnessed {act} after their meeting."
    )
    agreement = one(extract(text), "AGREEMENT", "witnessed")
    assert set(arg(agreement, "parties")) == {"Chile", "China"}


@pytest.mark.parametrize(("verb", "noun"), [("renewed", "currency swap agreement")])
def test_renewed_and_sealed_agreements(verb: str, noun: str):
    text = f"The People's Bank of China {verb} a {noun} with the Central Bank of Argentina on Tuesday."
    agreement = one(extract(text), "AGREEMENT", text)
    assert len(arg(agreement, "parties")) == 2


def test_agreements_signed_between_two_states():
    text = "A total of six agreements were signed between Pakistan and China on Tuesday."
    agreement = one(extract(text), "AGREEMENT", text)
    assert set(arg(agreement, "parties")) == {"Pakistan", "China"}


@pytest.mark.parametrize(
    "text",
    [
        "The currency swap agreement between Chile and China remains a pillar of their financial ties.",
        (
            "Lawmakers in Santiago approved a $1 billion framework agreement between Chile and Sinohydro "
            "Corporation Limited for new roads."
        ),
    ],
)
def test_an_agreement_that_names_its_parties_stands_without_a_signing_verb(text: str):
    agreement = one(extract(text), "AGREEMENT", "agreement between")
    assert set(arg(agreement, "parties")) <= {"Chile", "China", "Sinohydro"}
    assert len(arg(agreement, "parties")) == 2


def test_a_plain_mention_of_an_agreement_is_no_event():
    assert of_type(extract("The agreement is expected to help Chile's copper exports."), "AGREEMENT") == []


def test_a_lower_case_word_goes_on_its_sentence_after_a_headline(nlp):
    """The parser cut "Hungary | and China have signed ..." after a long headline line."""
    text = (
        "Hungary, China sign loan deal for Budapest-Belgrade Chinese rail projectReuters | Budapest | Updated: "
        "24-04-2020 13:50 IST | Created: 24-04-2020 13:50 IST\n\n"
        "Hungary and China have signed a loan agreement to finance a railway link, the minister said on Friday.\n"
    )
    sentences = [s.text.strip() for s in nlp(text).sents]
    assert any(s.startswith("Hungary and China have signed") for s in sentences), sentences


def test_a_states_central_bank_is_the_bank_the_article_names():
    text = (
        "Officials of the State Bank of Pakistan met bankers in Karachi on Monday. On Tuesday Pakistan's "
        "central bank signed a currency swap agreement with the Central Bank of Sri Lanka."
    )
    found = of_type(extract(text), "AGREEMENT")
    assert [sorted(arg(e, "parties")) for e in found] == [["Central Bank of Sri Lanka", "State Bank of Pakistan"]]


@pytest.mark.parametrize(
    "text",
    [
        "A port concession agreement was signed by Pakistan and China in Gwadar on Monday.",
        "Pakistan's Shehbaz Sharif and China's Xi Jinping witnessed the signing of a port concession agreement.",
    ],
)
def test_what_was_signed_without_an_object(text: str):
    agreement = one(extract(text), "AGREEMENT", text)
    assert "port concession agreement" in arg(agreement, "subject")


def test_an_agreement_signed_here_is_signed_in_the_dateline_town():
    text = (
        "KATHMANDU — Nepal and China signed a memorandum of understanding on transport here on Friday. "
        "Officials in Kathmandu welcomed it."
    )
    agreement = one(extract(text), "AGREEMENT", "Nepal and China signed")
    assert arg(agreement, "location") == "Kathmandu"


def test_an_agreement_with_no_place_of_its_own_was_signed_where_that_days_meeting_was():
    text = (
        "President Boric met President Xi Jinping at the Great Hall of the People in Beijing on Friday.\n\n"
        "Chile and China signed three agreements on Friday, after a first trade accord was signed in 2006."
    )
    found = {arg(e, "date"): arg(e, "location") for e in of_type(extract(text), "AGREEMENT")}
    assert found == {"2024-03-29": "Beijing", "2006": None}


def test_a_town_of_another_happening_is_not_where_an_agreement_was_signed():
    text = "Nepal and China signed a framework agreement on Friday, days ahead of a summit in Beijing."
    agreement = one(extract(text), "AGREEMENT", text)
    assert arg(agreement, "location") is None


@pytest.mark.parametrize(
    ("text", "recalled"),
    [
        (
            "Chile and China signed a trade agreement on Friday, two years after a first accord was signed in 2022.",
            "2022",
        ),
        (
            (
                "Chile and China signed a trade agreement on Friday.\n\nChile's President Gabriel Boric urged both "
                "sides to carry out the agreements signed during Xi Jinping's visit in May 2023."
            ),
            "2023-05",
        ),
    ],
)
def test_an_agreement_recalled_from_an_earlier_date_is_another_agreement(text: str, recalled: str):
    found = of_type(extract(text), "AGREEMENT")
    assert sorted(arg(e, "date") for e in found) == sorted(["2024-03-29", recalled]), [e.arguments for e in found]
    assert all(set(arg(e, "parties")) == {"Chile", "China"} for e in found)


def test_a_later_sentence_on_the_same_signing_adds_to_it():
    text = (
        "Chile and China signed a trade agreement on Friday.\n\n"
        "Chile and China signed the agreement in Santiago on Friday, the ministry said."
    )
    agreement = one(extract(text), "AGREEMENT", "Chile and China signed")
    assert arg(agreement, "location") == "Santiago"


# --- SECURITY_MEASURE: demands, warnings, new forces ------------------------------------------------------

@pytest.mark.parametrize(
    ("sentence", "actor"),
    [
        ("The Chinese Embassy in Pakistan demanded a thorough investigation into the attack.", "Chinese Embassy in Pakistan"),
        ("The Chinese Embassy in Pakistan called for a thorough investigation into the attack.", "Chinese Embassy in Pakistan"),
        ("The Chinese Embassy in Pakistan urged a thorough investigation into the attack.", "Chinese Embassy in Pakistan"),
        ("The Chinese Embassy in Pakistan warned its citizens not to travel outside Karachi.", "Chinese Embassy in Pakistan"),
        ("The Ministry of Interior established a Special Security Division for the corridor.", "Ministry of Interior"),
        ("Police fired water cannons at the marchers outside the port of Gwadar.", "Police"),
        ("Police commandos guarded the town and stationed water cannons at the gates of the zone.", "Police commandos"),
        ("The Chinese Embassy in Pakistan activated its emergency response mechanism.", "Chinese Embassy in Pakistan"),
        ("The Chinese Embassy in Kenya urged Chinese companies to tighten security.", "Chinese Embassy in Kenya"),
        ("The Myanmar military declared martial law in two townships of Yangon.", "Myanmar military"),
    ],
)
def test_security_measure_triggers(sentence: str, actor: str):
    measure = one(extract(sentence), "SECURITY_MEASURE", sentence)
    assert arg(measure, "actor") == actor


@pytest.mark.parametrize(
    "sentence",
    [
        "China urged Kenya to ensure the security of its citizens and companies.",
        "The Chinese Embassy called on Pakistan to conduct a thorough investigation into the attack.",
        "The foreign ministry asked the Kenyan government to strengthen security for Chinese workers.",
    ],
)
def test_asking_another_state_to_act_is_no_measure_of_ones_own(sentence: str):
    assert of_type(extract(sentence), "SECURITY_MEASURE") == []


def test_security_measure_is_dated_by_its_paragraph():
    text = "Gunmen attacked a convoy near Gwadar on Sunday. Police tightened security around the port."
    measure = one(extract(text), "SECURITY_MEASURE", "Police tightened security around the port.")
    assert arg(measure, "date") == "2024-03-24"


def test_each_company_that_halted_work_took_its_own_measure():
    """The parser reads the second clause's subject into the first clause's place phrase; the name just
    before the second clause's auxiliary is still who stopped work."""
    text = (
        "An official said that since Wednesday, China Gezhouba Group has halted work on the Dasu dam in the "
        "province and Power China has stopped work on the Diamer Bhasha dam."
    )
    actors = {arg(e, "actor") for e in of_type(extract(text), "SECURITY_MEASURE")}
    assert actors == {"China Gezhouba Group", "Power China"}


def test_a_company_a_report_names_later_took_the_measure():
    text = (
        "A Chinese company has halted civil operations at the Tarbela 5th Extension Hydropower Project, dismissing "
        "2,000 workers. The suspension was announced by a manager of the Power Construction Corporation of China."
    )
    measure = one(extract(text), "SECURITY_MEASURE", "halted civil operations")
    assert arg(measure, "actor") in ("Power China", "Power Construction Corporation of China")


def test_a_headlines_measure_restated_in_the_body_is_the_bodys():
    text = (
        "Myanmar police arrest two in copper mine protest\n\n"
        "Police from Salingyi township arrested two protest leaders on Wednesday for leading the protest."
    )
    actors = [arg(e, "actor") for e in of_type(extract(text), "SECURITY_MEASURE")]
    assert actors == ["Police from Salingyi township"]


@pytest.mark.parametrize(
    "text",
    [
        "After the attack, Chinese investigators arrived in Pakistan to probe the incident.",
        "Interior Minister Mohsin Naqvi met China's special investigation team in Islamabad on Friday.",
    ],
)
def test_a_states_investigators_at_work_abroad_are_its_measure(text: str):
    assert arg(one(extract(text), "SECURITY_MEASURE", text.rstrip(".")), "actor") == "China"


def test_what_investigators_say_is_no_measure():
    assert of_type(extract("Pakistani investigators said the bomb weighed 20 kilograms."), "SECURITY_MEASURE") == []


@pytest.mark.parametrize(
    ("text", "actor"),
    [
        ("The minister said the Balochistan government has stopped work on the Gwadar fence.", "Government of Balochistan"),
        (
            (
                "Attacks on foreigners in Sindh worry Karachi. The provincial government has established a Foreign "
                "Security Cell at the police head office."
            ),
            "Government of Sindh",
        ),
        ("Pakistan's government has tightened security around Chinese nationals.", "Government of Pakistan"),
    ],
)
def test_a_government_acts_as_the_government_of_its_state_or_province(text: str, actor: str):
    assert [arg(e, "actor") for e in of_type(extract(text), "SECURITY_MEASURE")] == [actor]


def test_arrests_are_a_measure_of_the_body_that_made_them():
    text = "Police from Salingyi township, where the mine is located, arrested two protest leaders on Wednesday."
    assert arg(one(extract(text), "SECURITY_MEASURE", text), "actor") == "Police from Salingyi township"


# --- PROTEST: opposition, marches and their leaders -------------------------------------------------------

def test_a_state_that_opposes_a_project_protests_it():
    text = "India has opposed the China-Pakistan Economic Corridor on the grounds of sovereignty."
    protest = one(extract(text), "PROTEST", text)
    assert (arg(protest, "actor"), arg(protest, "target"), arg(protest, "form")) == (
        "India", "China-Pakistan Economic Corridor", "protest"
    )


def test_marchers_led_by_a_named_group_protest_with_it():
    text = "Thousands of villagers led by the Joint Opposition marched against the Zorvan Kettle Motorway on Sunday."
    protest = one(extract(text), "PROTEST", text)
    assert (arg(protest, "actor"), arg(protest, "target")) == ("Joint Opposition", "Zorvan Kettle Motorway")


def test_marchers_who_name_no_one_protest_with_the_articles_organiser():
    text = (
        "Hundreds of farmers marched against the Zorvan Kettle Motorway in Gwadar on Sunday. They want their land back, "
        "said Tavish Orrenby, one of the organisers."
    )
    protest = one(extract(text), "PROTEST", "farmers marched against the Zorvan Kettle Motorway")
    assert (arg(protest, "actor"), arg(protest, "target")) == ("Tavish Orrenby", "Zorvan Kettle Motorway")
    assert (arg(protest, "location"), arg(protest, "date")) == ("Gwadar", "2024-03-24")


def test_what_marchers_oppose_may_be_a_clause():
    text = (
        "Villagers marched against what they call a plan to seize farmland for an industrial zone. "
        "Tavish Orrenby, one of the march organizers, spoke to reporters."
    )
    protest = one(extract(text), "PROTEST", "Villagers marched against what they call")
    assert "industrial zone" in arg(protest, "target")


def test_opposing_projects_in_a_programme_targets_the_programme():
    text = "India firmly and consistently opposes projects in the so-called CPEC, which are in Indian territory."
    protest = one(extract(text), "PROTEST", text)
    assert (arg(protest, "actor"), arg(protest, "target")) == ("India", "China-Pakistan Economic Corridor")


def test_demonstrating_a_commitment_is_no_protest():
    text = "China and Colombia signed a cooperation plan, demonstrating the two countries' commitment to their ties."
    assert of_type(extract(text), "PROTEST") == []


def test_the_state_of_unnamed_activists_is_not_who_protested():
    text = "NAIROBI, Kenya (AP) \u2014 Kenyan activists on Tuesday protested the plans for a coal plant near Lamu."
    actors = [arg(e, "actor") for e in of_type(extract(text), "PROTEST")]
    assert "Kenya" not in actors and "Nairobi" not in actors


def test_according_to_a_person_is_their_statement():
    text = "Zambia reached a deal to restructure $1.5 billion in debt, according to Finance Minister Situmbeko Musokotwane."
    assert [arg(e, "speaker") for e in of_type(extract(text), "STATEMENT")] == ["Situmbeko Musokotwane"]


def test_a_speaker_named_after_an_inverted_verb_of_saying_speaks_whatever_the_parse():
    text = "\u201cThe mega dam is not for us,\u201d said lead protester Steven Naw Awng."
    assert [arg(e, "speaker") for e in of_type(extract(text), "STATEMENT")] == ["Steven Naw Awng"]


def test_according_to_a_report_is_no_statement():
    text = "According to the report, the attack was the third on Chinese projects in a week."
    assert of_type(extract(text), "STATEMENT") == []


def test_a_negated_verb_of_saying_is_no_statement():
    text = "The Export-Import Bank of China has not confirmed whether it will approve the loan."
    assert of_type(extract(text), "STATEMENT") == []


def test_a_pronoun_speaker_goes_on_from_the_main_clause_of_the_sentence_before():
    text = (
        "Prime Minister Viktor Orban recalled that he and Xi Jinping had agreed to strengthen ties in 2009, when "
        "Xi Jinping was vice president. Fifteen years later they signed 18 agreements, he said."
    )
    statement = one(extract(text), "STATEMENT", "he said")
    assert arg(statement, "speaker") == "Viktor Orban"


# --- STATEMENT: affirming, remarking, making remarks ------------------------------------------------------

@pytest.mark.parametrize(
    "sentence",
    [
        "Zorvan Kettleby affirmed that the work would go on.",
        "Zorvan Kettleby reaffirmed the commitment of the government to the project.",
        "The issue has now been addressed, Zorvan Kettleby remarked.",
        "Zorvan Kettleby made the remarks at a press conference in Islamabad.",
        "Zorvan Kettleby issued a statement on the attack on Monday.",
        "Zorvan Kettleby delivered a speech at the forum on Monday.",
    ],
)
def test_statement_triggers(sentence: str):
    statement = one(extract(f"Minister Zorvan Kettleby visited the site. {sentence}"), "STATEMENT", sentence)
    assert arg(statement, "speaker") == "Zorvan Kettleby"


def test_a_first_name_after_a_title_is_the_person():
    text = "Prime Minister Zorvan Kettleby met the envoy. PM Zorvan thanked the envoy for the welcome on Monday."
    statement = one(extract(text), "STATEMENT", "PM Zorvan thanked")
    assert arg(statement, "speaker") == "Zorvan Kettleby"


@pytest.mark.parametrize(
    "text",
    [
        "President Xi Jinping of China pledged 360 billion yuan to Africa over three years.",
        "China will provide 360 billion yuan in financial support to Africa over three years.",
        # the region after a preposition of the money's noun, not of the verb
        "China pledged 360 billion yuan in financial assistance to countries in Africa on Tuesday.",
    ],
)
def test_pledges_of_support_are_financing(text: str):
    fin = one(extract(text), "FINANCING", text)
    assert (arg(fin, "funder"), arg(fin, "recipient"), arg(fin, "instrument")) == ("China", "Africa", "other")


@pytest.mark.parametrize(
    "text",
    [
        "The Export-Import Bank of China agreed to provide a soft loan amounting to USD 640 million to Kenya.",
        "The Chinese government is willing to provide financial support amounting to 36 billion yuan to Kenya.",
    ],
)
def test_a_verb_that_measures_the_money_leaves_the_direction_to_the_verb_above(text: str):
    events = extract("China and Kenya are old friends. " + text)
    fin = one(events, "FINANCING", text)
    assert arg(fin, "recipient") == "Kenya"
    assert arg(fin, "funder") in ("Export-Import Bank of China", "China")


@pytest.mark.parametrize(
    "text",
    [
        "Malaysia agreed to proceed with the railway, financed by a loan, at a cost of RM44 billion.",
        "Beijing is financing infrastructure projects valued at about USD 60 billion across Pakistan.",
        "The line was completed with a loan at a price of EUR 937 million.",
        # an amount before the noun it prices, past the phrase's other modifiers
        "The US$ 2.4-billion, 900-megawatt project is owned by China's State Power Investment Corporation and financed by a loan.",
        "A Chinese firm builds the road under a USD 1.2 billion contract financed by a loan from Beijing.",
    ],
)
def test_an_amount_that_prices_something_is_no_financing(text: str):
    assert of_type(extract(text), "FINANCING") == []


@pytest.mark.parametrize("title", ["PM", "prime minister", "minister"])
def test_the_title_refers_to_the_person_who_holds_it(title: str):
    text = f"Prime Minister Zorvan Kettleby arrived in Beijing on Monday. The {title} said the corridor would grow."
    statement = one(extract(text), "STATEMENT", f"The {title} said")
    assert arg(statement, "speaker") == "Zorvan Kettleby"


@pytest.mark.parametrize(
    "text",
    [
        "China on Tuesday once again asked its nationals to leave Afghanistan.",
        "China on Tuesday urged Chinese businesses and workers to evacuate the border areas.",
        "China on Tuesday warned workers to avoid travelling outside the capital.",
    ],
)
def test_advice_to_a_states_own_people_abroad_is_a_security_measure(text: str):
    measure = one(extract(text), "SECURITY_MEASURE", text)
    assert arg(measure, "actor") == "China"


def test_asking_for_something_else_is_no_security_measure():
    assert of_type(extract("China on Tuesday asked its partners to invest more in ports."), "SECURITY_MEASURE") == []


def test_amounts_that_restate_a_loan_make_no_loans_of_their_own():
    text = (
        "Serbia received a EUR 200 million loan from the Export-Import Bank of China, worth a total of "
        "USD 220 million (EUR 199.9 million), on Tuesday."
    )
    assert [arg(e, "value") for e in of_type(extract(text), "FINANCING")] == [200_000_000]


def test_a_tranche_and_its_facility_are_two_amounts():
    text = "Pakistan received $500 million from the Bank of China as part of a $1.3 billion rollover facility."
    assert sorted(arg(e, "value") for e in of_type(extract(text), "FINANCING")) == [500_000_000, 1_300_000_000]


@pytest.mark.parametrize(
    "text",
    [
        "“Projects must respect sovereignty,” said Spokesperson for the Ministry of External Affairs Zorvan Kettleby.",
        "The Chairman, Nigerian Railway Corporation Board, Zorvan Kettleby, stated that the line was finished.",
    ],
)
def test_an_official_named_with_his_body_speaks_and_the_body_does_not(text: str):
    assert [arg(e, "speaker") for e in of_type(extract(text), "STATEMENT")] == ["Zorvan Kettleby"]


@pytest.mark.parametrize(
    "text",
    [
        (
            "Italian Prime Minister Giuseppe Conte and Chinese President Xi Jinping witnessed the signing of a "
            "memorandum in Rome on Saturday."
        ),
        (
            "The signing ceremony was witnessed by Italian Prime Minister Giuseppe Conte and Chinese President Xi "
            "Jinping in Rome on Saturday."
        ),
    ],
)
def test_two_states_leaders_witnessing_a_signing_together_met(text: str):
    meeting = one(extract(text), "MEETING", "witnessed")
    assert set(arg(meeting, "participants")) == {"Giuseppe Conte", "Xi Jinping"}


def test_two_officials_of_one_side_witnessing_a_signing_did_not_meet():
    text = (
        "The ceremony was witnessed by Pakistani Finance Minister Zorvan Kettleby and Pakistani Planning "
        "Minister Ali Varun."
    )
    assert of_type(extract(text), "MEETING") == []


@pytest.mark.parametrize(
    "text",
    [
        "In 2019, China Merchants Port Holdings purchased 60% of the shares in the terminal from the Sri Lanka Ports Authority.",
        "China Merchants Port Holdings acquired 67 percent of the port under the deal with the Sri Lanka Ports Authority in 2019.",
    ],
)
def test_a_purchase_from_a_named_seller_is_an_agreement_between_buyer_and_seller(text: str):
    agreement = one(extract(text), "AGREEMENT", text)
    assert set(arg(agreement, "parties")) == {"China Merchants Port Holdings", "Sri Lanka Ports Authority"}


def test_a_purchase_from_no_named_seller_is_no_agreement():
    text = "China Merchants Port Holdings bought new cranes for the terminal in 2019."
    assert of_type(extract(text), "AGREEMENT") == []


@pytest.mark.parametrize("adjective", ["Chinese-funded", "China-financed"])
def test_a_compound_adjective_names_the_funding_state(adjective: str):
    text = f"Nepal opened the $216 million {adjective} airport in Pokhara, which China hailed."
    financing = one(extract(text), "FINANCING", text)
    assert arg(financing, "funder") == "China"


def test_a_known_project_named_as_its_facility_still_moves():
    text = "China Gezhouba Group has halted work on the Dasu Dam since Wednesday."
    project = one(extract(text), "PROJECT", text)
    assert (arg(project, "name"), arg(project, "status")) == ("Dasu Hydropower Project", "suspended")


@pytest.mark.parametrize("verb", ["explained", "declared", "indicated"])
def test_more_verbs_of_saying(verb: str):
    text = f"Finance Minister Zorvan Kettleby {verb} that the loan terms had been eased."
    assert [arg(e, "speaker") for e in of_type(extract(text), "STATEMENT")] == ["Zorvan Kettleby"]


def test_the_possessor_of_a_speaker_is_not_a_speaker():
    text = "President William Ruto's economic adviser David Ndii explained that the swap cuts dollar debt."
    assert [arg(e, "speaker") for e in of_type(extract(text), "STATEMENT")] == ["David Ndii"]


@pytest.mark.parametrize(
    "text",
    [
        "Montenegro has a EUR 687 million loan that was provided by China for the highway.",
        "Argentina's dams represent an investment (USD 4.7 billion) financed by China.",
    ],
)
def test_a_participle_after_the_money_names_its_funder(text: str):
    financing = one(extract(text), "FINANCING", text)
    assert arg(financing, "funder") == "China"
