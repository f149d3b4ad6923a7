"""Every read of the engagement app."""

from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from fanworks.accounts.models import User
from fanworks.accounts.queries import muted_user_ids
from fanworks.engagement.models import Bookmark, BookmarkTag, ExternalWork, Kudos, Reading
from fanworks.tags.models import Tag
from fanworks.works.models import Work
from fanworks.works.queries import Viewer, visible_works, with_listing_data

# The largest id a row can have (a 64-bit key): larger ids in URLs are missing, not errors.
MAX_ROW_ID = 2**63 - 1

# Names listed under a work; the rest are counted ("and 12 more users").
KUDOS_NAMES_SHOWN = 50


@dataclass(frozen=True)
class KudosSummary:
    usernames: list[str]  # newest first, at most KUDOS_NAMES_SHOWN
    more_users: int
    guests: int

    @property
    def total(self) -> int:
        return len(self.usernames) + self.more_users + self.guests

    def sentence(self) -> SafeString:
        """AO3's line under a work: "ann, bo as well as 3 guests left kudos on this work!"."""
        names = format_html_join(
            ", ", '<a href="/users/{}">{}</a>', ((name, name) for name in self.usernames)
        )
        if self.more_users:
            names = format_html(
                "{} and {} more user{}", names, self.more_users, "s" * (self.more_users != 1)
            )
        guests = format_html("{} guest{}", self.guests, "s" * (self.guests != 1))
        if self.usernames and self.guests:
            who = format_html("{} as well as {}", names, guests)
        else:
            who = names if self.usernames else guests
        return format_html("{} left kudos on this work!", who)


def kudos_summary(work: Work) -> KudosSummary:
    """Who left kudos on `work`: no query for a work without any (most of them; the page is
    read far more often than kudos are left), else the newest names and the two counts."""
    if not work.kudos_count:
        return KudosSummary(usernames=[], more_users=0, guests=0)
    kudos = Kudos.objects.filter(work=work)
    counts = kudos.aggregate(
        users=Count("pk", filter=Q(user__isnull=False)),
        guests=Count("pk", filter=Q(user__isnull=True)),
    )
    names = list(
        kudos.filter(user__isnull=False)
        .order_by("-created_at", "-pk")
        .values_list("user__username", flat=True)[:KUDOS_NAMES_SHOWN]
    )
    return KudosSummary(
        usernames=names, more_users=counts["users"] - len(names), guests=counts["guests"]
    )


def history_works(viewer: Viewer, owner: User, *, for_later: bool) -> QuerySet[Work]:
    """The works in `owner`'s history (or marked for later), most recently visited first, that
    `viewer` (the owner) may still see: a work hidden or made a draft since drops out, and
    comes back if it returns. Each work carries `reading_last_viewed`, `reading_views` and
    `reading_for_later`."""
    readings = Reading.objects.filter(user=owner)
    if for_later:
        readings = readings.filter(marked_for_later=True)
    else:
        readings = readings.filter(last_viewed_at__isnull=False)
    mine = Reading.objects.filter(user=owner, work=OuterRef("pk"))
    return with_listing_data(
        visible_works(viewer)
        .filter(pk__in=readings.values("work_id"))
        .annotate(
            reading_last_viewed=Subquery(mine.values("last_viewed_at")[:1]),
            reading_views=Subquery(mine.values("view_count")[:1]),
            reading_for_later=Subquery(mine.values("marked_for_later")[:1]),
        )
        .order_by(F("reading_last_viewed").desc(nulls_last=True), "-pk")
    )


# ---------------------------------------------------------------------------------------------
# Bookmarks


