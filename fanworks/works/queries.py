"""Every read of works goes through here; `visible_works` is the one visibility rule."""

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from typing import Any
from urllib.parse import quote

from django.contrib.auth.models import AnonymousUser
from django.db import connections
from django.db.models import Prefetch, Q, QuerySet
from django.db.models.query import ModelIterable

from fanworks.accounts.models import Pseud, User
from fanworks.accounts.queries import muted_user_ids
from fanworks.tags.models import Tag, tag_url_name
from fanworks.tags.queries import work_ids_filtered_by
from fanworks.works.models import Chapter, Creatorship, Work, WorkTag

Viewer = User | AnonymousUser


def _is_registered(viewer: Viewer) -> bool:
    return bool(viewer.is_authenticated)


def visible_works(
    viewer: Viewer, *, include_own_drafts: bool = False, hide_muted: bool = True
) -> QuerySet[Work]:
    """The works `viewer` may see.

    Posted works not hidden by an admin; restricted works only for registered users; with
    `include_own_drafts`, also the viewer's own unposted works (never other people's).
    Listings leave drafts out even for their creator; the work page lets them in. Works by
    users the viewer mutes are left out unless `hide_muted` is off (the work page: a link
    someone followed on purpose still opens).
    """
    works = Work.objects.all()
    public = Q(posted=True, hidden_by_admin=False)
    if not _is_registered(viewer):
        return works.filter(public, restricted=False)
    if hide_muted:
        by_muted = Creatorship.objects.filter(pseud__user_id__in=muted_user_ids(viewer))
        works = works.exclude(pk__in=by_muted.values("work_id"))
    if include_own_drafts:
        own = Q(creatorships__pseud__user=viewer)
        # Creators see their own work even when an admin hid it, so they know what happened.
        mine = Work.objects.filter(own).values("pk")
        return works.filter(public | Q(pk__in=mine))
    return works.filter(public)


def is_visible_with_creators(viewer: Viewer, work: Work, creator_ids: Collection[int]) -> bool:
    """`visible_works(viewer, include_own_drafts=True, hide_muted=False)` for one work already
    loaded with its creators' user ids: the same rule, for the write paths that load the work
    by its key (work_to_act_on). works/tests/test_visibility_agrees.py holds the two together."""
    public = work.posted and not work.hidden_by_admin
    if not _is_registered(viewer):
        return public and not work.restricted
    return public or viewer.pk in creator_ids


# What a work blurb shows; listings load only these columns of twenty works and their tags,
# which is most of a listing's cost.
BLURB_FIELDS = [
    "pk",
    "title",
    "summary_html",
    "language",
    "restricted",
    "posted",
    "expected_chapters",
    "posted_chapter_count",
    "word_count",
    "revised_at",
    "updated_at",
    "first_posted_at",
    "hit_count",
    "kudos_count",
    "comment_count",
    "bookmark_count",
]


def with_listing_data(works: QuerySet[Work], viewer: Viewer | None = None) -> QuerySet[Work]:
    """Everything a work blurb shows, loaded in a fixed number of queries.

    Tags and creators come as light BlurbTag and BlurbPseud rows rather than model instances:
    a page of twenty works has hundreds of tags, and building Django models for them (and
    Django's prefetch machinery for the creators) cost more than the queries.

    For a registered `viewer`, the comment and bookmark counts leave out those of users the
    viewer mutes (one more query per page): muted users disappear from counts too.
    """
    listing = works.only(*BLURB_FIELDS)
    if viewer is not None and _is_registered(viewer):
        # A subclass holding the viewer survives the queryset's clones (slicing, paging).
        listing._iterable_class = type(
            "_WorksForViewer", (_WorksWithTags,), {"muter_id": viewer.pk}
        )
    else:
        listing._iterable_class = _WorksWithTags
    return listing


@dataclass(slots=True, unsafe_hash=True)
class BlurbTag:
    """What a blurb shows of a tag. Slotted and not frozen: a page builds hundreds, and a
    frozen dataclass's __init__ cost a visible share of that."""

    pk: int
    name: str
    type: str

    def get_absolute_url(self) -> str:
        return _works_url(self.name)

    @property
    def link_html(self) -> str:
        """`<a class="tag" href="…">name</a>`, escaped (a listing prints hundreds of these)."""
        return _tag_link_html(self.name)


