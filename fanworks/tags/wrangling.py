"""Wrangling actions: every change to the tag graph that wranglers and admins make.

Each action checks its rules, changes the graph, writes a log entry (who, what, before/after)
and brings the filter table up to date, all in one transaction; a refused action raises
ValidationError and changes nothing. Permission checks happen in the views (tags.permissions);
actions trust their `actor`.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from fanworks.accounts.models import User
from fanworks.tags.actions import index_tag_words
from fanworks.tags.filters import refilter_affected
from fanworks.tags.models import (
    CLOSED_TYPES,
    PARENT_TYPES,
    MetaTagging,
    ParentLink,
    Tag,
    TagType,
    WranglerAssignment,
    WranglingLogEntry,
)
from fanworks.tags.search import fold
from fanworks.tags.validation import normalise_tag_name, tag_name_problems


def snapshot(tag: Tag) -> dict[str, Any]:
    """The wrangling-relevant state of a tag, for the log."""
    return {
        "name": tag.name,
        "type": tag.type,
        "canonical": tag.canonical,
        "unwrangleable": tag.unwrangleable,
        "synonym_of": tag.synonym_of.name if tag.synonym_of_id and tag.synonym_of else None,
        "metatags": sorted(tag.metatags.values_list("name", flat=True)),
        "parents": sorted(tag.parents.values_list("name", flat=True)),
    }


def _log(actor: User, action: str, tag: Tag, before: dict[str, Any]) -> None:
    tag.refresh_from_db()
    WranglingLogEntry.objects.create(
        actor=actor,
        actor_name=actor.username,
        action=action,
        tag=tag,
        tag_name=tag.name,
        before=before,
        after=snapshot(tag),
    )


def _locked(tag: Tag) -> Tag:
    # `of=("self",)`: PostgreSQL cannot lock the nullable side of the outer join.
    return Tag.objects.select_for_update(of=("self",)).select_related("synonym_of").get(pk=tag.pk)


def _require_wranglable(tag: Tag) -> None:
    if tag.type in CLOSED_TYPES:
        raise ValidationError(f"“{tag.name}” is one of the archive's fixed tags and can't change.")


# ---------------------------------------------------------------------------------------------
# Canonical status and synonyms


def tag_make_canonical(*, actor: User, tag: Tag) -> Tag:
    with transaction.atomic():
        tag = _locked(tag)
        _require_wranglable(tag)
        if tag.synonym_of_id:
            raise ValidationError(
                f"“{tag.name}” is a synonym of “{tag.synonym_of}”; remove the synonym first."
            )
        if tag.canonical:
            return tag
        before = snapshot(tag)
        tag.canonical = True
        tag.save(update_fields=["canonical", "updated_at"])
        refilter_affected([tag.pk], reason=f"{tag.name} made canonical")
        _log(actor, "make canonical", tag, before)
    return tag


def tag_make_synonym(*, actor: User, tag: Tag, canonical: Tag, allow_merge: bool = False) -> Tag:
    """Make `tag` another spelling of `canonical`.

    A canonical `tag` is merged into `canonical` (admins only, `allow_merge`): its synonyms,
    metatags, subtags and parent links move over, and its works are found under `canonical`.
    """
    with transaction.atomic():
        tag = _locked(tag)
        target = _locked(canonical)
        _require_wranglable(tag)
        if tag.pk == target.pk:
            raise ValidationError("A tag can't be a synonym of itself.")
        if target.synonym_of_id:
            raise ValidationError(
                f"“{target.name}” is itself a synonym of “{target.synonym_of}”. "
                f"Make “{tag.name}” a synonym of “{target.synonym_of}” instead."
            )
        if not target.canonical:
            raise ValidationError(
                f"“{target.name}” is not canonical; make it canonical before adding synonyms."
            )
        if tag.type != target.type:
            raise ValidationError(
                f"“{tag.name}” is a {tag.get_type_display()} tag and “{target.name}” is a "
                f"{target.get_type_display()} tag; synonyms must be of the same type."
            )
        if tag.synonym_of_id == target.pk:
            return tag
        if tag.canonical and not allow_merge:
            raise ValidationError(
                f"“{tag.name}” is canonical. Only admins can merge it into another canonical tag."
            )
        before = snapshot(tag)
        affected = [tag.pk]
        if tag.canonical:
            _merge_links(source=tag, target=target)
            affected.append(target.pk)
        tag.canonical = False
        tag.synonym_of = target
        tag.save(update_fields=["canonical", "synonym_of", "updated_at"])
        refilter_affected(affected, reason=f"{tag.name} → {target.name}")
        _log(actor, "merge into" if before["canonical"] else "make synonym", tag, before)
    return tag


def _merge_links(*, source: Tag, target: Tag) -> None:
    """Move a canonical tag's synonyms and links onto the tag it is merged into."""
    Tag.objects.filter(synonym_of=source).update(synonym_of=target)
    target_ancestors = _ancestor_ids(target.pk)
    target_descendants = _descendant_ids(target.pk)
    for link in MetaTagging.objects.filter(sub_tag=source):
        meta = link.meta_tag_id
        if meta != target.pk and meta not in target_descendants:
            MetaTagging.objects.get_or_create(meta_tag_id=meta, sub_tag=target)
    for link in MetaTagging.objects.filter(meta_tag=source):
        sub = link.sub_tag_id
        if sub != target.pk and sub not in target_ancestors:
            MetaTagging.objects.get_or_create(meta_tag=target, sub_tag_id=sub)
    MetaTagging.objects.filter(sub_tag=source).delete()
    MetaTagging.objects.filter(meta_tag=source).delete()
    for parent_id in ParentLink.objects.filter(child=source).values_list("parent_id", flat=True):
        if parent_id != target.pk:
            ParentLink.objects.get_or_create(parent_id=parent_id, child=target)
    for child_id in ParentLink.objects.filter(parent=source).values_list("child_id", flat=True):
        if child_id != target.pk:
            ParentLink.objects.get_or_create(parent=target, child_id=child_id)
    ParentLink.objects.filter(child=source).delete()
    ParentLink.objects.filter(parent=source).delete()


