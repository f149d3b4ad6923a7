"""Every read of series. What a viewer learns of a series comes from the works they may see
(`visible_works`): its listing, counts, word count, "Part N" and previous/next links.

How "Part N" is counted: N is the work's place among the series' parts that are posted, not
hidden by an admin and, for guests, not restricted to registered users. AO3 prints the stored
position instead, so a guest reading "Part 3" of a series whose page lists two works learns
that a restricted or draft part exists; counting only parts of the reader's kind cannot leak
that. Parts by users the reader mutes still count (muting hides them from the reader's own
listings, it is not a secret from the reader), so numbers stay stable when someone mutes.
The same rule serves listings (where only "guest or registered" is known cheaply, in one
query for a whole page) and the work page.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    Count,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce

from fanworks.accounts.models import User
from fanworks.works.models import Series, SeriesCreatorship, SeriesWork, Work
from fanworks.works.queries import Viewer, visible_works, with_listing_data


def counted_parts(*, registered: bool, prefix: str = "work__") -> Q:
    """The parts that count in "Part N" for a guest or a registered reader (see above)."""
    condition = Q(**{f"{prefix}posted": True, f"{prefix}hidden_by_admin": False})
    if not registered:
        condition &= Q(**{f"{prefix}restricted": False})
    return condition


def is_series_creator(viewer: Viewer, series: Series) -> bool:
    if not viewer.is_authenticated:
        return False
    cache = getattr(series, "_prefetched_objects_cache", {})
    if "creatorships" in cache:
        return any(c.pseud.user_id == viewer.pk for c in cache["creatorships"])
    return series.creatorships.filter(pseud__user_id=viewer.pk).exists()


def _series_with_creators(series: QuerySet[Series]) -> QuerySet[Series]:
    return series.prefetch_related(
        Prefetch("creatorships", queryset=SeriesCreatorship.objects.select_related("pseud__user"))
    )


def series_for_viewer(viewer: Viewer, series_id: int) -> Series | None:
    """The series with its creators, or None when missing or when `viewer` may see none of
    its works (a series of drafts, hidden or restricted parts is not there for them) and is
    not one of its creators."""
    series = _series_with_creators(Series.objects.filter(pk=series_id)).first()
    if series is None:
        return None
    if is_series_creator(viewer, series):
        return series
    seen = visible_works(viewer, hide_muted=False).filter(series_works__series=series)
    return series if seen.exists() else None


def series_parts(viewer: Viewer, series: Series) -> QuerySet[Work]:
    """The series' works `viewer` may see, in series order, ready for blurbs."""
    position = SeriesWork.objects.filter(series=series, work=OuterRef("pk")).values("position")
    return with_listing_data(
        visible_works(viewer)
        .filter(series_works__series=series)
        .annotate(series_position=Subquery(position[:1]))
        .order_by("series_position", "pk"),
        viewer,
    )


@dataclass(frozen=True)
class SeriesTotals:
    works: int
    words: int
    # When the first visible part was posted and the last one revised: the series' own
    # timestamps also move when a draft is added, which readers must not learn.
    begun: datetime | None
    updated: datetime | None


def series_totals(viewer: Viewer, series: Series) -> SeriesTotals:
    """How many works and words of the series `viewer` may see, and their first posting and
    last revision (the series page's stats)."""
    totals = (
        visible_works(viewer)
        .filter(series_works__series=series)
        .aggregate(
            works=Count("pk", distinct=True),
            words=Coalesce(Sum("word_count"), 0),
            begun=Min("first_posted_at"),
            updated=Max("revised_at"),
        )
    )
    return SeriesTotals(
        works=totals["works"],
        words=totals["words"],
        begun=totals["begun"],
        updated=totals["updated"],
    )


def all_parts(series: Series) -> list[SeriesWork]:
    """Every part, drafts included, with its work: for the series' creators (manage page)."""
    return list(series.series_works.select_related("work").order_by("position"))


# ---------------------------------------------------------------------------------------------
# "Part N of SERIES" in blurbs and on the work page


@dataclass(frozen=True)
class SeriesPlace:
    """One series a work belongs to, as a blurb shows it. `number_for_guests` and
    `number_for_registered` are N of "Part N" for each kind of reader."""

    series_id: int
    title: str
    number_for_guests: int
    number_for_registered: int

    def number(self, registered: bool) -> int:
        return self.number_for_registered if registered else self.number_for_guests

    def get_absolute_url(self) -> str:
        return f"/series/{self.series_id}"