@lru_cache(maxsize=50_000)
def _works_url(name: str) -> str:
    """A tag's works page (a listing prints hundreds; quoting each name was a visible cost)."""
    return f"/tags/{tag_url_name(name)}/works"


@lru_cache(maxsize=50_000)
def _tag_link_html(name: str) -> str:
    return f'<a class="tag" href="{escape(_works_url(name))}">{escape(name)}</a>'


@dataclass(frozen=True)
class BlurbPseud:
    """What a blurb shows of a creator: Pseud's byline and link, without the models."""

    name: str
    username: str

    def get_absolute_url(self) -> str:
        return f"/users/{self.username}/pseuds/{quote(self.name)}"

    @property
    def byline(self) -> str:
        if self.name == self.username:
            return self.name
        return f"{self.name} ({self.username})"


class _WorksWithTags(ModelIterable):
    """Yields works with their tags and creators attached (see `tags_by_type` and
    `listing_pseuds`), two queries per batch."""

    muter_id: int | None = None

    def __iter__(self) -> Iterator[Work]:
        works = list(super().__iter__())
        attach_tags(works)
        attach_pseuds(works)
        from fanworks.works.series_queries import attach_series  # it builds on this module

        attach_series(works)  # "Part N of SERIES" (one query)
        from fanworks.works.gift_queries import attach_gifts

        attach_gifts(works)  # "for RECIPIENT" (one query)
        if self.muter_id is not None and works:
            # Engagement builds on works, so it is imported when used.
            from fanworks.engagement.queries import discount_muted_engagement

            discount_muted_engagement(works, self.muter_id)
        yield from works


def _rows_for_works(sql: str, works: list[Work]) -> list[tuple[Any, ...]]:
    """Rows of `sql` (whose one `{ids}` is replaced by the works' ids) on the works' database.

    Raw SQL, on purpose: these two queries run on every listing and search page, and building
    them through the ORM cost about as much as running them.
    """
    ids = [work.pk for work in works]
    placeholders = ", ".join(["%s"] * len(ids))
    with connections[works[0]._state.db or "default"].cursor() as cursor:
        cursor.execute(sql.format(ids=placeholders), ids)
        return list(cursor.fetchall())


# Table names come from the models and every id is a query parameter.
_TAG_ROWS = (
    f"SELECT wt.work_id, t.id, t.name, t.type FROM {WorkTag._meta.db_table} wt "  # noqa: S608
    f"JOIN {Tag._meta.db_table} t ON t.id = wt.tag_id WHERE wt.work_id IN ({{ids}})"
)
_PSEUD_ROWS = (
    f"SELECT c.work_id, p.name, u.username FROM {Creatorship._meta.db_table} c "  # noqa: S608
    f"JOIN {Pseud._meta.db_table} p ON p.id = c.pseud_id "
    f"JOIN {User._meta.db_table} u ON u.id = p.user_id "
    f"WHERE c.work_id IN ({{ids}}) ORDER BY c.position, c.id"
)


def attach_tags(works: list[Work]) -> None:
    """Each work's tags by type, sorted by name, as `_tags_by_type` (see tags_by_type)."""
    grouped: dict[int, dict[str, list[BlurbTag]]] = {work.pk: {} for work in works}
    if not grouped:
        return
    for work_id, tag_id, name, tag_type in _rows_for_works(_TAG_ROWS, works):
        grouped[work_id].setdefault(tag_type, []).append(BlurbTag(tag_id, name, tag_type))
    for work in works:
        by_type = grouped[work.pk]
        for tags in by_type.values():
            tags.sort(key=_tag_sort_key)
        work._tags_by_type = by_type  # type: ignore[attr-defined]


def _tag_sort_key(tag: BlurbTag) -> str:
    return tag.name.lower()


