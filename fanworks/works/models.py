from typing import TYPE_CHECKING

from django.db import models

from fanworks.accounts.models import Pseud
from fanworks.works.languages import LANGUAGES

if TYPE_CHECKING:
    from fanworks.tags.models import Tag

MAX_TITLE_LENGTH = 255
MAX_SUMMARY_LENGTH = 1250
MAX_NOTES_LENGTH = 5000
MIN_CHAPTER_LENGTH = 10
MAX_CHAPTER_LENGTH = 510_000
MAX_USER_DEFINED_TAGS = 75
# Leading articles dropped from sort titles, as AO3's title_to_sort_on does.
SORT_TITLE_ARTICLES = ("a ", "an ", "the ")


def sortable_title(title: str) -> str:
    """The title as listings sort it: lower case, without one leading "a", "an" or "the"."""
    key = " ".join(title.split()).lower()
    for article in SORT_TITLE_ARTICLES:
        if key.startswith(article) and len(key) > len(article):
            return key[len(article) :]
    return key


def sortable_name(name: str) -> str:
    """A creator name as listings sort it: case does not matter."""
    return name.strip().lower()


class CommentPermission(models.TextChoices):
    EVERYONE = "everyone", "Registered users and guests can comment"
    REGISTERED = "registered", "Only registered users can comment"
    NOBODY = "nobody", "No one can comment"


class Work(models.Model):
    """A fan work. Rich-text fields keep the author's input and its sanitised HTML side by side."""

    title = models.CharField(max_length=MAX_TITLE_LENGTH)
    summary = models.TextField(blank=True)
    summary_html = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    notes_html = models.TextField(blank=True)
    endnotes = models.TextField(blank=True)
    endnotes_html = models.TextField(blank=True)
    sanitizer_version = models.PositiveSmallIntegerField(default=0)
    language = models.CharField(max_length=10, choices=LANGUAGES, default="en")
    restricted = models.BooleanField(
        default=False, help_text="Only show to registered users of the archive."
    )
    comment_permission = models.CharField(
        max_length=20, choices=CommentPermission.choices, default=CommentPermission.REGISTERED
    )
    # AO3's moderated commenting: comments wait for a creator's approval before readers see them.
    moderate_comments = models.BooleanField(default=False, db_default=False)
    expected_chapters = models.PositiveIntegerField(
        null=True, blank=True, help_text="Empty when the number of chapters is not known."
    )
    posted = models.BooleanField(default=False)
    hidden_by_admin = models.BooleanField(default=False)
    first_posted_at = models.DateTimeField(null=True, blank=True)
    # When readers last saw the work change: first posting, a new chapter, or an edit.
    revised_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    word_count = models.PositiveIntegerField(default=0)
    posted_chapter_count = models.PositiveIntegerField(default=0)
    # Reader counts, kept on the work so listings, search ranges and sorts read them without a
    # join. They are counters, not versioned content: updating them never bumps `version`.
    hit_count = models.PositiveIntegerField(default=0, db_default=0)
    kudos_count = models.PositiveIntegerField(default=0, db_default=0)
    comment_count = models.PositiveIntegerField(default=0, db_default=0)
    bookmark_count = models.PositiveIntegerField(default=0, db_default=0)
    # AO3's crossover: two of the work's fandoms share no metatag. Kept with the filter rows.
    is_crossover = models.BooleanField(default=False, db_default=False)
    # Sort keys for "title" and "creator" sorts, computed in Python (`sortable_title`, the
    # first creator's `sortable_name`) so that the database and the search index compare the
    # very same strings; SQL's lower() differs between databases outside ASCII.
    title_sort_key = models.CharField(max_length=MAX_TITLE_LENGTH, default="", db_default="")
    creator_sort_key = models.CharField(max_length=100, default="", db_default="")
    # Bumped on every save; an edit based on an older version is refused, not applied.
    version = models.PositiveIntegerField(default=1)
    # Set by the posting form so that a double submit creates one work.
    creation_key = models.UUIDField(null=True, blank=True, unique=True)

    pseuds: "models.ManyToManyField[Pseud, Creatorship]" = models.ManyToManyField(
        Pseud, through="Creatorship", related_name="works"
    )
    tags: "models.ManyToManyField[Tag, WorkTag]" = models.ManyToManyField(
        "tags.Tag", through="WorkTag", related_name="works"
    )

    class Meta:
        indexes = [
            models.Index(fields=["posted", "hidden_by_admin", "-revised_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"/works/{self.pk}"

    @property
    def is_complete(self) -> bool:
        return (
            self.expected_chapters is not None
            and self.posted_chapter_count >= self.expected_chapters
        )

    @property
    def chapters_display(self) -> str:
        """AO3's "N/M" (or "N/?") chapter count."""
        expected = "?" if self.expected_chapters is None else str(self.expected_chapters)
        return f"{self.posted_chapter_count}/{expected}"


class Creatorship(models.Model):
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="creatorships")
    pseud = models.ForeignKey(Pseud, on_delete=models.CASCADE, related_name="creatorships")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["work", "pseud"], name="creatorship_unique")]

    def __str__(self) -> str:
        return f"{self.pseud_id} created {self.work_id}"


