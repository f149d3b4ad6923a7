from urllib.parse import quote

from django.db import models
from django.db.models.functions import Lower

# Characters AO3 forbids in tag names (commas separate tags; the rest break URLs or markup).
FORBIDDEN_TAG_CHARACTERS = ",^*<>{}=`，、\\%"
MAX_TAG_LENGTH = 150


class TagType(models.TextChoices):
    RATING = "rating", "Rating"
    WARNING = "warning", "Archive Warning"
    CATEGORY = "category", "Category"
    FANDOM = "fandom", "Fandom"
    RELATIONSHIP = "relationship", "Relationship"
    CHARACTER = "character", "Character"
    FREEFORM = "freeform", "Additional Tags"


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
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="tag_name_ci_unique")]
        indexes = [models.Index(fields=["type", "canonical"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"/tags/{tag_url_name(self.name)}/works"


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