def tag_remove_synonym(*, actor: User, tag: Tag) -> Tag:
    with transaction.atomic():
        tag = _locked(tag)
        if not tag.synonym_of_id:
            return tag
        before = snapshot(tag)
        tag.synonym_of = None
        tag.save(update_fields=["synonym_of", "updated_at"])
        refilter_affected([tag.pk], reason=f"{tag.name} no longer a synonym")
        _log(actor, "remove synonym", tag, before)
    return tag


def tag_decanonicalize(*, actor: User, tag: Tag) -> Tag:
    with transaction.atomic():
        tag = _locked(tag)
        _require_wranglable(tag)
        if not tag.canonical:
            return tag
        synonyms = list(tag.synonyms.values_list("name", flat=True)[:5])
        if synonyms:
            raise ValidationError(
                f"“{tag.name}” still has synonyms ({', '.join(synonyms)}); "
                "remove them or merge the tag instead."
            )
        before = snapshot(tag)
        affected = [tag.pk, *_descendant_ids(tag.pk)]
        MetaTagging.objects.filter(sub_tag=tag).delete()
        MetaTagging.objects.filter(meta_tag=tag).delete()
        tag.canonical = False
        tag.save(update_fields=["canonical", "updated_at"])
        refilter_affected(affected, reason=f"{tag.name} no longer canonical")
        _log(actor, "de-canonicalise", tag, before)
    return tag


# ---------------------------------------------------------------------------------------------
# Metatags


def _ancestor_ids(tag_id: int) -> set[int]:
    return _closure(tag_id, upwards=True)


def _descendant_ids(tag_id: int) -> set[int]:
    return _closure(tag_id, upwards=False)


