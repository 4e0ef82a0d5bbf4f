"""Evidence lookup: which sentence of the cleaned text holds a character span."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

from beltwatch.model import Evidence


class Sentences:
    """Sentence boundaries of one cleaned text, searchable by character offset."""

    def __init__(self, text: str, bounds: Sequence[tuple[int, int]]) -> None:
        self.text = text
        self.bounds = sorted(bounds)
        self._starts = [start for start, _ in self.bounds]

    def evidence(self, start: int, end: int) -> Evidence:
        """The sentence holding `start`; a span crossing sentences widens to cover them all."""
        first = max(bisect_right(self._starts, start) - 1, 0)
        last = max(bisect_right(self._starts, max(end - 1, start)) - 1, first)
        if not self.bounds:
            return Evidence(self.text[start:end], start, end)
        s = min(self.bounds[first][0], start)
        e = max(self.bounds[last][1], end)
        return Evidence(self.text[s:e], s, e)

    @classmethod
    def by_lines(cls, text: str) -> Sentences:
        """Fallback boundaries, one per non-empty line, for texts without a parse."""
        bounds, pos = [], 0
        for line in text.splitlines(keepends=True):
            stripped = line.strip()
            if stripped:
                s = pos + line.index(stripped)
                bounds.append((s, s + len(stripped)))
            pos += len(line)
        return cls(text, bounds)
