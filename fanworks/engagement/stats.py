"""A creator's statistics: per work and in total, and a chart of hits over time (inline SVG,
drawn on the server, with the numbers also given as text for screen readers)."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from fanworks.accounts.models import User
from fanworks.engagement.models import Comment, CommentState, HitDay, Subscription
from fanworks.works.models import Work

# Column key → (label, the Work field it sorts by, highest first).
COLUMNS: dict[str, tuple[str, str]] = {
    "words": ("Words", "word_count"),
    "hits": ("Hits", "hit_count"),
    "kudos": ("Kudos", "kudos_count"),
    "comments": ("Comment threads", "comment_threads"),  # annotated by creator_works
    "bookmarks": ("Bookmarks", "bookmark_count"),
    "subscriptions": ("Subscriptions", "subscription_count"),  # annotated in work_stats
}
SORTS = {"date": "-first_posted_at", "title": "title_sort_key"} | {
    key: f"-{field}" for key, (_, field) in COLUMNS.items()
}
CHART_DAYS = 30


@dataclass(frozen=True)
class WorkStats:
    pk: int
    title: str
    posted_on: date | None
    values: dict[str, int]


def creator_works(user: User) -> QuerySet[Work]:
    """The user's posted works (hidden ones too: they are still theirs to count), each with
    `comment_threads`: its top-level comments (approved, not deleted), as AO3 counts them."""
    threads = (
        Comment.objects.filter(
            work=OuterRef("pk"), parent__isnull=True, state=CommentState.APPROVED, deleted=False
        )
        .order_by()
        .values("work")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Work.objects.filter(posted=True, creatorships__pseud__user=user)
        .distinct()
        .annotate(comment_threads=Coalesce(Subquery(threads), 0))
    )


# Subscribers of each work, counted in the database (there is no counter on Work to keep).
_subscribers = Coalesce(
    Subquery(
        Subscription.objects.filter(work=OuterRef("pk"))
        .order_by()
        .values("work")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    ),
    0,
)


def work_stats(user: User, sort: str) -> tuple[list[WorkStats], dict[str, int]]:
    """Each posted work's figures, sorted by `sort` (a SORTS key), and the totals."""
    fields = [field for _, field in COLUMNS.values()]
    rows = (
        creator_works(user)
        .annotate(subscription_count=_subscribers)
        .order_by(SORTS.get(sort, SORTS["date"]), "-pk")
        .values_list("pk", "title", "first_posted_at", *fields)
    )
    works = [
        WorkStats(
            pk=pk,
            title=title,
            posted_on=posted.date() if posted else None,
            values=dict(zip(COLUMNS, numbers, strict=True)),
        )
        for pk, title, posted, *numbers in rows
    ]
    totals = {key: sum(work.values[key] for work in works) for key in COLUMNS}
    return works, totals


def daily_hits(user: User, today: date, days: int = CHART_DAYS) -> list[tuple[date, int]]:
    """Hits on all the user's works for each of the last `days` days, oldest first (0 for a
    day without any)."""
    start = today - timedelta(days=days - 1)
    counted = dict(
        HitDay.objects.filter(work__in=creator_works(user).values("pk"), day__gte=start)
        .values("day")
        .annotate(total=Sum("hits"))
        .values_list("day", "total")
    )
    return [
        (start + timedelta(days=n), counted.get(start + timedelta(days=n), 0)) for n in range(days)
    ]


def hits_chart(points: list[tuple[date, int]]) -> SafeString:
    """A bar chart of `points` as inline SVG: one bar a day, its exact figure in a tooltip."""
    width, height, gap = 600, 160, 2
    top = max((hits for _, hits in points), default=0) or 1
    bar = width / max(len(points), 1)
    # format_html escapes every argument into a string, so the numbers are formatted first.
    bars = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" class="bar"><title>{}: {} hit{}</title></rect>',
        (
            (
                f"{n * bar + gap / 2:.1f}",
                f"{height - hits / top * height:.1f}",
                f"{bar - gap:.1f}",
                f"{hits / top * height:.1f}",
                day.strftime("%d %b"),
                hits,
                "s" * (hits != 1),
            )
            for n, (day, hits) in enumerate(points)
        ),
    )
    total = sum(hits for _, hits in points)
    first = points[0][0].strftime("%d %b %Y") if points else ""
    last = points[-1][0].strftime("%d %b %Y") if points else ""
    return format_html(
        '<svg class="hits-chart" viewBox="0 0 {} {}" role="img" '
        'aria-labelledby="hits-chart-title hits-chart-desc" preserveAspectRatio="none">'
        '<title id="hits-chart-title">Hits per day</title>'
        '<desc id="hits-chart-desc">{} hits from {} to {}; the busiest day had {}.</desc>'
        "{}</svg>",
        width,
        height,
        total,
        first,
        last,
        max((hits for _, hits in points), default=0),
        bars,
    )
