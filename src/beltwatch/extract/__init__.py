"""Extraction: one cleaned article in, its entities, amounts and events out, each with evidence.

1. parse with spaCy (English) or fall back to line sentences (other languages);
2. entities from the model plus the knowledge ruler, grouped per real-world thing;
3. amounts and dates by pattern, dates resolved against the publication date;
4. events from triggers on the parse, arguments named by the entities of step 2.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

from beltwatch.extract.amounts import distinct_amounts, find_amounts
from beltwatch.extract.dates import find_dates
from beltwatch.extract.entities import extract_entities, extract_known_entities
from beltwatch.extract.events import Context, extract_events, load_triggers
from beltwatch.extract.evidence import Sentences
from beltwatch.extract.keywords import keyword_events, keyword_sentences
from beltwatch.extract.nlp import load_nlp
from beltwatch.knowledge import load_knowledge
from beltwatch.model import Article, Extraction

BATCH_SIZE = 16  # larger batches cost memory and gain no speed on the small model


def _published(article: Article) -> date | None:
    return article.meta.published_day


def extract_articles(articles: Iterable[Article]) -> Iterator[Extraction]:
    """Extract every article; English ones go through spaCy in batches."""
    knowledge = load_knowledge()
    nlp = load_nlp()
    english: list[Article] = []

    def flush() -> Iterator[Extraction]:
        docs = nlp.pipe((a.text for a in english), batch_size=BATCH_SIZE)
        for article, doc in zip(english, docs):
            doc.user_data["text"] = text = article.text  # the tokenizer keeps every character: doc.text is it
            sentences = Sentences(text, [(s.start_char, s.end_char) for s in doc.sents])
            entities = extract_entities(doc, knowledge, sentences)
            occurrences = find_amounts(text, sentences)
            ctx = Context(
                doc=doc,
                knowledge=knowledge,
                sentences=sentences,
                entities=entities,
                amounts=occurrences,
                dates=find_dates(text, _published(article)),
                published=_published(article),
            )
            yield Extraction(article, entities, distinct_amounts(occurrences), extract_events(ctx))
        english.clear()

    for article in articles:
        if article.meta.language not in (None, "en"):
            yield _extract_without_model(article)
            continue
        english.append(article)
        if len(english) >= BATCH_SIZE:
            yield from flush()
    yield from flush()


def _extract_without_model(article: Article) -> Extraction:
    """Articles in languages the model does not cover: known names, amounts, and events from keywords."""
    knowledge = load_knowledge()
    language = article.meta.language or ""
    ends = load_triggers().get("KEYWORDS", {}).get(language, {}).get("sentence_ends", ".!?")
    sentences = keyword_sentences(article.text, ends)
    entities = extract_known_entities(article.text, knowledge, sentences)
    published = _published(article)
    events = keyword_events(article.text, language, entities, find_dates(article.text, published), published)
    return Extraction(article, entities, distinct_amounts(find_amounts(article.text, sentences)), events)


def extract_article(article: Article) -> Extraction:
    return next(extract_articles([article]))
