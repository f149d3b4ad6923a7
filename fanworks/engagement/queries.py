"""Every read of the engagement app."""

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from fanworks.accounts.models import Block, Mute, User
from fanworks.accounts.queries import muted_user_ids
from fanworks.engagement.models import (
    Bookmark,
    BookmarkTag,
    Comment,
    CommentState,
    ExternalWork,
    Kudos,
    Notification,
    Reading,
    Subscription,
)
from fanworks.engagement.permissions import (
    blocked_by_creators,
    can_moderate_comments,
    is_admin,
    reply_refusal,
    users_blocking,
    work_comment_refusal,
)
from fanworks.tags.models import Tag
from fanworks.works.models import Chapter, Series, SeriesCreatorship, SeriesWork, Work
from fanworks.works.queries import (
    Viewer,
    visible_works,
    with_listing_data,
    work_to_act_on,
)

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
        .order_by(F("reading_last_viewed").desc(nulls_last=True), "-pk"),
        viewer,
    )


# ---------------------------------------------------------------------------------------------
# Subscriptions and the inbox


def inbox_notifications(owner: User, *, unread_only: bool = False) -> QuerySet[Notification]:
    """`owner`'s inbox, newest first, as the server filters it: nothing from users they mute,
    and nothing about works they can no longer see (made a draft, hidden, or by a muted user);
    such entries come back if that changes."""
    notifications = (
        Notification.objects.filter(recipient=owner)
        .exclude(actor_id__in=muted_user_ids(owner))
        .filter(
            # Correlated on the row's work, so the database checks the few works of the
            # owner's notifications, not every work the owner may see.
            Q(work__isnull=True)
            | Exists(visible_works(owner, include_own_drafts=True).filter(pk=OuterRef("work_id")))
        )
    )
    if unread_only:
        notifications = notifications.filter(read=False)
    return notifications.order_by("-created_at", "-pk")


def inbox_unread_count(owner: User) -> int:
    """The number in the site header (the partial index on unread rows keeps it cheap)."""
    return inbox_notifications(owner, unread_only=True).count()


def subscription_state(
    viewer: User,
    *,
    work: Work | None = None,
    target_user: User | None = None,
    series: Series | None = None,
) -> tuple[int | None, bool]:
    """For the Subscribe button, in one query: the id of `viewer`'s subscription to the work
    or user (None when not subscribed), and whether a creator of the work, or the user,
    blocks `viewer`."""
    if series is not None:
        subscribed = Subscription.objects.filter(user=viewer, series=series)
        blocks = Block.objects.filter(
            blocked=viewer, blocker__pseuds__series_creatorships__series=series
        )
    elif work is not None:
        subscribed = Subscription.objects.filter(user=viewer, work=work)
        blocks = Block.objects.filter(
            blocked=viewer, blocker__pseuds__creatorships__work_id=work.pk
        )
    else:
        subscribed = Subscription.objects.filter(user=viewer, target_user=target_user)
        blocks = Block.objects.filter(blocked=viewer, blocker=target_user)
    row = (
        User.objects.filter(pk=viewer.pk)
        .annotate(subscription=Subquery(subscribed.values("pk")[:1]), blocked=Exists(blocks))
        .values_list("subscription", "blocked")
        .first()
    )
    return (row[0], bool(row[1])) if row else (None, False)


def subscriptions_of(owner: User, *, kind: str = "") -> QuerySet[Subscription]:
    """`owner`'s subscriptions, newest first ("works" or "users" only with `kind`). Work
    subscriptions show only while owner may see the work: a work made a draft or hidden
    leaves the list (and comes back), so the page never names what it should not."""
    subscriptions = Subscription.objects.filter(user=owner).select_related(
        "work", "target_user", "series"
    )
    seen = visible_works(owner, hide_muted=False).values("pk")
    # A series shows while owner may see one of its works (as its page does).
    visible = (
        Q(work__isnull=True, series__isnull=True)
        | Q(work_id__in=seen)
        | Q(series_id__in=SeriesWork.objects.filter(work_id__in=seen).values("series_id"))
    )
    subscriptions = subscriptions.filter(visible)
    if kind == "works":
        subscriptions = subscriptions.filter(work__isnull=False)
    elif kind == "users":
        subscriptions = subscriptions.filter(target_user__isnull=False)
    elif kind == "series":
        subscriptions = subscriptions.filter(series__isnull=False)
    return subscriptions.order_by("-created_at", "-pk")


