"""Every read of the engagement app."""

from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from fanworks.accounts.models import Block, User
from fanworks.accounts.queries import muted_user_ids
from fanworks.engagement.models import Kudos, Notification, Reading, Subscription
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
    viewer: User, *, work: Work | None = None, target_user: User | None = None
) -> tuple[int | None, bool]:
    """For the Subscribe button, in one query: the id of `viewer`'s subscription to the work
    or user (None when not subscribed), and whether a creator of the work, or the user,
    blocks `viewer`."""
    if work is not None:
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
    subscriptions = Subscription.objects.filter(user=owner).select_related("work", "target_user")
    visible = Q(work__isnull=True) | Q(
        work_id__in=visible_works(owner, hide_muted=False).values("pk")
    )
    subscriptions = subscriptions.filter(visible)
    if kind == "works":
        subscriptions = subscriptions.filter(work__isnull=False)
    elif kind == "users":
        subscriptions = subscriptions.filter(target_user__isnull=False)
    return subscriptions.order_by("-created_at", "-pk")
