"""A synthetic archive for bench/search.py, written straight into the database.

    FANWORKS_VAR_DIR=/tmp/x .venv/bin/python bench/search_archive.py --works 100000 --out plan.json

Run it in a scratch archive after `fanworks migrate`; bench/search.py does both. The shape
follows shared/reference/search.md §3 (a measured design corpus):

* about 194,000 tags: the 17 closed tags (ratings, warnings, categories) seeded by the migration,
  20,000 fandoms, 60,000 characters, 50,000 relationships and 64,000 freeforms. Popularity is
  Zipf within each type; 70% of a work's characters and relationships come from the cluster of
  its first fandom. Some fandoms sit under franchise metatags, some characters and freeforms
  under metatags of their own, and some tags are synonyms that works use in place of the
  canonical tag, so the filter table has inherited and merged rows. The freeform tail is
  unwrangled (no filter rows), as on AO3.
* about 20 tags per work; word counts log-normal, kudos Pareto, hits 10-30 times the kudos,
  comments and bookmarks a fraction of them; 65% complete; 5% restricted, 0.5% drafts, 0.1%
  hidden by an admin; crossovers where two fandoms share no franchise.
* one posted chapter per work (a draft's is unposted) of 100-300 words drawn from a Zipf
  pseudo-vocabulary, with rare "planted" words so chapter-text queries have selective matches.
  The work's word count is the log-normal figure, not the chapter's: a million works of real
  length would make a 20 GB database for no gain in what the benchmark measures.

Rows go in with executemany on the Django connection (COPY on PostgreSQL) with explicit ids,
in batches of 10,000 works per transaction. On SQLite the secondary indexes of the big tables are
dropped during the load and created again at the end, which is several times faster than keeping
them up to date row by row. Everything is derived from `--seed`, so a size and seed always give
the same archive. Writes a JSON plan (tags to benchmark, query words, figures) to `--out`.
"""

import argparse
import bisect
import collections
import itertools
import json
import multiprocessing
import os
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

# Tag universe (search.md §3).
FANDOMS = 20_000
CHARACTERS = 60_000
RELATIONSHIPS = 50_000
FREEFORMS = 64_000
# Synonyms: this share of each type's tags are other spellings of a popular canonical tag.
SYNONYM_SHARE = 0.03
# Freeforms past this popularity rank are unwrangled: no canonical tag, no filter rows.
CANONICAL_FREEFORMS = 24_000
FRANCHISES = 300  # fandoms that are metatags of other fandoms ("... - All Media Types")
FRANCHISE_SHARE = 0.15  # fandoms below the franchises that belong to one
CHARACTER_META_SHARE = 0.02
FREEFORM_METAS = 40  # the most popular freeforms serve as metatags of others
FREEFORM_META_SHARE = 0.08
CLUSTERED = 0.7  # share of characters and relationships taken from the first fandom's cluster
SYNONYM_USE = 0.15  # how often a work uses a synonym spelling of a tag that has one

VOCABULARY = 30_000
SENTENCES = 40_000
# Planted words: (word, share of works whose chapter has it). Never in titles, summaries or tags.
PLANTED = [
    (f"{stem}{suffix}", share)
    for (stem, share), suffix in zip(
        [
            ("quilvane", 0.0003),
            ("morthexa", 0.0005),
            ("zyrrbell", 0.0008),
            ("oskaphin", 0.001),
            ("trevolith", 0.0015),
            ("vantorix", 0.002),
            ("ebrellune", 0.003),
            ("kastimora", 0.004),
            ("fennolark", 0.006),
            ("gaswyther", 0.008),
            ("hollimere", 0.01),
            ("jurrenvex", 0.015),
            ("lysandrel", 0.02),
            ("plovenaut", 0.0004),
            ("sarquinet", 0.0025),
            ("wendolith", 0.005),
        ],
        itertools.cycle(["", "a", "o", "e"]),
        strict=False,
    )
]

WORK_COLUMNS = [
    "id", "title", "summary", "summary_html", "notes", "notes_html", "endnotes", "endnotes_html",
    "sanitizer_version", "language", "restricted", "comment_permission", "expected_chapters",
    "posted", "hidden_by_admin", "first_posted_at", "revised_at", "created_at", "updated_at",
    "word_count", "posted_chapter_count", "version", "hit_count", "kudos_count", "comment_count",
    "bookmark_count", "is_crossover",
]  # fmt: skip
CHAPTER_COLUMNS = [
    "id", "work_id", "position", "title", "summary", "summary_html", "notes", "notes_html",
    "endnotes", "endnotes_html", "content", "content_html", "sanitizer_version", "word_count",
    "posted", "published_at", "created_at", "updated_at", "version",
]  # fmt: skip
# Bump when the generator changes what it makes: `--reuse` then builds the archive again.
GENERATOR_VERSION = 1