# Comments

# AO3 shows a thread five levels deep (COMMENT_THREAD_MAX_DEPTH); deeper replies are on the
# page of the fifth-level comment, behind "Continue this thread".
THREAD_DEPTH_SHOWN = 5
THREADS_PER_PAGE = 20


@dataclass
class CommentNode:
    """A comment as one viewer sees it, with the replies they may see and what they may do."""

    comment: Comment
    replies: list["CommentNode"] = field(default_factory=list)
    continue_thread: bool = False  # it has replies, shown on its own page
    reply_refusal: str | None = None
    can_edit: bool = False
    can_delete: bool = False
    can_moderate: bool = False


@dataclass(frozen=True)
class CommentViewer:
    """What decides, for every comment on a page, what the viewer sees and may do: fetched
    once per page (see `comment_viewer`)."""

    viewer: Viewer
    moderator: bool  # a creator of the work: sees and manages every comment
    admin: bool
    work_refusal: str | None  # engagement.permissions.work_comment_refusal
    blocked_by_creator: bool
    blockers: frozenset[int]

    @property
    def user_id(self) -> int | None:
        return self.viewer.pk if self.viewer.is_authenticated else None


def comment_viewer(viewer: Viewer, work: Work, chapter: Chapter | None = None) -> CommentViewer:
    moderator = can_moderate_comments(viewer, work)
    blocked = isinstance(viewer, User) and blocked_by_creators(viewer, work)
    return CommentViewer(
        viewer=viewer,
        moderator=moderator,
        admin=is_admin(viewer),
        work_refusal=work_comment_refusal(viewer, work, chapter),
        blocked_by_creator=blocked,
        blockers=frozenset(users_blocking(viewer)) if viewer.is_authenticated else frozenset(),
    )


def visible_comments(who: CommentViewer) -> QuerySet[Comment]:
    """The comments `who` may see, on any work already visible to them: approved ones; those
    awaiting approval only for the work's creators, admins and their author; never those of a
    user the viewer mutes (filtered here, so they are not in the page at all)."""
    comments = Comment.objects.select_related("pseud__user")
    if not (who.moderator or who.admin):
        mine = Q(user_id=who.user_id) if who.user_id is not None else Q(pk__in=[])
        comments = comments.filter(Q(state=CommentState.APPROVED) | mine)
    if who.user_id is not None:
        comments = comments.exclude(user_id__in=muted_user_ids(who.viewer))
    return comments


def comment_for_viewer(viewer: Viewer, comment_id: int) -> tuple[Comment, Work] | None:
    """A comment and its work, or None when either is missing or not for `viewer` (a draft
    work, a draft chapter, a comment awaiting approval, a muted user's comment)."""
    found = Comment.objects.filter(pk=comment_id).select_related("chapter").first()
    if found is None:
        return None
    # The comment pages show the work's title only: no tags or long texts to load.
    work = work_to_act_on(viewer, found.work_id)
    if work is None:
        return None
    who = comment_viewer(viewer, work, found.chapter)
    if not found.chapter.posted and not who.moderator:
        return None
    comment = visible_comments(who).filter(pk=comment_id).select_related("chapter").first()
    return (comment, work) if comment is not None else None


