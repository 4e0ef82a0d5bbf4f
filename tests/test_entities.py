"""Entities: grouping of mentions, capitals, demonyms, headlines, roles, ORG kinds and evidence.

Every sentence here is written for the test; names that are not in the knowledge files are made up.
"""

from __future__ import annotations

import pytest

from beltwatch.extract import extract_article
from beltwatch.extract.nlp import load_nlp
from beltwatch.knowledge import load_knowledge
from beltwatch.model import Article, ArticleMeta, Entity


@pytest.fixture(scope="module", autouse=True)
def nlp():
    return load_nlp()


def extract(text: str, published: str = "2024-03-30") -> list[Entity]:
    return extract_article(
        Article(id="t", text=text, meta=ArticleMeta(published=published, language="en"))
    ).entities


def named(entities: list[Entity], name: str) -> Entity:
    found = [e for e in entities if e.name == name]
    assert len(found) == 1, f"{name!r} in {[(e.name, e.type, e.aliases) for e in entities]}"
    return found[0]


def names(entities: list[Entity]) -> list[str]:
    return [e.name for e in entities]


def surfaces(entities: list[Entity]) -> set[str]:
    return {m.text for e in entities for m in e.mentions}


# --- one entity per real-world thing ---------------------------------------------------------------


def test_surname_joins_the_full_name():
    entities = extract(
        "Prime Minister Shehbaz Sharif arrived in Beijing on Tuesday for a three-day visit. "
        "Sharif said the corridor would be expanded."
    )
    sharif = named(entities, "Shehbaz Sharif")
    assert sharif.type == "PERSON"
    assert "Sharif" in sharif.aliases
    assert [m.text for m in sharif.mentions] == ["Shehbaz Sharif", "Sharif"]
    assert "Sharif" not in names(entities)


def test_surname_of_an_unknown_person_joins_the_full_name():
    entities = extract(
        "Junaid Akhtar Mehmood, a senior engineer, inspected the tunnel on Monday. Mehmood said work would resume."
    )
    person = named(entities, "Junaid Akhtar Mehmood")
    assert person.aliases == ["Mehmood"]
    assert len([e for e in entities if e.type == "PERSON"]) == 1


def test_surname_shared_by_two_people_joins_neither():
    entities = extract(
        "Shehbaz Sharif and Nawaz Sharif attended the ceremony in Lahore. Sharif said the corridor would bring jobs."
    )
    assert "Sharif" not in named(entities, "Shehbaz Sharif").aliases
    assert "Sharif" not in named(entities, "Nawaz Sharif").aliases


def test_spelling_variant_joins_the_full_name():
    entities = extract(
        "Caretaker prime minister Anwar-ul-Haq Kakar met Chinese investors on Monday. "
        "Kakkar later told reporters that the visit had been a success."
    )
    kakar = named(entities, "Anwar-ul-Haq Kakar")
    assert "Kakkar" in kakar.aliases
    assert "Kakkar" not in names(entities)


def test_spelling_variant_of_an_unknown_surname_joins_the_full_name():
    entities = extract(
        "Sohail Qureshi, a site engineer, inspected the tunnel on Monday. Qureshy said the work was on schedule."
    )
    person = named(entities, "Sohail Qureshi")
    assert "Qureshy" in person.aliases
    assert "Qureshy" not in names(entities)


def test_similar_surnames_of_two_people_stay_apart():
    entities = extract(
        "Fawad Chaudhry and Zahid Hafeez Chaudhri briefed reporters in Islamabad. Chaudhri said an inquiry had begun."
    )
    assert "Chaudhri" in named(entities, "Zahid Hafeez Chaudhri").aliases
    assert "Chaudhri" not in named(entities, "Fawad Chaudhry").aliases


def test_bracketed_acronym_becomes_an_alias():
    entities = extract(
        "The Frontier Works Organisation (FWO) began repairs on the highway. FWO staff said the work would take a month."
    )
    fwo = named(entities, "Frontier Works Organisation")
    assert fwo.type == "ORG"
    assert "FWO" in fwo.aliases
    assert [m.text for m in fwo.mentions] == ["Frontier Works Organisation", "FWO", "FWO"]
    assert "FWO" not in names(entities)


@pytest.mark.parametrize(
    ("text", "main_line"),
    [
        ("Colombia's Metro Linea 1 consortium (ML1) began works in Bogota on Sunday.", False),
        ("Pakistan and China will finance ML1 together, officials in Islamabad said.", True),
    ],
)
def test_a_projects_acronym_is_that_project_only_where_its_country_is_named(text: str, main_line: bool):
    assert ("Main Line-1" in names(extract(text))) is main_line


def test_bracketed_acronym_of_an_unknown_organisation_becomes_an_alias():
    entities = extract(
        "The Karakoram Mining Authority (KMA) issued a tender on Monday. KMA officials said bids would close soon."
    )
    kma = named(entities, "Karakoram Mining Authority")
    assert kma.type == "ORG"
    assert kma.aliases == ["KMA"]
    assert len(kma.mentions) == 3
    assert "KMA" not in names(entities)


# --- capitals --------------------------------------------------------------------------------------


def test_capitals_used_for_governments_are_aliases_of_their_countries():
    entities = extract("Islamabad and Beijing agreed to expand cooperation on the corridor.")
    pakistan = named(entities, "Pakistan")
    china = named(entities, "China")
    assert (pakistan.type, pakistan.country, pakistan.aliases) == ("GPE", "PK", ["Islamabad"])
    assert (china.type, china.country, china.aliases) == ("GPE", "CN", ["Beijing"])
    assert "Islamabad" not in names(entities) and "Beijing" not in names(entities)


def test_capital_after_a_locative_preposition_is_a_place():
    entities = extract("The delegation travelled to Beijing last week for talks.")
    beijing = named(entities, "Beijing")
    assert (beijing.type, beijing.country) == ("GPE", "CN")
    assert "China" not in names(entities)


def test_capital_as_government_and_as_place_in_one_article():
    entities = extract(
        "Islamabad and Beijing agreed to expand cooperation. Later, the minister travelled to Beijing for talks."
    )
    assert "Beijing" in named(entities, "China").aliases
    beijing = named(entities, "Beijing")
    assert [m.text for m in beijing.mentions] == ["Beijing"]
    assert beijing.mentions[0].start > named(entities, "China").mentions[0].start


