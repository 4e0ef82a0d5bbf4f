"""Story anchors across languages: the spellings of `stories/anchors.yaml`, countries, numbers in
other digits, words of scripts with vowel signs, capitalised words that name nothing, and the
officials' countries that keep two happenings of one day and place apart.

Every sentence here is written for the test."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pytest
import yaml

from beltwatch.model import EventSignature, StorySignal
from beltwatch.stories import cluster_stories
from beltwatch.stories.anchors import ANCHORS_FILE, anchor_terms, cast_of, days_named, districts, is_uncounted
from beltwatch.stories.clustering import reach

DATA = yaml.safe_load(ANCHORS_FILE.read_text(encoding="utf-8"))
ALIASES = [
    pytest.param(entry["anchor"], name, id=f"{entry['anchor']}|{name}")
    for entry in DATA["aliases"]
    for name in entry["names"]
]


def _groups(assignments) -> list[set[str]]:
    by_story: dict[str, set[str]] = defaultdict(set)
    for a in assignments:
        by_story[a.story_id].add(a.article_id)
    return sorted(by_story.values(), key=sorted)


@pytest.mark.parametrize(("anchor", "name"), ALIASES)
def test_every_spelling_of_the_data_file_is_its_anchor(anchor: str, name: str):
    assert f"E:{anchor}" in anchor_terms(f"« {name} » 2024")


def test_every_entry_says_where_its_spellings_come_from():
    assert all(entry["source"].strip() for entry in DATA["aliases"])


def test_a_country_is_one_anchor_in_every_language():
    for text in ("Two Chinese nationals were hurt", "两名中国公民受伤", "ранены двое граждан Китая",
                 "dua warga Tiongkok terluka", "दो चीनी नागरिक घायल", "دو چینی باشندے زخمی"):  # fmt: skip
        assert "E:countries:CN" in anchor_terms(text), text
    assert is_uncounted("E:countries:CN") and not is_uncounted("E:places:Karachi")
    assert is_uncounted("N:3") and not is_uncounted("N:13") and not is_uncounted("N:2024")


def test_inflected_russian_and_latin_spellings_are_the_place():
    assert "E:places:Beijing" in anchor_terms("Соглашение подписали в Пекине во вторник.")
    assert "E:places:Gwadar" in anchor_terms("Конвой атаковали недалеко от Гвадара.")
    assert "E:places:Quetta" in anchor_terms("Взрыв прогремел в Кветте.")
    assert "E:countries:CN" in anchor_terms("Делегация из Китая прибыла.")
    assert anchor_terms("В Карачи") == ["E:places:Karachi"]  # indeclinable
    assert "E:places:Balochistan" in anchor_terms("Ein Anschlag in Belutschistan traf einen Konvoi.")
    assert "E:places:Rome" in anchor_terms("Il governo di Roma ha deciso.")


def test_a_word_keeps_its_vowel_signs():
    # Devanagari vowel signs are combining marks: split at them, "election" would contain "China"
    assert "E:countries:CN" not in anchor_terms("चुनाव के नतीजे आज आए")
    assert "E:countries:CN" in anchor_terms("चीन ने बयान दिया")
    assert "E:places:Turbat" in anchor_terms("तुर्बत में हमला")


def test_numbers_in_other_digits_are_the_same_number():
    assert "N:11" in anchor_terms("۱۱ افراد زخمی ہوئے")
    assert "N:12" in anchor_terms("१२ दिसंबर")
    assert "N:7" in anchor_terms("٠٧ قتلى")


def test_capitalised_words_that_name_nothing_are_no_anchors():
    terms = anchor_terms("Secondo la polizia, Nessun cittadino è rimasto ferito. Die Regierung in Rom schweigt.")
    assert "C:secondo" not in terms and "C:nessun" not in terms and "C:regierung" not in terms
    assert "C:polizia" not in terms  # lower-case anyway
    terms = anchor_terms("Ledakan di Bandara Zorbak. Kementerian Luar Negeri mengecam serangan.")
    assert "C:zorbak" in terms and "C:bandara" in terms
    assert not {"C:ledakan", "C:kementerian", "C:luar", "C:negeri"} & set(terms)


def test_officials_name_their_countries():
    cast = cast_of(anchor_terms("Xi Jinping received Sadyr Japarov in Beijing before the BRICS summit."))
    assert cast.official_countries == {"E:countries:CN", "E:countries:KG"}
    assert cast.countries == cast.official_countries
    assert cast.gatherings == {"E:events:BRICS Summit"}


def test_two_happenings_of_one_day_and_capital_stay_apart_on_their_guests_countries():
    visit = (
        "President Xi Jinping welcomed Prime Minister Shehbaz Sharif of Pakistan to Beijing on Friday. "
        "Xi and Sharif spoke of the Belt and Road Initiative and the Great Hall banquet."
    )
    visit_brief = "Xi Jinping and Shehbaz Sharif held talks in Beijing on the Belt and Road Initiative."
    railway = (
        "In Beijing, Xi Jinping watched ministers of Kyrgyzstan and Uzbekistan sign the railway accord; "
        "Sadyr Japarov and Shavkat Mirziyoyev joined by video to hail the Belt and Road Initiative."
    )
    railway_ru = "В Пекине Си Цзиньпин, Садыр Жапаров и Шавкат Мирзиёев: Кыргызстан и Узбекистан подписали соглашение."
    signals = [
        StorySignal("visit", visit, "2024-06-07"),
        StorySignal("visit-brief", visit_brief, "2024-06-07"),
        StorySignal("railway", railway, "2024-06-07"),
        StorySignal("railway-ru", railway_ru, "2024-06-07"),
    ]
    groups = _groups(cluster_stories(signals))
    assert not any({"visit", "railway"} <= g or {"visit-brief", "railway"} <= g for g in groups)
    assert any({"visit", "visit-brief"} <= g for g in groups)


def test_reports_of_one_forum_name_different_guests():
    # each outlet names the leaders its readers care about; the forum they both name is one happening
    one = (
        "Leaders gathered in Beijing for the Belt and Road Forum, where Xi Jinping greeted Vladimir Putin "
        "of Russia and spoke of 37 heads of state."
    )
    other = (
        "At the Belt and Road Forum in Beijing, Xi Jinping held talks with Imran Khan of Pakistan; "
        "37 heads of state attended."
    )
    signals = [StorySignal("one", one, "2019-04-26"), StorySignal("other", other, "2019-04-26")]
    assert _groups(cluster_stories(signals)) == [{"one", "other"}]


def test_shared_countries_do_not_count_among_the_names_two_reports_share():
    # a Chinese and an Urdu report of one day: Karachi, Pakistan and China in both, one name counted
    chinese = "巴基斯坦卡拉奇发生爆炸，中国公民受伤。"
    urdu = "کراچی میں دھماکا، چینی باشندے زخمی، پاکستان"
    signals = [StorySignal("zh", chinese, "2024-10-07"), StorySignal("ur", urdu, "2024-10-07")]
    assert _groups(cluster_stories(signals)) == [{"ur"}, {"zh"}]
    # a second name both give, the airport, makes the NAMES_SHARED two
    signals = [
        StorySignal("zh", chinese + "真纳国际机场附近。", "2024-10-07"),
        StorySignal("ur", urdu + "، جناح انٹرنیشنل ایئرپورٹ", "2024-10-07"),
    ]
    assert _groups(cluster_stories(signals)) == [{"ur", "zh"}]


def test_a_town_lies_in_its_district_by_any_of_its_names():
    assert "shangla" in districts()["besham"] and "shangla" in districts()["bisham"]
    assert "upperkohistan" in districts()["dasu"]


def test_an_attack_in_a_town_and_one_in_its_district_the_same_day_are_one_happening():
    town = (
        "Investigators said the convoy of Chinese engineers hit near Besham had no armoured vehicles, "
        "and police arrested suspects who had helped the bomber."
    )
    district = (
        "The inquiry into the convoy bombing in Shangla found the Chinese engineers' vehicles were not "
        "armoured; police have arrested suspects who helped the bomber."
    )
    signals = [
        StorySignal("town", town, "2024-04-07", events=[EventSignature("ATTACK", "2024-04-07", "Besham", ())]),
        StorySignal("district", district, "2024-04-08", events=[EventSignature("ATTACK", "2024-04-07", "Shangla", ())]),
        StorySignal("elsewhere", "In Turbat the inquiry into the bombing of a convoy of Chinese engineers "
                    "found their vehicles were not armoured.", "2024-04-08",
                    events=[EventSignature("ATTACK", "2024-04-07", "Turbat", ())]),
    ]  # fmt: skip
    assert _groups(cluster_stories(signals)) == [{"district", "town"}, {"elsewhere"}]


def test_a_signing_and_the_project_it_is_about_are_one_kind_of_happening():
    signing = (
        "Ministers of Kyrgyzstan and Uzbekistan signed the accord on the China-Kyrgyzstan-Uzbekistan Railway "
        "in Beijing, with Zheng Shanjie of the National Development and Reform Commission."
    )
    project = (
        "The China-Kyrgyzstan-Uzbekistan Railway will run through Kyrgyzstan to Uzbekistan, said Zheng Shanjie "
        "of the National Development and Reform Commission in Beijing; it is to carry freight to Europe."
    )
    protest = (
        "Angry herders blocked a mountain road near Naryn on Friday, chanting slogans and waving banners "
        "about pastures they fear losing to the China-Kyrgyzstan-Uzbekistan Railway; shepherds' elders "
        "demanded compensation, and riot police watched. Zheng Shanjie, National Development and Reform "
        "Commission, Beijing: no comment."
    )
    agreement = EventSignature("AGREEMENT", "2024-06-06", "Beijing", ("Kyrgyzstan", "Uzbekistan"))
    signals = [
        StorySignal("signing", signing, "2024-06-06", events=[agreement]),
        StorySignal("project", project, "2024-06-07",
                    events=[EventSignature("PROJECT", None, "Central Asia", ("China-Kyrgyzstan-Uzbekistan Railway",))]),
        StorySignal("protest", protest, "2024-06-07",
                    events=[EventSignature("PROTEST", "2024-06-07", "Naryn", ("herders",))]),
    ]  # fmt: skip
    assert _groups(cluster_stories(signals)) == [{"project", "signing"}, {"protest"}]


@pytest.mark.parametrize(
    ("text", "anchor"),
    [
        ("Взрыв прогремел в Равалпинди утром.", "places:Rawalpindi"),
        ("راولپنڈی میں دھماکا ہوا", "places:Rawalpindi"),
        ("रावलपिंडी में धमाका हुआ", "places:Rawalpindi"),  # the nasal sign read as n
        ("Нападение осудил Шахбаз Шариф.", "officials:Shehbaz Sharif"),  # Russian kh for h
        ("Слова Шахбаза Шарифа цитируют.", "officials:Shehbaz Sharif"),  # a case ending is a vowel
        ("وزیر اعظم شہباز شریف نے مذمت کی", "officials:Shehbaz Sharif"),  # no short vowels
        ("Об этом заявил Мохсин Накви.", "officials:Mohsin Naqvi"),
    ],
)
def test_a_name_in_another_alphabet_sounds_like_its_latin_spelling(text: str, anchor: str):
    # none of these spellings is listed in the knowledge files or anchors.yaml
    assert f"E:{anchor}" in anchor_terms(text)


@pytest.mark.parametrize(
    "text",
    [
        "Закон требует ответа.",  # lower case: no name, though its consonants are Turbat's
        "Требует ли закон ответа?",  # capitalised only as the sentence's first word
        "قبل از وقت",  # "before": three consonants, as Kabul; too short to tell
        "وزارت خارجه",  # "foreign": as Karachi
        "Tribute to the engineers",  # a Latin word is matched by its spelling only
    ],
)
def test_common_and_short_words_sound_like_no_name(text: str):
    assert not any(t.startswith("E:places:") for t in anchor_terms(text))


def test_a_name_spelled_as_the_files_spell_it_outranks_a_sound_that_takes_its_first_word():
    # "میں" ("in") and "احسن" sound like "Mamnoon Hussain"; "احسن اقبال" is Ahsan Iqbal as spelled
    assert anchor_terms("وزیر منصوبہ بندی میں احسن اقبال نے کہا") == ["E:officials:Ahsan Iqbal"]


def test_a_report_in_another_alphabet_joins_the_english_one_on_names_that_sound_alike():
    english = (
        "A bomb went off beside a bus of Chinese workers in Rawalpindi; 4 were hurt, and Prime Minister "
        "Shehbaz Sharif condemned the attack."
    )
    russian = "У автобуса китайских рабочих в Равалпинди взорвалась бомба: 4 ранены, премьер Шахбаз Шариф осудил нападение."
    elsewhere = "В Лахоре открылся новый торговый центр, его посетили 4 тысячи человек."
    signals = [
        StorySignal("en", english, "2025-03-03"),
        StorySignal("ru", russian, "2025-03-03"),
        StorySignal("other", elsewhere, "2025-03-03"),
    ]
    assert _groups(cluster_stories(signals)) == [{"en", "ru"}, {"other"}]


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("Il ponte è stato aperto il 3 marzo.", [(3, 3)]),
        ("Am 21. Oktober wurde der Vertrag unterzeichnet.", [(10, 21)]),
        ("Le 5 février, la route a rouvert.", [(2, 5)]),
        ("El 9 de agosto comenzaron las obras.", [(8, 9)]),
        ("Pada 17 Agustus jembatan itu dibuka.", [(8, 17)]),
        ("Мост открыли 12 ноября.", [(11, 12)]),
        ("The bridge opened on November 12, and a second on 2 December.", [(11, 12), (12, 2)]),
        ("Work resumed in May 2024 after 40 days.", []),  # a year and a month: no day
        ("Signora Maggio spoke.", []),
    ],
)
def test_a_day_is_read_with_its_month_in_every_language(text: str, days: list[tuple[int, int]]):
    assert days_named(text) == days


def test_a_report_the_extractor_cannot_read_follows_up_the_happening_whose_day_it_names():
    attack = (
        "A bomb hit a convoy of Chinese engineers near Turbat on Friday; the Balochistan Liberation Army "
        "claimed it and 3 guards died."
    )
    arrests = (
        "Arrestati due uomini accusati dell'attentato del 10 maggio vicino a Turbat contro un convoglio di "
        "ingegneri cinesi, rivendicato dal Balochistan Liberation Army: 3 guardie morte."
    )
    other_day = (
        "Un mese dopo l'agguato del 20 aprile a Turbat, la polizia cerca ancora i complici; il Balochistan "
        "Liberation Army aveva ucciso 3 guardie di una ditta di ingegneri cinesi."
    )
    signals = [
        StorySignal("attack", attack, "2024-05-10", events=[EventSignature("ATTACK", "2024-05-10", "Turbat", ())]),
        StorySignal("arrests", arrests, "2024-05-29"),
        StorySignal("other-day", other_day, "2024-05-20"),
    ]
    groups = _groups(cluster_stories(signals))
    assert {"attack", "arrests"} in groups and {"other-day"} in groups
    # ingest re-clusters a new report with the stored ones of the days it names
    assert any(start <= date(2024, 5, 10) <= end for start, end in reach([signals[1]]))


def test_a_chinese_report_names_towns_as_the_gazetteer_lists_them():
    # Yangon and Riyadh by their Chinese names are the capitalised words an English report gives them;
    # a two-character name of a small town is an everyday word too ("三次", "three times") and is no name
    assert {"C:yangon", "C:riyadh"} <= set(anchor_terms("仰光工业区的中国工厂遭纵火。利雅得峰会。"))
    assert not any(t.startswith("C:") for t in anchor_terms("他三次访问了该地区。"))
    assert {"C:yangon"} <= set(anchor_terms("Chinese factories in Yangon were set on fire."))
