"""What demo work number `index` looks like: metadata, tags, chapters with their text, dates.

`plan_work` is a pure function of (world seed, index, now): no database access, so it can be
tested on its own and a larger run reproduces the works a smaller one made.
"""

import random
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from fanworks.core.sanitize import sanitize_html
from fanworks.demo import words
from fanworks.demo.prose import CJK_LANGUAGES, FOREIGN, compose_chapter, pronoun_keys
from fanworks.demo.world import (
    Character,
    Relationship,
    TagSpec,
    World,
    rng_for,
    user_pool_size,
    work_key,
    zipf_pick,
)
from fanworks.tags.models import RATINGS, TagType
from fanworks.works.models import CommentPermission

DEMO_CREATOR = -1  # stands for the `demo` login in `WorkPlan.creators`

LANGUAGE_WEIGHTS = {
    "en": 860, "es": 35, "fr": 25, "de": 20, "pt-BR": 20, "it": 10, "zh": 15, "ja": 15,
}  # fmt: skip
RATING_WEIGHTS = [7, 36, 32, 15, 10]  # in RATINGS order
NO_WARNINGS = "No Archive Warnings Apply"
CHOSE_NOT_TO_WARN = "Creator Chose Not To Use Archive Warnings"
VIOLENCE = "Graphic Depictions Of Violence"
DEATH = "Major Character Death"
NONCON = "Rape/Non-Con"
UNDERAGE = "Underage Sex"

# Small archives still show every kind of work: these indexes get a fixed feature.
FORCED: dict[int, dict[str, object]] = {
    0: {"rating": "General Audiences", "warnings": [NO_WARNINGS], "chapters": 1},
    1: {"rating": "Teen And Up Audiences", "warnings": [CHOSE_NOT_TO_WARN]},
    2: {"rating": "Mature", "warnings": [VIOLENCE], "chapters": 3, "expected": 3},
    3: {"rating": "Explicit", "warnings": [VIOLENCE, DEATH]},
    4: {"rating": "Not Rated", "warnings": [NONCON]},
    5: {"rating": "Explicit", "warnings": [UNDERAGE]},
    6: {"chapters": 4, "expected": None},
    7: {"demo": True},
    8: {"demo": True, "posted": False, "chapters": 2},
    9: {"restricted": True},
    10: {"language": "es"},
    11: {"chapters": 2, "expected": 5},
    12: {"chapters": 3, "expected": 4, "trailing_draft": True},
    13: {"cocreated": True},
    14: {"language": "zh"},
}


@dataclass
class ChapterPlan:
    position: int
    title: str
    summary: str
    notes: str
    notes_html: str
    endnotes: str
    content: str
    content_html: str
    word_count: int
    posted: bool
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass
class WorkPlan:
    index: int
    key: uuid.UUID
    title: str
    summary: str
    notes: str
    endnotes: str
    language: str
    restricted: bool
    comment_permission: str
    expected_chapters: int | None
    posted: bool
    rating: str
    warnings: list[str]
    categories: list[str]
    tags: list[TagSpec]  # fandoms, relationships, characters, freeforms (with synonym targets)
    creators: list[tuple[int, int]]  # (user index or DEMO_CREATOR, pseud choice)
    chapters: list[ChapterPlan]
    first_posted_at: datetime | None
    revised_at: datetime | None
    created_at: datetime
    updated_at: datetime
    html: dict[str, str] = field(default_factory=dict)  # sanitised summary/notes/endnotes

    @property
    def word_count(self) -> int:
        counted = [c for c in self.chapters if c.posted] if self.posted else self.chapters
        return sum(c.word_count for c in counted)

    @property
    def posted_chapter_count(self) -> int:
        return sum(1 for c in self.chapters if c.posted)


_TITLE_KEY = re.compile(r"\{(\w+)\}")


def _title(rng: random.Random, pattern: str, names: dict[str, str], setting: str, n: int) -> str:
    def choose(match: re.Match[str]) -> str:
        key = match.group(1)
        if key in ("A", "B"):
            return names[key]
        if key == "n":
            return str(n)
        if key == "Place":
            return rng.choice(words.GENRES[setting]["place"]).title()
        source = {
            "adj": words.TITLE_ADJECTIVES,
            "noun": words.TITLE_NOUNS,
            "verb_ing": words.TITLE_VERBS_ING,
            "verb_past": words.TITLE_VERBS_PAST,
        }[key.lower()]
        word = rng.choice(source)
        return word[0].upper() + word[1:] if key[0].isupper() else word.lower()

    return _TITLE_KEY.sub(choose, pattern)


