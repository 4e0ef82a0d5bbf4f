"""Stories: which articles copy one another, and which report the same happening.

Pure functions over `StorySignal` records (`signal_of` makes one from an extraction); the
store calls them and keeps the results.

- `find_duplicates` / `DuplicateIndex` (`duplicates`): exact copies by a hash of the
  normalised text (case, whitespace and punctuation ignored); near copies (syndication,
  a new headline, a few changed words, added boilerplate) by MinHash over 3-word shingles,
  128 permutations, seed 1, banded LSH (20 bands x 3 rows), estimated Jaccard >= 0.45.
  The original is the earliest published (ties: lowest id). Signatures serialise with
  `minhash_bytes` so an index can be rebuilt without the texts.
- `cluster_stories` (`clustering`): reports of one happening in different words. Two
  articles are linked when a current event of theirs matches (same type, dates <= 2 days
  apart, same place or a shared actor, no conflicting places) and their TF-IDF cosine is
  >= 0.2 (>= 0.35 when the match is weak: one feature only, or STATEMENT events), or,
  with no event evidence, when the cosine is >= 0.5 and they were published <= 2 days
  apart. Articles reporting different day-dated attacks, meetings or agreements are never
  linked; a story spans at most 14 days of publication. Duplicates join their original's
  story. Candidates come from event blocks (type + place, type + actor, scanned by date)
  and a MinHash LSH over top TF-IDF terms (scanned by publication date), so the work is
  linear in the number of articles.
"""

from beltwatch.stories.clustering import cluster_stories, story_id
from beltwatch.stories.duplicates import (
    DuplicateIndex,
    Fingerprint,
    content_hash,
    find_duplicates,
    fingerprint,
    minhash_bytes,
    minhash_from_bytes,
)
from beltwatch.stories.signals import signal_of

__all__ = [
    "DuplicateIndex",
    "Fingerprint",
    "cluster_stories",
    "content_hash",
    "find_duplicates",
    "fingerprint",
    "minhash_bytes",
    "minhash_from_bytes",
    "signal_of",
    "story_id",
]