def test_capital_with_a_possessive_is_its_government():
    entities = extract("Beijing's account of the talks differed from the one given in Lahore.")
    assert "Beijing" in named(entities, "China").aliases


@pytest.mark.parametrize(
    "text",
    [
        "The central bank made an advance payment to Beijing this week.",
        "Rome communicated the decision to Beijing three days ago.",
        "Gunmen attacked engineers on their way to the Beijing-financed port.",
    ],
)
def test_a_capital_given_or_told_something_or_financing_is_its_government(text: str):
    assert "Beijing" in named(extract(text), "China").aliases


@pytest.mark.parametrize(
    "text",
    [
        "The minister flew to Beijing on Monday for talks.",
        "The line runs from Mombasa to Nairobi and on to Naivasha.",
    ],
)
def test_a_capital_gone_to_is_the_city(text: str):
    assert named(extract(text), "Nairobi" if "Nairobi" in text else "Beijing").type == "GPE"


@pytest.mark.parametrize("text", ["Beijing's relations with the West have soured.", "Trade rose in South and East."])
def test_a_lone_compass_word_is_no_entity(text: str):
    assert not {"West", "South", "East"} & set(names(extract(text)))


def test_dateline_capital_is_a_place():
    entities = extract("ISLAMABAD: Officials met on Monday to review the corridor in Islamabad.")
    islamabad = named(entities, "Islamabad")
    assert islamabad.type == "GPE"
    assert "Pakistan" not in names(entities)


# --- demonyms and headlines ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Chinese and Pakistani engineers worked side by side at the site.",
        "The Chinese were not consulted, a Pakistani official said.",
        "Sri Lankan officials and Kenyan lawmakers visited the Indonesian port.",
    ],
)
def test_demonyms_are_not_entities(text: str):
    entities = extract(text)
    assert not {"Chinese", "Pakistani", "Sri Lankan", "Kenyan", "Indonesian"} & set(names(entities))
    assert not {"China", "Pakistan", "Sri Lanka", "Kenya", "Indonesia"} & set(names(entities))


@pytest.mark.parametrize(
    ("headline", "body", "people"),
    [
        (
            "Iqbal Says Corridor Will Create Jobs, Slams Critics",
            "Planning minister Ahsan Iqbal said on Friday that the corridor would create jobs.",
            ["Ahsan Iqbal"],
        ),
        (
            "Zardari Hails Xi As Leaders Vow Deeper Ties",
            "President Asif Ali Zardari praised Xi Jinping at a dinner on Sunday.",
            ["Asif Ali Zardari", "Xi Jinping"],
        ),
        (
            "Bugti Meets Envoy, Pledges Foolproof Security For Workers",
            "Chief Minister Sarfraz Bugti met a Chinese diplomat in Quetta on Monday.",
            ["Sarfraz Bugti"],
        ),
    ],
)
def test_title_case_headline_gives_no_junk_people(headline: str, body: str, people: list[str]):
    entities = extract(f"{headline}\n\n{body}")
    assert sorted(e.name for e in entities if e.type == "PERSON") == sorted(people)
    headline_verbs = {"Says", "Slams", "Hails", "Vow", "Meets", "Pledges", "Will", "Create"}
    for entity in entities:
        assert not headline_verbs & set(entity.name.split()), entity.name
        assert not headline_verbs & {w for a in entity.aliases for w in a.split()}, entity.aliases


@pytest.mark.parametrize(
    "text",
    [
        "Caretaker Prime Minister Anwar-ul-Haq Kakar met Chinese investors in Beijing on Monday.",
        "Caretaker Prime Minister Anwar-ul-Haq Kakar met investors. Kakkar later told reporters it went well.",
        "Ports and Shipping Minister Mahinda Samarasinghe met investors. He said the port was ready.",
    ],
)
def test_words_of_a_title_are_not_organisations(text: str):
    entities = extract(text)
    assert [e.type for e in entities if e.type not in ("GPE",)] == ["PERSON"], [
        (e.name, e.type) for e in entities
    ]
    assert not {"Caretaker", "Ports", "Ports and Shipping"} & set(names(entities))


@pytest.mark.xfail(
    reason="the title is read back from the name only through compound/amod tokens, so it stops at 'and': "
    "the role is 'Shipping Minister'",
    strict=True,
)
def test_role_from_a_coordinated_title():
    entities = extract("Ports and Shipping Minister Mahinda Samarasinghe met investors in Colombo on Monday.")
    assert named(entities, "Mahinda Samarasinghe").role == "Ports and Shipping Minister"


def test_sentence_initial_title_word_is_not_an_organisation():
    entities = extract("Interior Minister Mohsin Naqvi visited the site on Monday.")
    assert names(entities) == ["Mohsin Naqvi"]


# --- roles and countries ---------------------------------------------------------------------------


def test_role_from_a_title_before_the_name():
    entities = extract("Interior Minister Mohsin Naqvi visited the tunnel site near Dasu on Monday.")
    naqvi = named(entities, "Mohsin Naqvi")
    assert naqvi.role == "Interior Minister"
    assert naqvi.country == "PK"


def test_role_from_a_title_before_an_unknown_name():
    entities = extract("Project director Kamran Yousaf said the tunnel would be finished by June.")
    person = named(entities, "Kamran Yousaf")
    assert person.role.lower() == "project director"


def test_role_from_an_apposition():
    entities = extract(
        "Chakar Baloch, a deputy superintendent of police in Gwadar, said the road had been cleared."
    )
    person = named(entities, "Chakar Baloch")
    assert person.type == "PERSON"
    assert person.role.startswith("deputy superintendent of police")
    assert "Gwadar" in person.role
    assert "Gwadar" in names(entities)


def test_title_of_two_words_before_an_unknown_name_is_not_part_of_the_name():
    entities = extract("Deputy Superintendent Chakar Baloch said the road had been cleared.")
    person = named(entities, "Chakar Baloch")
    assert person.role == "Deputy Superintendent"


@pytest.mark.parametrize(
    "text",
    [
        "Pakistan's planning minister, Farooq Haider, said the project would be completed next year.",
        "Farooq Haider, Pakistan's planning minister, said the project would be completed next year.",
    ],
)
def test_role_with_a_possessive_country(text: str):
    person = named(extract(text), "Farooq Haider")
    assert person.role == "planning minister of Pakistan"
    assert person.country == "PK"


