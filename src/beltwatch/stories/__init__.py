"""Stories: which articles copy one another, and which report the same happening.

Pure functions over `StorySignal` records; the store calls them and keeps the results.

- `signal_of(extraction)` (`signals`): the article id, cleaned text, published date and
  title, one `EventSignature` per event (type, date, place, actor-like arguments) and the
  entity names.
- `find_duplicates(signals)` and `DuplicateIndex` (`duplicates`): exact copies by a hash of
  the normalised text (case, whitespace and punctuation ignored); near copies (syndication,
  a new headline, a few changed words, added boilerplate) by MinHash over 3-word shingles
  (128 permutations, seed 1) in a banded LSH index (32 bands x 3 rows), verified at an
  estimated Jaccard >= 0.45. Reprints keep >= 0.53 of their shingles, different articles
  share <= 0.07. The original is the earliest published, ties to the lowest id.
  `minhash_bytes` / `fingerprint` give what the store keeps to rebuild an index without
  the texts (`DuplicateIndex.add_fingerprint`).
- `cluster_stories(signals, duplicates)` (`clustering`): reports of one happening in
  different words. Two articles are linked when a current event of each matches (same
  type, dates <= 2 days apart, same place (a town and its district are one) or a shared
  actor, no two different places) and their TF-IDF cosine is >= 0.2 (a strong match: two of
  place, actor and same day, both events dated), >= 0.35 (a weak one), or, with no event
  evidence, >= 0.5 for articles published <= 2 days apart. Reports in other words or languages are also linked, published
  <= 1 day apart (a month-only date is its month), on their names and numbers (`anchors`:
  knowledge names and countries in any script, numbers, capitalised Latin words): anchor cosine
  >= 0.15 and >= 3 anchors shared (countries not counted), unless the events of both say
  different kinds of happening or each names an official of a country the other never names. A later
  report up to 60 days on (arrests, findings, compensation) joins the story of the happening
  it recalls by kind, place and date when it shares its names. Articles that report
  different day-dated attacks, meetings or agreements are otherwise never linked, events
  dated over a week before publication are background, and a story spans at most 14 days
  of publication, 60 through a follow-up. Duplicates join their
  original's story. Candidate pairs come from event blocks (type + place, type + actor,
  scanned by date), a MinHash LSH over each article's top TF-IDF terms and blocks on its
  heaviest anchors (both scanned by publication date), so the work is linear in the number of articles.
"""

from beltwatch.stories.clustering import cluster_stories, reach, story_id
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
    "reach",
    "signal_of",
    "story_id",
]
