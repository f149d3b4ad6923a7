"""Every write to tags."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from fanworks.tags.models import (
    CATEGORIES,
    RATINGS,
    WARNINGS,
    ParentLink,
    Tag,
    TagType,
    TagWord,
)
from fanworks.tags.relationships import relationship_character_names
from fanworks.tags.search import fold, words
from fanworks.tags.validation import validate_tag_names


def tags_find_or_create(*, names: list[str], tag_type: TagType) -> list[Tag]:
    """Tags of `tag_type` with these names, creating the missing ones (not canonical).

    A name already used by a tag of another type is refused: one name means one thing in the
    tag graph.
    """
    if not names:
        return []
    validate_tag_names(names)
    wanted = {fold(name): name for name in names}
    existing: dict[str, Tag] = {
        tag.search_name: tag for tag in Tag.objects.filter(search_name__in=list(wanted))
    }
    clashes = [
        f"“{tag.name}” is already a {tag.get_type_display()} tag, so it can't be used as a "
        f"{TagType(tag_type).label} tag here."
        for key, tag in existing.items()
        if tag.type != tag_type
    ]
    if clashes:
        raise ValidationError(clashes)
    result: list[Tag] = []
    for key, name in wanted.items():
        tag = existing.get(key)
        if tag is None:
            tag = _create_tag(name=name, tag_type=tag_type)
        result.append(tag)
    return result


def _create_tag(*, name: str, tag_type: TagType) -> Tag:
    try:
        with transaction.atomic():
            tag = Tag.objects.create(name=name, type=tag_type, canonical=False)
            index_tag_words([tag])
            if tag_type == TagType.RELATIONSHIP:
                relationship_link_characters(relationship=tag)
            return tag
    except IntegrityError:
        # Someone created the same name a moment ago; use theirs.
        tag = Tag.objects.get(search_name=fold(name))
        if tag.type != tag_type:
            raise ValidationError(
                f"“{tag.name}” is already a {tag.get_type_display()} tag."
            ) from None
        return tag


def closed_tags(*, tag_type: TagType, names: list[str]) -> list[Tag]:
    """The rating, warning or category tags with these (already validated) names.

    A migration seeds them; they are created here if missing (e.g. after a database flush),
    because a work must never silently lose its rating.
    """
    allowed = {TagType.RATING: RATINGS, TagType.WARNING: WARNINGS, TagType.CATEGORY: CATEGORIES}
    if any(name not in allowed[tag_type] for name in names):
        raise ValidationError(f"Unknown {TagType(tag_type).label} tag.")
    found = {tag.name: tag for tag in Tag.objects.filter(type=tag_type, name__in=names)}
    for name in names:
        if name not in found:
            found[name], _ = Tag.objects.get_or_create(
                name=name, defaults={"type": tag_type, "canonical": True}
            )
    return [found[name] for name in names]


def index_tag_words(tags: list[Tag]) -> None:
    """Keep the autocomplete word index in step with tag names."""
    ids = [tag.pk for tag in tags]
    TagWord.objects.filter(tag_id__in=ids).delete()
    TagWord.objects.bulk_create(
        [TagWord(tag=tag, word=word[:150]) for tag in tags for word in words(tag.name)],
        ignore_conflicts=True,
    )


def relationship_link_characters(*, relationship: Tag) -> list[Tag]:
    """Link a relationship to the character tags named in it ("A/B" → A and B).

    Only existing character tags are linked (through their canonical form), so a typo never
    invents a character; wranglers link the rest by hand.
    """
    names = [fold(name) for name in relationship_character_names(relationship.name)]
    if not names:
        return []
    characters = [
        tag.synonym_of if tag.synonym_of_id and tag.synonym_of else tag
        for tag in Tag.objects.select_related("synonym_of").filter(
            type=TagType.CHARACTER, search_name__in=names
        )
    ]
    linked = []
    for character in {c.pk: c for c in characters}.values():
        if character.canonical:
            ParentLink.objects.get_or_create(parent=character, child=relationship)
            linked.append(character)
    return linked