def test_role_with_a_country_for_a_known_official():
    ahsan = named(
        extract("Pakistan's planning minister, Ahsan Iqbal, said the review would end soon."), "Ahsan Iqbal"
    )
    assert "Pakistan" in ahsan.role
    assert ahsan.country == "PK"


def test_role_with_a_demonym_gives_the_country():
    person = named(extract("Chinese Ambassador Liang Wei said the project was on track."), "Liang Wei")
    assert person.role == "Ambassador of China"
    assert person.country == "CN"


def test_role_of_a_known_official_without_a_title_comes_from_knowledge():
    person = named(extract("Ahsan Iqbal said the review would end soon."), "Ahsan Iqbal")
    assert person.role == "Minister for Planning, Development and Special Initiatives of Pakistan"


# --- organisation kinds ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind", "country"),
    [
        ("China Road and Bridge Corporation", "company", "CN"),
        ("Balochistan Liberation Army", "armed_group", "PK"),
        ("Xinhua", "media", "CN"),
        ("State Bank of Pakistan", "government", "PK"),
        ("Asian Infrastructure Investment Bank", "multilateral", None),
        ("China Development Bank", "lender", "CN"),
        ("Frontier Works Organisation", "other", "PK"),
    ],
)
def test_org_kind_from_knowledge(name: str, kind: str, country: str | None):
    org = named(extract(f"Officials said the {name} was named in the report."), name)
    assert (org.type, org.kind, org.country) == ("ORG", kind, country)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Karakoram Cement Company", "company"),
        ("Margalla Investment Bank", "lender"),
        ("Margalla Times", "media"),
        ("Ravi Valley Development Authority", "government"),
        ("Kirthar Liberation Front", "armed_group"),
        ("Potohar Institute of Technology", "other"),
    ],
)
def test_org_kind_from_the_words_of_an_unknown_name(name: str, kind: str):
    org = named(extract(f"Officials said the {name} was named in the report."), name)
    assert (org.type, org.kind) == ("ORG", kind)


@pytest.mark.parametrize(
    ("text", "name", "kind"),
    [
        ("The chairman of Cosco Shipping said the terminal would grow. Cosco Shipping runs the pier.",
         "Cosco Shipping", "company"),
        ("Officer Saiduzzaman Chowdhury confirmed the deaths, reports Bangla Tribune.", "Bangla Tribune", "media"),
        ("Workers of Zhong Ji Mining left the site after the clash.", "Zhong Ji Mining", "company"),
    ],
)  # fmt: skip
def test_a_name_ending_in_an_organisation_word_is_no_person(text: str, name: str, kind: str):
    org = named(extract(text), name)
    assert (org.type, org.kind) == ("ORG", kind)


@pytest.mark.parametrize(
    "name",
    ["Gilgit Development Authority", "Gwadar Fishermen Alliance"],
)
def test_unknown_organisation_named_after_a_known_place_stays_one_organisation(name: str):
    entities = extract(f"The {name} said on Monday that it would review the plan.")
    org = named(entities, name)
    assert org.type == "ORG"
    assert names(entities) == [name]


def test_state_bank_of_an_unknown_country_is_government():
    org = named(
        extract("Officials said the State Bank of Kirthar was named in the report."), "State Bank of Kirthar"
    )
    assert org.kind == "government"


# --- evidence --------------------------------------------------------------------------------------


def test_mentions_carry_their_sentence_as_evidence():
    text = (
        "Prime Minister Shehbaz Sharif met Xi Jinping in Beijing on Tuesday.\n\n"
        "The Karakoram Cement Company (KCC) will supply the Main Line-1 railway. Sharif said KCC had won the bid."
    )
    entities = extract(text)
    assert entities
    for entity in entities:
        for m in entity.mentions:
            assert text[m.start : m.end] == m.text
            assert m.text in m.evidence.text
            assert text[m.evidence.start : m.evidence.end] == m.evidence.text
            assert m.evidence.start <= m.start and m.end <= m.evidence.end
            assert "\n" not in m.evidence.text.strip(), "evidence is one sentence, not the paragraph"
    sharif = named(entities, "Shehbaz Sharif")
    assert [m.evidence.text.strip() for m in sharif.mentions] == [
        "Prime Minister Shehbaz Sharif met Xi Jinping in Beijing on Tuesday.",
        "Sharif said KCC had won the bid.",
    ]
    assert [m.text for m in named(entities, "Karakoram Cement Company").mentions] == [
        "Karakoram Cement Company",
        "KCC",
        "KCC",
    ]


def test_entities_come_in_order_of_first_mention():
    entities = extract("Xi Jinping met Shehbaz Sharif in Beijing. The Silk Road Fund was also discussed.")
    starts = [e.mentions[0].start for e in entities]
    assert starts == sorted(starts)
    assert names(entities) == ["Xi Jinping", "Shehbaz Sharif", "Beijing", "Silk Road Fund"]


# --- facility and project names by their head word --------------------------------------------------

def _infrastructure():
    from beltwatch.knowledge import load_knowledge

    return load_knowledge().infrastructure


@pytest.mark.parametrize("head", sorted(_infrastructure().heads))
def test_every_infrastructure_head_names_a_facility_or_project(head: str):
    """Each head word of infrastructure.yaml, after a made-up proper name, gives that name its type."""
    joined = head in _infrastructure().joined_only
    name = f"Zorvan{'-' if joined else ' '}Kettle {head.title() if head.islower() else head}"
    entities = extract(f"Officials said work on the {name} would go on this year.")
    found = named(entities, name)
    assert found.type == _infrastructure().type_of(head)


@pytest.mark.parametrize(
    ("text", "name", "etype"),
    [
        ("The Port of Zorvan reopened on Monday after a strike.", "Port of Zorvan", "FAC"),
        ("Work on the Zorvan-Kettle rail line began in March.", "Zorvan-Kettle rail line", "PROJECT"),
        ("The Kettle Dam Project was approved by the cabinet.", "Kettle Dam Project", "PROJECT"),
        ("Lenders backed the New Zorvan International Airport last year.", "New Zorvan International Airport", "FAC"),
        ("Trains run on the Zorvan – Kettle section since Monday.", "Zorvan – Kettle section", "PROJECT"),
    ],
)
def test_infrastructure_name_forms(text: str, name: str, etype: str):
    assert named(extract(text), name).type == etype