def _sample_distinct(
    rng: random.Random, count: int, cumulative: list[float], limit: int | None = None
) -> list[int]:
    chosen: list[int] = []
    available = limit or len(cumulative)
    attempts = 0
    while len(chosen) < min(count, available) and attempts < count * 10:
        attempts += 1
        index = zipf_pick(rng, cumulative, limit)
        if index not in chosen:
            chosen.append(index)
    return chosen


def _chapter_count(rng: random.Random) -> int:
    if rng.random() < 0.75:
        return 1
    return min(40, 2 + int(rng.expovariate(1 / 3)))


def _chapter_words(rng: random.Random) -> int:
    return int(min(9000, max(250, rng.lognormvariate(6.9, 0.75))))


def _warnings(rng: random.Random) -> list[str]:
    roll = rng.random()
    if roll < 0.5:
        return [NO_WARNINGS]
    if roll < 0.75:
        return [CHOSE_NOT_TO_WARN]
    chosen = [
        name
        for name, chance in ((VIOLENCE, 0.7), (DEATH, 0.35), (NONCON, 0.04), (UNDERAGE, 0.015))
        if rng.random() < chance
    ]
    return chosen or [VIOLENCE]


def _categories(
    rng: random.Random, cast: list[Character], relationships: list[Relationship]
) -> list[str]:
    if rng.random() < 0.08:
        return []
    found: list[str] = []
    for relationship in relationships:
        if not relationship.romantic:
            continue
        genders = sorted(cast[m].gender for m in relationship.members)
        if len(genders) > 2:
            category = "Multi"
        elif "n" in genders:
            category = "Other"
        else:
            category = {("f", "f"): "F/F", ("f", "m"): "F/M", ("m", "m"): "M/M"}[
                (genders[0], genders[1])
            ]
        if category not in found:
            found.append(category)
    if len(found) > 1 and "Multi" not in found and rng.random() < 0.5:
        found.append("Multi")
    return sorted(found) or ["Gen"]


def _spread_dates(rng: random.Random, count: int, start: datetime, end: datetime) -> list[datetime]:
    """`count` increasing moments between `start` and `end`, chapter-update-like gaps."""
    gaps = [timedelta(days=rng.expovariate(1 / 12) + 0.2) for _ in range(count - 1)]
    span = sum(gaps, timedelta())
    room = end - start
    if span > room * 0.9:
        scale = (room * 0.9) / span
        gaps = [gap * scale for gap in gaps]
        span = sum(gaps, timedelta())
    first = start + (room - span) * rng.random()
    moments = [first]
    for gap in gaps:
        moments.append(moments[-1] + gap)
    return [moment.replace(microsecond=0) for moment in moments]


def _sanitized(raw: str) -> str:
    return sanitize_html(raw).html if raw.strip() else ""


