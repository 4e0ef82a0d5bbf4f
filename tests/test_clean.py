"""Cleaning: Unicode repair, boilerplate removal on every corpus article, language detection."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from beltwatch.clean import (
    clean_article,
    clean_text,
    detect_language,
    fix_unicode,
    load_rules,
    remove_boilerplate,
    site_names,
)
from beltwatch.errors import KnowledgeError
from beltwatch.model import Article, ArticleMeta
from beltwatch.sources.files import read_article

CORPUS = Path(__file__).parent / "corpus" / "dev"


def norm(line: str) -> str:
    return " ".join(line.replace("\u3000", " ").split())


# Boilerplate lines of each corpus article, read off the files (whitespace as normalised by
# `norm`). Every other non-empty line is story text and must survive cleaning.
BOILERPLATE: dict[str, list[str]] = {
    "seed-xi-kakar": [
        "Related Stories",
        "No stories found.",
        "logo",
        "Outlook Business & Money",
        "business.outlookindia.com",
    ],
    "besham-attack-2024-security-measures": [
        "HAZARA BULLETIN",
        "News | Analysis | Business | Hazara | Gilgit-Baltistan | Opinion",
        "By a Staff Correspondent",
        "Abbottabad | March 30, 2024",
        "Also read: Dasu, three years on",
        "Also read: Explainer - who guards Chinese workers in Pakistan?",
        "Share on Facebook | Share on X | Print",
        "Hazara Bulletin (c) 2024",
    ],
    "china-exim-rollover-2023": [
        "Indus Ledger - Business & Economy",
        "By Business Desk | Islamabad | July 27, 2023",
        "Related: Reserves climb after IMF and Gulf inflows | What the Stand-By Arrangement asks of Pakistan",
        "Tags: China, Pakistan, Exim Bank, debt, IMF",
    ],
    "cpec-decade-celebration-zh": [
        "驼铃经济观察 ｜ 首页 > 国际 > 南亚",
        "2023年08月01日 09:12 来源：驼铃经济观察",
        "【责任编辑：国际部】",
        "分享到：微信 微博 QQ空间",
    ],
    "dasu-bus-bombing-2021": [
        "Highland Wire Service",
        "World | South Asia | Pakistan",
        "July 15, 2021 - Updated 6:05 PM",
        "Tags: Pakistan, China, Dasu, CPEC, Security",
        "Share this article",
    ],
    "gwadar-convoy-attack-2023-bla-claim": [
        "Makran Coast Monitor",
        "Home | Balochistan | CPEC | Security | Business | Opinion | Videos",
        "Sunday, August 13, 2023",
        "Staff Reporter | GWADAR | Published August 13, 2023, 7:42 pm",
        "Listen to this article 4 min",
        "Also read: Chinese consulate asks nationals in Sindh, Balochistan to stay indoors",
        "Share: Facebook | X | WhatsApp | Copy link",
        "Subscribe to the Makran Coast Monitor daily newsletter for the latest from Balochistan.",
        "Related Stories",
        "- Explainer: who are the Baloch separatist groups?",
        "- Gwadar Port in pictures: ten years of CPEC",
        "- Opinion: the cost of guarding the corridor",
        "(c) 2023 Makran Coast Monitor. All rights reserved. | About us | Contact | Privacy policy",
    ],
    "gwadar-convoy-attack-2023-brief": [
        "INDUS LEDGER > News in brief",
        "August 13, 2023",
        "More briefs >",
        "Advertisement",
    ],
    "gwadar-convoy-attack-2023-official-account": [
        "ASIA WIRE DESK",
        "(Reporting by Asia Wire Desk; editing by the South Asia desk)",
        (
            "Asia Wire Desk - All rights reserved. Republication or redistribution without prior written "
            "consent is prohibited."
        ),
    ],
    "hambantota-port-lease-2017": [
        "HARBOURLINE ASIA",
        "Ports & Shipping > South Asia",
        "Colombo | 30 July 2017 | Harbourline Asia correspondent",
        "Share | Tweet | Email",
        "Related Stories",
        "Explainer: how a port concession works",
        "Sri Lanka's external debt in five charts",
    ],
    "jakarta-bandung-hsr-opening-2023": [
        "Archipelago Rail Notes",
        "Monday, 2 October 2023",
        "By Rail Notes staff",
        "Share this story - Print - Comments (0)",
        "Related Stories: Indonesia's new capital, explained | What a Whoosh ticket costs",
    ],
    "karachi-airport-blast-2024": [
        "Port City Observer",
        "LATEST | KARACHI | PAKISTAN | WORLD | BUSINESS | SPORTS",
        "Port City Observer News Desk",
        "Published: 07 Oct 2024, 02:15 PM PKT",
        "Also read: Timeline - attacks on Chinese nationals in Pakistan",
        "Also read: Explainer - how CPEC security is organised",
        "Share this: WhatsApp | Facebook | X",
    ],
    "karachi-university-confucius-institute-2022": [
        "CLIFTON WIRE",
        "Karachi | Sindh | Pakistan | World | Business | Sport",
        "Clifton Wire Report",
        "Karachi, April 27, 2022",
        "Related Stories",
        "- Explainer: why do Baloch separatists target Chinese nationals?",
        "- Photos: Karachi University campus the morning after",
        "- Opinion: protecting the people who build CPEC",
        "Follow Clifton Wire on social media | Get the morning briefing in your inbox",
    ],
    "kenya-sgr-madaraka-express-2017": [
        "Savanna Transit Review",
        "Rail | Ports | Roads | Aviation | Policy",
        "By our correspondent, Mombasa",
        "1 June 2017",
        "Also read: How the SGR freight service will work at Mombasa port",
        "Photo gallery: Inside the Madaraka Express",
        "Sign up for the Savanna Transit Review weekly newsletter",
    ],
    "ml1-railway-cpec-jcc-2022": [
        "CORRIDOR WATCH WEEKLY",
        "Analysis | Infrastructure",
        "November 23, 2022 - 6 min read",
        "Subscribe to Corridor Watch Weekly - free every Wednesday.",
        "More in Infrastructure: Karachi Circular Railway explained | Gwadar's new airport in numbers",
    ],
}

# Story lines that cleaning edits rather than keeps whole: outlet credits are taken off.
EDITED: dict[str, dict[str, str]] = {
    "gwadar-convoy-attack-2023-official-account": {
        "ISLAMABAD, Aug 14 (Asia Wire Desk) - Pakistani security forces": "ISLAMABAD, Aug 14 - Pakistani security forces",
    },
    "gwadar-convoy-attack-2023-brief": {
        "claimed responsibility. - Staff report": "claimed responsibility.",
    },
}

# Captions printed twice in the source: one copy stays.
CAPTIONS = {
    "seed-xi-kakar": "Chinese President Xi Jinping",
    "dasu-bus-bombing-2021": "Photo: Rescue workers gather around the wreckage of the bus in Upper Kohistan.",
    "gwadar-convoy-attack-2023-bla-claim": (
        "Security personnel stand guard on a road leading to Gwadar Port. (File photo)"
    ),
    "karachi-university-confucius-institute-2022": (
        "Investigators examine the burnt-out van outside the Confucius Institute at the University of Karachi."
    ),
    "kenya-sgr-madaraka-express-2017": "Passengers board the first Madaraka Express service at the Mombasa terminus.",
    "ml1-railway-cpec-jcc-2022": "Photo: A passenger train waits at Karachi Cantonment station.",
}

# Lines that look a little like chrome but belong to the story.
MUST_KEEP = {
    "besham-attack-2024-security-measures": [
        "What happened",
        "Work halted",
        "Government response",
        "Why it matters",
    ],
    "ml1-railway-cpec-jcc-2022": ["The cost", "The financing", "Other decisions", "What to watch"],
    "jakarta-bandung-hsr-opening-2023": ["Overruns and delays"],
    "dasu-bus-bombing-2021": ["DASU, Pakistan, July 15 - Investigators have found traces of explosives"],
    "karachi-airport-blast-2024": ["KARACHI: Two Chinese nationals were killed"],
    "gwadar-convoy-attack-2023-brief": ["GWADAR: Gunmen attacked a convoy"],
    "seed-xi-kakar": [
        "President Xi Meets Pak PM Kakar, Seeks 'Effective Measures' For Chinese Personnel Working For CPEC Projects",
        "two Chinese-backed development banks \u2013 the China Development Bank and the Export\u2013Import Bank of China",
        "Beijing\u2019s Silk Road Fund",
    ],
}


def corpus_article(name: str) -> Article:
    return read_article(CORPUS / f"{name}.txt")


@pytest.fixture(scope="module")
def cleaned() -> dict[str, Article]:
    return {name: clean_article(corpus_article(name)) for name in BOILERPLATE}


def test_every_corpus_text_article_is_covered():
    assert sorted(BOILERPLATE) == sorted(p.stem for p in CORPUS.glob("*.txt"))


@pytest.mark.parametrize("name", sorted(BOILERPLATE))
def test_corpus_boilerplate_removed(cleaned, name: str):
    raw_lines = {norm(line) for line in corpus_article(name).text.splitlines()}
    out_lines = {norm(line) for line in cleaned[name].text.splitlines()}
    for line in BOILERPLATE[name]:
        assert line in raw_lines, f"test list is out of date: {line!r}"
        assert line not in out_lines, f"boilerplate kept: {line!r}"


@pytest.mark.parametrize("name", sorted(BOILERPLATE))
def test_corpus_story_lines_kept(cleaned, name: str):
    text = cleaned[name].text
    out_lines = [norm(line) for line in text.splitlines()]
    chrome = set(BOILERPLATE[name])
    for raw in corpus_article(name).text.splitlines():
        line = norm(raw)
        if not line or line in chrome:
            continue
        for before, after in EDITED.get(name, {}).items():
            if before in line:
                line = line.replace(before, after)
        assert line in out_lines, f"story line lost or changed: {line[:80]!r}"


@pytest.mark.parametrize("name", sorted(BOILERPLATE))
def test_corpus_removed_count(cleaned, name: str):
    expected = len(BOILERPLATE[name]) + (1 if name in CAPTIONS else 0)
    assert cleaned[name].meta.boilerplate_removed == expected


@pytest.mark.parametrize("name", sorted(CAPTIONS))
def test_caption_printed_twice_kept_once(cleaned, name: str):
    lines = [norm(line) for line in cleaned[name].text.splitlines()]
    assert lines.count(CAPTIONS[name]) == 1


@pytest.mark.parametrize("name", sorted(MUST_KEEP))
def test_corpus_story_details_kept(cleaned, name: str):
    for fragment in MUST_KEEP[name]:
        assert fragment in cleaned[name].text


@pytest.mark.parametrize("name", sorted(BOILERPLATE))
def test_paragraphs_separated_by_blank_lines(cleaned, name: str):
    text = cleaned[name].text
    assert text.endswith("\n") and not text.endswith("\n\n")
    assert "\n\n\n" not in text
    paragraphs = text.strip().split("\n\n")
    # every corpus paragraph is one line, so no paragraph holds a newline
    assert all(p and "\n" not in p and p == p.strip() for p in paragraphs)


def test_clean_article_returns_new_article(cleaned):
    raw = corpus_article("seed-xi-kakar")
    out = cleaned["seed-xi-kakar"]
    assert out is not raw and out.meta is not raw.meta
    assert raw.meta.boilerplate_removed == 0
    assert out.id == raw.id and out.origin == raw.origin
    assert out.meta.published == raw.meta.published and out.meta.source == raw.meta.source
    assert out.text.startswith("President Xi Meets Pak PM Kakar")
    assert out.text.split("\n\n")[1].startswith("President Xi proposes upgrading")


def test_html_article_cleans_to_itself():
    raw = read_article(CORPUS / "sri-lanka-exim-debt-deal-2023.html")
    out = clean_article(raw)
    assert out.meta.boilerplate_removed == 0
    assert out.text == raw.text


# --- Chinese and language ------------------------------------------------------------------


def test_chinese_portal_chrome_removed(cleaned):
    text = cleaned["cpec-decade-celebration-zh"].text
    for chrome in ["责任编辑", "分享到", "微博", "QQ空间", "首页", "来源", "驼铃经济观察"]:
        assert chrome not in text
    assert text.startswith("中巴经济走廊启动十周年庆祝大会在伊斯兰堡举行\n\n7月31日，")
    assert "带动超过250亿美元的投资" in text
    assert "，" in text  # full-width punctuation is not narrowed


def test_language_detected_when_not_set():
    for name, expected in [
        ("cpec-decade-celebration-zh", "zh"),
        ("seed-xi-kakar", "en"),
        ("dasu-bus-bombing-2021", "en"),
    ]:
        raw = corpus_article(name)
        raw = replace(raw, meta=replace(raw.meta, language=None))
        assert clean_article(raw).meta.language == expected


def test_language_from_metadata_is_kept():
    raw = Article(
        "x", "This is plainly an English sentence about the port at Gwadar.", ArticleMeta(language="ur")
    )
    assert clean_article(raw).meta.language == "ur"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Pakistan and China agreed on Tuesday to speed up work on the ML-1 railway line.", "en"),
        ("中巴经济走廊启动十周年庆祝大会在伊斯兰堡举行", "zh"),
        ("Der Bundestag hat am Dienstag ein neues Gesetz zur Infrastruktur beschlossen.", "de"),
        ("", None),
        ("ok", None),
        ("Share", None),
        ("12345 67890 !!!", None),
    ],
)
def test_detect_language(text: str, expected: str | None):
    assert detect_language(text) == expected


# --- Unicode -------------------------------------------------------------------------------


def test_fix_unicode_repairs_mojibake_keeps_typography():
    assert fix_unicode("Beijingâ€™s Exportâ€“Import Bank") == "Beijing\u2019s Export\u2013Import Bank"
    assert fix_unicode("\u201cquoted\u201d \u2014 dash") == "\u201cquoted\u201d \u2014 dash"


def test_fix_unicode_line_endings_and_controls():
    assert fix_unicode("a\r\nb\rc\u2028d") == "a\nb\nc\nd"
    assert fix_unicode("x\x00y\x07z\tw\x1b[31m!") == "xyz\tw!"
    assert fix_unicode("USD\u00a0600 million\u200b") == "USD 600 million"


def test_clean_article_fixes_unicode_and_line_endings():
    raw = Article("u", "Headline\r\n\r\nThe Exportâ€“Import Bank lent USD 2 billion.\r\n")
    out = clean_article(raw)
    assert out.text == "Headline\n\nThe Export\u2013Import Bank lent USD 2 billion.\n"


# --- tricky lines --------------------------------------------------------------------------

STORY = "Pakistan and China signed six agreements on Monday to expand the corridor, officials said."


def run(lines: list[str], source: str | None = "Corridor Times") -> list[str]:
    text, _ = clean_text("\n\n".join([STORY, *lines, STORY]) + "\n", source)
    return [line for line in text.splitlines() if line and line != STORY]


@pytest.mark.parametrize(
    "line",
    [
        "Share prices rose 3 per cent in Karachi after the announcement.",
        "Share prices rose",
        "By the end of June, the line will carry 10,000 passengers a day.",
        "By 2030 the corridor is expected to carry most of the freight",
        "By Monday, officials had cleared the site",
        "Officials said the talks in Islamabad | Beijing were productive and would resume next week.",
        "The index closed at 46,000 | analysts expect more gains after the IMF deal is signed.",
        "Related talks were held in Beijing on Tuesday.",
        "The Corridor Times reported that the talks had stalled.",
        "Subscribers to the power scheme will pay less from July.",
        "The embassy said it would follow the case closely.",
        "Tags on the containers showed they came from Kashgar.",
        "What happened",
        "Why it matters",
        "JAKARTA",
        "Photo: Workers at the Gwadar port site.",
        "Photo: Workers at the port site",
        "Source: officials in Gwadar say the talks were delayed by the strike.",
        "In April, the two sides agreed on the overrun.",
        "GWADAR, Aug 13 (Reuters) - Gunmen attacked a convoy carrying Chinese engineers on Sunday.",
        "- USD 1.2 billion for the first phase",
        "• Gwadar Port",
        "The copyright on the design belongs to the Chinese contractor, the ministry said.",
        "Print media were barred from the ceremony, the union said.",
        "记者：请问这一项目何时完工？",
        "Published in 2019, the report found that the debt had doubled.",
        "【新闻链接】中巴经济走廊是“一带一路”倡议的旗舰项目，于2013年启动。",
    ],
)
def test_story_lines_stay(line: str):
    kept = run([line])
    assert len(kept) == 1, kept
    if "(Reuters)" in line:
        assert kept[0] == "GWADAR, Aug 13 - Gunmen attacked a convoy carrying Chinese engineers on Sunday."
    else:
        assert kept[0] == line


@pytest.mark.parametrize(
    "line",
    [
        "Corridor Times",
        "CORRIDOR TIMES",
        "Corridor Times | Business",
        "Corridor Times Staff",
        "Home | Balochistan | CPEC | Security",
        "News > Pakistan > Balochistan",
        "首页 > 国际 > 南亚",
        "Share:",
        "Share on Facebook | Share on X | Print",
        "Share this article",
        "Print",
        "Email",
        "Comments (12)",
        "Subscribe to our newsletter",
        "Sign up for the morning briefing",
        "Follow us on X",
        "Also read: Explainer - who guards Chinese workers in Pakistan?",
        "See also: Gwadar in numbers",
        "Listen to this article",
        "Listen to this article 4 min",
        "5 min read",
        "Tags: China, Pakistan, CPEC",
        "(c) 2023 Corridor Times",
        "© 2024 Some Other Outlet. All rights reserved.",
        "Copyright 2024 Corridor Times",
        "By a Staff Correspondent",
        "By Business Desk | Islamabad | July 27, 2023",
        "By Ahmed Khan and Li Wei",
        "By Rail Notes staff",
        "Staff Reporter | GWADAR | Published August 13, 2023, 7:42 pm",
        "Staff Reporter",
        "Our Special Correspondent",
        "Web Desk",
        "Abbottabad | March 30, 2024",
        "Updated: 14 Aug 2023, 10:05 am",
        "Published 13 August 2023",
        "Last updated 6:05 PM PKT",
        "logo",
        "www.corridortimes.example",
        "https://corridortimes.example/2023/08/13/story",
        "Advertisement",
        "No stories found.",
        "(Reporting by Jane Doe; Editing by John Roe)",
        "【责任编辑：国际部】",
        "分享到：微信 微博",
        "来源：新华社",
        "2023年08月01日 09:12 来源：新华社",
        "字号：大 中 小",
        "【纠错】 【责任编辑：王静】",
        "Published in Dawn, November 3rd, 2023",
        "Our Standards: The Thomson Reuters Trust Principles., opens new tab",
        "Facebook Count",
        "Suggested Topics:",
        "Source: AFP   Editor: Wang Xiang",
        "PHOTO: Reuters",
    ],
)
def test_chrome_lines_go(line: str):
    assert run([line]) == []


def test_related_block_without_bullets_stops_at_blank_line():
    lines = [
        "Related Stories\nExplainer: how a port concession works\nSri Lanka's debt in five charts",
        "What next",
    ]
    assert run(lines) == ["What next"]


def test_related_block_with_bullets_crosses_blank_lines():
    lines = [
        "Related articles",
        "- First headline",
        "- Second headline",
        "The story goes on here with more detail.",
    ]
    assert run(lines) == ["The story goes on here with more detail."]


def test_related_heading_does_not_eat_a_sentence():
    text, removed = remove_boilerplate(
        "Related Stories\nThe port handled a record number of ships last year, officials said.\n"
    )
    assert text == "The port handled a record number of ships last year, officials said.\n"
    assert removed == 1


def test_timeline_date_heads_in_body_stay():
    lines = [
        "March 26, 2024",
        "A car bomb hit a convoy near Besham, killing five Chinese engineers.",
        "Updated 6:05 PM",
    ]
    assert run([STORY.replace("six", "two"), *lines]) == [STORY.replace("six", "two"), *lines[:2]]


@pytest.mark.parametrize(
    "line",
    [
        "Sunday, August 13, 2023",
        "Monday, 2 October 2023",
        "1 June 2017",
        "2023-08-13",
        "Karachi, April 27, 2022",
        "July 15, 2021 - Updated 6:05 PM",
        "November 23, 2022 - 6 min read",
        "Published: 07 Oct 2024, 02:15 PM PKT",
        "2023年08月01日 09:12",
        "Khaleeq Kiani Published November 3, 2023 Updated about 2 hours ago",
        "March 5, 2024 3:12 PM GMT+5 Updated 2 hours ago",
    ],
)
def test_header_date_lines_go(line: str):
    text, removed = clean_text(f"Headline of the day\n\n{line}\n\n{STORY}\n")
    assert text == f"Headline of the day\n\n{STORY}\n"
    assert removed == 1


def test_date_line_before_the_story_goes():
    text, removed = clean_text(f"Headline of the day\n\nMarch 26, 2024\n\n{STORY}\n")
    assert text == f"Headline of the day\n\n{STORY}\n"
    assert removed == 1


def test_duplicate_only_when_adjacent():
    text, removed = remove_boilerplate("Caption.\nCaption.\n\nCaption.\n\nBody.\n\nCaption.\n")
    assert text == "Caption.\n\nBody.\n\nCaption.\n"
    assert removed == 2


def test_headline_site_suffix_stripped():
    text, _ = clean_text(
        "Port deal signed after months of delay | Corridor Times\n\nBody.\n", "Corridor Times"
    )
    assert text == "Port deal signed after months of delay\n\nBody.\n"


@pytest.mark.parametrize("stamp", ["date 2022-12-13 ", "Published: 2022-12-13T08:00:00Z ", "  DATE 2022-12-13  "])
def test_a_date_stamp_run_into_the_first_paragraph_is_dropped(stamp: str):
    text, _ = clean_text(f"{stamp}Kenya said on Tuesday it had signed the loan.\n\nBody.\n")
    assert text == "Kenya said on Tuesday it had signed the loan.\n\nBody.\n"


def test_a_sentence_about_a_date_keeps_it():
    raw = "Dates 2022-12-13 and 2023-01-05 were set for the hearings.\n"
    assert clean_text(raw)[0] == raw


def test_hard_wrapped_paragraph_stays_one_paragraph():
    raw = (
        "Headline\n\nThe line was supposed to open in 2019, but land\nacquisition problems pushed it back.\n"
    )
    text, removed = clean_text(raw)
    assert text == raw and removed == 0


def test_site_name_from_copyright_line_without_metadata():
    raw = (
        "MAKRAN COAST MONITOR\n\nHeadline here\n\n"
        + STORY
        + "\n\n(c) 2023 Makran Coast Monitor. All rights reserved.\n"
    )
    assert site_names(raw) == ("Makran Coast Monitor",)
    text, removed = clean_text(raw)
    assert text == "Headline here\n\n" + STORY + "\n"
    assert removed == 2


def test_long_line_is_never_chrome():
    line = "Share: " + " ".join(["word"] * 45)
    assert run([line]) == [line]


# --- rules file ----------------------------------------------------------------------------


def test_bundled_rules_load():
    rules = load_rules()
    assert rules.drop and rules.related_headings and rules.strip
    assert load_rules() is rules  # compiled once


def test_rules_are_extendable(tmp_path: Path):
    bundled = (Path(__file__).parents[1] / "src/beltwatch/knowledge/boilerplate.yaml").read_text(
        encoding="utf-8"
    )
    extended = bundled.replace("drop_lines:\n", "drop_lines:\n  analyst:\n    - 'download the pdf.*'\n", 1)
    path = tmp_path / "rules.yaml"
    path.write_text(extended, encoding="utf-8")
    rules = load_rules(path)
    text, removed = clean_text(f"{STORY}\n\nDownload the PDF here\n", rules=rules)
    assert text == f"{STORY}\n" and removed == 1
    assert clean_text(f"{STORY}\n\nDownload the PDF here\n")[1] == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("drop_lines: {x: ['(unclosed']}", "bad pattern"),
        ("drop_lines: [1, 2]", "drop_lines"),
        ("- just a list", "mapping"),
        ("a: [unclosed", "YAML"),
    ],
)
def test_bad_rules_file(tmp_path: Path, content: str, message: str):
    path = tmp_path / "rules.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(KnowledgeError) as info:
        load_rules(path)
    assert message in info.value.message


@pytest.mark.parametrize("name", sorted(BOILERPLATE))
def test_cleaning_is_idempotent(cleaned, name: str):
    again = clean_article(cleaned[name])
    assert again.text == cleaned[name].text
    assert again.meta.boilerplate_removed == 0


def test_tabs_and_spacing_inside_kept_lines_stay():
    text, removed = clean_text("Headline\n\nYear\tValue\n\nThe  port  opened.\n")
    assert text == "Headline\n\nYear\tValue\n\nThe  port  opened.\n"
    assert removed == 0


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        ("Police guard the site in Bisham on Tuesday. Photo by EPA-EFE", "Police guard the site in Bisham on Tuesday."),
        ("Guards patrol near the border, officials said Thursday. (AFP/File)",
         "Guards patrol near the border, officials said Thursday."),
        ("The photo by the agency showed the site.", "The photo by the agency showed the site."),
    ],
)
def test_a_photo_credit_after_a_caption_is_taken_off(line: str, kept: str):
    assert run([line]) == [kept]