def _closure(tag_id: int, *, upwards: bool) -> set[int]:
    """Every metatag (upwards) or subtag (downwards) of a tag, at any depth."""
    source, target = ("sub_tag_id", "meta_tag_id") if upwards else ("meta_tag_id", "sub_tag_id")
    found: set[int] = set()
    frontier = {tag_id}
    while frontier:
        step = set(
            MetaTagging.objects.filter(**{f"{source}__in": frontier}).values_list(target, flat=True)
        )
        frontier = step - found
        found |= step
    return found


def tag_add_metatag(*, actor: User, sub: Tag, meta: Tag) -> Tag:
    """Make `meta` a metatag of `sub`: filtering on `meta` then finds `sub`'s works."""
    with transaction.atomic():
        sub = _locked(sub)
        meta = _locked(meta)
        _require_wranglable(sub)
        if sub.pk == meta.pk:
            raise ValidationError("A tag can't be its own metatag.")
        for tag in (sub, meta):
            if not tag.canonical:
                raise ValidationError(
                    f"“{tag.name}” is not canonical; only canonical tags have metatags."
                )
        if sub.type != meta.type:
            raise ValidationError(
                f"“{meta.name}” is a {meta.get_type_display()} tag and “{sub.name}” is a "
                f"{sub.get_type_display()} tag; metatags must be of the same type."
            )
        if meta.pk in _descendant_ids(sub.pk):
            raise ValidationError(
                f"“{meta.name}” is already a subtag of “{sub.name}”; making it a metatag too "
                "would create a loop."
            )
        if MetaTagging.objects.filter(meta_tag=meta, sub_tag=sub).exists():
            return sub
        before = snapshot(sub)
        MetaTagging.objects.create(meta_tag=meta, sub_tag=sub)
        refilter_affected([sub.pk], reason=f"{meta.name} metatag of {sub.name}")
        _log(actor, "add metatag", sub, before)
    return sub


def tag_remove_metatag(*, actor: User, sub: Tag, meta: Tag) -> Tag:
    with transaction.atomic():
        sub = _locked(sub)
        link = MetaTagging.objects.filter(meta_tag=meta, sub_tag=sub)
        if not link.exists():
            return sub
        before = snapshot(sub)
        link.delete()
        refilter_affected([sub.pk], reason=f"{meta.name} no longer metatag of {sub.name}")
        _log(actor, "remove metatag", sub, before)
    return sub


# ---------------------------------------------------------------------------------------------
# Parent links (media → fandom → character/relationship/freeform; character → relationship)


def tag_link_parent(*, actor: User, child: Tag, parent: Tag) -> Tag:
    with transaction.atomic():
        child = _locked(child)
        parent = _locked(parent)
        allowed = PARENT_TYPES.get(child.type, set())
        if parent.type not in allowed:
            kinds = " or ".join(sorted(TagType(t).label for t in allowed)) or "no"
            raise ValidationError(
                f"A {child.get_type_display()} tag can only belong to {kinds} tags, "
                f"not to “{parent.name}” ({parent.get_type_display()})."
            )
        if not parent.canonical:
            raise ValidationError(f"“{parent.name}” must be canonical to have child tags.")
        if ParentLink.objects.filter(parent=parent, child=child).exists():
            return child
        before = snapshot(child)
        ParentLink.objects.create(parent=parent, child=child)
        _log(actor, "link parent", child, before)
    return child


def tag_unlink_parent(*, actor: User, child: Tag, parent: Tag) -> Tag:
    with transaction.atomic():
        child = _locked(child)
        link = ParentLink.objects.filter(parent=parent, child=child)
        if not link.exists():
            return child
        before = snapshot(child)
        link.delete()
        _log(actor, "unlink parent", child, before)
    return child


# ---------------------------------------------------------------------------------------------
# Names, types and flags


