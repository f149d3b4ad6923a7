"""The invented world behind the demo archive: fandoms with their casts, tags, and users.

Everything is derived from the seed and an index (fandom 7, user 1234, work 99), never from
what was generated before, so a bigger run extends a smaller one instead of reshuffling it.
The only sequential step is making names unique, and that walks the indexes in order.
"""

import bisect
import itertools
import random
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property

from fanworks.demo import words
from fanworks.demo.prose import ProsePool, build_pool
from fanworks.tags.models import TagType

# Demo accounts get e-mail addresses under this reserved domain; that is how the command
# recognises its own users on a later run.
DEMO_EMAIL_DOMAIN = "demo-archive.invalid"
DEMO_USERNAME = "demo"
# Work keys (Work.creation_key) are uuid5 names under this namespace.
DEMO_NAMESPACE = uuid.UUID("5b0f3c3e-9a57-4d43-9a0c-1f7c2f6a9d21")

MAX_EXTRA_FANDOMS = 240
_TRIPLED = re.compile(r"(.)\1\1", re.IGNORECASE)


def rng_for(seed: int, *parts: object) -> random.Random:
    return random.Random(":".join(str(part) for part in (seed, *parts)))


def zipf_cumulative(count: int, exponent: float) -> list[float]:
    return list(itertools.accumulate(1 / (rank + 1) ** exponent for rank in range(count)))


def zipf_pick(rng: random.Random, cumulative: list[float], limit: int | None = None) -> int:
    """An index below `limit` (default: all), low indexes far more likely."""
    top = cumulative[(limit or len(cumulative)) - 1]
    return bisect.bisect_left(cumulative, rng.random() * top)