@pytest.mark.parametrize(
    "text",
    [
        "The Standard Gauge Railway opened in 2017.",  # generic words name nothing
        "Chinese Power Plant workers went on strike.",  # a demonym is no name
        "The Belt and Road Initiative turned ten.",
        "China revived the ancient Silk Road trade routes.",  # a "road" needs a dash-joined name
        "The contract went to China Road and Bridge Corporation on Monday.",  # a firm, not a road
        "The Zorvan Line was delayed again.",  # a "line" needs a dash-joined name
    ],
)
def test_generic_infrastructure_words_name_nothing(text: str):
    assert not [
        e for e in extract(text) if e.type in ("FAC", "PROJECT") and e.name.endswith(("Railway", "Plant", "Road", "Line"))
    ]


# --- titles, brackets and fragments ------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "person"),
    [
        ("DIG South Marhaz Qalat Odhano said three attackers were killed.", "Marhaz Qalat Odhano"),
        ("In a call with reporters on the evening of the blast, Sindh IG Varun Tesh Maharaj confirmed the toll.", "Varun Tesh Maharaj"),
    ],
)
def test_abbreviated_offices_are_titles_not_names(text: str, person: str):
    entities = extract(text)
    assert named(entities, person).type == "PERSON"
    assert not {"DIG", "IG", "DIG South"} & set(names(entities))


def test_an_office_is_no_organisation():
    entities = extract("The Minister of Transportation, Zorvan Kettleby, inspected the line on Monday.")
    assert "Minister of Transportation" not in names(entities)


def test_half_a_bracket_is_no_part_of_a_name():
    entities = extract("Police guarded the Zorvan Protection Unit (ZPU) headquarters in Karachi on Monday.")
    assert not [n for n in names(entities) if "(" in n or ")" in n]


def test_a_known_embassy_placed_elsewhere_is_another_embassy():
    """The knowledge files' bare "Chinese Embassy" is the one in Pakistan; placed in Myanmar, it is not."""
    entities = extract("Two factories were burned, according to the Chinese Embassy in Myanmar on Monday.")
    assert named(entities, "Chinese Embassy in Myanmar").type == "ORG"
    assert "Chinese Embassy in Pakistan" not in names(entities)


def test_a_name_ends_in_a_name_word():
    entities = extract("Xi Jinping met the envoy at the Zorvan Hall of the Kettle in central Beijing on Monday.")
    assert not [n for n in names(entities) if n.endswith((" in", " central"))]


def test_an_office_of_a_place_named_elsewhere_is_no_part_of_the_name():
    entities = extract(
        "The bus was hit on the road to Kharan. Deputy Commissioner Kharan Zorvan Ali Kettleby confirmed that five "
        "people were hurt."
    )
    assert named(entities, "Zorvan Ali Kettleby").type == "PERSON"
    assert named(entities, "Kharan").type == "GPE"


def test_a_portfolio_after_minister_is_no_organisation():
    entities = extract(
        "Federal Minister for Planning & Development Ahmed Raza Khan opened the road, and the Minister of "
        "Construction & Transport Bence Kovacs said the line was ready."
    )
    assert named(entities, "Ahmed Raza Khan").type == "PERSON"
    assert not {"Planning & Development", "Construction & Transport"} & set(names(entities))


def test_a_known_bank_at_the_end_of_a_longer_name_is_another_bank():
    entities = extract("Pakistan received a loan from the Commercial Bank of China on Monday.")
    assert named(entities, "Commercial Bank of China").kind == "lender"
    assert "Bank of China" not in names(entities)


def test_a_dash_left_by_a_line_break_keeps_a_known_name():
    entities = extract("The Export- Import Bank of China will lend the money, the ministry said.")
    assert named(entities, "Export-Import Bank of China").type == "ORG"
    assert "Bank of China" not in names(entities)


@pytest.mark.parametrize(
    "text",
    [
        "Funds for the port came from the Export – Import Bank of China, the ministry said.",
        "Funds for the port came from the China Export–Import Bank, the ministry said.",
        "The deal was signed on behalf of the Export – Import (EXIM) Bank of China in Lusaka.",
    ],
)
def test_dash_and_acronym_variants_of_a_lenders_name_are_that_lender(text: str):
    entities = extract(text)
    assert named(entities, "Export-Import Bank of China").kind == "lender"
    assert "Bank of China" not in names(entities)


def test_a_name_cut_off_at_the_end_of_a_text_is_no_name():
    entities = extract("The pact was signed by Foreign Minister Zorvan Kettleby and the transport minister Marhaz Q")
    assert named(entities, "Zorvan Kettleby").type == "PERSON"
    assert not [n for n in names(entities) if n.startswith("Marhaz")]


def test_a_known_name_printed_with_a_space_for_its_dash_is_that_name():
    entities = extract("The corridor runs through Pakistan occupied Kashmir, the ministry in New Delhi said.")
    assert "Pakistan occupied Kashmir" in named(entities, "Pakistan-occupied Kashmir").aliases
    assert "Kashmir" not in names(entities)


def test_a_known_firm_at_the_start_of_a_longer_name_is_another_firm():
    entities = extract(
        "China Three Gorges South Asia Investment Limited said on Friday that the plant had reached financial "
        "close, and China Three Gorges Corporation Limited welcomed the news."
    )
    assert named(entities, "China Three Gorges South Asia Investment Limited").type == "ORG"
    assert named(entities, "China Three Gorges Corporation").type == "ORG"


def test_a_demonym_and_government_is_the_country():
    entities = extract(
        "The ambassador called on the Prime Minister to share the news of Chinese Government approving USD 2 "
        "billion for the second phase of the port."
    )
    assert "Chinese Government" in named(entities, "China").aliases
    assert "Chinese Government" not in names(entities)


@pytest.mark.parametrize("head", sorted(load_knowledge().numbered_events))
def test_a_numbered_gathering_is_an_event_named_with_its_number(head: str):
    entities = extract(f"The delegates met after the 14th National {head} of the Zorvan Workers Party in October.")
    events = [e.name for e in entities if e.type == "EVENT"]
    assert [n for n in events if n.startswith(f"14th National {head}")], [(e.name, e.type) for e in entities]


def test_known_outlets_and_regions():
    entities = extract(
        "Radio Pakistan said the force would guard the corridor, Bloomberg reported, while Islamabad raised the "
        "situation in Indian Illegally Occupied Jammu and Kashmir (IIOJK)."
    )
    assert named(entities, "Radio Pakistan").kind == "media"
    assert named(entities, "Bloomberg").kind == "media"
    assert "IIOJK" in named(entities, "Jammu and Kashmir").aliases