def tag_set_unwrangleable(*, actor: User, tag: Tag, unwrangleable: bool) -> Tag:
    with transaction.atomic():
        tag = _locked(tag)
        _require_wranglable(tag)
        if tag.unwrangleable == unwrangleable:
            return tag
        if unwrangleable and (tag.canonical or tag.synonym_of_id):
            raise ValidationError(
                f"“{tag.name}” is already wrangled (canonical or a synonym); "
                "only unwrangled tags can be marked unwrangleable."
            )
        before = snapshot(tag)
        tag.unwrangleable = unwrangleable
        tag.save(update_fields=["unwrangleable", "updated_at"])
        _log(actor, "mark unwrangleable" if unwrangleable else "unmark unwrangleable", tag, before)
    return tag


def tag_rename(*, actor: User, tag: Tag, new_name: str, free_rename: bool) -> Tag:
    """Rename a tag. Wranglers (`free_rename` False) may change only case and accents."""
    new_name = normalise_tag_name(new_name)
    with transaction.atomic():
        tag = _locked(tag)
        _require_wranglable(tag)
        if not new_name:
            raise ValidationError("Please enter a name.")
        problems = tag_name_problems(new_name)
        if problems:
            raise ValidationError(problems)
        if new_name == tag.name:
            return tag
        if not free_rename and fold(new_name) != fold(tag.name):
            raise ValidationError(
                "Wranglers can only change the capitalisation or accents of a tag's name; "
                "ask an admin for other renames, or make a new tag and wrangle this one to it."
            )
        clash = Tag.objects.filter(search_name=fold(new_name)).exclude(pk=tag.pk).first()
        if clash is not None:
            raise ValidationError(
                f"A tag called “{clash.name}” already exists; make one a synonym of the other "
                "instead of renaming."
            )
        before = snapshot(tag)
        tag.name = new_name
        tag.save(update_fields=["name", "updated_at"])
        index_tag_words([tag])
        _log(actor, "rename", tag, before)
    return tag


def tag_change_type(*, actor: User, tag: Tag, new_type: str) -> Tag:
    """Sort an unsorted (or not yet wrangled) tag into its real type."""
    if new_type not in TagType.values or new_type in CLOSED_TYPES:
        raise ValidationError("Please choose a fandom, character, relationship or freeform type.")
    with transaction.atomic():
        tag = _locked(tag)
        _require_wranglable(tag)
        if tag.type == new_type:
            return tag
        linked = (
            tag.canonical
            or tag.synonym_of_id
            or tag.synonyms.exists()
            or MetaTagging.objects.filter(sub_tag=tag).exists()
            or MetaTagging.objects.filter(meta_tag=tag).exists()
        )
        if linked:
            raise ValidationError(
                f"“{tag.name}” is already wrangled; only tags that are not canonical, synonyms "
                "or metatags can change type."
            )
        before = snapshot(tag)
        ParentLink.objects.filter(child=tag).delete()
        tag.type = new_type
        tag.save(update_fields=["type", "updated_at"])
        _log(actor, "change type", tag, before)
    return tag


# ---------------------------------------------------------------------------------------------
# Wrangler assignments


def wrangler_assign(*, actor: User, user: User, fandom: Tag) -> WranglerAssignment:
    if fandom.type != TagType.FANDOM or not fandom.canonical:
        raise ValidationError("Wranglers are assigned to canonical fandom tags.")
    with transaction.atomic():
        assignment, created = WranglerAssignment.objects.get_or_create(user=user, fandom=fandom)
        if created:
            WranglingLogEntry.objects.create(
                actor=actor,
                actor_name=actor.username,
                action="assign wrangler",
                tag=fandom,
                tag_name=fandom.name,
                before={},
                after={"wrangler": user.username},
            )
    return assignment


def wrangler_unassign(*, actor: User, user: User, fandom: Tag) -> None:
    with transaction.atomic():
        deleted, _ = WranglerAssignment.objects.filter(user=user, fandom=fandom).delete()
        if deleted:
            WranglingLogEntry.objects.create(
                actor=actor,
                actor_name=actor.username,
                action="unassign wrangler",
                tag=fandom,
                tag_name=fandom.name,
                before={"wrangler": user.username},
                after={},
            )
