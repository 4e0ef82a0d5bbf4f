"""Sentence bounds: no stretch of text is read as one sentence longer than `MAX_SENTENCE_TOKENS`."""

from __future__ import annotations

from beltwatch.extract.nlp import MAX_SENTENCE_TOKENS, load_nlp


def test_a_line_without_a_sentence_end_is_cut_into_bounded_sentences():
    doc = load_nlp()(" ".join(["corridor", "road", "and", "port"] * 200))
    lengths = [len(sent) for sent in doc.sents]
    assert max(lengths) <= MAX_SENTENCE_TOKENS and sum(lengths) == len(doc)


def test_a_long_article_of_ordinary_sentences_is_not_cut_anew():
    sentence = "The minister said the motorway would open in March after years of delay."
    text = " ".join([sentence] * 60)
    bounded, plain = load_nlp()(text), load_nlp().make_doc(text)
    for name, proc in load_nlp().pipeline:
        if name != "bounded_sentences":
            plain = proc(plain)
    assert len(bounded) > MAX_SENTENCE_TOKENS
    assert [s.text for s in bounded.sents] == [s.text for s in plain.sents]