NO_ORGANISATIONS = {
    "Procedure": "Guards must follow the Standard Operating Procedure during every convoy.",
    "Procedures": "Guards must follow the Standard Operating Procedures during every convoy.",
    "Operations": "The army said Intelligence-Based Operations would continue in the north.",
    "Responsibility": "The firm published its first Corporate Social Responsibility report in May.",
    "Agreement": "Parliament approved the Master Project Support Agreement with the contractor.",
    "Plan": "The committee reviewed the National Action Plan on Monday.",
    "Initiative": "The minister launched the Youth Sports Initiative in Lahore.",
    "Dynasty": "The route dates back to the Western Han Dynasty.",
    "Projects": "The plant is one of the Prioritized Projects of the corridor.",
    "Countries": "He praised the role of African Countries in the talks.",
}


def test_every_head_of_no_organisation_has_a_sentence():
    assert set(NO_ORGANISATIONS) == load_knowledge().not_organisation_heads


@pytest.mark.parametrize(("head", "text"), NO_ORGANISATIONS.items())
def test_a_procedure_plan_or_agreement_is_no_organisation(head: str, text: str):
    assert not [n for n in names(extract(text)) if n.endswith(head)]


def test_the_acronym_of_a_procedure_is_no_organisation_either():
    entities = extract("The firm published its first Corporate Social Responsibility (CSRX) report in May.")
    assert not [n for n in names(entities) if "CSRX" in n or "Responsibility" in n]


def test_a_known_plan_is_still_found():
    assert named(extract("Pakistan joined the Belt and Road Initiative in 2015."), "Belt and Road Initiative")


@pytest.mark.parametrize("text", ["Guards were posted at CPEC and Non-CPEC sites.", "Ethio-Djibouti trains ran late."])
def test_the_front_of_a_compound_names_nothing(text: str):
    assert not {"Non", "Ethio"} & set(names(extract(text)))


def test_a_name_before_a_common_word_in_a_compound_is_still_named():
    entities = extract("A spokesperson for the Taliban-run administration in Kabul declined to comment.")
    assert named(entities, "Taliban").type == "ORG"


def test_the_front_of_a_longer_name_is_the_same_person():
    entities = extract(
        "The guests were welcomed by Sheikh Zorvan bin Kettle Al Marhaz, the ruler. Later Sheikh Zorvan bin "
        "Kettle thanked them."
    )
    person = named(entities, "Sheikh Zorvan bin Kettle Al Marhaz")
    assert "Sheikh Zorvan bin Kettle" in person.aliases
    assert "Sheikh Zorvan bin Kettle" not in names(entities)


def test_a_king_known_by_his_title_and_name_is_the_known_official():
    entities = extract("The delegation also called on King Salman in Riyadh on Thursday.")
    assert named(entities, "Salman bin Abdulaziz Al Saud").role == "King of Saudi Arabia"


def test_two_honorifics_before_a_name_are_no_person():
    entities = extract("Prime Minister Tun Dr Mahathir Mohamad said the refund would come within a week.")
    assert names(entities) == ["Mahathir Mohamad"]


def test_a_name_listed_with_people_is_a_person():
    entities = extract("Party leaders such as Khawaja Saad Rafique, Marriyum Aurangzeb and Ayaz Sadiq attended the rally.")
    assert {named(entities, n).type for n in ("Khawaja Saad Rafique", "Marriyum Aurangzeb", "Ayaz Sadiq")} == {"PERSON"}


def test_a_name_owning_a_government_is_a_person():
    entities = extract(
        "The deal is a flagrant contradiction of the foreign policy of Javier Milei's government. Milei has not "
        "commented."
    )
    person = named(entities, "Javier Milei")
    assert person.type == "PERSON"
    assert "Milei" in person.aliases


@pytest.mark.parametrize(
    "text", ["This Port will connect the north to the coast.", "The line will reach other regional States by 2030."]
)
def test_a_facility_or_place_word_alone_names_nothing(text: str):
    assert not {"Port", "States"} & set(names(extract(text)))


def test_two_ports_named_after_one_plural_word_are_two_ports():
    entities = extract("The firm signed management deals for the ports of Trieste and Genoa on Saturday.")
    assert named(entities, "Port of Trieste").type == "FAC"
    assert named(entities, "Port of Genoa").type == "FAC"


def test_the_ancient_silk_road_is_no_entity_and_its_programmes_are():
    entities = extract(
        "Kazakhstan was a major stop along the ancient Silk Road, and Xi proposed the Silk Road Economic Belt."
    )
    assert "Silk Road" not in names(entities)
    assert named(entities, "Silk Road Economic Belt").type == "PROJECT"


def test_a_misspelt_name_is_the_person_it_misspells():
    entities = extract(
        "Xi in Pakistan to unveil plans\n\nSharif welcomed Xi Jingping to Islamabad on Monday. A poster showed "
        "Chinese President Xi Jinping beside him."
    )
    xi = named(entities, "Xi Jinping")
    assert {"Xi Jingping", "Xi"} <= set(xi.aliases)
    assert not {"Xi", "Xi Jingping"} & set(names(entities))


def test_a_misspelt_project_name_is_the_project_it_misspells():
    entities = extract(
        "Work on the East Coast Rail Link resumed in July. The cost of the East Cost Rail Link fell by a third."
    )
    assert "East Cost Rail Link" in named(entities, "East Coast Rail Link").aliases
    assert "East Cost Rail Link" not in names(entities)


def test_a_shortened_project_name_is_the_project():
    entities = extract(
        "The Zorvan Hydropower Project entered commercial operation on Thursday. The Zorvan Project will supply "
        "power to the national grid."
    )
    assert "Zorvan Project" in named(entities, "Zorvan Hydropower Project").aliases
    assert "Zorvan Project" not in names(entities)


def test_an_organisation_of_a_place_runs_over_its_name_words_after_the_place():
    entities = extract("The Engineering Corps of Bangladesh Army will oversee the rail project.")
    assert named(entities, "Engineering Corps of Bangladesh Army").type == "ORG"
    assert "Engineering Corps of Bangladesh" not in names(entities)


