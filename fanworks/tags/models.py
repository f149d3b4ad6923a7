from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db import models

from fanworks.tags.search import fold

# Characters AO3 forbids in tag names (commas separate tags; the rest break URLs or markup).
FORBIDDEN_TAG_CHARACTERS = ",^*<>{}=`，、\\%"
MAX_TAG_LENGTH = 150
SEARCH_NAME_LENGTH = 600


class TagType(models.TextChoices):
    RATING = "rating", "Rating"
    WARNING = "warning", "Archive Warning"
    CATEGORY = "category", "Category"
    MEDIA = "media", "Media"
    FANDOM = "fandom", "Fandom"
    RELATIONSHIP = "relationship", "Relationship"
    CHARACTER = "character", "Character"
    FREEFORM = "freeform", "Additional Tags"
    # Imported tags whose type is not known yet; wranglers sort them.
    UNSORTED = "unsorted", "Unsorted"


# Which types may be parents of which (AO3's "common taggings"): media → fandom;
# fandom → character, relationship, freeform; character → relationship.
PARENT_TYPES: dict[str, set[str]] = {
    TagType.FANDOM: {TagType.MEDIA},
    TagType.CHARACTER: {TagType.FANDOM},
    TagType.RELATIONSHIP: {TagType.FANDOM, TagType.CHARACTER},
    TagType.FREEFORM: {TagType.FANDOM},
    TagType.UNSORTED: {TagType.FANDOM},
}
# Types that land in a fandom's unwrangled bins.
WRANGLED_IN_FANDOM_TYPES = [
    TagType.CHARACTER,
    TagType.RELATIONSHIP,
    TagType.FREEFORM,
    TagType.UNSORTED,
]


# The closed sets the posting form offers, in AO3's order; seeded by a migration.
RATINGS = [
    "Not Rated",
    "General Audiences",
    "Teen And Up Audiences",
    "Mature",
    "Explicit",
]
ADULT_RATINGS = {"Mature", "Explicit"}
WARNINGS = [
    "Creator Chose Not To Use Archive Warnings",
    "Graphic Depictions Of Violence",
    "Major Character Death",
    "No Archive Warnings Apply",
    "Rape/Non-Con",
    "Underage Sex",
]
CATEGORIES = ["F/F", "F/M", "Gen", "M/M", "Multi", "Other"]
CLOSED_TYPES = {TagType.RATING, TagType.WARNING, TagType.CATEGORY}
USER_DEFINED_TYPES = [
    TagType.FANDOM,
    TagType.RELATIONSHIP,
    TagType.CHARACTER,
    TagType.FREEFORM,
]


class Tag(models.Model):
    name = models.CharField(max_length=MAX_TAG_LENGTH)
    type = models.CharField(max_length=20, choices=TagType.choices)
    canonical = models.BooleanField(default=False)
    synonym_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="synonyms",
        help_text="The canonical tag this one is another spelling of.",
    )
    unwrangleable = models.BooleanField(
        default=False, help_text="Wranglers decided this tag needs no further wrangling."
    )
    # Lower-cased, accent-free name (tags.search.fold): names are unique in this form, as on
    # AO3, so "Café" and "cafe" are one tag; prefix search uses it too. Folding can lengthen
    # text (ß → ss), hence the room.
    search_name = models.CharField(max_length=SEARCH_NAME_LENGTH, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    metatags: "models.ManyToManyField[Tag, MetaTagging]" = models.ManyToManyField(
        "self",
        through="MetaTagging",
        through_fields=("sub_tag", "meta_tag"),
        symmetrical=False,
        related_name="subtags",
    )
    parents: "models.ManyToManyField[Tag, ParentLink]" = models.ManyToManyField(
        "self",
        through="ParentLink",
        through_fields=("child", "parent"),
        symmetrical=False,
        related_name="children",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["search_name"], name="tag_search_name_unique")
        ]
        indexes = [
            models.Index(fields=["type", "canonical"]),
            models.Index(fields=["type", "canonical", "search_name"]),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_name = fold(self.name)[:SEARCH_NAME_LENGTH]
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "search_name"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return f"/tags/{tag_url_name(self.name)}/works"

    @property
    def url_name(self) -> str:
        return tag_url_name(self.name)

    @property
    def filter_tag_id(self) -> int | None:
        """The canonical tag readers filter by for this tag (AO3's `Tag#filter`)."""
        if self.canonical:
            return self.pk
        return self.synonym_of_id


class TagWord(models.Model):
    """Each folded word of a tag name, so autocomplete can match the start of any word."""

    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="words")
    word = models.CharField(max_length=MAX_TAG_LENGTH)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["word", "tag"], name="tagword_unique")]

    def __str__(self) -> str:
        return f"{self.word} → {self.tag_id}"


class MetaTagging(models.Model):
    """`sub_tag` is a kind of `meta_tag`: filtering on the metatag finds the subtag's works."""

    meta_tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="sub_taggings")
    sub_tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="meta_taggings")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meta_tag", "sub_tag"], name="metatagging_unique")
        ]
        indexes = [models.Index(fields=["sub_tag", "meta_tag"])]

    def __str__(self) -> str:
        return f"{self.sub_tag_id} ⊂ {self.meta_tag_id}"


class ParentLink(models.Model):
    """A fandom's character, a character's relationship, a medium's fandom, …"""

    parent = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="child_links")
    child = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="parent_links")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["parent", "child"], name="parentlink_unique")
        ]
        indexes = [models.Index(fields=["child", "parent"])]

    def __str__(self) -> str:
        return f"{self.parent_id} → {self.child_id}"


class WorkFilter(models.Model):
    """A work's canonical tags plus every metatag they inherit: what filters and counts read.

    Rebuilt from the tag graph by tags.filters whenever wrangling changes it.
    """

    work = models.ForeignKey("works.Work", on_delete=models.CASCADE, related_name="filters")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="work_filters")
    inherited = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["work", "tag"], name="workfilter_unique")]
        indexes = [models.Index(fields=["tag", "work"])]

    def __str__(self) -> str:
        return f"{self.work_id} filters {self.tag_id}"


class WranglerAssignment(models.Model):
    """A user who wrangles one fandom's tags; assigned by admins."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wrangling_assignments"
    )
    fandom = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="wrangler_assignments")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "fandom"], name="wrangler_assignment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} wrangles {self.fandom_id}"


class WranglingLogEntry(models.Model):
    """Who changed what in the tag graph, with the state before and after."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=40)
    action = models.CharField(max_length=40)
    tag = models.ForeignKey(Tag, null=True, on_delete=models.SET_NULL, related_name="log_entries")
    tag_name = models.CharField(max_length=MAX_TAG_LENGTH)
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.actor_name} {self.action} {self.tag_name}"


# AO3 escapes the characters that would break a path segment this way; `*` cannot appear in a
# tag name, so the escapes are unambiguous.
def tag_url_name(name: str) -> str:
    escaped = (
        name.replace("/", "*s*")
        .replace("&", "*a*")
        .replace(".", "*d*")
        .replace("?", "*q*")
        .replace("#", "*h*")
    )
    return quote(escaped, safe="*")


def tag_name_from_url(url_name: str) -> str:
    return (
        url_name.replace("*s*", "/")
        .replace("*a*", "&")
        .replace("*d*", ".")
        .replace("*q*", "?")
        .replace("*h*", "#")
    )
