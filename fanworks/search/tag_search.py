"""Tag search (AO3's /tags/search): tags by name, type, wrangling status and fandom.

What matches
    `tag_search[name]`: the text is folded like tag names (case and accents dropped,
    `tags.search.fold`). A tag matches when its folded name starts with the text, or when
    every word of the text starts some word of the name ("ren" finds "Kylo Ren"). With `*`
    the text is a pattern over the whole name instead ("kylo*hux" finds "Kylo Ren/Hux").
    `tag_search[type]`: one of AO3's type names (TYPES). `tag_search[wrangling_status]`: one
    of STATUSES. `tag_search[fandoms]`: comma-separated fandom names (a synonym stands for its
    canonical fandom); tags linked to any of them (a character of the fandom, or a synonym of
    one), or used on one of the latest works the viewer may see in any of them (found
    through the filter table, so works tagged with a synonym of the fandom count; see
    _fandoms_q for the bound).

What is shown
    PER_PAGE tags a page, sorted by name (the default), creation (ids follow creation time,
    so the primary key gives that order) or uses, ascending or descending. Each tag shows
    its type, whether it is canonical, the canonical tag of a synonym, and how many works the
    viewer may see under it: for a canonical tag, works found under it (its synonyms and
    subtags included, from the filter table); for any other tag, works tagged with it.
    "uses" sorts by that same number.

Cost
    Name matching walks the (type, canonical, search_name) index and the TagWord (word, tag)
    index over ranges; types and statuses are indexed columns; the fandom filter reads
    ParentLink and the filter table by index. The works of the shown page are counted in two
    grouped queries. Sorting by uses has to count every matching tag's works, so it costs in
    proportion to the matching tags' uses: narrow searches are cheap, a whole-archive sort by
    uses is not (AO3 keeps a precomputed count on each tag for this).
"""

import re
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models import Value as V
from django.db.models.functions import Coalesce

from fanworks.core.pagination import Page
from fanworks.search.people import BracketForm, resolve_fandoms, split_names
from fanworks.tags.models import ParentLink, Tag, TagType, TagWord, WorkFilter
from fanworks.tags.queries import work_ids_filtered_by
from fanworks.tags.search import fold, prefix_upper_bound, words
from fanworks.works.models import WorkTag
from fanworks.works.queries import Viewer, visible_works

PREFIX = "tag_search"
PER_PAGE = 50
MAX_RESULTS = 100_000
MAX_PAGE = MAX_RESULTS // PER_PAGE
MAX_NAME_LENGTH = 150
MAX_FANDOMS_LENGTH = 2_000
MAX_WORDS = 10
# A fandom filter becomes a list of tag ids up to this many (see _fandoms_q).
FANDOM_TAGS_INLINE = 5_000
# The latest works of each fandom whose tags count as "used in the fandom" (see _fandoms_q).
FANDOM_WORKS_SCANNED = 20_000
# More wildcards make a pattern slow to match (each one can backtrack over the name).
MAX_WILDCARDS = 4
_REGEX_SPECIAL = set(".^$*+?()[]{}|\\")

# AO3's spelling of each type (its Tag subclasses) → ours.
TYPES: dict[str, str] = {
    "Fandom": TagType.FANDOM,
    "Character": TagType.CHARACTER,
    "Relationship": TagType.RELATIONSHIP,
    "Freeform": TagType.FREEFORM,
    "Rating": TagType.RATING,
    "ArchiveWarning": TagType.WARNING,
    "Category": TagType.CATEGORY,
    "Media": TagType.MEDIA,
    "UnsortedTag": TagType.UNSORTED,
}
TYPE_LABELS: dict[str, str] = {
    "Fandom": "Fandom",
    "Character": "Character",
    "Relationship": "Relationship",
    "Freeform": "Freeform",
    "Rating": "Rating",
    "ArchiveWarning": "Archive Warning",
    "Category": "Category",
    "Media": "Media",
    "UnsortedTag": "Unsorted Tag",
}
AO3_TYPE_OF = {ours: theirs for theirs, ours in TYPES.items()}

STATUSES: dict[str, str] = {
    "canonical": "Canonical",
    "noncanonical": "Non-canonical",
    "synonymous": "Synonymous",
    "canonical_or_synonymous": "Canonical or synonymous",
    "noncanonical_nonsynonymous": "Non-canonical and not synonymous",
}
SORT_COLUMNS: dict[str, str] = {"name": "Name", "created_at": "Date created", "uses": "Uses"}
SORT_DIRECTIONS: dict[str, str] = {"asc": "Ascending", "desc": "Descending"}


def _choices(options: dict[str, str], blank: str | None) -> list[tuple[str, str]]:
    first = [("", blank)] if blank is not None else []
    return first + list(options.items())


_CHOICE_ERRORS = {"invalid_choice": "That is not one of the choices."}