def fandom_pool_size(works: int) -> int:
    """How many fandoms an archive of `works` works has: the twelve, then one per 400 works."""
    return len(words.FANDOMS) + min(works // 400, MAX_EXTRA_FANDOMS)


def user_pool_size(works: int) -> int:
    """How many demo users an archive of `works` works has (most write little or nothing)."""
    return max(40, works // 4)


@dataclass(frozen=True)
class TagSpec:
    """A tag a demo work uses, with what wranglers would have linked it to."""

    name: str
    type: str
    canonical: bool = True
    synonym_of: "TagSpec | None" = None
    parents: tuple["TagSpec", ...] = ()  # media of a fandom, fandom of a character, …
    metatags: tuple["TagSpec", ...] = ()


@dataclass
class Character:
    name: str  # the tag: "Given Family"
    given: str  # what the prose calls them
    gender: str  # f, m or n: which pronouns the prose uses


@dataclass
class Relationship:
    name: str
    members: list[int]  # indexes into the fandom's cast
    romantic: bool


@dataclass
class Fandom:
    index: int
    name: str
    setting: str
    abbreviation: str | None
    cast: list[Character]
    relationships: list[Relationship] = field(default_factory=list)

    @cached_property
    def spec(self) -> TagSpec:
        medium = next(
            (media for suffix, media in words.MEDIA.items() if suffix and suffix in self.name),
            words.MEDIA[""],
        )
        return TagSpec(self.name, TagType.FANDOM, parents=(TagSpec(medium, TagType.MEDIA),))

    @cached_property
    def abbreviation_spec(self) -> TagSpec | None:
        if not self.abbreviation:
            return None
        return TagSpec(self.abbreviation, TagType.FANDOM, canonical=False, synonym_of=self.spec)

    @cached_property
    def character_specs(self) -> list[TagSpec]:
        return [TagSpec(c.name, TagType.CHARACTER, parents=(self.spec,)) for c in self.cast]

    @cached_property
    def relationship_specs(self) -> list[TagSpec]:
        return [
            TagSpec(
                r.name,
                TagType.RELATIONSHIP,
                parents=(self.spec, *(self.character_specs[m] for m in r.members)),
            )
            for r in self.relationships
        ]

    @cached_property
    def reordered_relationship_specs(self) -> list[TagSpec | None]:
        """For each pairing, the same two names the other way round ("B/A"), which wranglers
        made a synonym of the canonical "A/B"; None for groups and friendships."""
        specs: list[TagSpec | None] = []
        for relationship, canonical in zip(
            self.relationships, self.relationship_specs, strict=True
        ):
            if relationship.romantic and len(relationship.members) == 2:
                first, second = (self.cast[m].name for m in relationship.members)
                specs.append(
                    TagSpec(
                        f"{second}/{first}",
                        TagType.RELATIONSHIP,
                        canonical=False,
                        synonym_of=canonical,
                    )
                )
            else:
                specs.append(None)
        return specs

    @cached_property
    def cast_weights(self) -> list[float]:
        return zipf_cumulative(len(self.cast), 0.9)

    @cached_property
    def relationship_weights(self) -> list[float]:
        return zipf_cumulative(len(self.relationships), 1.1)


@dataclass
class UserSpec:
    index: int
    username: str
    joined: datetime
    extra_pseuds: list[tuple[str, str]]  # (name, description)


def _name_part(rng: random.Random, starts: list[str], ends: list[str]) -> str:
    return (rng.choice(starts) + rng.choice(ends)).capitalize()


class World:
    """Lazily built fandoms, users and prose pools for one seed."""

    def __init__(self, seed: int, now: datetime) -> None:
        self.seed = seed
        self.now = now
        self._fandoms: list[Fandom] = []
        self._used_names: set[str] = set()
        self._pools: dict[tuple[str, str], ProsePool] = {}
        self._reserve_fixed_names()
        self.fandom_weights = zipf_cumulative(len(words.FANDOMS) + MAX_EXTRA_FANDOMS, 1.05)
        self.freeform_weights = zipf_cumulative(len(words.FREEFORMS), 0.85)

    # -- names -----------------------------------------------------------------------------

    def _reserve_fixed_names(self) -> None:
        for name in [*words.FREEFORMS, *words.FREEFORM_METATAGS, *words.MEDIA.values()]:
            self._used_names.add(name.lower())
        for name in words.FREEFORM_SYNONYMS:
            self._used_names.add(name.lower())
        for names in words.SETTING_FREEFORMS.values():
            self._used_names.update(name.lower() for name in names)

    def _claim(self, name: str) -> bool:
        if name.lower() in self._used_names:
            return False
        self._used_names.add(name.lower())
        return True

    # -- fandoms ---------------------------------------------------------------------------

    def fandom(self, index: int) -> Fandom:
        while len(self._fandoms) <= index:
            self._fandoms.append(self._make_fandom(len(self._fandoms)))
        return self._fandoms[index]

    def _make_fandom(self, index: int) -> Fandom:
        rng = rng_for(self.seed, "fandom", index)
        if index < len(words.FANDOMS):
            name, setting, style = words.FANDOMS[index]
            self._claim(name)
        else:
            setting = rng.choice(list(words.GENRES))
            style = rng.choice(["lilting", "clipped", "modern", "modern"])
            while True:
                base = f"{rng.choice(words.FANDOM_FIRST)} {rng.choice(words.FANDOM_SECOND)}"
                if rng.random() < 0.3:
                    base = "The " + base
                name = base + rng.choice(words.FANDOM_MEDIUM)
                if self._claim(name):
                    break
        # Fans' shorthand for the fandom: its initials, or its first word when the initials
        # are too short to mean anything.
        significant = [word for word in name.split(" (")[0].split() if word != "The"]
        abbreviation: str | None = "".join(word[0] for word in name.split(" (")[0].split())
        if abbreviation and len(abbreviation) < 3:
            abbreviation = significant[0] if len(significant[0]) >= 6 else None
        if abbreviation and not self._claim(abbreviation):
            abbreviation = None
        fandom = Fandom(index, name, setting, abbreviation, self._make_cast(rng, style, name))
        fandom.relationships = self._make_relationships(rng, fandom)
        return fandom

    def _make_cast(self, rng: random.Random, style: str, fandom_name: str) -> list[Character]:
        cast: list[Character] = []
        givens: set[str] = set()
        size = rng.randint(6, 16)
        while len(cast) < size:
            gender = rng.choices("fmn", weights=[45, 45, 10])[0]
            if style == "modern":
                given = rng.choice(
                    {
                        "f": words.MODERN_GIVEN_F,
                        "m": words.MODERN_GIVEN_M,
                        "n": words.MODERN_GIVEN_N,
                    }[gender]
                )
                family = rng.choice(words.MODERN_FAMILY)
            elif style == "lilting":
                given = _name_part(rng, words.LILTING_STARTS, words.LILTING_ENDS)
                family = rng.choice(words.FAMILY_FIRST) + rng.choice(words.FAMILY_SECOND)
            else:
                given = _name_part(rng, words.CLIPPED_STARTS, words.CLIPPED_ENDS)
                family = _name_part(rng, words.CLIPPED_STARTS, words.CLIPPED_ENDS)
            if given in givens or len(given) < 3 or _TRIPLED.search(given + family):
                continue
            full = given if (style != "modern" and rng.random() < 0.15) else f"{given} {family}"
            if not self._claim(full):
                full = f"{full} ({fandom_name.split(' (')[0]})"
                if not self._claim(full):
                    continue
            givens.add(given)
            cast.append(Character(full, given, gender))
        return cast

    def _make_relationships(self, rng: random.Random, fandom: Fandom) -> list[Relationship]:
        cast = fandom.cast
        wanted = len(cast) + rng.randint(0, len(cast))
        result: list[Relationship] = []
        seen: set[str] = set()
        attempts = 0
        while len(result) < wanted and attempts < wanted * 20:
            attempts += 1
            first = zipf_pick(rng, fandom.cast_weights)
            second = zipf_pick(rng, fandom.cast_weights)
            if first == second:
                continue
            members = [first, second]
            romantic = rng.random() < 0.7
            if romantic and rng.random() < 0.06:
                third = zipf_pick(rng, fandom.cast_weights)
                if third not in members:
                    members.append(third)
            joiner = "/" if romantic else " & "
            name = joiner.join(cast[m].name for m in members)
            key = joiner.join(sorted(cast[m].name for m in members))
            if key in seen or not self._claim(name):
                continue
            seen.add(key)
            result.append(Relationship(name, members, romantic))
        return result

    def pick_fandom(self, rng: random.Random, work_index: int) -> Fandom:
        index = zipf_pick(rng, self.fandom_weights, fandom_pool_size(work_index + 1))
        return self.fandom(index)

    @cached_property
    def freeform_specs(self) -> dict[str, TagSpec]:
        """Canonical additional tags by name (with their metatags), and their synonyms."""
        metatags: dict[str, list[TagSpec]] = {}
        for meta, subs in words.FREEFORM_METATAGS.items():
            for sub in subs:
                metatags.setdefault(sub, []).append(TagSpec(meta, TagType.FREEFORM))
        specs = {
            name: TagSpec(name, TagType.FREEFORM, metatags=tuple(metatags.get(name, ())))
            for name in [
                *words.FREEFORMS,
                *(n for ns in words.SETTING_FREEFORMS.values() for n in ns),
            ]
        }
        for synonym, target in words.FREEFORM_SYNONYMS.items():
            specs[synonym] = TagSpec(
                synonym, TagType.FREEFORM, canonical=False, synonym_of=specs[target]
            )
        return specs

    # -- users -----------------------------------------------------------------------------

    def user_specs(self, count: int, taken: set[str]) -> list[UserSpec]:
        """The first `count` demo users; `taken` holds lower-cased usernames others own."""
        specs = []
        used = set(taken)
        for index in range(count):
            rng = rng_for(self.seed, "user", index)
            username = self._handle(rng)
            age = timedelta(days=30 + (6 * 365 - 30) * rng.random() ** 0.7)
            joined = (self.now - age).replace(microsecond=0)
            extras: list[tuple[str, str]] = []
            if rng.random() < 0.15:
                for _ in range(rng.choice([1, 1, 2])):
                    pseud = self._pseud_name(rng)
                    if pseud.lower() != username.lower() and pseud.lower() not in {
                        name.lower() for name, _ in extras
                    }:
                        extras.append((pseud, rng.choice(words.PSEUD_DESCRIPTIONS)))
            if username.lower() in used:
                # Taken: add the index, then digits, from a generator of its own so that the
                # rest of this user stays the same whoever holds the plain name.
                suffixes = rng_for(self.seed, "user-suffix", index)
                username = f"{username[:34]}{index}"
                while username.lower() in used:
                    username = f"{username[:34]}{suffixes.randint(0, 9)}"[:40]
            used.add(username.lower())
            specs.append(UserSpec(index, username, joined, extras))
        return specs

    @staticmethod
    def _handle(rng: random.Random) -> str:
        adjective = rng.choice(words.HANDLE_ADJECTIVES)
        noun = rng.choice(words.HANDLE_NOUNS)
        other = rng.choice(words.HANDLE_NOUNS)
        style = rng.randrange(8)
        if style == 0:
            return f"{adjective}{noun}"
        if style == 1:
            return f"{adjective}_{noun}"
        if style == 2:
            return f"{noun}{rng.randint(1, 999)}"
        if style == 3:
            return f"{adjective.capitalize()}{noun.capitalize()}"
        if style == 4:
            return f"the_{adjective}_{noun}"
        if style == 5:
            return f"{noun}_and_{other}"
        if style == 6:
            return f"{adjective}{noun}{rng.randint(10, 99)}"
        return f"{noun}{other}"

    @staticmethod
    def _pseud_name(rng: random.Random) -> str:
        adjective = rng.choice(words.HANDLE_ADJECTIVES)
        noun = rng.choice(words.HANDLE_NOUNS)
        style = rng.randrange(3)
        if style == 0:
            return f"{adjective.capitalize()} {noun.capitalize()}"
        if style == 1:
            return f"{noun}.{rng.choice(words.HANDLE_NOUNS)}"
        return f"{noun.capitalize()}writes"

    # -- prose -----------------------------------------------------------------------------

    def pool(self, language: str, setting: str) -> ProsePool:
        key = (language, setting if language == "en" else "")
        pool = self._pools.get(key)
        if pool is None:
            pool = self._pools[key] = build_pool(self.seed, *key)
        return pool


def work_key(seed: int, index: int) -> uuid.UUID:
    return uuid.uuid5(DEMO_NAMESPACE, f"work:{seed}:{index}")