def attach_pseuds(works: list[Work]) -> None:
    """Each work's creators in byline order, as `_listing_pseuds` (see listing_pseuds)."""
    grouped: dict[int, list[BlurbPseud]] = {work.pk: [] for work in works}
    if not grouped:
        return
    for work_id, name, username in _rows_for_works(_PSEUD_ROWS, works):
        grouped[work_id].append(BlurbPseud(name, username))
    for work in works:
        work._listing_pseuds = grouped[work.pk]  # type: ignore[attr-defined]


def listing_pseuds(work: Work) -> list[Any]:
    """The work's credited pseuds in order: attached by listings, else from its creatorships
    (prefetched by the work page)."""
    attached: list[Any] | None = getattr(work, "_listing_pseuds", None)
    if attached is not None:
        return attached
    return [creatorship.pseud for creatorship in work.creatorships.all()]


def creator_byline(work: Work) -> str:
    """The work's creators as its page credits them ("name (username)", in order), or
    "Anonymous" for a work that credits nobody. Only the credited pseuds are read, so a
    creator who orphaned it shows as the orphan account, as on the work."""
    return ", ".join(pseud.byline for pseud in listing_pseuds(work)) or "Anonymous"


def tags_by_type(work: Work) -> dict[str, list[Any]]:
    """The work's tags by type, sorted by name: attached by listings, or from the prefetched
    work_tags of the work page (computed once per work object)."""
    cached: dict[str, list[Any]] | None = getattr(work, "_tags_by_type", None)
    if cached is None:
        cached = {}
        for work_tag in work.work_tags.all():
            cached.setdefault(work_tag.tag.type, []).append(work_tag.tag)
        for tags in cached.values():
            tags.sort(key=lambda t: t.name.lower())
        work._tags_by_type = cached  # type: ignore[attr-defined]
    return cached


def with_work_page_data(works: QuerySet[Work]) -> QuerySet[Work]:
    """A whole work with its creators and tags, for the work page."""
    return works.prefetch_related(
        Prefetch("creatorships", queryset=Creatorship.objects.select_related("pseud__user")),
        Prefetch("work_tags", queryset=WorkTag.objects.select_related("tag")),
    )


def recent_works(viewer: Viewer) -> QuerySet[Work]:
    return with_listing_data(visible_works(viewer).order_by("-revised_at", "-pk"), viewer)


def works_by_user(viewer: Viewer, user: User) -> QuerySet[Work]:
    mine = Creatorship.objects.filter(pseud__user=user).values("work_id")
    return with_listing_data(
        visible_works(viewer).filter(pk__in=mine).order_by("-revised_at", "-pk"), viewer
    )


def works_by_pseud(viewer: Viewer, pseud: Pseud) -> QuerySet[Work]:
    theirs = Creatorship.objects.filter(pseud=pseud).values("work_id")
    return with_listing_data(
        visible_works(viewer).filter(pk__in=theirs).order_by("-revised_at", "-pk"), viewer
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
        visible_works(viewer).filter(pk__in=found).order_by("-revised_at", "-pk"), viewer
    )


def work_for_viewer(viewer: Viewer, work_id: int) -> Work | None:
    """The work with its creators and tags, or None when it is missing or not for `viewer`."""
    return (
        with_work_page_data(visible_works(viewer, include_own_drafts=True, hide_muted=False))
        .filter(pk=work_id)
        .first()
    )


# The long texts of a work, which pages acting on it (kudos, comments, bookmarks) never show.
_WORK_TEXTS = ("summary", "summary_html", "notes", "notes_html", "endnotes", "endnotes_html")


def work_to_act_on(viewer: Viewer, work_id: int) -> Work | None:
    """The work as `work_for_viewer` finds it (the same visibility), with its creators' user
    ids but without its tags and long texts: what a kudos, comment or bookmark request needs.

    These are the archive's busiest writes, so the work is read by its key and the creators
    it needs anyway decide its visibility (`is_visible_with_creators`), rather than building
    the visibility query's subqueries for one row: that was half a kudos request's CPU."""
    work = Work.objects.filter(pk=work_id).defer(*_WORK_TEXTS).first()
    if work is None:
        return None
    creators = _load_creator_ids(work)
    return work if is_visible_with_creators(viewer, work, creators) else None