def test_a_port_city_is_the_town():
    entities = extract("Gunmen stormed a hotel in the Gwadar port city on Saturday, the police said.")
    assert named(entities, "Gwadar").type == "GPE"
    assert "Gwadar Port" not in names(entities)


def test_an_unknown_port_city_is_no_port():
    entities = extract("The railway links Addis Ababa to Djibouti's Red Sea port city.")
    assert not [n for n in names(entities) if n.endswith(("port", "Port"))]


def test_a_demonym_and_a_portfolio_before_a_title_name_no_person():
    entities = extract("Bangladeshi Railway Minister Zorvan Haque said the link would open in 2024.")
    assert names(entities) == ["Zorvan Haque"]


def test_a_place_named_as_a_known_towns_own_is_a_part_of_the_town():
    entities = extract("Gunmen shot a trader in Karachi's posh Zamzama district on Friday.")
    assert named(entities, "Zamzama").type == "LOC"
    assert named(entities, "Karachi").type == "GPE"


@pytest.mark.parametrize("title", ["PM", "CM", "IG", "IGP", "DIG", "SSP", "SP", "DSP", "SHO", "DPO", "RPO", "DG", "DC", "GM", "MD"])
def test_every_abbreviated_office_is_a_title(title: str):
    entities = extract(f"In a call with reporters on the evening of Monday, {title} Varun Tesh Maharaj confirmed the toll.")
    assert named(entities, "Varun Tesh Maharaj").type == "PERSON"
    assert title not in names(entities)


@pytest.mark.parametrize("honorific", ["Mr", "Mrs", "Ms", "Dr", "Fr", "Prof", "Sir", "Engr", "Tun", "Mr.", "Dr."])
def test_an_honorific_is_no_part_of_a_name(honorific: str):
    entities = extract(f"Zorvan Kettleby spoke first. Later {honorific} Kettleby said the work would go on.")
    assert not [n for n in names(entities) if n.startswith(honorific.rstrip("."))]


@pytest.mark.parametrize(
    ("text", "facilities"),
    [
        ("Engineers inspected the Warsak and Kurram dams on Monday.", {"Warsak Dam", "Kurram Dam"}),
        ("Cargo moved through the Takoradi and Tema ports last year.", {"Takoradi Port", "Tema Port"}),
    ],
)
def test_two_facilities_sharing_one_plural_head_are_two_facilities(text: str, facilities: set[str]):
    entities = [e for e in extract(text) if e.type == "FAC"]
    assert {e.name for e in entities} == facilities
    assert all(text[m.start : m.end] == m.text for e in entities for m in e.mentions)


def test_a_plural_head_inside_a_firm_name_names_no_facility():
    text = "The Sindh Engineering and Khyber Pakhtunkhwa Economic Zones Development and Management Company met."
    assert [e for e in extract(text) if e.type == "FAC"] == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Zambia's Ministry of Finance said the talks went well.", "Ministry of Finance of Zambia"),
        (
            "Sri Lanka’s Ministry of Ports and Shipping said the talks went well.",
            "Ministry of Ports and Shipping of Sri Lanka",
        ),
    ],
)
def test_a_ministry_is_named_with_the_state_that_owns_it(text: str, name: str):
    assert [e.name for e in extract(text) if e.type == "ORG"] == [name]


def test_a_ministry_with_no_owner_named_keeps_its_name():
    assert "Ministry of Finance" in [e.name for e in extract("The Ministry of Finance said the talks went well.")]


@pytest.mark.parametrize(("short", "full"), sorted(load_knowledge().ministries.items()))
def test_every_short_ministry_name_is_spelled_out_with_its_state(short: str, full: str):
    text = f"Kenya's {short} ministry said on Monday that the Pakistani {short} ministry agreed."
    assert {e.name for e in extract(text) if e.type == "ORG"} == {
        f"Ministry of {full} of Kenya",
        f"Ministry of {full} of Pakistan",
    }


def test_a_ministry_of_no_named_state_is_no_entity_of_a_state():
    assert [e for e in extract("The foreign ministry said on Monday the talks went well.") if e.type == "ORG"] == []


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Work on the Dasu Dam was halted after the attack.", "FAC"),
        ("Work on the Dasu Hydropower Project was halted after the attack.", "PROJECT"),
        ("Work on the Dasu project was halted after the attack. The Dasu Dam is on the Indus.", "PROJECT"),
    ],
)
def test_a_known_project_is_the_kind_its_names_in_the_article_say(text: str, kind: str):
    assert named(extract(text), "Dasu Hydropower Project").type == kind


@pytest.mark.parametrize("body", sorted(load_knowledge().place_bodies))
def test_a_places_body_is_one_organisation_and_the_place_is_still_named(body: str):
    entities = extract(f"The Sindh {body} said on Monday that the guards would be checked.")
    assert named(entities, f"Sindh {body}").type == "ORG"
    assert named(entities, "Sindh").type == "GPE"


@pytest.mark.parametrize("head", sorted(load_knowledge().name_heads))
def test_a_name_from_a_place_to_an_organisations_last_word_is_one_organisation(head: str):
    entities = extract(f"Officials of Kenya National Freight {head} met the minister on Monday in Nairobi.")
    assert named(entities, f"Kenya National Freight {head}").type == "ORG"
    assert "Kenya" not in names(entities)


@pytest.mark.parametrize("head", sorted(load_knowledge().outlet_heads))
def test_a_place_and_a_newspapers_word_are_an_outlet_not_the_place(head: str):
    entities = extract(f"The Nairobi {head}, citing officials, said the railway would open on Monday.")
    assert (named(entities, f"Nairobi {head}").type, named(entities, f"Nairobi {head}").kind) == ("ORG", "media")
    assert "Nairobi" not in names(entities)


def test_a_place_and_an_organisations_last_word_alone_are_no_new_name():
    entities = extract("Pakistan Railways and the Kenya Association met on Monday in Nairobi.")
    assert "Kenya Association" not in names(entities)


def test_a_place_inside_a_longer_police_name_makes_no_body_of_its_own():
    entities = extract("The Royal Solomon Islands Police Force said on Monday that the guards would be checked.")
    assert "Solomon Islands Police" not in [e.name for e in entities]


# --- places named with the word that says what they are ---------------------------------------------


