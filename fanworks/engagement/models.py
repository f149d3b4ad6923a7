"""What readers leave on works. Kudos for now; comments, bookmarks and subscriptions follow."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from fanworks.accounts.models import Pseud, User
from fanworks.tags.models import Tag
from fanworks.works.languages import LANGUAGES
from fanworks.works.models import Chapter, Work


class Kudos(models.Model):
    """One reader's kudos on one work: from a registered user, or from a guest visitor known
    only by a salted hash of their address (see engagement.visitors). The database holds
    the rule "one each": two clicks at once make one row, whatever the application does."""

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="kudos")
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="kudos"
    )
    visitor_hash = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "kudos"
        constraints = [
            models.UniqueConstraint(
                fields=["work", "user"],
                condition=Q(user__isnull=False),
                name="kudos_one_per_user",
            ),
            models.UniqueConstraint(
                fields=["work", "visitor_hash"],
                condition=Q(user__isnull=True),
                name="kudos_one_per_visitor",
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False, visitor_hash="")
                | (Q(user__isnull=True) & ~Q(visitor_hash="")),
                name="kudos_from_user_or_visitor",
            ),
        ]
        indexes = [models.Index(fields=["work", "-created_at"], name="kudos_work_newest")]

    def __str__(self) -> str:
        who = f"user {self.user_id}" if self.user_id else "a guest"
        return f"kudos from {who} on work {self.work_id}"


class HitVisit(models.Model):
    """When a visitor's last counted hit on a work was: a hit counts once per visitor and work
    in HIT_WINDOW (engagement.actions.hit_record). `visitor` is "u<user id>" for a registered
    reader and a keyed hash of the address for a guest (engagement.visitors)."""

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="hit_visits")
    visitor = models.CharField(max_length=64)
    last_counted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["work", "visitor"], name="hit_visit_one_per_visitor")
        ]

    def __str__(self) -> str:
        return f"hit on work {self.work_id} at {self.last_counted_at}"


class Reading(models.Model):
    """A registered reader's visits to a work (their reading history), and whether they marked
    it to read later. Kept only while the reader's history is on, except the mark."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="readings")
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="readings")
    first_viewed_at = models.DateTimeField(null=True, blank=True)
    last_viewed_at = models.DateTimeField(null=True, blank=True)
    view_count = models.PositiveIntegerField(default=0)
    marked_for_later = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "work"], name="reading_one_per_work")
        ]
        indexes = [models.Index(fields=["user", "-last_viewed_at"], name="reading_user_latest")]

    def __str__(self) -> str:
        return f"user {self.user_id} read work {self.work_id} {self.view_count} times"


class HitDay(models.Model):
    """Counted hits on a work per day (UTC), for the creator's chart of hits over time."""

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="hit_days")
    day = models.DateField()
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["work", "day"], name="hit_day_one_per_day")]

    def __str__(self) -> str:
        return f"{self.hits} hits on work {self.work_id} on {self.day}"


