"""Every read of works goes through here; `visible_works` is the one visibility rule."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Prefetch, Q, QuerySet

from fanworks.accounts.models import Pseud, User
from fanworks.tags.models import Tag, TagType
from fanworks.tags.queries import work_ids_filtered_by
from fanworks.works.models import Chapter, Creatorship, Work, WorkTag

Viewer = User | AnonymousUser


def _is_registered(viewer: Viewer) -> bool:
    return bool(viewer.is_authenticated)


def visible_works(viewer: Viewer, *, include_own_drafts: bool = False) -> QuerySet[Work]:
    """The works `viewer` may see.

    Posted works not hidden by an admin; restricted works only for registered users; with
    `include_own_drafts`, also the viewer's own unposted works (never other people's).
    Listings leave drafts out even for their creator; the work page lets them in.
    """
    works = Work.objects.all()
    public = Q(posted=True, hidden_by_admin=False)
    if not _is_registered(viewer):
        return works.filter(public, restricted=False)
    if include_own_drafts:
        own = Q(creatorships__pseud__user=viewer)
        # Creators see their own work even when an admin hid it, so they know what happened.
        mine = Work.objects.filter(own).values("pk")
        return works.filter(public | Q(pk__in=mine))
    return works.filter(public)


def with_listing_data(works: QuerySet[Work]) -> QuerySet[Work]:
    """Everything a work blurb shows, loaded in a fixed number of queries."""
    return works.prefetch_related(
        Prefetch(
            "creatorships",
            queryset=Creatorship.objects.select_related("pseud__user"),
        ),
        Prefetch("work_tags", queryset=WorkTag.objects.select_related("tag")),
    )


def recent_works(viewer: Viewer) -> QuerySet[Work]:
    return with_listing_data(visible_works(viewer).order_by("-revised_at", "-pk"))


def works_by_user(viewer: Viewer, user: User) -> QuerySet[Work]:
    mine = Creatorship.objects.filter(pseud__user=user).values("work_id")
    return with_listing_data(
        visible_works(viewer).filter(pk__in=mine).order_by("-revised_at", "-pk")
    )


def works_by_pseud(viewer: Viewer, pseud: Pseud) -> QuerySet[Work]:
    theirs = Creatorship.objects.filter(pseud=pseud).values("work_id")
    return with_listing_data(
        visible_works(viewer).filter(pk__in=theirs).order_by("-revised_at", "-pk")
    )


def drafts_of_user(user: User) -> QuerySet[Work]:
    mine = Creatorship.objects.filter(pseud__user=user).values("work_id")
    return with_listing_data(
        Work.objects.filter(pk__in=mine, posted=False).order_by("-updated_at", "-pk")
    )


def works_tagged(viewer: Viewer, tag: Tag) -> QuerySet[Work]:
    """Works found under `tag`: for a canonical tag, also those tagged with its synonyms or
    subtags (through the filter table)."""
    found = work_ids_filtered_by(tag)
    return with_listing_data(
        visible_works(viewer).filter(pk__in=found).order_by("-revised_at", "-pk")
    )


def work_for_viewer(viewer: Viewer, work_id: int) -> Work | None:
    """The work with its creators and tags, or None when it is missing or not for `viewer`."""
    return (
        with_listing_data(visible_works(viewer, include_own_drafts=True)).filter(pk=work_id).first()
    )


def is_restricted_public_work(work_id: int) -> bool:
    """True when a posted, unhidden work exists but only registered users may read it.

    Lets a guest be sent to log in instead of getting a 404, without revealing anything else.
    """
    return Work.objects.filter(
        pk=work_id, posted=True, hidden_by_admin=False, restricted=True
    ).exists()


def visible_chapters(work: Work, *, as_creator: bool) -> list[Chapter]:
    chapters = work.chapters.all()
    if not as_creator:
        chapters = chapters.filter(posted=True)
    return list(chapters.order_by("position"))


def popular_fandoms(viewer: Viewer, limit: int = 20) -> list[Tag]:
    """Fandoms with the most works `viewer` can see, with `work_count` set."""
    visible = visible_works(viewer).values("pk")
    return list(
        Tag.objects.filter(type=TagType.FANDOM, work_tags__work__in=visible)
        .annotate(work_count=Count("work_tags__work", distinct=True))
        .order_by("-work_count", "name")[:limit]
    )


def fandoms_with_counts(viewer: Viewer) -> list[Tag]:
    visible = visible_works(viewer).values("pk")
    return list(
        Tag.objects.filter(type=TagType.FANDOM, work_tags__work__in=visible)
        .annotate(work_count=Count("work_tags__work", distinct=True))
        .order_by("name")
    )


def tag_names_by_type(work: Work) -> dict[str, list[str]]:
    """The work's tag names grouped by tag type, each group sorted by name."""
    grouped: dict[str, list[str]] = {}
    for work_tag in work.work_tags.all():
        grouped.setdefault(work_tag.tag.type, []).append(work_tag.tag.name)
    return {tag_type: sorted(names, key=str.lower) for tag_type, names in grouped.items()}
