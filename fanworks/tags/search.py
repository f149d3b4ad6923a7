"""Folding tag names for search: case- and accent-insensitive, word by word."""

import re
import unicodedata

_WORD = re.compile(r"\w+", re.UNICODE)


def fold(text: str) -> str:
    """Lower-case `text` and drop accents: "Amélie" → "amelie"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(name: str) -> list[str]:
    """The distinct folded words of a tag name, in order."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(fold(name)):
        seen.setdefault(word, None)
    return list(seen)


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string greater than every string starting with `prefix`.

    `x >= prefix AND x < bound` is an index range scan on every database, unlike LIKE, whose
    index use depends on collation settings.
    """
    return prefix + "\U0010ffff"