class Subscription(models.Model):
    """A registered user following a work (new chapters) or a user (new works).

    Exactly one target is set, which the database checks; a later `series` target is one more
    nullable foreign key and one more branch of that check. One subscription per user and
    target, also held by the database, so a double click makes one row.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="subscriptions")
    work = models.ForeignKey(
        Work, on_delete=models.CASCADE, null=True, blank=True, related_name="subscriptions"
    )
    target_user = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="subscribers"
    )
    # New works added to the series (works.series_actions announces them).
    series = models.ForeignKey(
        "works.Series",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subscriptions",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "work"],
                condition=Q(work__isnull=False),
                name="subscription_one_per_work",
            ),
            models.UniqueConstraint(
                fields=["user", "target_user"],
                condition=Q(target_user__isnull=False),
                name="subscription_one_per_user",
            ),
            models.UniqueConstraint(
                fields=["user", "series"],
                condition=Q(series__isnull=False),
                name="subscription_one_per_series",
            ),
            models.CheckConstraint(
                condition=Q(work__isnull=False, target_user__isnull=True, series__isnull=True)
                | Q(work__isnull=True, target_user__isnull=False, series__isnull=True)
                | Q(work__isnull=True, target_user__isnull=True, series__isnull=False),
                name="subscription_exactly_one_target",
            ),
            models.CheckConstraint(
                condition=~Q(user=models.F("target_user")), name="subscription_not_oneself"
            ),
        ]
        indexes = [models.Index(fields=["user", "-created_at"], name="subscription_user_newest")]

    def __str__(self) -> str:
        if self.series_id:
            return f"user {self.user_id} subscribes to series {self.series_id}"
        target = f"work {self.work_id}" if self.work_id else f"user {self.target_user_id}"
        return f"user {self.user_id} subscribes to {target}"


class NotificationKind(models.TextChoices):
    CHAPTER = "chapter", "New chapter"
    WORK = "work", "New work"
    COMMENT = "comment", "Comment"
    REPLY = "reply", "Reply"
    KUDOS = "kudos", "Kudos"
    GIFT = "gift", "Gift"  # a posted work given to you (works.gift_actions)
    RELATED = "related", "Related work"
    COCREATOR = "cocreator", "Co-creator invitation"


class MailStatus(models.TextChoices):
    PENDING = "pending"  # waiting for its batch (at once, hourly or daily by kind)
    SENDING = "sending"  # claimed by a sender; see engagement.mail for the recovery rule
    SENT = "sent"
    SKIPPED = "skipped"  # the recipient did not want it, or may no longer see the work


class Notification(models.Model):
    """One entry in a user's inbox, and the e-mail it may cause.

    `event_key` names what happened ("chapter:12", "comment:40", "kudos:7:<digest time>"):
    one notification per recipient and event, so a fan-out job that runs twice writes nothing
    the second time. `actor` is who caused it, so a recipient who mutes them never sees it.
    """

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=10, choices=NotificationKind.choices)
    event_key = models.CharField(max_length=100)
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    work = models.ForeignKey(
        Work, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    chapter = models.ForeignKey(
        "works.Chapter", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    comment_id = models.PositiveBigIntegerField(null=True, blank=True)
    text = models.CharField(max_length=300)
    read = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    mail_status = models.CharField(
        max_length=10, choices=MailStatus.choices, default=MailStatus.PENDING
    )
    mail_claim = models.UUIDField(null=True, blank=True)
    mail_claimed_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "event_key"], name="notification_once_per_event"
            )
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            models.Index(
                fields=["recipient"],
                condition=Q(read=False),
                name="notification_unread",
            ),
            models.Index(fields=["mail_status", "kind"], name="notification_mail_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for user {self.recipient_id}: {self.text}"


class DigestCursor(models.Model):
    """Up to when a digest has covered its events ("kudos": every kudos left before `until`
    is in a sent digest). The next digest starts there, so no kudos is counted twice, and a
    digest missed while the server was down is caught up by the next one."""

    name = models.CharField(max_length=40, unique=True)
    until = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} digest up to {self.until}"


# AO3's limit on a comment's length, in characters of the raw input.
MAX_COMMENT_LENGTH = 10_000
MAX_GUEST_NAME_LENGTH = 100


class CommentState(models.TextChoices):
    APPROVED = "approved", "Approved"
    UNREVIEWED = "unreviewed", "Awaiting approval"


class Comment(models.Model):
    """A comment on a chapter, or a reply to another comment (`parent`).

    `thread` is the top-level comment a reply belongs to (empty on the top-level comment
    itself), so a page of threads loads with one query; `depth` is 0 at the top. A comment is
    from a registered user (user + pseud) or from a guest (name + e-mail, never shown); the
    database holds that rule. Deleting a comment that has replies keeps it as a placeholder
    (`deleted`, its text gone) so the replies keep their place.
    """

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="comments")
    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    thread = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="thread_comments"
    )
    depth = models.PositiveSmallIntegerField(default=0)
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="comments"
    )
    pseud = models.ForeignKey(
        Pseud, on_delete=models.CASCADE, null=True, blank=True, related_name="comments"
    )
    guest_name = models.CharField(max_length=MAX_GUEST_NAME_LENGTH, blank=True, default="")
    guest_email = models.EmailField(blank=True, default="")
    content = models.TextField(blank=True)
    content_html = models.TextField(blank=True)
    sanitizer_version = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted = models.BooleanField(default=False)
    state = models.CharField(
        max_length=12, choices=CommentState.choices, default=CommentState.APPROVED
    )
    frozen = models.BooleanField(default=False)
    # Set by the comment form so that a double submit posts one comment.
    creation_key = models.UUIDField(null=True, blank=True, unique=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(user__isnull=False, pseud__isnull=False, guest_name="", guest_email="")
                    | (
                        Q(user__isnull=True, pseud__isnull=True)
                        & ~Q(guest_name="")
                        & ~Q(guest_email="")
                    )
                ),
                name="comment_from_user_or_guest",
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=True, thread__isnull=True, depth=0)
                | Q(parent__isnull=False, thread__isnull=False, depth__gt=0),
                name="comment_reply_has_thread",
            ),
        ]
        indexes = [
            # A chapter's threads in order, for the work page.
            models.Index(
                fields=["chapter", "parent", "created_at"], name="comment_chapter_threads"
            ),
            models.Index(fields=["work", "state"], name="comment_work_state"),
        ]

    def __str__(self) -> str:
        return f"comment {self.pk} on chapter {self.chapter_id}"

    def get_absolute_url(self) -> str:
        return f"/comments/{self.pk}"

    @property
    def is_guest(self) -> bool:
        return self.user_id is None

    @property
    def approved(self) -> bool:
        return self.state == CommentState.APPROVED

    @property
    def thread_root_id(self) -> int:
        return self.thread_id or self.pk


# ---------------------------------------------------------------------------------------------
# Bookmarks

MAX_BOOKMARK_NOTES_LENGTH = 5_000
MAX_BOOKMARK_TAGS = 75
MAX_EXTERNAL_URL_LENGTH = 2_000
MAX_EXTERNAL_TEXT_LENGTH = 255
MAX_EXTERNAL_SUMMARY_LENGTH = 1_250


class ExternalWork(models.Model):
    """A work that lives on another site, recorded so readers can bookmark it (AO3's
    "Bookmark External Work"). One row per address: bookmarks of the same URL share it, so the
    one-bookmark-per-reader rule holds for external works too."""

    url = models.CharField(max_length=MAX_EXTERNAL_URL_LENGTH, unique=True)
    title = models.CharField(max_length=MAX_EXTERNAL_TEXT_LENGTH)
    creator = models.CharField(max_length=MAX_EXTERNAL_TEXT_LENGTH)
    summary = models.TextField(blank=True)
    summary_html = models.TextField(blank=True)
    sanitizer_version = models.PositiveSmallIntegerField(default=0)
    # Free text: an external work's fandoms are whatever its bookmarker calls them.
    fandoms = models.CharField(max_length=MAX_EXTERNAL_TEXT_LENGTH, blank=True)
    rating = models.CharField(max_length=40, blank=True)
    # A work's language code (works.languages), when known; related works name it.
    language = models.CharField(
        max_length=10, choices=LANGUAGES, blank=True, default="", db_default=""
    )
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"/external_works/{self.pk}"


class Bookmark(models.Model):
    """A reader's bookmark of a work, a series or an external work, credited to one of their
    pseuds.

    Exactly one target is set (the check constraint). One bookmark per reader and target,
    held by the database, so a double submit or two racing requests make one row."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="bookmarks")
    pseud = models.ForeignKey(Pseud, on_delete=models.CASCADE, related_name="bookmarks")
    work = models.ForeignKey(
        Work, on_delete=models.CASCADE, null=True, blank=True, related_name="bookmarks"
    )
    external_work = models.ForeignKey(
        ExternalWork, on_delete=models.CASCADE, null=True, blank=True, related_name="bookmarks"
    )
    # A bookmark of a whole series (AO3 bookmarks series too). No counter on Series: the
    # number a reader may see depends on which of its works they may see, so it is counted.
    series = models.ForeignKey(
        "works.Series", on_delete=models.CASCADE, null=True, blank=True, related_name="bookmarks"
    )
    notes = models.TextField(blank=True)
    notes_html = models.TextField(blank=True)
    sanitizer_version = models.PositiveSmallIntegerField(default=0)
    rec = models.BooleanField(default=False)
    private = models.BooleanField(default=False)
    # Names typed on a private bookmark that no tag has yet, comma-separated. Making them tags
    # would publish them (tag search, autocomplete, tag pages), so they stay here, seen by the
    # owner only, and become tags if the bookmark is made public.
    private_tag_names = models.TextField(blank=True, default="", db_default="")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    tags: "models.ManyToManyField[Tag, BookmarkTag]" = models.ManyToManyField(
        Tag, through="BookmarkTag", related_name="bookmarks"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "work"],
                condition=Q(work__isnull=False),
                name="bookmark_one_per_work",
            ),
            models.UniqueConstraint(
                fields=["user", "external_work"],
                condition=Q(external_work__isnull=False),
                name="bookmark_one_per_external_work",
            ),
            models.UniqueConstraint(
                fields=["user", "series"],
                condition=Q(series__isnull=False),
                name="bookmark_one_per_series",
            ),
            models.CheckConstraint(
                condition=Q(work__isnull=False, external_work__isnull=True, series__isnull=True)
                | Q(work__isnull=True, external_work__isnull=False, series__isnull=True)
                | Q(work__isnull=True, external_work__isnull=True, series__isnull=False),
                name="bookmark_exactly_one_target",
            ),
        ]
        indexes = [
            models.Index(fields=["work", "-created_at"], name="bookmark_work_newest"),
            models.Index(fields=["user", "-created_at"], name="bookmark_user_newest"),
            models.Index(fields=["-created_at", "-id"], name="bookmark_newest"),
            models.Index(fields=["external_work", "-created_at"], name="bookmark_external_newest"),
            models.Index(fields=["series", "-created_at"], name="bookmark_series_newest"),
        ]

    def __str__(self) -> str:
        if self.work_id:
            target = f"work {self.work_id}"
        elif self.series_id:
            target = f"series {self.series_id}"
        else:
            target = f"external {self.external_work_id}"
        return f"bookmark by user {self.user_id} of {target}"

    def get_absolute_url(self) -> str:
        return f"/bookmarks/{self.pk}"


class BookmarkTag(models.Model):
    """A bookmarker's own tag on a bookmark, as they typed it (the tag may be a synonym)."""

    bookmark = models.ForeignKey(Bookmark, on_delete=models.CASCADE, related_name="bookmark_tags")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="bookmark_tags")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bookmark", "tag"], name="bookmark_tag_unique")
        ]
        indexes = [models.Index(fields=["tag", "bookmark"], name="bookmark_tag_by_tag")]

    def __str__(self) -> str:
        return f"bookmark {self.bookmark_id} tagged {self.tag_id}"
