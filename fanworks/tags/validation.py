"""Rules for tag names, shared by the posting form, the API and importers."""

import re

from django.core.exceptions import ValidationError

from fanworks.tags.models import FORBIDDEN_TAG_CHARACTERS, MAX_TAG_LENGTH
from fanworks.tags.search import fold

_WHITESPACE = re.compile(r"\s+")


def normalise_tag_name(name: str) -> str:
    return _WHITESPACE.sub(" ", name).strip()


def split_tag_list(text: str) -> list[str]:
    """Split comma-separated input into distinct tag names, keeping the author's order.

    Duplicates that differ only in case or accents count once. Both the ASCII and the
    full-width comma separate tags: an author typing Chinese or Japanese often uses the latter.
    """
    seen: set[str] = set()
    names: list[str] = []
    for piece in re.split(r"[,，、]", text):
        name = normalise_tag_name(piece)
        if name and fold(name) not in seen:
            seen.add(fold(name))
            names.append(name)
    return names


def tag_name_problems(name: str) -> list[str]:
    problems = []
    if len(name) > MAX_TAG_LENGTH:
        problems.append(
            f"“{name[:40]}…” is {len(name)} characters long; tags can be at most {MAX_TAG_LENGTH}."
        )
    bad = sorted({ch for ch in name if ch in FORBIDDEN_TAG_CHARACTERS})
    if bad:
        shown = " ".join(bad)
        problems.append(f"“{name[:60]}” contains characters tags cannot use: {shown}")
    return problems


def validate_tag_names(names: list[str]) -> None:
    problems = [problem for name in names for problem in tag_name_problems(name)]
    if problems:
        raise ValidationError(problems)