def chapter_to_act_on(viewer: Viewer, chapter_id: int) -> tuple[Work, Chapter] | None:
    """The chapter and its work, found as `work_to_act_on` finds the work (the same
    visibility, creator ids loaded, no long texts), in one query fewer than reading the
    chapter first: a comment request needs both. Whether the chapter itself is posted is the
    caller's question (its creators may comment on a draft chapter)."""
    chapter = (
        Chapter.objects.filter(pk=chapter_id)
        .select_related("work")
        .defer("content", "content_html", *(f"work__{field}" for field in _WORK_TEXTS))
        .first()
    )
    if chapter is None:
        return None
    work = chapter.work
    creators = _load_creator_ids(work)
    return (work, chapter) if is_visible_with_creators(viewer, work, creators) else None


# The attribute work_to_act_on keeps the creators' user ids in.
_CREATOR_IDS = "_creator_user_ids"


def _load_creator_ids(work: Work) -> set[int]:
    """Read the work's creators' user ids and keep them on the work for prefetched_creator_ids.
    Ids, not prefetched creatorships with their pseuds and users: building those model
    instances through Django's prefetch machinery was a third of a comment request's CPU."""
    creators = set(
        Creatorship.objects.filter(work_id=work.pk).values_list("pseud__user_id", flat=True)
    )
    setattr(work, _CREATOR_IDS, creators)
    return creators


def creator_ids(work: Work) -> set[int]:
    """The user ids of the work's creators: those loaded with it when they were, otherwise
    read now (and kept on the work)."""
    loaded = prefetched_creator_ids(work)
    return loaded if loaded is not None else _load_creator_ids(work)


def prefetched_creator_ids(work: Work) -> set[int] | None:
    """The user ids of the work's creators when they were loaded with it (work_to_act_on) or
    its creatorships were prefetched (listings), else None: the caller then asks the
    database."""
    loaded: set[int] | None = getattr(work, _CREATOR_IDS, None)
    if loaded is not None:
        return loaded
    cache = getattr(work, "_prefetched_objects_cache", {})
    if "creatorships" not in cache:
        return None
    return {c.pseud.user_id for c in cache["creatorships"]}


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


POPULAR_FANDOMS_SECONDS = 60


def popular_fandoms(viewer: Viewer, limit: int = 20) -> list[Tag]:
    """The fandoms with the most works `viewer` may see, each with `work_count`.

    Canonical fandoms count through the filter table (so synonyms' works count once); fandoms
    not wrangled yet count their own works. The list is cached for a minute per kind of
    viewer (guest or registered): it is an overview, and counting costs tens of ms at scale.
    """
    from django.core.cache import cache

    from fanworks.tags.queries import fandom_work_counts, unwrangled_fandoms_with_counts

    key = f"popular-fandoms:{'registered' if _is_registered(viewer) else 'guest'}:{limit}"
    cached: list[tuple[int, int]] | None = cache.get(key)
    if cached is None:
        counts = fandom_work_counts(viewer)
        for fandom in unwrangled_fandoms_with_counts(viewer):
            counts[fandom.pk] = fandom.work_count  # type: ignore[attr-defined]
        cached = sorted(counts.items(), key=lambda item: -item[1])[:limit]
        cache.set(key, cached, POPULAR_FANDOMS_SECONDS)
    tags = Tag.objects.in_bulk([pk for pk, _ in cached])
    result = []
    for pk, count in cached:
        if pk in tags:
            tags[pk].work_count = count  # type: ignore[attr-defined]
            result.append(tags[pk])
    result.sort(key=lambda tag: (-tag.work_count, tag.name.lower()))  # type: ignore[attr-defined]
    return result


def tag_names_by_type(work: Work) -> dict[str, list[str]]:
    """The work's tag names grouped by tag type, each group sorted by name."""
    return {tag_type: [tag.name for tag in tags] for tag_type, tags in tags_by_type(work).items()}