class WorkTag(models.Model):
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="work_tags")
    tag = models.ForeignKey("tags.Tag", on_delete=models.CASCADE, related_name="work_tags")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["work", "tag"], name="work_tag_unique")]
        indexes = [models.Index(fields=["tag", "work"])]

    def __str__(self) -> str:
        return f"{self.work_id} tagged {self.tag_id}"


class Chapter(models.Model):
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="chapters")
    position = models.PositiveIntegerField()
    title = models.CharField(max_length=MAX_TITLE_LENGTH, blank=True)
    summary = models.TextField(blank=True)
    summary_html = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    notes_html = models.TextField(blank=True)
    endnotes = models.TextField(blank=True)
    endnotes_html = models.TextField(blank=True)
    content = models.TextField()
    content_html = models.TextField()
    sanitizer_version = models.PositiveSmallIntegerField(default=0)
    word_count = models.PositiveIntegerField(default=0)
    posted = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)
    creation_key = models.UUIDField(null=True, blank=True, unique=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["work", "position"], name="chapter_position_unique")
        ]

    def __str__(self) -> str:
        return self.title or f"Chapter {self.position}"

    def get_absolute_url(self) -> str:
        return f"/works/{self.work_id}/chapters/{self.pk}"


# ---------------------------------------------------------------------------------------------
# Series: an ordered group of works (AO3's series and serial_works)

# AO3's limits on a series' title and its summary and notes.
MAX_SERIES_TITLE_LENGTH = 240
MAX_SERIES_SUMMARY_LENGTH = 1250
MAX_SERIES_NOTES_LENGTH = 5000


class Series(models.Model):
    """An ordered group of works. Creators are the pseuds of `SeriesCreatorship`; the works
    and their positions are `SeriesWork` rows. Like Work, rich text is kept raw and sanitised."""

    title = models.CharField(max_length=MAX_SERIES_TITLE_LENGTH)
    summary = models.TextField(blank=True)
    summary_html = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    notes_html = models.TextField(blank=True)
    sanitizer_version = models.PositiveSmallIntegerField(default=0)
    complete = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set by the "new series" form so that a double submit creates one series.
    creation_key = models.UUIDField(null=True, blank=True, unique=True)

    pseuds: "models.ManyToManyField[Pseud, SeriesCreatorship]" = models.ManyToManyField(
        Pseud, through="SeriesCreatorship", related_name="series"
    )
    works: "models.ManyToManyField[Work, SeriesWork]" = models.ManyToManyField(
        Work, through="SeriesWork", related_name="series"
    )

    class Meta:
        verbose_name_plural = "series"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"/series/{self.pk}"


class SeriesCreatorship(models.Model):
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="creatorships")
    pseud = models.ForeignKey(Pseud, on_delete=models.CASCADE, related_name="series_creatorships")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["series", "pseud"], name="series_creatorship_unique")
        ]

    def __str__(self) -> str:
        return f"{self.pseud_id} created series {self.series_id}"