def _node(comment: Comment, who: CommentViewer) -> CommentNode:
    mine = who.user_id is not None and comment.user_id == who.user_id
    refusal = who.work_refusal or reply_refusal(who.viewer, comment, who.blockers)
    return CommentNode(
        comment=comment,
        reply_refusal=refusal,
        can_edit=mine and not (comment.deleted or comment.frozen or who.blocked_by_creator),
        can_delete=not comment.deleted and (mine or who.moderator or who.admin),
        can_moderate=who.moderator,
    )


def _trees(roots: list[Comment], replies: list[Comment], who: CommentViewer) -> list[CommentNode]:
    """Nest `replies` under `roots`, THREAD_DEPTH_SHOWN levels deep counted from each root.
    A reply whose parent the viewer may not see is left out with everything under it."""
    children: dict[int, list[Comment]] = {}
    for reply in replies:
        assert reply.parent_id is not None
        children.setdefault(reply.parent_id, []).append(reply)
    for siblings in children.values():
        siblings.sort(key=lambda c: (c.created_at, c.pk))

    def build(comment: Comment, level: int) -> CommentNode:
        node = _node(comment, who)
        below = children.get(comment.pk, [])
        if level + 1 >= THREAD_DEPTH_SHOWN:
            node.continue_thread = bool(below)
        else:
            node.replies = [build(reply, level + 1) for reply in below]
        return node

    return [build(root, 0) for root in roots]


@dataclass
class CommentThreads:
    threads: list[CommentNode]
    number: int
    num_pages: int
    count: int  # comments shown for these chapters (approved, not deleted, not muted)
    work_count: int  # the same for the whole work

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages


def chapter_threads(
    who: CommentViewer, work: Work, chapters: list[Chapter], page: str | None
) -> CommentThreads:
    """One page of the threads on `chapters` (oldest thread first, as AO3 lists them), each
    nested to THREAD_DEPTH_SHOWN. A bad or too large page number gives the nearest page: the
    comments are below a work, which should never become a 404.

    No query at all for a work nobody has commented on (most works), unless comments await
    moderation there."""
    if not work.comment_count and not work.moderate_comments:
        return CommentThreads(threads=[], number=1, num_pages=1, count=0, work_count=0)
    visible = visible_comments(who)
    chapter_ids = [chapter.pk for chapter in chapters]
    roots = visible.filter(chapter_id__in=chapter_ids, parent__isnull=True).order_by(
        "created_at", "pk"
    )
    shown = Paginator(roots, THREADS_PER_PAGE).get_page(page)
    root_list = list(shown.object_list)
    replies = list(visible.filter(thread_id__in=[root.pk for root in root_list]))
    counts = visible.filter(work=work, state=CommentState.APPROVED, deleted=False).aggregate(
        here=Count("pk", filter=Q(chapter_id__in=chapter_ids)), everywhere=Count("pk")
    )
    return CommentThreads(
        threads=_trees(root_list, replies, who),
        number=shown.number,
        num_pages=shown.paginator.num_pages,
        count=counts["here"],
        work_count=counts["everywhere"],
    )


def thread_from(who: CommentViewer, comment: Comment) -> CommentNode:
    """`comment` with the replies below it that the viewer may see, THREAD_DEPTH_SHOWN deep."""
    root = comment.thread_root_id
    replies = list(visible_comments(who).filter(thread_id=root).exclude(pk=comment.pk))
    return _trees([comment], replies, who)[0]


def unreviewed_comments(work: Work, viewer: Viewer) -> QuerySet[Comment]:
    """The comments on `work` waiting for a creator's approval, oldest first, except those of
    users `viewer` mutes: muting takes them out of sight everywhere, and a comment never
    approved never shows to anyone."""
    return (
        Comment.objects.filter(work=work, state=CommentState.UNREVIEWED)
        .exclude(user_id__in=muted_user_ids(viewer))
        .select_related("pseud__user", "chapter")
        .order_by("created_at", "pk")
    )