def visible_bookmarks(viewer: Viewer, *, hide_muted: bool = True) -> QuerySet[Bookmark]:
    """The bookmarks `viewer` may see: of works they may see (visible_works: not drafts, not
    hidden, restricted ones only when logged in, none by creators they mute) or of external
    works; private ones only when they are the viewer's own; none by users they mute. With
    `hide_muted` off (one bookmark's own page, like the work page: a link followed on
    purpose still opens) muting leaves them in."""
    # A correlated EXISTS, not `work IN (visible works)`: the databases built the whole list of
    # visible works for every query, which cost more than a user's or a work's page of
    # bookmarks itself (9 ms per query at 20,000 works, growing with the archive).
    seen = visible_works(viewer, hide_muted=hide_muted).filter(pk=OuterRef("work_id"))
    bookmarks = Bookmark.objects.filter(Q(Exists(seen)) | Q(work__isnull=True))
    if not viewer.is_authenticated:
        return bookmarks.filter(private=False)
    bookmarks = bookmarks.filter(Q(private=False) | Q(user_id=viewer.pk))
    if not hide_muted:
        return bookmarks
    return bookmarks.exclude(user_id__in=muted_user_ids(viewer))


def bookmark_for_viewer(viewer: Viewer, bookmark_id: int) -> Bookmark | None:
    """One bookmark with what its page shows, or None when it is missing or not for `viewer`."""
    if not 0 < bookmark_id <= MAX_ROW_ID:
        return None
    found = (
        visible_bookmarks(viewer, hide_muted=False)
        .select_related("pseud__user", "external_work", "work")
        .filter(pk=bookmark_id)
        .first()
    )
    if found is not None:
        attach_bookmark_data([found])
    return found


def own_bookmark_of(user: Viewer, *, work: Work) -> Bookmark | None:
    """The viewer's bookmark of `work` (the work page's form edits it), with its tags."""
    if not user.is_authenticated:
        return None
    found = Bookmark.objects.filter(user_id=user.pk, work=work).first()
    if found is not None:
        found.tag_list = list(found.tags.order_by("name"))  # type: ignore[attr-defined]
    return found


def external_work_for_viewer(viewer: Viewer, external_id: int) -> ExternalWork | None:
    """The external work, when `viewer` may see a bookmark of it: one bookmarked only
    privately (or only by users the viewer mutes) is not shown, so that a private bookmark
    does not reveal the address it is of."""
    if not 0 < external_id <= MAX_ROW_ID:
        return None
    seen = visible_bookmarks(viewer).filter(external_work_id=OuterRef("pk"))
    return ExternalWork.objects.filter(Exists(seen), pk=external_id).first()


def attach_bookmark_data(bookmarks: list[Bookmark]) -> None:
    """Each bookmark's tags (`tag_list`, sorted by name) and its work with everything a blurb
    shows (`listed_work`): three queries for a page, whatever its size."""
    if not bookmarks:
        return
    tags: dict[int, list[Tag]] = {bookmark.pk: [] for bookmark in bookmarks}
    for row in (
        BookmarkTag.objects.filter(bookmark_id__in=list(tags))
        .select_related("tag")
        .order_by("tag__name")
    ):
        tags[row.bookmark_id].append(row.tag)
    work_ids = {bookmark.work_id for bookmark in bookmarks if bookmark.work_id}
    # The bookmarks were already filtered through visible_works; this only loads the blurbs.
    works = {work.pk: work for work in with_listing_data(Work.objects.filter(pk__in=work_ids))}
    for bookmark in bookmarks:
        bookmark.tag_list = tags[bookmark.pk]  # type: ignore[attr-defined]
        bookmark.listed_work = works.get(bookmark.work_id or 0)  # type: ignore[attr-defined]


def bookmark_page_items(bookmarks: QuerySet[Bookmark]) -> QuerySet[Bookmark]:
    return bookmarks.select_related("pseud__user", "external_work")


def muted_public_bookmarks(viewer: User, work: Work) -> int:
    """How many of the work's public bookmarks are by users `viewer` mutes (one query)."""
    return Bookmark.objects.filter(
        work=work, private=False, user_id__in=muted_user_ids(viewer)
    ).count()