def series_places(work_ids: Iterable[int]) -> dict[int, list[SeriesPlace]]:
    """The series of each work with its "Part N" for guests and for registered readers, in one
    query (listings call this for a page of blurbs)."""
    ids = list(work_ids)
    places: dict[int, list[SeriesPlace]] = {pk: [] for pk in ids}
    if not ids:
        return places
    before = Q(series__series_works__position__lt=F("position"))
    rows = (
        SeriesWork.objects.filter(work_id__in=ids)
        .annotate(
            before_registered=Count(
                "series__series_works",
                filter=before
                & counted_parts(registered=True, prefix="series__series_works__work__"),
            ),
            before_guests=Count(
                "series__series_works",
                filter=before
                & counted_parts(registered=False, prefix="series__series_works__work__"),
            ),
        )
        .order_by("work_id", "series_id")
        .values_list("work_id", "series_id", "series__title", "before_guests", "before_registered")
    )
    for work_id, series_id, title, guests, registered in rows:
        places[work_id].append(SeriesPlace(series_id, title, guests + 1, registered + 1))
    return places


def attach_series(works: list[Work]) -> None:
    """Each work's series places as `_series_places` (see `work_series_places`)."""
    if not works:
        return
    places = series_places(work.pk for work in works)
    for work in works:
        work._series_places = places[work.pk]  # type: ignore[attr-defined]


def work_series_places(work: Work) -> list[SeriesPlace]:
    attached: list[SeriesPlace] | None = getattr(work, "_series_places", None)
    if attached is None:
        attached = series_places([work.pk])[work.pk]
        work._series_places = attached  # type: ignore[attr-defined]
    return attached


@dataclass
class SeriesNavigation:
    """The work page's "Part N of SERIES" with the neighbours `viewer` may see."""

    place: SeriesPlace
    number: int
    previous: Work | None = None
    next: Work | None = None


def series_navigation(viewer: Viewer, work: Work) -> list[SeriesNavigation]:
    """For each series of `work`: its "Part N" for `viewer` and the previous and next parts
    `viewer` may see (drafts, hidden, restricted-for-guests and muted parts are skipped)."""
    places = work_series_places(work)
    if not places:
        return []
    registered = bool(viewer.is_authenticated)
    mine = dict(SeriesWork.objects.filter(work=work).values_list("series_id", "position"))
    seen = visible_works(viewer).filter(pk=OuterRef("work_id"))
    neighbours = (
        SeriesWork.objects.filter(series_id__in=list(mine))
        .exclude(work=work)
        .filter(Exists(seen))
        .select_related("work")
        .only("series_id", "position", "work__id", "work__title")
        .order_by("position")
    )
    navigation = {
        place.series_id: SeriesNavigation(place=place, number=place.number(registered))
        for place in places
    }
    for part in neighbours:
        nav = navigation.get(part.series_id)
        if nav is None:
            continue
        if part.position < mine[part.series_id]:
            nav.previous = part.work  # ordered by position: the last one before wins
        elif nav.next is None:
            nav.next = part.work
    return [navigation[place.series_id] for place in places]


# ---------------------------------------------------------------------------------------------
# A user's series


def series_of_user(viewer: Viewer, user: User) -> QuerySet[Series]:
    """`user`'s series (those crediting one of their pseuds), newest first, with the number of
    works and words `viewer` may see in each (`visible_count`, `visible_words`). Series in
    which `viewer` may see nothing are left out, unless `viewer` is `user`."""
    theirs = SeriesCreatorship.objects.filter(pseud__user=user).values("series_id")
    seen = Q(series_works__work__in=visible_works(viewer).values("pk"))
    series = Series.objects.filter(pk__in=theirs).annotate(
        visible_count=Count("series_works", filter=seen, distinct=True),
        visible_words=Coalesce(Sum("series_works__work__word_count", filter=seen), 0),
        # Newest by their visible parts, not `updated_at`, which a draft added also moves.
        visible_updated=Max("series_works__work__revised_at", filter=seen),
    )
    if not (viewer.is_authenticated and viewer.pk == user.pk):
        series = series.filter(visible_count__gt=0)
    newest = F("visible_updated").desc(nulls_last=True)
    return _series_with_creators(series.order_by(newest, "-created_at", "-pk"))


def user_series_choices(user: User) -> list[tuple[int, str]]:
    """The series `user` may add works to, for the posting form."""
    return list(
        Series.objects.filter(creatorships__pseud__user=user)
        .distinct()
        .order_by("title", "pk")
        .values_list("pk", "title")
    )


def work_series_for_form(work: Work) -> list[tuple[int, str]]:
    """The series a work is in, for the edit form's "remove from series"."""
    return list(
        SeriesWork.objects.filter(work=work)
        .order_by("series__title", "series_id")
        .values_list("series_id", "series__title")
    )