def comment_url(comment: Comment, work: Work) -> str:
    """Where a comment is seen in place: its chapter (the work page for a one-chapter work), on
    the page of threads holding it, at its anchor."""
    root_id = comment.thread_root_id
    root_created = (
        comment.created_at
        if comment.thread_id is None
        else Comment.objects.filter(pk=root_id).values_list("created_at", flat=True).first()
    )
    if root_created is None:  # the thread is gone
        root_created = comment.created_at
    earlier = Comment.objects.filter(
        chapter_id=comment.chapter_id, parent__isnull=True, state=CommentState.APPROVED
    ).filter(Q(created_at__lt=root_created) | Q(created_at=root_created, pk__lt=root_id))
    page = earlier.count() // THREADS_PER_PAGE + 1
    base = (
        f"/works/{work.pk}/chapters/{comment.chapter_id}"
        if work.posted_chapter_count > 1
        else f"/works/{work.pk}"
    )
    query = f"?page={page}" if page > 1 else ""
    return f"{base}{query}#comment_{comment.pk}"


# ---------------------------------------------------------------------------------------------
# Bookmarks


def visible_bookmarks(viewer: Viewer, *, hide_muted: bool = True) -> QuerySet[Bookmark]:
    """The bookmarks `viewer` may see: of works they may see (visible_works: not drafts, not
    hidden, restricted ones only when logged in, none by creators they mute), of series with
    at least one such work (or series the viewer created, as the series page), or of external
    works; private ones only when they are the viewer's own; none by users they mute. With
    `hide_muted` off (one bookmark's own page, like the work page: a link followed on
    purpose still opens) muting leaves them in."""
    # A correlated EXISTS, not `work IN (visible works)`: the databases built the whole list of
    # visible works for every query, which cost more than a user's or a work's page of
    # bookmarks itself (9 ms per query at 20,000 works, growing with the archive).
    seen = visible_works(viewer, hide_muted=hide_muted).filter(pk=OuterRef("work_id"))
    # A series counts as seen through its parts: one it shows no part of to this viewer (all
    # drafts, hidden, restricted for guests, or all by creators they mute) is not there.
    seen_part = SeriesWork.objects.filter(series_id=OuterRef("series_id")).filter(
        Exists(visible_works(viewer, hide_muted=hide_muted).filter(pk=OuterRef("work_id")))
    )
    target = Q(Exists(seen)) | Q(external_work__isnull=False) | Q(Exists(seen_part))
    if viewer.is_authenticated:
        own_series = SeriesCreatorship.objects.filter(
            series_id=OuterRef("series_id"), pseud__user_id=viewer.pk
        )
        target |= Q(Exists(own_series))
    bookmarks = Bookmark.objects.filter(target)
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
        .select_related("pseud__user", "external_work", "series")
        .filter(pk=bookmark_id)
        .first()
    )
    if found is not None:
        attach_bookmark_data([found], viewer=viewer)
    return found


def own_bookmark_of(
    user: Viewer, *, work: Work | None = None, series: Series | None = None
) -> Bookmark | None:
    """The viewer's bookmark of `work` or `series` (the page's form edits it), with its tags."""
    if not user.is_authenticated:
        return None
    target: dict[str, Work | Series | None] = (
        {"work": work} if work is not None else {"series": series}
    )
    found = Bookmark.objects.filter(user_id=user.pk, **target).first()
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


def attach_bookmark_data(bookmarks: list[Bookmark], *, viewer: Viewer | None = None) -> None:
    """Each bookmark's tags (`tag_list`, sorted by name), its work with everything a blurb
    shows (`listed_work`) and its series with what `viewer` may see of it (`listed_series`):
    at most four queries for a page, whatever its size. Without a viewer, series are counted
    as a guest sees them (never more than anyone may see)."""
    if not bookmarks:
        return
    series_ids = {bookmark.series_id for bookmark in bookmarks if bookmark.series_id}
    listed_series = bookmarked_series(viewer or AnonymousUser(), series_ids)
    tags: dict[int, list[Tag]] = {bookmark.pk: [] for bookmark in bookmarks}
    for row in (
        BookmarkTag.objects.filter(bookmark_id__in=list(tags))
        .select_related("tag")
        .order_by("tag__name")
    ):
        tags[row.bookmark_id].append(row.tag)
    work_ids = {bookmark.work_id for bookmark in bookmarks if bookmark.work_id}
    # The bookmarks were already filtered through visible_works; this only loads the blurbs.
    listing = with_listing_data(Work.objects.filter(pk__in=work_ids), viewer)
    works = {work.pk: work for work in listing}
    for bookmark in bookmarks:
        bookmark.tag_list = tags[bookmark.pk]  # type: ignore[attr-defined]
        bookmark.listed_work = works.get(bookmark.work_id or 0)  # type: ignore[attr-defined]
        bookmark.listed_series = listed_series.get(bookmark.series_id or 0)  # type: ignore[attr-defined]