class SeriesWork(models.Model):
    """A work's place in a series. Positions are unique per series (the database holds it), so
    reordering moves every row out of the way first (works.series_actions._renumber)."""

    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="series_works")
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="series_works")
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["series", "work"], name="series_work_unique"),
            models.UniqueConstraint(fields=["series", "position"], name="series_position_unique"),
        ]

    def __str__(self) -> str:
        return f"work {self.work_id} is part {self.position} of series {self.series_id}"


# ---------------------------------------------------------------------------------------------
# Gifts (AO3's gifts): a work given to a pseud on the archive or to a name as free text

MAX_GIFT_RECIPIENTS = 20
MAX_GIFT_NAME_LENGTH = 100


class Gift(models.Model):
    """A work given to `pseud`, or, with no pseud, to `recipient_name` as free text.

    A refused gift stays as a row with `refused` set, so the creator cannot give it again
    by editing the work; nobody sees a refused gift (works.gift_queries filters them).
    """

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="gifts")
    pseud = models.ForeignKey(
        Pseud, on_delete=models.CASCADE, null=True, blank=True, related_name="gifts"
    )
    recipient_name = models.CharField(max_length=MAX_GIFT_NAME_LENGTH)
    refused = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["work", "pseud"],
                condition=models.Q(pseud__isnull=False),
                name="gift_once_per_pseud",
            ),
        ]
        indexes = [models.Index(fields=["pseud", "refused"], name="gift_pseud_refused")]

    def __str__(self) -> str:
        return f"work {self.work_id} for {self.recipient_name}"


# ---------------------------------------------------------------------------------------------
# Related works: a child work names a parent (a work here or an external work), as AO3's
# related_works; the parent's creators approve the link before the parent shows it.


class RelationType(models.TextChoices):
    """How a child relates to its parent. The labels are what the child's preface says."""

    INSPIRED_BY = "inspired_by", "Inspired by"
    TRANSLATION = "translation", "A translation of"
    PODFIC = "podfic", "A podfic of"
    REMIX = "remix", "A remix of"
    FANART = "fanart", "Fanart of"


class RelationState(models.TextChoices):
    PENDING = "pending", "Waiting for approval"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"


class RelatedWork(models.Model):
    """`child` names `parent_work` (a work on this archive) or `parent_external` (an external
    work, shared with bookmarks). Exactly one parent is set, a work is never its own parent,
    and a child names each parent once: the database holds all three rules. The parent shows
    the child only once its creators approved it (`state`); the child always lists its
    parents, as far as the viewer may see them."""

    child = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="parent_links")
    parent_work = models.ForeignKey(
        Work, on_delete=models.CASCADE, null=True, blank=True, related_name="child_links"
    )
    parent_external = models.ForeignKey(
        "engagement.ExternalWork",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="child_links",
    )
    relation = models.CharField(
        max_length=20, choices=RelationType.choices, default=RelationType.INSPIRED_BY
    )
    state = models.CharField(
        max_length=10, choices=RelationState.choices, default=RelationState.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "parent_work"],
                condition=models.Q(parent_work__isnull=False),
                name="related_work_once_per_parent",
            ),
            models.UniqueConstraint(
                fields=["child", "parent_external"],
                condition=models.Q(parent_external__isnull=False),
                name="related_work_once_per_external",
            ),
            models.CheckConstraint(
                condition=models.Q(parent_work__isnull=False, parent_external__isnull=True)
                | models.Q(parent_work__isnull=True, parent_external__isnull=False),
                name="related_work_exactly_one_parent",
            ),
            models.CheckConstraint(
                condition=~models.Q(child=models.F("parent_work")),
                name="related_work_not_itself",
            ),
        ]
        indexes = [models.Index(fields=["parent_work", "state"], name="related_work_children")]

    def __str__(self) -> str:
        parent = (
            f"work {self.parent_work_id}"
            if self.parent_work_id
            else f"external {self.parent_external_id}"
        )
        return f"work {self.child_id} is {self.relation} {parent}"

    @property
    def is_approved(self) -> bool:
        return self.state == RelationState.APPROVED


# Co-creator invitations and chapter creators live in their own module (works.cocreator_*).
from fanworks.works import cocreator_models  # noqa: E402, F401
