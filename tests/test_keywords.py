"""Events from keywords for articles in a language without a parser (Chinese)."""

from __future__ import annotations

from beltwatch.extract import extract_article
from beltwatch.model import Article, ArticleMeta


def extract_zh(text: str):
    return extract_article(Article(id="zh", text=text, meta=ArticleMeta(published="2024-05-02", language="zh")))


def test_statement_speaker_is_the_person_before_the_keyword():
    x = extract_zh("5月1日，巴基斯坦总理夏巴兹·谢里夫在伊斯兰堡表示，两国合作前景广阔。")
    [statement] = [e for e in x.events if e.type == "STATEMENT"]
    assert statement.arguments["speaker"] == "夏巴兹·谢里夫"
    assert statement.arguments["date"] == "2024-05-01"


def test_both_countries_sign_an_agreement():
    x = extract_zh("中国和巴基斯坦关系密切。当天，两国签署了三份合作协议。")
    [agreement] = [e for e in x.events if e.type == "AGREEMENT"]
    assert set(agreement.arguments["parties"]) == {"中国", "巴基斯坦"}


def test_no_keyword_no_event():
    assert extract_zh("中巴经济走廊是一带一路的旗舰项目。").events == []