@pytest.mark.parametrize("head", sorted(load_knowledge().place_heads))
def test_every_place_head_names_a_place_and_its_bare_name_is_an_alias(head: str):
    entities = extract(f"Gunmen attacked a convoy in Zorvan Kettle {head} on Monday, officials said.")
    place = named(entities, f"Zorvan Kettle {head}")
    assert place.type == load_knowledge().place_heads[head]
    assert "Zorvan Kettle" in place.aliases or f"Zorvan Kettle {head}" in surfaces(entities)


def test_places_sharing_a_plural_head_are_places_of_their_own():
    entities = extract("The dam stands where the Zorvan and Kettlemai rivers meet, in the Ogun and Oyo States.")
    assert {"Zorvan river", "Kettlemai river", "Ogun State", "Oyo State"} <= set(names(entities))
    assert named(entities, "Zorvan river").type == "LOC"
    assert named(entities, "Oyo State").type == "GPE"


def test_a_bare_place_name_elsewhere_joins_the_place():
    entities = extract("Gunmen attacked a camp in Zorvan district on Monday. Zorvan is close to the border.")
    assert named(entities, "Zorvan district").type == "GPE"
    assert "Zorvan" not in names(entities)


def test_a_known_place_keeps_its_name_and_a_river_is_not_its_town():
    entities = extract("Floods hit Sindh province and villages along the Swat River on Monday.")
    assert named(entities, "Sindh").type == "GPE"
    assert named(entities, "Swat River").type == "LOC"


@pytest.mark.parametrize(
    "text",
    [
        "The Islamic State claimed the attack.",  # capitalised "State" after no region is a group
        "The Planning Division approved the scheme.",
        "Chinese state media said the talks went well.",  # a demonym is no place
        "China's state council met on Monday.",  # nor is a possessor
    ],
)
def test_a_place_word_after_no_place_names_no_place(text: str):
    assert not [e for e in extract(text) if e.type in ("GPE", "LOC") and e.name.lower().endswith(("state", "division"))]


def test_a_capitalised_state_after_a_region_of_the_gazetteer_is_that_region():
    assert named(extract("Fighting went on in Kachin State on Monday."), "Kachin State").type == "GPE"


def test_a_country_name_with_a_word_of_a_countrys_parts_is_that_part_not_the_country():
    found = extract("Bandits raided two farms in western Niger state, police in Minna said.")
    assert named(found, "Niger state").type == "GPE"
    assert "Niger" not in names(found)


@pytest.mark.parametrize("text", ["Pakistan state media reported the visit.", "China state firms bid for it."])
def test_a_country_name_before_state_and_a_noun_is_the_country(text: str):
    assert not [e for e in extract(text) if e.name.lower().endswith("state")]


# --- a country's name inside another name --------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Trade reached 14.7 billion U.S. dollars in 2015.",
        "Dhaka signed a nearly 3-billion-US dollar loan deal with Beijing.",
        "The line will cost $US 6.7bn, officials said.",
        "Repayments to the bank are made in US dollars.",
    ],
)
def test_a_country_in_a_currencys_name_is_no_mention_of_the_country(text: str):
    assert "United States" not in names(extract(text))


def test_a_country_named_beside_a_currency_is_still_the_country():
    entities = extract("The US said on Monday that the loan of 3 billion US dollars was unwise.")
    assert [m.text for m in named(entities, "United States").mentions] == ["US"]


@pytest.mark.parametrize("region", ["Latin America", "South America"])
def test_a_region_named_after_a_country_is_the_region(region: str):
    entities = extract(f"The port is the company's first in {region}, officials said on Monday.")
    assert named(entities, region).type == "LOC"
    assert "United States" not in names(entities)


# --- names that begin with "The" ------------------------------------------------------------------


def test_a_capital_the_inside_a_sentence_is_part_of_an_organisations_name():
    entities = extract("Officials told The Zorvan Tribune on Monday that talks were off. Zorvan Tribune staff agreed.")
    paper = named(entities, "The Zorvan Tribune")
    assert paper.type == "ORG" and "Zorvan Tribune" in paper.aliases


def test_a_known_organisation_after_a_capital_the_keeps_its_name_and_the_form_is_an_alias():
    entities = extract("Two officials spoke to The Associated Press on condition of anonymity.")
    assert "The Associated Press" in named(entities, "Associated Press").aliases


def test_a_the_that_begins_a_sentence_is_no_part_of_a_name():
    entities = extract("The Zorvan Tribune said on Monday that talks were off.")
    assert "The Zorvan Tribune" not in names(entities)


def test_the_village_of_a_name_is_a_place_and_its_other_mentions_join_it():
    entities = extract("Gunmen attacked a mine in the village of Zorvan Kettle on Monday. Zorvan Kettle is remote.")
    assert named(entities, "Zorvan Kettle").type == "GPE"
    assert len([e for e in entities if e.name == "Zorvan Kettle"]) == 1


# --- a full name after a title ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "person"),
    [
        ("The memorandum was signed by ambassador Zorvan Kettlemai on Monday.", "Zorvan Kettlemai"),
        ("The envoy to Sri Lanka Zorvan Kettlemai left on Monday.", "Zorvan Kettlemai"),
        ("They met King Zorvan bin Kettle Al Mai in the capital on Monday.", "Zorvan bin Kettle Al Mai"),
    ],
)
def test_a_full_name_after_a_title_is_a_person(text: str, person: str):
    assert named(extract(text), person).type == "PERSON"


def test_an_organisation_after_a_title_is_no_person():
    entities = extract("The ceremony was attended by the chairman Zorvan Kettle Group and officials.")
    assert "Zorvan Kettle" not in [e.name for e in entities if e.type == "PERSON"]


# --- names that are no entities --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["The loan will be repaid in Chinese yuan, the Treasury said.", "Xi pledged USD45B to Pakistan on Monday."]
)
def test_money_is_no_entity(text: str):
    assert not [e for e in extract(text) if "yuan" in e.name or "USD" in e.name]


def test_a_demonym_and_a_title_is_an_office_not_an_organisation():
    entities = extract("The Kazakh President received the delegation on Monday in Astana.")
    assert "Kazakh President" not in names(entities)


def test_a_named_complex_is_a_facility():
    entities = extract("Gunmen forced their way into the Zorvan Port Authority Complex on Wednesday.")
    assert named(entities, "Zorvan Port Authority Complex").type == "FAC"


# --- a body named by a general name ------------------------------------------------------------------