def plan_work(world: World, index: int, joined: dict[int, datetime]) -> WorkPlan:
    """Work `index` of the demo archive. `joined` maps user index to date joined."""
    rng = rng_for(world.seed, "work", index)
    forced = FORCED.get(index, {})
    now = world.now

    language = str(
        forced.get("language")
        or rng.choices(list(LANGUAGE_WEIGHTS), weights=list(LANGUAGE_WEIGHTS.values()))[0]
    )

    # Who wrote it.
    pool_size = user_pool_size(index + 1)
    author = int(pool_size * rng.random() ** 1.5)
    if forced.get("demo") or index % 50 == 7:
        author = DEMO_CREATOR
    pseud_choice = 0 if rng.random() < 0.8 else rng.randint(1, 2)
    creators = [(author, pseud_choice)]
    if forced.get("cocreated") or rng.random() < 0.03:
        partner = int(pool_size * rng.random() ** 1.5)
        if partner == author:
            partner = (partner + 1) % pool_size
        creators.append((partner, 0))

    # Fandoms and characters.
    fandom = world.pick_fandom(rng, index)
    fandoms = [fandom]
    if rng.random() < 0.04:
        other = world.pick_fandom(rng, index)
        if other.index != fandom.index:
            fandoms.append(other)
    relationship_count = rng.choices([0, 1, 2, 3], weights=[22, 52, 18, 8])[0]
    relationship_indexes = _sample_distinct(rng, relationship_count, fandom.relationship_weights)
    relationships = [fandom.relationships[i] for i in relationship_indexes]
    members: list[int] = []
    for relationship in relationships:
        members.extend(m for m in relationship.members if m not in members)
    extra = rng.choices([0, 1, 2, 3, 4, 5], weights=[20, 30, 22, 14, 9, 5])[0]
    target = min(len(fandom.cast), max(3, len(members)) + extra)
    for member in _sample_distinct(rng, target + 3, fandom.cast_weights):
        if len(members) >= target:
            break
        if member not in members:
            members.append(member)
    for member in range(len(fandom.cast)):  # the rare case where sampling came up short
        if len(members) >= 3:
            break
        if member not in members:
            members.append(member)
    cast = [fandom.cast[m] for m in members]
    names = {"A": cast[0].given, "B": cast[1].given, "C": cast[2].given}
    names.update(pronoun_keys("A", cast[0].gender))
    names.update(pronoun_keys("B", cast[1].gender))

    # Additional tags.
    freeform_count = rng.choices(
        [0, 1, 2, 3, 5, 8, 12, 20], weights=[10, 14, 14, 14, 18, 16, 9, 5]
    )[0]
    freeforms = [
        words.FREEFORMS[i] for i in _sample_distinct(rng, freeform_count, world.freeform_weights)
    ]
    tags: list[TagSpec] = []
    for item in fandoms:
        # Some creators use another spelling that wranglers made a synonym of the canonical
        # tag; the canonical tag's page still lists the work.
        if item.abbreviation_spec and rng.random() < 0.06:
            tags.append(item.abbreviation_spec)
        else:
            tags.append(item.spec)
    for i in relationship_indexes:
        reordered = fandom.reordered_relationship_specs[i]
        roll = rng.random()
        if reordered is not None and roll < 0.08:
            # Written the other way round; wranglers made it a synonym of the canonical.
            tags.append(reordered)
        elif reordered is not None and roll < 0.10:
            # "A x B": not wrangled yet, so it waits in the bin, where the edit page offers
            # the canonical "A/B" as a possible synonym.
            first, second = reordered.name.split("/", 1)
            tags.append(TagSpec(f"{second} x {first}", TagType.RELATIONSHIP, canonical=False))
        else:
            tags.append(fandom.relationship_specs[i])
    tags.extend(fandom.character_specs[m] for m in members)
    synonyms = {target: name for name, target in words.FREEFORM_SYNONYMS.items()}
    specs = world.freeform_specs
    for name in freeforms:
        if name in synonyms and rng.random() < 0.1:
            tags.append(specs[synonyms[name]])
        else:
            tags.append(specs[name])
    if rng.random() < 0.25:
        tags.append(specs[rng.choice(words.SETTING_FREEFORMS[fandom.setting])])
    if rng.random() < 0.15:
        # Not wrangled yet: these sit in the fandom's unwrangled bin.
        pattern = rng.choice(words.CHARACTER_FREEFORMS)
        tags.append(TagSpec(pattern.format(name=cast[0].name), TagType.FREEFORM, False))

    # Ratings, warnings, categories.
    rating = rng.choices(RATINGS, weights=RATING_WEIGHTS)[0]
    warnings = _warnings(rng)
    categories = _categories(rng, fandom.cast, relationships)

    # Shape: chapters, completeness, visibility.
    chapter_count = _chapter_count(rng)
    if chapter_count == 1:
        expected: int | None = 1 if rng.random() < 0.96 else None
    elif rng.random() < 0.65:
        expected = chapter_count
    else:
        expected = None if rng.random() < 0.4 else chapter_count + rng.randint(1, 10)
    posted = rng.random() >= 0.02
    trailing_draft = chapter_count > 1 and rng.random() < 0.03
    restricted = rng.random() < 0.04
    comment_permission = rng.choices(
        [CommentPermission.REGISTERED, CommentPermission.EVERYONE, CommentPermission.NOBODY],
        weights=[80, 17, 3],
    )[0]
    if NONCON in warnings or UNDERAGE in warnings:
        rating = rng.choice(["Mature", "Explicit"])

    rating = str(forced.get("rating", rating))
    warnings = list(forced.get("warnings", warnings))  # type: ignore[call-overload]
    if "chapters" in forced:
        chapter_count = int(forced["chapters"])  # type: ignore[call-overload]
        expected = 1 if chapter_count == 1 else chapter_count
    if "expected" in forced:
        expected = forced["expected"]  # type: ignore[assignment]
    if expected is not None and expected < chapter_count:
        expected = chapter_count
    posted = bool(forced.get("posted", posted))
    trailing_draft = bool(forced.get("trailing_draft", trailing_draft and posted))
    restricted = bool(forced.get("restricted", restricted))

    # Words: title, summary, notes.
    setting = fandom.setting
    if language == "en":
        title = _title(rng, rng.choice(words.TITLE_PATTERNS), names, setting, 1)
        summary = world_slots(rng, rng.choice(words.SUMMARIES), setting).format_map(names)
        summary += rng.choice(words.SUMMARY_TAILS)
    else:
        title = rng.choice(FOREIGN[language]["titles"])
        summary = rng.choice(FOREIGN[language]["summary"]).format_map(names)
    notes = ""
    if rng.random() < 0.35:
        notes = " ".join(rng.sample(words.NOTES, rng.randint(1, 2)))
    endnotes = rng.choice(words.END_NOTES) if rng.random() < 0.22 else ""
    if language != "en" and rng.random() < 0.7:
        notes = endnotes = ""

    # Chapters and their dates.
    author_joined = [joined[c[0]] for c in creators if c[0] in joined]
    start = max([now - timedelta(days=5 * 365), *author_joined]) + timedelta(days=1)
    end = now - timedelta(hours=2)
    if start >= end:
        start = end - timedelta(days=1)
    moments = _spread_dates(rng, chapter_count, start, end)
    titled = chapter_count > 1 and rng.random() < 0.55
    pool = world.pool(language, setting)
    chapters = []
    for position, moment in enumerate(moments, start=1):
        text = compose_chapter(
            pool,
            rng,
            _chapter_words(rng),
            names,
            count_exactly=language in CJK_LANGUAGES,
        )
        chapter_posted = posted and not (trailing_draft and position == chapter_count)
        drafted = moment - timedelta(minutes=rng.randint(5, 3 * 24 * 60))
        chapter_title = ""
        if titled and language == "en":
            pattern = rng.choice(words.CHAPTER_TITLE_PATTERNS)
            chapter_title = _title(rng, pattern, names, setting, position)
        chapter_notes = (
            rng.choice(words.CHAPTER_NOTES)
            if chapter_count > 1 and position > 1 and rng.random() < 0.15
            else ""
        )
        chapters.append(
            ChapterPlan(
                position=position,
                title=chapter_title,
                summary="",
                notes=chapter_notes,
                notes_html=_sanitized(chapter_notes),
                endnotes="",
                content=text.content,
                content_html=text.content_html,
                word_count=text.word_count,
                posted=chapter_posted,
                published_at=moment if chapter_posted else None,
                created_at=drafted,
                updated_at=moment if chapter_posted else drafted,
            )
        )
    first_posted = moments[0] if posted else None
    revised = None
    if posted:
        revised = max(c.published_at for c in chapters if c.published_at is not None)
        if rng.random() < 0.08:
            revised = (revised + (end - revised) * rng.random()).replace(microsecond=0)
    created = chapters[0].created_at
    plan = WorkPlan(
        index=index,
        key=work_key(world.seed, index),
        title=title[:255],
        summary=summary,
        notes=notes,
        endnotes=endnotes,
        language=language,
        restricted=restricted,
        comment_permission=comment_permission,
        expected_chapters=expected,
        posted=posted,
        rating=rating,
        warnings=warnings,
        categories=categories,
        tags=tags,
        creators=creators,
        chapters=chapters,
        first_posted_at=first_posted,
        revised_at=revised,
        created_at=created,
        updated_at=revised or chapters[-1].updated_at,
    )
    plan.html = {name: _sanitized(getattr(plan, name)) for name in ("summary", "notes", "endnotes")}
    return plan


def world_slots(rng: random.Random, template: str, setting: str) -> str:
    vocabulary = words.GENRES[setting]
    return re.sub(r"\[(\w+)\]", lambda m: rng.choice(vocabulary[m.group(1)]), template)
