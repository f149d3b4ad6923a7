"""Who may wrangle which tags. Admins wrangle everything; wranglers the tags of their fandoms."""

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q

from fanworks.accounts.models import User
from fanworks.tags.models import ParentLink, Tag, TagType, WorkFilter, WranglerAssignment

Viewer = User | AnonymousUser


def is_admin(viewer: Viewer) -> bool:
    return bool(viewer.is_authenticated and viewer.is_active and viewer.is_superuser)


def is_wrangler(viewer: Viewer) -> bool:
    if is_admin(viewer):
        return True
    return bool(
        viewer.is_authenticated
        and viewer.is_active
        and WranglerAssignment.objects.filter(user_id=viewer.pk).exists()
    )


def fandoms_of_tag(tag: Tag) -> set[int]:
    """Fandoms a tag belongs to: its parent fandoms and the fandoms of works that use it
    (so it can be wrangled from every bin it shows up in)."""
    if tag.type == TagType.FANDOM:
        return {tag.pk}
    from fanworks.works.models import WorkTag

    linked = set(
        ParentLink.objects.filter(child=tag, parent__type=TagType.FANDOM).values_list(
            "parent_id", flat=True
        )
    )
    works = WorkTag.objects.filter(tag=tag).values("work_id")
    used_in = set(
        WorkFilter.objects.filter(work_id__in=works, tag__type=TagType.FANDOM)
        .values_list("tag_id", flat=True)
        .distinct()
    )
    return linked | used_in


def can_wrangle_tag(viewer: Viewer, tag: Tag) -> bool:
    if is_admin(viewer):
        return True
    if not viewer.is_authenticated or not viewer.is_active:
        return False
    if tag.type in {TagType.RATING, TagType.WARNING, TagType.CATEGORY, TagType.MEDIA}:
        return False
    fandoms = fandoms_of_tag(tag)
    return WranglerAssignment.objects.filter(
        Q(user_id=viewer.pk) & Q(fandom_id__in=fandoms)
    ).exists()


def check_wrangle_tag(viewer: Viewer, tag: Tag) -> None:
    if not can_wrangle_tag(viewer, tag):
        raise PermissionDenied("You can't wrangle this tag.")


def can_wrangle_fandom(viewer: Viewer, fandom: Tag) -> bool:
    if is_admin(viewer):
        return True
    return bool(
        viewer.is_authenticated
        and WranglerAssignment.objects.filter(user_id=viewer.pk, fandom=fandom).exists()
    )


def can_rename_freely(viewer: Viewer) -> bool:
    """Wranglers may only change case and accents; admins may rename to anything."""
    return is_admin(viewer)


def can_assign_wranglers(viewer: Viewer) -> bool:
    return is_admin(viewer)


def can_read_wrangling_log(viewer: Viewer) -> bool:
    return is_admin(viewer)