NOW = datetime(2026, 11, 1, tzinfo=UTC)
NOW_TS = int(NOW.timestamp())
YEAR = 365 * 86400
BATCH = 10_000

RATING_SHARES = [
    ("Not Rated", 0.05),
    ("General Audiences", 0.27),
    ("Teen And Up Audiences", 0.31),
    ("Mature", 0.17),
    ("Explicit", 0.20),
]
WARNING_SHARES = [  # independent chances; "No Archive Warnings Apply" when none hit
    ("Creator Chose Not To Use Archive Warnings", 0.28),
    ("Graphic Depictions Of Violence", 0.12),
    ("Major Character Death", 0.093),
    ("Rape/Non-Con", 0.025),
    ("Underage Sex", 0.02),
]
CATEGORY_SHARES = [
    ("F/F", 0.12),
    ("F/M", 0.25),
    ("Gen", 0.22),
    ("M/M", 0.45),
    ("Multi", 0.08),
    ("Other", 0.03),
]

# ---------------------------------------------------------------------------------------------
# Invented words and names


def syllables(text: str) -> list[str]:
    return text.split()


ONSETS = syllables("b br c ch d dr f fl g gr h j k l m n p pr r s sh st t th tr v w z") + [""] * 3
VOWELS = syllables("a a e e i o u ae ai ea io ou")
CODAS = syllables("n r l s th nd rk m x st") + [""] * 7


def invent_words(rng: random.Random, count: int, taken: set[str]) -> list[str]:
    """`count` distinct pronounceable words of 1-4 syllables, none of them in `taken`."""
    found: list[str] = []
    seen = set(taken)
    while len(found) < count:
        syllables = rng.choice((1, 2, 2, 2, 3, 3, 4))
        word = "".join(
            rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS) for _ in range(syllables)
        )
        if len(word) >= 3 and word not in seen:
            seen.add(word)
            found.append(word)
    return found


def zipf_cumulative(count: int, exponent: float) -> list[float]:
    total = 0.0
    out = []
    for rank in range(1, count + 1):
        total += rank**-exponent
        out.append(total)
    return out


class Picker:
    """Draws items with given cumulative weights (random.choices without its per-call setup)."""

    def __init__(self, items: list[int], cumulative: list[float]) -> None:
        self.items = items
        self.cumulative = cumulative
        self.total = cumulative[-1]
        self.last = len(items) - 1

    def pick(self, rng: random.Random) -> int:
        return self.items[bisect.bisect(self.cumulative, rng.random() * self.total, 0, self.last)]


