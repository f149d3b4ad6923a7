"""Every read of the engagement app."""

from dataclasses import dataclass

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from fanworks.accounts.models import User
from fanworks.engagement.models import Kudos, Reading
from fanworks.works.models import Work
from fanworks.works.queries import Viewer, visible_works, with_listing_data

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
