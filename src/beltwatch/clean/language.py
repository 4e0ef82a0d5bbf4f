"""Language identification with py3langid, reported as ISO 639-1 codes ("en", "zh")."""

from __future__ import annotations

from functools import cache
from typing import Any

# py3langid also knows languages that ISO 639-1 files under a macrolanguage; their scores
# are added to it, so that Chinese split between "zh" and "wuu" (Wu) still reads "zh".
_FOLD = {
    "wuu": "zh",
    "yue": "zh",
    "gan": "zh",
    "hak": "zh",
    "cmn": "zh",
    "arz": "ar",
    "ary": "ar",
    "uzs": "uz",
}
MIN_LETTERS = 20  # fewer letters than this (a Han character counts as two) is too short to tell
MIN_CONFIDENCE = 0.5


@cache
def _identifier() -> Any:
    """The py3langid model, loaded once and only when first needed (it takes ~0.5 s)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of the language of `text`, or None when it is too short or unclear."""
    if not text:
        return None
    letters = sum(2 if _is_han(ch) else 1 for ch in text if ch.isalpha())
    if letters < MIN_LETTERS:
        return None
    scores: dict[str, float] = {}
    for code, prob in _identifier().rank(text):
        code = _FOLD.get(code, code)
        scores[code] = scores.get(code, 0.0) + float(prob)
    candidates = [(prob, code) for code, prob in scores.items() if len(code) == 2]
    if not candidates:
        return None
    prob, code = max(candidates)
    return code if prob >= MIN_CONFIDENCE else None


def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or "\uf900" <= ch <= "\ufaff"