def bookmarked_series(viewer: Viewer, series_ids: set[int]) -> dict[int, Series]:
    """The series with their creators and what `viewer` may see of them, for series blurbs:
    `visible_count` and `visible_words` (of the parts visible_works lets through, muted
    creators' parts left out as in listings), and `creator_pseuds`. One query plus the
    creators' prefetch."""
    if not series_ids:
        return {}
    seen = visible_works(viewer).values("pk")
    in_seen = Q(series_works__work__in=seen)
    creators = SeriesCreatorship.objects.select_related("pseud__user")
    rows = (
        Series.objects.filter(pk__in=series_ids)
        .annotate(
            visible_count=Count("series_works", filter=in_seen, distinct=True),
            visible_words=Coalesce(Sum("series_works__work__word_count", filter=in_seen), 0),
        )
        .prefetch_related(Prefetch("creatorships", queryset=creators))
    )
    found: dict[int, Series] = {}
    for series in rows:
        pseuds = [ship.pseud for ship in series.creatorships.all()]
        series.creator_pseuds = pseuds  # type: ignore[attr-defined]
        found[series.pk] = series
    return found


def series_bookmark_count(viewer: Viewer, series: Series) -> int:
    """How many of the series' bookmarks `viewer` may see (public ones, their own private one,
    none by users they mute): series keep no counter, since what a reader may see of a series
    depends on the reader."""
    return visible_bookmarks(viewer).filter(series=series).count()


def bookmark_page_items(bookmarks: QuerySet[Bookmark]) -> QuerySet[Bookmark]:
    return bookmarks.select_related("pseud__user", "external_work", "series")


def discount_muted_engagement(works: list[Work], muter_id: int) -> None:
    """Take the comments and public bookmarks of users `muter_id` mutes out of these works'
    counts, as loaded for that viewer: muted users disappear from counts as from listings.
    One query for the whole page; the stored counters (search sorts, ranges) stay global."""
    placeholders = ", ".join(["%s"] * len(works))
    ids = [work.pk for work in works]
    muted = f"SELECT muted_id FROM {Mute._meta.db_table} WHERE muter_id = %s"  # noqa: S608
    sql = (
        f"SELECT work_id, 'bookmarks', COUNT(*) FROM {Bookmark._meta.db_table} "  # noqa: S608
        f"WHERE work_id IN ({placeholders}) AND private = %s AND user_id IN ({muted}) "
        "GROUP BY work_id UNION ALL "
        f"SELECT work_id, 'comments', COUNT(*) FROM {Comment._meta.db_table} "
        f"WHERE work_id IN ({placeholders}) AND state = %s AND deleted = %s "
        f"AND user_id IN ({muted}) GROUP BY work_id"
    )
    approved = str(CommentState.APPROVED.value)
    params: list[int | bool | str] = [*ids, False, muter_id, *ids, approved, False, muter_id]
    with connections[works[0]._state.db or "default"].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    by_id = {work.pk: work for work in works}
    for work_id, what, count in rows:
        work = by_id[work_id]
        field = "bookmark_count" if what == "bookmarks" else "comment_count"
        setattr(work, field, max(0, getattr(work, field) - count))