def test_a_bare_embassy_name_is_the_embassy_the_article_places():
    found = extract(
        "Two engineers were hurt near Bamako, the Chinese Embassy said on Sunday. "
        "A diplomat at the Chinese embassy in Mali said both were safe."
    )
    assert "Chinese Embassy in Pakistan" not in names(found)
    assert "Chinese Embassy" in named(found, "Chinese embassy in Mali").aliases


def test_a_body_named_by_its_head_word_alone_is_the_one_body_holding_that_word():
    found = extract("The Chinese Embassy urged caution on Monday. The Embassy said the workers were safe.")
    assert names(found) == ["Chinese Embassy in Pakistan"]
    assert "Embassy" in named(found, "Chinese Embassy in Pakistan").aliases


@pytest.mark.parametrize(
    "text",
    [
        "LAHORE: The minister said on Monday that the new line was on track.",
        "Lahore [Pakistan], Feb. 3 (ANI): The minister said the road would open soon.",
        "Lahore, June 9 The minister said the road would open soon.",
    ],
)
def test_a_town_named_only_in_the_dateline_is_no_entity(text: str):
    assert "Lahore" not in names(extract(text))


def test_a_town_of_the_dateline_named_again_is_kept_with_its_dateline():
    found = extract("LAHORE: The minister spoke on Monday. Traders in Lahore welcomed the plan.")
    assert "LAHORE" in named(found, "Lahore").aliases


def test_a_town_of_the_dateline_named_again_inside_a_name_is_kept():
    found = extract("LAHORE: Traffic at Lahore airport was halted on Monday, officials said.")
    assert named(found, "Lahore").type == "GPE"


def test_a_capital_standing_for_its_state_does_not_keep_the_dateline_town():
    found = extract("TASHKENT, Uzbekistan: Two engineers were hurt on Monday. Tashkent rarely comments on such cases.")
    assert "Tashkent" not in names(found)


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("Workers were flown to the old Chinese city of Luoyang on Monday.", "Luoyang"),
        ("The road ends in the small mountain town of Qalai Khumb.", "Qalai Khumb"),
        ("Engineers surveyed the route near Dorobo town last week.", "Dorobo town"),
    ],
)
def test_a_town_or_city_the_sentence_calls_one_is_a_place(text: str, place: str):
    assert named(extract(text), place).type == "GPE"


def test_a_capitalised_city_after_no_gazetteer_town_names_no_place():
    found = extract("Investors toured the Colombo Port City on Friday.")
    assert not [e for e in found if e.type == "GPE" and e.name.endswith(("City", "Port"))]


def test_towns_joined_by_a_dash_are_each_a_place():
    found = extract("Kenya sought a loan for the Naivasha-Kisumu stretch of the line.")
    assert named(found, "Naivasha").type == named(found, "Kisumu").type == "GPE"
    assert "Naivasha-Kisumu" not in names(found)


def test_a_quotation_opening_with_the_leaves_the_the_out_of_the_name():
    found = extract("Officials were firm. “The Ministry of Foreign Affairs is in touch with the police,” a statement said.")
    assert "Ministry of Foreign Affairs" in names(found)
    assert "The Ministry of Foreign Affairs" not in names(found)


def test_a_body_named_portfolio_first_is_the_body_named_head_word_first():
    found = extract("A notice came from the Interior Ministry on Friday. Orders will follow from the Ministry of Interior.")
    assert "Interior Ministry" in named(found, "Ministry of Interior").aliases


@pytest.mark.parametrize(
    ("text", "mission"),
    [
        (
            "Gunmen killed three workers in Tajikistan. China's embassy in Tajikistan urged its citizens to leave.",
            "Chinese Embassy in Tajikistan",
        ),
        (
            (
                "Nine Chinese were killed at a mine in the Central African Republic on Sunday. The Chinese "
                "embassy warned its citizens not to leave Bangui."
            ),
            "Chinese Embassy in the Central African Republic",
        ),
        (
            "Nine Chinese were killed at a mine in the Central African Republic on Sunday, China's embassy said.",
            "Chinese Embassy in the Central African Republic",
        ),
    ],
)
def test_a_mission_named_without_its_place_is_in_the_country_of_the_article(text: str, mission: str):
    found = extract(text)
    assert named(found, mission).type == "ORG"
    assert named(found, mission).country == "CN"
    assert "Chinese Embassy in Pakistan" not in names(found)


def test_a_bare_embassy_in_a_story_about_pakistan_is_the_one_in_pakistan():
    found = extract("Two engineers were hurt in Pakistan on Sunday. The Chinese embassy said both were safe.")
    assert "Chinese Embassy in Pakistan" in names(found)


def test_a_ministry_named_without_its_state_is_the_datelines_states():
    found = extract(
        "KATHMANDU, May 12 (PTI) - Nepal and China signed a framework agreement on Friday. The foreign ministry "
        "said it would promote trade with China."
    )
    assert named(found, "Ministry of Foreign Affairs of Nepal").type == "ORG"


def test_a_ministry_named_without_and_with_its_state_is_one_ministry():
    found = extract(
        "Tajikistan's foreign ministry said the attack came from Afghanistan. The foreign ministry said three "
        "Chinese workers were killed in Tajikistan."
    )
    ministries = [e for e in found if "Ministry" in e.name]
    assert [(e.name, len(e.mentions)) for e in ministries] == [("Ministry of Foreign Affairs of Tajikistan", 2)]


@pytest.mark.parametrize(
    ("text", "facility"),
    [
        ("The Chinese-funded international airport in Pokhara was inaugurated last year.", "Pokhara International Airport"),
        ("COSCO is building a deepwater port in Chancay, north of Lima.", "Chancay Port"),
    ],
)
def test_a_known_facility_described_by_its_kind_and_town_is_that_facility(text: str, facility: str):
    found = extract(text)
    assert named(found, facility).type == "FAC"
    assert any(e.type == "GPE" for e in found if e.name in facility)


def test_a_facility_of_no_known_name_described_by_its_town_stays_a_description():
    assert [e.name for e in extract("A new port in Gwadar was opened on Monday.") if e.type == "FAC"] == []


@pytest.mark.parametrize("written", ["China’s Export–Import bank", "China's Export-Import Bank"])
def test_a_known_body_named_through_its_state_is_that_body(written: str):
    found = extract(f"The airport was financed by a $216m loan from {written} in 2016.")
    assert named(found, "Export-Import Bank of China").type == "ORG"
    assert named(found, "China").type == "GPE"