class TagSearchForm(BracketForm):
    name = forms.CharField(required=False, max_length=MAX_NAME_LENGTH, label="Tag name")
    fandoms = forms.CharField(required=False, max_length=MAX_FANDOMS_LENGTH, label="Fandoms")
    type = forms.ChoiceField(
        required=False, choices=_choices(TYPE_LABELS, "All types"), error_messages=_CHOICE_ERRORS
    )
    wrangling_status = forms.ChoiceField(
        required=False,
        choices=_choices(STATUSES, "Any status"),
        label="Wrangling status",
        error_messages=_CHOICE_ERRORS,
    )
    sort_column = forms.ChoiceField(
        required=False,
        choices=_choices(SORT_COLUMNS, None),
        label="Sort by",
        error_messages=_CHOICE_ERRORS,
    )
    sort_direction = forms.ChoiceField(
        required=False,
        choices=_choices(SORT_DIRECTIONS, "Default"),
        label="Sort direction",
        error_messages=_CHOICE_ERRORS,
    )

    def __init__(self, data: Any = None) -> None:
        super().__init__(data, prefix=PREFIX)
        self.fandom_tags: list[Tag] = []

    def clean_name(self) -> str:
        value: str = self.cleaned_data.get("name", "")
        if len(re.findall(r"\*+", value)) > MAX_WILDCARDS:
            raise forms.ValidationError(f"Please use at most {MAX_WILDCARDS} * wildcards.")
        return value

    def clean_fandoms(self) -> str:
        value: str = self.cleaned_data.get("fandoms", "")
        fandoms, error = resolve_fandoms(value)
        if error:
            raise forms.ValidationError(error)
        self.fandom_tags = fandoms
        return ", ".join(split_names(value))


@dataclass
class TagSearch:
    name: str = ""
    fandoms: list[Tag] = field(default_factory=list)
    type: str = ""  # AO3's spelling, "" for all
    status: str = ""
    sort_column: str = "name"
    sort_direction: str = ""  # "" → the column's natural direction
    page: int = 1

    @classmethod
    def from_form(cls, form: TagSearchForm, page: int) -> "TagSearch":
        data = form.cleaned_data
        return cls(
            name=data["name"],
            fandoms=form.fandom_tags,
            type=data["type"],
            status=data["wrangling_status"],
            sort_column=data["sort_column"] or "name",
            sort_direction=data["sort_direction"],
            page=page,
        )

    @property
    def descending(self) -> bool:
        if self.sort_direction:
            return self.sort_direction == "desc"
        return self.sort_column in {"uses", "created_at"}  # most used / newest first


@dataclass
class TagResult:
    tag: Tag
    ao3_type: str
    type_label: str
    work_count: int


def _name_q(text: str) -> Q:
    folded = fold(" ".join(text.split()))
    if "*" in folded:
        return _pattern_q(folded)
    found = Q(search_name__gte=folded, search_name__lt=prefix_upper_bound(folded))
    typed = words(folded)[:MAX_WORDS]
    if typed:
        every_word = Q()
        for word in typed:
            starting = TagWord.objects.filter(word__gte=word, word__lt=prefix_upper_bound(word))
            every_word &= Q(pk__in=starting.values("tag_id"))
        found |= every_word
    return found


def _regex_escape(text: str) -> str:
    """Escape what is special in both Python's and PostgreSQL's regular expressions."""
    return "".join("\\" + ch if ch in _REGEX_SPECIAL else ch for ch in text)


def _pattern_q(folded: str) -> Q:
    """`*` stands for any run of characters, over the whole folded name.

    A fixed start is an index range; the other pieces are LIKE tests (C code on every
    database). Only a pattern with two or more pieces also needs the regular expression, for
    their order; SQLite runs it in Python, so it comes last and sees few rows.
    """
    parts = re.sub(r"\*+", "*", folded).split("*")
    pattern = Q()
    if parts[0]:
        pattern &= Q(search_name__gte=parts[0], search_name__lt=prefix_upper_bound(parts[0]))
    for part in parts[1:-1]:
        if part:
            pattern &= Q(search_name__contains=part)
    if parts[-1]:
        pattern &= Q(search_name__endswith=parts[-1])
    if len([part for part in parts if part]) >= 2:
        regex = "^" + ".*".join(_regex_escape(part) for part in parts) + "$"
        pattern &= Q(search_name__regex=regex)
    return pattern


def _status_q(status: str) -> Q:
    return {
        "canonical": Q(canonical=True),
        "noncanonical": Q(canonical=False),
        "synonymous": Q(synonym_of__isnull=False),
        "canonical_or_synonymous": Q(canonical=True) | Q(synonym_of__isnull=False),
        "noncanonical_nonsynonymous": Q(canonical=False, synonym_of__isnull=True),
    }[status]