class Universe:
    """The tag graph, built in memory with the ids it will have in the database."""

    def __init__(self, seed: int, first_id: int, closed: dict[str, int]) -> None:
        rng = random.Random(f"tags-{seed}")
        self.rng = rng
        self.next_id = first_id
        self.closed = closed
        self.rows: list[tuple[int, str, str, bool, int | None]] = []  # id, name, type, canon, syn
        self.folded: set[str] = {name.casefold() for name in closed}
        self.metatags: list[tuple[int, int]] = []  # (meta, sub)
        self.parent_links: list[tuple[int, int]] = []  # (parent, child)
        self.words = invent_words(rng, 12_000, set())
        self.type_of: dict[int, str] = dict.fromkeys(closed.values(), "")

        self.fandoms = self._tags("fandom", FANDOMS, self._fandom_name)
        # Characters and relationships belong to a fandom, drawn by a flatter Zipf than works
        # use, so popular fandoms have many characters and the tail has one or none.
        home = Picker(self.fandoms, zipf_cumulative(len(self.fandoms), 0.8))
        self.character_home: dict[int, int] = {}
        self.characters = self._tags("character", CHARACTERS, self._character_name)
        for tag_id in self.characters:
            self.character_home[tag_id] = home.pick(rng)
        by_fandom: dict[int, list[int]] = {}
        for tag_id in self.characters:
            by_fandom.setdefault(self.character_home[tag_id], []).append(tag_id)
        self.characters_of = by_fandom
        self.relationship_home: dict[int, int] = {}
        names = {tag_id: name for tag_id, name, *_ in self.rows}

        def relationship_name(index: int) -> str:
            fandom = home.pick(rng)
            cast = by_fandom.get(fandom) or self.characters[:50]
            pair = rng.sample(cast, 2) if len(cast) >= 2 else [cast[0], rng.choice(self.characters)]
            self._pending_home = fandom
            glue = "/" if rng.random() < 0.75 else " & "
            return glue.join(names[c] for c in pair)

        self.relationships = self._tags(
            "relationship", RELATIONSHIPS, relationship_name, home=self.relationship_home
        )
        self.relationships_of: dict[int, list[int]] = {}
        for tag_id in self.relationships:
            self.relationships_of.setdefault(self.relationship_home[tag_id], []).append(tag_id)
        self.freeforms = self._tags("freeform", FREEFORMS, self._freeform_name)
        self._wrangle()

    # Names ------------------------------------------------------------------------------------

    def _title(self, words: int) -> str:
        return " ".join(self.rng.choice(self.words).capitalize() for _ in range(words))

    def _fandom_name(self, index: int) -> str:
        medium = self.rng.choice(
            ["", "", " (TV)", " (Anime)", " (Video Game)", " (Movies)", " (Comics)", " - Author"]
        )
        return self._title(self.rng.choice((1, 2, 2, 3))) + medium

    def _character_name(self, index: int) -> str:
        return self._title(self.rng.choice((1, 2, 2, 2)))

    def _freeform_name(self, index: int) -> str:
        words = [self.rng.choice(self.words) for _ in range(self.rng.choice((1, 2, 2, 3, 4)))]
        return " ".join(words).capitalize()

    def _claim(self, name: str) -> str:
        """`name`, or a numbered variant of it, unique when folded."""
        candidate, n = name, 2
        while candidate.casefold() in self.folded:
            candidate = f"{name} {n}"
            n += 1
        self.folded.add(candidate.casefold())
        return candidate

    def _tags(
        self, tag_type: str, count: int, namer: Any, home: dict[int, int] | None = None
    ) -> list[int]:
        """Canonical tags of one type in popularity order (most popular first)."""
        ids = []
        for index in range(count):
            name = self._claim(namer(index))
            tag_id = self.next_id
            self.next_id += 1
            canonical = tag_type != "freeform" or index < CANONICAL_FREEFORMS
            self.rows.append((tag_id, name, tag_type, canonical, None))
            self.type_of[tag_id] = tag_type
            if home is not None:
                home[tag_id] = self._pending_home
            ids.append(tag_id)
        return ids

    # Wrangling ----------------------------------------------------------------------------------

    def _wrangle(self) -> None:
        rng = self.rng
        names = {tag_id: name for tag_id, name, *_ in self.rows}
        # Synonyms of popular tags: extra tags that works sometimes use instead.
        self.synonym_of_tag: dict[int, int] = {}  # canonical -> one synonym
        for tag_type, ids in (
            ("fandom", self.fandoms),
            ("character", self.characters),
            ("relationship", self.relationships),
            ("freeform", self.freeforms[:CANONICAL_FREEFORMS]),
        ):
            for canonical in rng.sample(ids[: len(ids) // 4], int(len(ids) * SYNONYM_SHARE)):
                words = names[canonical].split()
                spelling = (
                    "".join(w[0] for w in words).upper() + " " + words[-1]
                    if len(words) > 1
                    else words[0] + "ie"
                )
                tag_id = self.next_id
                self.next_id += 1
                self.rows.append((tag_id, self._claim(spelling), tag_type, False, canonical))
                self.type_of[tag_id] = tag_type
                self.synonym_of_tag[canonical] = tag_id
        # Franchises: fandoms under a bigger fandom, so works in two of them are no crossover.
        for fandom in self.fandoms[FRANCHISES:]:
            if rng.random() < FRANCHISE_SHARE:
                self.metatags.append((self.fandoms[rng.randrange(FRANCHISES)], fandom))
        for character in self.characters[100:]:
            if rng.random() < CHARACTER_META_SHARE:
                cast = self.characters_of[self.character_home[character]]
                meta = cast[0] if cast[0] != character else self.characters[rng.randrange(100)]
                self.metatags.append((meta, character))
        for freeform in self.freeforms[FREEFORM_METAS:CANONICAL_FREEFORMS]:
            if rng.random() < FREEFORM_META_SHARE:
                self.metatags.append((self.freeforms[rng.randrange(FREEFORM_METAS)], freeform))
        self.ancestors: dict[int, tuple[int, ...]] = {}
        above: dict[int, list[int]] = {}
        for meta, sub in self.metatags:
            above.setdefault(sub, []).append(meta)
        for sub in above:
            found: list[int] = []
            stack = list(above[sub])
            while stack:
                meta = stack.pop()
                if meta not in found:
                    found.append(meta)
                    stack.extend(above.get(meta, ()))
            self.ancestors[sub] = tuple(found)
        self.franchise_of = {sub: meta for meta, sub in self.metatags if sub in self.fandom_set}
        self.parent_links += [(f, c) for c, f in self.character_home.items()]
        self.parent_links += [(f, r) for r, f in self.relationship_home.items()]

    @property
    def fandom_set(self) -> set[int]:
        if not hasattr(self, "_fandom_set"):
            self._fandom_set = set(self.fandoms)
        return self._fandom_set


# ---------------------------------------------------------------------------------------------
# Text


class Prose:
    """Sentences over a Zipf pseudo-vocabulary; chapters and summaries are drawn from them."""

    def __init__(self, seed: int, taken: set[str]) -> None:
        rng = random.Random(f"prose-{seed}")
        self.vocabulary = invent_words(rng, VOCABULARY, taken | {w for w, _ in PLANTED})
        cumulative = zipf_cumulative(VOCABULARY, 1.0)
        self.sentences: list[tuple[str, int]] = []
        for _ in range(SENTENCES):
            length = rng.randint(6, 18)
            words = rng.choices(self.vocabulary, cum_weights=cumulative, k=length)
            text = " ".join(words).capitalize() + rng.choice(".....?!")
            self.sentences.append((text, length))


# ---------------------------------------------------------------------------------------------
# Works


class WorkMaker:
    """Makes the rows of one batch of works: every work, chapter, creator, tag and filter row.

    Each batch has its own random generator seeded by (seed, first index), so the archive does
    not depend on how many processes make it. Work ids are 1..N and each work's one chapter has
    the work's id.
    """

    def __init__(
        self,
        universe: Universe,
        prose: Prose,
        creators: Picker,
        seed: int,
        postgres: bool,
        title_key: bool,
    ) -> None:
        from fanworks.core.sanitize import SANITIZER_VERSION

        u = universe
        self.sanitizer_version = SANITIZER_VERSION
        self.seed = seed
        self.postgres = postgres
        self.title_key = title_key
        self.creators = creators
        self.fandom_pick = Picker(u.fandoms, zipf_cumulative(len(u.fandoms), 1.0))
        self.character_pick = Picker(u.characters, zipf_cumulative(len(u.characters), 1.0))
        self.relationship_pick = Picker(u.relationships, zipf_cumulative(len(u.relationships), 1.0))
        self.freeform_pick = Picker(u.freeforms, zipf_cumulative(len(u.freeforms), 0.85))
        self.clusters: dict[int, tuple[Picker | None, Picker | None]] = {}
        for fandom in u.fandoms:
            chars = u.characters_of.get(fandom)
            rels = u.relationships_of.get(fandom)
            self.clusters[fandom] = (
                Picker(chars, zipf_cumulative(len(chars), 1.0)) if chars else None,
                Picker(rels, zipf_cumulative(len(rels), 1.0)) if rels else None,
            )
        closed = u.closed
        self.rating_pick = Picker(
            [closed[name] for name, _ in RATING_SHARES],
            list(itertools.accumulate(share for _, share in RATING_SHARES)),
        )
        self.warnings = [(closed[name], share) for name, share in WARNING_SHARES]
        self.no_warnings = closed["No Archive Warnings Apply"]
        self.categories = [(closed[name], share) for name, share in CATEGORY_SHARES]
        # Each tag's filter: itself when canonical, its canonical tag when a synonym.
        self.filter_of: dict[int, int] = {}
        for tag_id, _, _, canonical, synonym in u.rows:
            if canonical:
                self.filter_of[tag_id] = tag_id
            elif synonym is not None:
                self.filter_of[tag_id] = synonym
        self.filter_of.update({tag_id: tag_id for tag_id in closed.values()})
        self.ancestors = u.ancestors
        self.synonym_of_tag = u.synonym_of_tag
        self.franchise_of = u.franchise_of
        self.sentences = prose.sentences
        self.vocabulary = prose.vocabulary
        self.title_words = Picker(list(range(2000)), zipf_cumulative(2000, 0.6))

    def batch(self, start: int, end: int) -> dict[str, Any]:
        rng = random.Random(f"works-{self.seed}-{start}")
        rnd = rng.random
        stamp = self.postgres
        sv = self.sanitizer_version
        sentences, sentence_count = self.sentences, len(self.sentences)
        vocabulary, title_words = self.vocabulary, self.title_words
        filter_of, ancestors = self.filter_of, self.ancestors
        synonym_of_tag, franchise_of = self.synonym_of_tag, self.franchise_of
        out: dict[str, Any] = {
            key: [] for key in ("works", "chapters", "creators", "tags", "filters", "outbox")
        }
        public_counts: dict[int, int] = {}
        planted_counts = dict.fromkeys((w for w, _ in PLANTED), 0)
        crossovers = public = 0
        now = when(NOW_TS, stamp)
        for work_id in range(start + 1, end + 1):
            # Tags
            fandom_n = 1 if rnd() < 0.88 else (2 if rnd() < 0.8 else 3)
            fandoms: list[int] = []
            while len(fandoms) < fandom_n:
                f = self.fandom_pick.pick(rng)
                if f not in fandoms:
                    fandoms.append(f)
            char_cluster, rel_cluster = self.clusters[fandoms[0]]
            tags = {self.rating_pick.pick(rng)}
            for w, share in self.warnings:
                if rnd() < share:
                    tags.add(w)
            if len(tags) == 1:
                tags.add(self.no_warnings)
            for c, share in self.categories:
                if rnd() < share:
                    tags.add(c)
            tags.update(fandoms)
            for _ in range(int(rng.triangular(1, 11, 5))):
                if char_cluster is not None and rnd() < CLUSTERED:
                    tags.add(char_cluster.pick(rng))
                else:
                    tags.add(self.character_pick.pick(rng))
            for _ in range(int(rng.triangular(0, 7, 3))):
                if rel_cluster is not None and rnd() < CLUSTERED:
                    tags.add(rel_cluster.pick(rng))
                else:
                    tags.add(self.relationship_pick.pick(rng))
            for _ in range(int(rng.triangular(3, 18, 8))):
                tags.add(self.freeform_pick.pick(rng))
            applied = []
            for t in tags:
                synonym = synonym_of_tag.get(t)
                applied.append(synonym if synonym is not None and rnd() < SYNONYM_USE else t)
            applied.sort()
            filters: dict[int, bool] = {}
            for t in applied:
                target = filter_of.get(t)
                if target is not None:
                    filters[target] = False
            for f in list(filters):
                for meta in ancestors.get(f, ()):
                    filters.setdefault(meta, True)
            crossover = fandom_n > 1 and len({franchise_of.get(f, f) for f in fandoms}) > 1
            # Numbers
            words = min(400_000, max(100, int(rng.lognormvariate(7.9, 1.25))))
            chapters = 1 if words < 4000 else max(1, int(words / rng.uniform(2500, 6000)))
            complete = rnd() < 0.65
            if complete:
                expected: int | None = chapters if rnd() > 0.02 else None
            else:
                expected = None if rnd() < 0.6 else chapters + 1 + int(rnd() * 10)
            kudos = min(
                150_000, int(25 * (rng.paretovariate(1.1) - 1) * (1 + words / 40_000) ** 0.5)
            )
            hits = int(kudos * rng.uniform(10, 30)) + int(rnd() * 40)
            comments = int(kudos * rng.uniform(0.02, 0.15))
            bookmarks = int(kudos * rng.uniform(0.05, 0.2))
            draft = rnd() < 0.005
            hidden = not draft and rnd() < 0.001
            restricted = rnd() < 0.05
            posted = not draft
            posted_ts = NOW_TS - int(15 * YEAR * rnd() ** 1.6) - 3600
            revised_ts = posted_ts
            if chapters > 1:
                revised_ts = min(NOW_TS - 60, posted_ts + int(rnd() * 2 * YEAR))
            created_ts = posted_ts - int(rnd() * 86400)
            posted_at = when(posted_ts, stamp) if posted else None
            revised_at = when(revised_ts, stamp)
            created_at = when(created_ts, stamp)
            # Text
            title = " ".join(
                vocabulary[title_words.pick(rng)] for _ in range(rng.choice((1, 2, 3, 4, 4, 5)))
            ).title()
            summary = " ".join(
                sentences[int(rnd() * sentence_count)][0] for _ in range(rng.choice((1, 2, 3, 3)))
            )
            paragraphs = []
            chapter_words = 0
            target = rng.randint(100, 300)
            while chapter_words < target:
                picked = [
                    sentences[int(rnd() * sentence_count)] for _ in range(rng.choice((2, 3, 4, 5)))
                ]
                chapter_words += sum(n for _, n in picked)
                paragraphs.append(" ".join(text for text, _ in picked))
            for word, share in PLANTED:
                if rnd() < share:
                    where = int(rnd() * len(paragraphs))
                    paragraphs[where] = f"{paragraphs[where]} The {word} waited."
                    chapter_words += 3
                    planted_counts[word] += 1
            language = "en" if rnd() < 0.93 else rng.choice(("es", "fr", "de", "zh", "ru", "ja"))
            work_row = [
                work_id, title, summary, f"<p>{summary}</p>", "", "", "", "", sv, language,
                restricted, "registered", expected, posted, hidden, posted_at,
                revised_at if posted else None, created_at, revised_at, words,
                chapters if posted else 0, 1, hits, kudos, comments, bookmarks, crossover,
            ]  # fmt: skip
            if self.title_key:
                work_row.append(title.casefold()[:255])
            out["works"].append(work_row)
            out["chapters"].append(
                (
                    work_id, work_id, 1, "", "", "", "", "", "", "", "\n\n".join(paragraphs),
                    "".join(f"<p>{p}</p>\n" for p in paragraphs), sv, chapter_words, posted,
                    posted_at, created_at, revised_at, 1,
                )
            )  # fmt: skip
            first = self.creators.pick(rng)
            out["creators"].append((work_id, first, 0))
            if rnd() < 0.04:
                other = self.creators.pick(rng)
                if other != first:
                    out["creators"].append((work_id, other, 1))
            out["tags"] += [(work_id, t) for t in applied]
            out["filters"] += [(work_id, f, inherited) for f, inherited in sorted(filters.items())]
            out["outbox"].append((work_id, now))
            if posted and not hidden and not restricted:
                public += 1
                for f in filters:
                    public_counts[f] = public_counts.get(f, 0) + 1
            crossovers += crossover
        out.update(
            public_counts=public_counts,
            planted=planted_counts,
            crossovers=crossovers,
            public=public,
            end=end,
        )
        return out


_MAKER: WorkMaker | None = None
_WORKS = 0


def _make_batch(start: int) -> dict[str, Any]:
    assert _MAKER is not None
    return _MAKER.batch(start, min(_WORKS, start + BATCH))


# ---------------------------------------------------------------------------------------------
# Writing rows


class Writer:
    """INSERTs of one table: executemany on the Django connection, COPY on PostgreSQL."""

    def __init__(self, table: str, columns: list[str]) -> None:
        from django.db import connection

        self.connection = connection
        quote = connection.ops.quote_name
        names = ", ".join(quote(c) for c in columns)
        marks = ", ".join(["%s"] * len(columns))
        self.sql = f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})"
        self.copy_sql = f"COPY {quote(table)} ({names}) FROM STDIN"
        self.postgres = connection.vendor == "postgresql"
        self.name = table

    def write(self, rows: list[tuple[Any, ...]] | list[list[Any]]) -> None:
        if not rows:
            return
        with self.connection.cursor() as cursor:
            if self.postgres:
                with cursor.cursor.copy(self.copy_sql) as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                cursor.executemany(self.sql, rows)


