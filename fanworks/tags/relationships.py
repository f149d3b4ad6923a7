"""Reading relationship tags: who is in "A/B" or "A & B", and which spellings mean the same."""

import re

from fanworks.tags.search import fold

# "/" (and "x", "×" between names) marks a romantic or sexual relationship; "&" a platonic one.
_ROMANTIC = re.compile(r"\s*/\s*|\s+[x×]\s+")
_PLATONIC = re.compile(r"\s*&\s*")


def relationship_character_names(name: str) -> list[str]:
    """The character names in a relationship tag, as written."""
    kind, names = _split(name)
    return names if kind else []


def _split(name: str) -> tuple[str, list[str]]:
    for kind, pattern in (("romantic", _ROMANTIC), ("platonic", _PLATONIC)):
        parts = [part.strip() for part in pattern.split(name)]
        if len(parts) > 1 and all(parts):
            return kind, parts
    return "", [name.strip()]


def relationship_key(name: str) -> tuple[str, frozenset[str]] | None:
    """What a relationship tag means regardless of order and separator spelling.

    "Kylo Ren/Hux", "Hux/Kylo Ren" and "hux x kylo ren" share a key; "Hux & Kylo Ren" does not,
    because a friendship is not a romance.
    """
    kind, names = _split(name)
    if not kind:
        return None
    return kind, frozenset(fold(part) for part in names)