def _fandoms_q(viewer: Viewer, fandoms: list[Tag]) -> Q:
    """Tags in any of `fandoms`: linked to one (or a synonym of such a tag), or used on a
    work `viewer` may see in one.

    The ids are read first (two queries) and the search then filters by that list: used as
    subqueries, the database evaluated the used-tags set once for the count and again for
    each way into the OR (3× slower for a big fandom). A fandom using more than
    FANDOM_TAGS_INLINE distinct tags keeps the subquery instead of a huge list.

    Reading the tags of every work in a fandom costs in proportion to its works (about 60 ms
    for 5,000 works on SQLite), so only each fandom's FANDOM_WORKS_SCANNED latest works are
    read: a tag used only on older works of a very big fandom is found once a wrangler links
    it to the fandom (as AO3's tag search does, which only knows wrangled links).
    """
    ids = [fandom.pk for fandom in fandoms]
    linked = ParentLink.objects.filter(parent_id__in=ids).values("child_id")
    in_fandoms = Q()
    for fandom in fandoms:
        latest = work_ids_filtered_by(fandom).order_by("-work_id")[:FANDOM_WORKS_SCANNED]
        in_fandoms |= Q(pk__in=latest)
    works = visible_works(viewer).filter(in_fandoms).values("pk")
    used = WorkTag.objects.filter(work_id__in=works).order_by().values_list("tag_id", flat=True)
    used_ids = list(used.distinct()[: FANDOM_TAGS_INLINE + 1])
    if len(used_ids) > FANDOM_TAGS_INLINE:
        return Q(pk__in=linked) | Q(synonym_of_id__in=linked) | Q(pk__in=used.values("tag_id"))
    linked_ids = Tag.objects.filter(Q(pk__in=linked) | Q(synonym_of_id__in=linked)).values_list(
        "pk", flat=True
    )
    return Q(pk__in=sorted({*used_ids, *linked_ids}))


def _visible(viewer: Viewer) -> Exists:
    return Exists(visible_works(viewer).filter(pk=OuterRef("work_id")))


def _uses(viewer: Viewer) -> Case:
    """Works `viewer` may see under each tag (see the module docstring), as an annotation."""

    def counted(model: Any) -> Coalesce:
        rows = (
            model.objects.filter(_visible(viewer), tag_id=OuterRef("pk"))
            .order_by()
            .values("tag_id")
            .annotate(n=Count("work_id"))
            .values("n")
        )
        return Coalesce(Subquery(rows, output_field=IntegerField()), V(0))

    return Case(
        When(canonical=True, then=counted(WorkFilter)),
        default=counted(WorkTag),
        output_field=IntegerField(),
    )


def matching_tags(viewer: Viewer, search: TagSearch) -> QuerySet[Tag]:
    tags = Tag.objects.select_related("synonym_of")
    if search.type:
        tags = tags.filter(type=TYPES[search.type])
    if search.status:
        tags = tags.filter(_status_q(search.status))
    if search.name.strip():
        tags = tags.filter(_name_q(search.name))
    if search.fandoms:
        tags = tags.filter(_fandoms_q(viewer, search.fandoms))
    sign = "-" if search.descending else ""
    if search.sort_column == "uses":
        return tags.annotate(uses=_uses(viewer)).order_by(f"{sign}uses", "search_name")
    if search.sort_column == "created_at":
        return tags.order_by(f"{sign}pk")
    return tags.order_by(f"{sign}search_name")


def visible_work_counts(viewer: Viewer, tags: list[Tag]) -> dict[int, int]:
    """{tag id: works `viewer` may see under it} for a page of tags, in two queries."""
    counts: dict[int, int] = {}
    canonical = [tag.pk for tag in tags if tag.canonical]
    other = [tag.pk for tag in tags if not tag.canonical]
    for model, ids in ((WorkFilter, canonical), (WorkTag, other)):
        if ids:
            rows = model.objects.filter(_visible(viewer), tag_id__in=ids)
            counts.update(
                rows.values("tag_id").annotate(n=Count("work_id")).values_list("tag_id", "n")
            )
    return counts


def search_tags(viewer: Viewer, search: TagSearch) -> Page:
    """One page of results (a page past the last one is empty), items being TagResults."""
    tags = matching_tags(viewer, search)
    count = tags.count()
    shown = min(count, MAX_RESULTS)
    num_pages = max(1, -(-shown // PER_PAGE))
    start = (search.page - 1) * PER_PAGE
    items: list[Tag] = list(tags[start : start + PER_PAGE]) if start < shown else []
    if search.sort_column == "uses":
        counts = {tag.pk: tag.uses for tag in items}  # type: ignore[attr-defined]
    else:
        counts = visible_work_counts(viewer, items)
    results = []
    for tag in items:
        ao3_type = AO3_TYPE_OF.get(tag.type, "UnsortedTag")
        results.append(
            TagResult(
                tag=tag,
                ao3_type=ao3_type,
                type_label=TYPE_LABELS[ao3_type],
                work_count=counts.get(tag.pk, 0),
            )
        )
    return Page(
        items=results,
        number=search.page,
        num_pages=num_pages,
        count=count,
        start_index=start + 1 if items else 0,
        end_index=start + len(items),
    )