def table(model: Any) -> str:
    return str(model._meta.db_table)


def when(ts: int, postgres: bool) -> Any:
    """A timestamp as the database column takes it (SQLite: Django's UTC text form)."""
    if postgres:
        return datetime.fromtimestamp(ts, UTC)
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ts))


def secondary_indexes(tables: list[str]) -> list[tuple[str, str]]:
    """SQLite: the (name, CREATE INDEX sql) of these tables' droppable indexes."""
    from django.db import connection

    with connection.cursor() as cursor:
        marks = ", ".join(["%s"] * len(tables))
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({marks})",
            tables,
        )
        return [(str(name), str(sql)) for name, sql in cursor.fetchall()]


# ---------------------------------------------------------------------------------------------
# The archive


def generate(works: int, seed: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.db import connection, transaction

    from fanworks.accounts.models import Pseud, User
    from fanworks.search.models import SearchOutbox
    from fanworks.tags.actions import closed_tags
    from fanworks.tags.models import (
        CATEGORIES,
        RATINGS,
        WARNINGS,
        MetaTagging,
        ParentLink,
        Tag,
        TagType,
        WorkFilter,
    )
    from fanworks.tags.search import fold
    from fanworks.works.models import Chapter, Creatorship, Work, WorkTag

    started = time.perf_counter()
    postgres = connection.vendor == "postgresql"
    if Work.objects.exists():
        raise SystemExit("the archive already has works; generate into a fresh one")
    # Seeded by a migration, unless a PostgreSQL database was flushed since.
    for tag_type, names in (
        (TagType.RATING, RATINGS),
        (TagType.WARNING, WARNINGS),
        (TagType.CATEGORY, CATEGORIES),
    ):
        closed_tags(tag_type=tag_type, names=names)
    closed = dict(Tag.objects.values_list("name", "id"))
    first_id = (Tag.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    universe = Universe(seed, first_id, closed)
    prose = Prose(seed, set(universe.words))
    stamp = when(NOW_TS - 3 * YEAR, postgres)
    timings: dict[str, Any] = {"tags_in_memory": round(time.perf_counter() - started, 1)}

    big_tables = [table(m) for m in (WorkTag, WorkFilter, Chapter, Creatorship, Work)]
    dropped: list[tuple[str, str]] = []
    if not postgres:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA foreign_keys=OFF")
            cursor.execute("PRAGMA synchronous=OFF")
            # No rollback journal while loading a scratch archive: pages are written once
            # instead of twice (WAL, then checkpoint). Restored below.
            cursor.execute("PRAGMA journal_mode=OFF")
            cursor.execute("PRAGMA cache_size=-1000000")  # 1 GB
            dropped = secondary_indexes(big_tables)
            for name, _ in dropped:
                cursor.execute(f'DROP INDEX "{name}"')

    # Tags -------------------------------------------------------------------------------------
    began = time.perf_counter()
    with transaction.atomic():
        Writer(
            table(Tag),
            [
                "id", "name", "type", "canonical", "synonym_of_id", "unwrangleable",
                "search_name", "created_at", "updated_at",
            ],
        ).write(
            [
                (tag_id, name, kind, canonical, synonym, False, fold(name), stamp, stamp)
                for tag_id, name, kind, canonical, synonym in universe.rows
            ]
        )  # fmt: skip
        Writer(table(MetaTagging), ["meta_tag_id", "sub_tag_id"]).write(universe.metatags)
        Writer(table(ParentLink), ["parent_id", "child_id"]).write(universe.parent_links)
    timings["tags"] = round(time.perf_counter() - began, 1)

    # Users ------------------------------------------------------------------------------------
    began = time.perf_counter()
    user_count = max(200, works // 5)
    first_user = (User.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    first_pseud = (Pseud.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    rng = random.Random(f"users-{seed}")
    user_rows, pseud_rows = [], []
    for n in range(user_count):
        joined = when(NOW_TS - int(16 * YEAR * rng.random() ** 1.3) - 86400, postgres)
        name = f"{rng.choice(universe.words)}_{n}"
        user_rows.append(
            (first_user + n, "!", None, False, "", "", False, True, joined, name,
             f"{name}@bench.invalid")
        )  # fmt: skip
        pseud_rows.append((first_pseud + n, name, True, "", joined, first_user + n))
    with transaction.atomic():
        Writer(
            table(User),
            [
                "id", "password", "last_login", "is_superuser", "first_name", "last_name",
                "is_staff", "is_active", "date_joined", "username", "email",
            ],
        ).write(user_rows)  # fmt: skip
        Writer(
            table(Pseud), ["id", "name", "is_default", "description", "created_at", "user_id"]
        ).write(pseud_rows)
    del user_rows, pseud_rows
    timings["users"] = round(time.perf_counter() - began, 1)
    # Prolific writers: Zipf over pseuds.
    creators = Picker(
        list(range(first_pseud, first_pseud + user_count)), zipf_cumulative(user_count, 0.7)
    )

    # Works ------------------------------------------------------------------------------------
    began = time.perf_counter()
    work_columns = list(WORK_COLUMNS)
    # Columns other engineers add later get their database default, unless filled here.
    title_key = "title_sort_key" in {f.name for f in Work._meta.concrete_fields}
    if title_key:
        work_columns.append("title_sort_key")
    writers = {
        "works": Writer(table(Work), work_columns),
        "chapters": Writer(table(Chapter), CHAPTER_COLUMNS),
        "creators": Writer(table(Creatorship), ["work_id", "pseud_id", "position"]),
        "tags": Writer(table(WorkTag), ["work_id", "tag_id"]),
        "filters": Writer(table(WorkFilter), ["work_id", "tag_id", "inherited"]),
        "outbox": Writer(table(SearchOutbox), ["work_id", "created_at"]),
    }
    global _MAKER, _WORKS
    _WORKS = works
    _MAKER = WorkMaker(universe, prose, creators, seed, postgres, title_key)
    public_counts = [0] * (universe.next_id + 1)
    totals: dict[str, Any] = {"work_tags": 0, "work_filters": 0, "crossovers": 0, "public": 0}
    planted_counts = dict.fromkeys((w for w, _ in PLANTED), 0)
    writing: dict[str, float] = {}  # seconds spent in each table's INSERTs
    # Two forked processes make the rows (deterministic per batch) while this one writes them;
    # at most a few batches wait in memory.
    with multiprocessing.get_context("fork").Pool(2) as pool:
        starts = iter(range(0, works, BATCH))
        pending = collections.deque(
            pool.apply_async(_make_batch, (start,)) for start in itertools.islice(starts, 3)
        )
        while pending:
            batch = pending.popleft().get()
            following = next(starts, None)
            if following is not None:
                pending.append(pool.apply_async(_make_batch, (following,)))
            with transaction.atomic():
                for key, writer in writers.items():
                    clock = time.perf_counter()
                    writer.write(batch[key])
                    writing[writer.name] = writing.get(writer.name, 0.0) + (
                        time.perf_counter() - clock
                    )
            for tag_id, count in batch["public_counts"].items():
                public_counts[tag_id] += count
            for word, count in batch["planted"].items():
                planted_counts[word] += count
            totals["work_tags"] += len(batch["tags"])
            totals["work_filters"] += len(batch["filters"])
            totals["crossovers"] += batch["crossovers"]
            totals["public"] += batch["public"]
            done = batch["end"]
            if done % 100_000 == 0 or done == works:
                elapsed = time.perf_counter() - began
                print(f"  {done:,}/{works:,} works ({done / elapsed:,.0f}/s)", flush=True)
    _MAKER = None
    timings["works"] = round(time.perf_counter() - began, 1)
    timings["writing"] = {name: round(seconds, 1) for name, seconds in writing.items()}

    began = time.perf_counter()
    if not postgres:
        with connection.cursor() as cursor:
            for _, sql in dropped:
                cursor.execute(sql)
            # No ANALYZE: a real archive has no planner statistics unless someone runs it.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
    else:
        from django.core.management.color import no_style

        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(
                no_style(), [Tag, User, Pseud, Work, Chapter]
            ):
                cursor.execute(sql)
            cursor.execute("ANALYZE")
    timings["indexes"] = round(time.perf_counter() - began, 1)
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute("SELECT pg_database_size(current_database())")
            database_bytes = int(cursor.fetchone()[0])
        else:
            cursor.execute("PRAGMA page_count")
            pages = int(cursor.fetchone()[0])
            cursor.execute("PRAGMA page_size")
            database_bytes = pages * int(cursor.fetchone()[0])
    timings["total"] = round(time.perf_counter() - started, 1)
    totals["planted"] = planted_counts

    return {
        "version": GENERATOR_VERSION,
        "works": works,
        "seed": seed,
        "tags": len(universe.rows) + len(closed),
        "users": user_count,
        "database_bytes": database_bytes,
        "timings": timings,
        "totals": totals,
        "choices": choose_queries(universe, prose, public_counts, works, seed),
    }


def choose_queries(
    u: Universe, prose: Prose, counts: list[int], works: int, seed: int
) -> dict[str, Any]:
    """The tags and words the benchmark asks for, chosen by how many works they match.

    Sizes scale with the archive: "big" is 15k-60k works at a million (1.5-6% of works), a
    small relationship 150-450 at a million, with floors so a small archive still has some.
    """
    rng = random.Random(f"queries-{seed}")
    names = {tag_id: name for tag_id, name, *_ in u.rows}
    scale = works / 1_000_000
    canonical = [t for t, _, kind, canon, _ in u.rows if canon]

    def within(ids: list[int], low: float, high: float) -> list[int]:
        return [t for t in ids if low <= counts[t] <= high]

    # Big tags of every user-defined type: up to four of each, then whatever is left.
    candidates = within(canonical, 15_000 * scale, 60_000 * scale)
    rng.shuffle(candidates)
    big: list[int] = []
    for kind in ("fandom", "character", "relationship", "freeform"):
        big += [t for t in candidates if u.type_of[t] == kind][:4]
    big += [t for t in candidates if t not in big][: max(0, 16 - len(big))]
    big_types = {t: u.type_of[t] for t in big}
    big = sorted(big, key=lambda t: -counts[t])
    small_low, small_high = max(3, 150 * scale), max(12, 450 * scale)
    small = within(u.relationships, small_low, small_high)
    rng.shuffle(small)
    small = small[:20]
    # Exclusions: two popular freeforms that are not the listed tag; and words-from/to ranges.
    excludable = [t for t in u.freeforms[:12] if counts[t] > 0]
    listing = []
    for n, tag_id in enumerate(big):
        excluded = [t for t in excludable if t != tag_id]
        first, second = excluded[n % len(excluded)], excluded[(n + 3) % len(excluded)]
        low, high = [(1000, 10000), (2000, 20000), (5000, 50000), (500, 5000)][n % 4]
        listing.append(
            {
                "tag": names[tag_id],
                "tag_id": tag_id,
                "type": big_types[tag_id],
                "works": counts[tag_id],
                "exclude": [first, second],
                "words_from": low,
                "words_to": high,
            }
        )
    # Text: two words of the vocabulary's middle ranks (titles, summaries and chapters use them).
    text = []
    for _ in range(16):
        a, b = rng.sample(range(150, 1500), 2)
        text.append(f"{prose.vocabulary[a]} {prose.vocabulary[b]}")
    chapter = []
    for word, _ in PLANTED:
        chapter.append(f"text:{word}")
    # Page 50 needs 1,000 works: the big tags when they have them (from 100k works up), else
    # the biggest tags there are (ratings and warnings included).
    deep = [t for t in big if counts[t] >= 1000]
    if len(deep) < 5:
        everything = canonical + list(u.closed.values())
        names.update({tag_id: name for name, tag_id in u.closed.items()})
        deep = sorted((t for t in everything if counts[t] >= 1000), key=lambda t: -counts[t])[:10]
    return {
        "page50": [{"tag": names[t], "tag_id": t, "works": counts[t]} for t in deep],
        "listing": listing,
        "small": [{"tag": names[t], "tag_id": t, "works": counts[t]} for t in small],
        "text": text,
        "chapter": chapter,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--works", type=int, required=True)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, required=True, help="where to write the JSON plan")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanworks.settings")
    plan = generate(args.works, args.seed)
    args.out.write_text(json.dumps(plan, indent=1))
    print(json.dumps({k: plan[k] for k in ("works", "tags", "users", "timings")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
