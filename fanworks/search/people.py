"""People search (AO3's /people/search): pseuds found by name, profile text and fandom.

What matches
    `people_search[name]`: every word of the text starts a word of the pseud's name or of its
    user's login ("amy" finds "Amy Writes" and "lonely_amy"). Case and accents are ignored:
    names are ASCII (accounts.validators) and the text is folded like tag names
    (`tags.search.fold`), so "Amélie" finds "amelie_w".
    `people_search[query]`: every word of the text appears somewhere in the pseud's name,
    its user's login or the pseud's description (the profile text), ignoring case.
    `people_search[fandom]`: comma-separated fandom names; pseuds with at least one work the
    viewer may see in any of those fandoms. A name resolves like a tag page does (case and
    accents ignored); a synonym stands for its canonical fandom, and works are found through
    the filter table, so works tagged with a synonym or subfandom count.

What is shown
    Pseuds sorted by name (then login), PER_PAGE a page, each with the number of its works
    the viewer may see (`works.queries.visible_works`: drafts and hidden works never count,
    restricted works only for registered users) and, with a fandom filter, how many of those
    are in the fandoms. Counts for a page take one grouped query each, never one per pseud.

Cost
    The fandom filter walks indexes (filter table → creatorships). Name and text matching
    read the pseud table with LIKE: neither pseud names nor descriptions have a folded or
    word index yet, so this is a scan of the (narrow) pseud and user rows (about 2 µs a pseud
    on SQLite). A word table like tags.TagWord, kept by the pseud actions, would make name
    matching an index range.
"""

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Window
from django.db.models.functions import Lower

from fanworks.accounts.models import Pseud
from fanworks.core.pagination import Page
from fanworks.tags.models import MAX_TAG_LENGTH, Tag, TagType
from fanworks.tags.queries import work_ids_filtered_by
from fanworks.tags.search import fold
from fanworks.works.models import Creatorship
from fanworks.works.queries import Viewer, visible_works

PREFIX = "people_search"
PER_PAGE = 20
# AO3 stops at 100,000 results (MAX_SEARCH_RESULTS); deeper pages are refused.
MAX_RESULTS = 100_000
MAX_PAGE = MAX_RESULTS // PER_PAGE
MAX_NAME_LENGTH = 200
MAX_QUERY_LENGTH = 1_000
MAX_FANDOMS = 10
MAX_WORDS = 10
_NAME_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# Characters that separate words inside pseud names and logins.
_NAME_SEPARATORS = (" ", "-", ".", "_")


class BracketForm(forms.Form):
    """A form whose fields are named AO3's way: `<prefix>[<field>]`."""

    def add_prefix(self, field_name: str) -> str:
        return f"{self.prefix}[{field_name}]" if self.prefix else field_name

    def submitted(self) -> bool:
        """True when the request carries any of this form's fields."""
        return any(self.add_prefix(name) in self.data for name in self.fields)


def read_page(data: Any, max_page: int) -> tuple[int, str]:
    """The requested page number and an error message ("" when it is fine)."""
    raw = str(data.get("page", "1")).strip() or "1"
    if not re.fullmatch(r"[0-9]{1,9}", raw) or int(raw) < 1:
        return 1, "That is not a page number."
    page = int(raw)
    if page > max_page:
        return 1, (
            f"Search results stop at page {max_page:,}. Please narrow your search to see more."
        )
    return page, ""


def split_names(value: str) -> list[str]:
    """Comma-separated names, whitespace tidied, empty ones and repeats dropped."""
    names: list[str] = []
    for part in value.split(","):
        name = " ".join(part.split())
        if name and name not in names:
            names.append(name)
    return names


def resolve_fandoms(value: str) -> tuple[list[Tag], str]:
    """The fandom tags that comma-separated names stand for (a synonym → its canonical tag),
    and an error message naming what did not resolve ("" when all did)."""
    names = split_names(value)
    if len(names) > MAX_FANDOMS:
        return [], f"Please search at most {MAX_FANDOMS} fandoms at a time."
    too_long = [name for name in names if len(name) > MAX_TAG_LENGTH]
    if too_long:
        return [], f"Fandom names are at most {MAX_TAG_LENGTH} characters."
    by_folded = {fold(name): name for name in names}
    found = {
        tag.search_name: tag
        for tag in Tag.objects.filter(search_name__in=list(by_folded)).select_related("synonym_of")
    }
    fandoms: list[Tag] = []
    missing: list[str] = []
    for folded, name in by_folded.items():
        tag = found.get(folded)
        if tag is None or tag.type != TagType.FANDOM:
            missing.append(name)
            continue
        shown = tag.synonym_of if tag.synonym_of_id and tag.synonym_of else tag
        if shown not in fandoms:
            fandoms.append(shown)
    if missing:
        listed = ", ".join(f"“{name}”" for name in missing)
        return [], f"No fandom called {listed} was found."
    return fandoms, ""


class PeopleSearchForm(BracketForm):
    name = forms.CharField(required=False, max_length=MAX_NAME_LENGTH, label="Name")
    query = forms.CharField(required=False, max_length=MAX_QUERY_LENGTH, label="Search all fields")
    fandom = forms.CharField(required=False, max_length=MAX_QUERY_LENGTH, label="Fandom")

    def __init__(self, data: Any = None) -> None:
        super().__init__(data, prefix=PREFIX)
        self.fandoms: list[Tag] = []

    def clean_fandom(self) -> str:
        value: str = self.cleaned_data.get("fandom", "")
        fandoms, error = resolve_fandoms(value)
        if error:
            raise forms.ValidationError(error)
        self.fandoms = fandoms
        return ", ".join(split_names(value))

    def is_empty(self) -> bool:
        data = self.cleaned_data
        return not (name_words(data["name"]) or text_words(data["query"]) or self.fandoms)


@dataclass
class PeopleSearch:
    name: str = ""
    query: str = ""
    fandoms: list[Tag] = field(default_factory=list)
    page: int = 1


@dataclass
class PersonResult:
    pseud: Pseud
    work_count: int
    fandom_work_count: int | None  # with a fandom filter: visible works in those fandoms


def name_words(text: str) -> list[str]:
    """The folded words of a name search, at most MAX_WORDS."""
    seen: dict[str, None] = {}
    for word in _NAME_WORD.findall(fold(text)):
        seen.setdefault(word, None)
    return list(seen)[:MAX_WORDS]


def text_words(text: str) -> list[str]:
    """The whitespace-separated words of a free-text search, at most MAX_WORDS."""
    seen: dict[str, None] = {}
    for word in text.split():
        seen.setdefault(word, None)
    return list(seen)[:MAX_WORDS]


def _word_start_q(field_name: str, word: str) -> Q:
    """`field_name` has a word starting with `word` (case-insensitive)."""
    found = Q(**{f"{field_name}__istartswith": word})
    for separator in _NAME_SEPARATORS:
        found |= Q(**{f"{field_name}__icontains": separator + word})
    return found


def _works_in(viewer: Viewer, fandoms: list[Tag]) -> Q:
    """Creatorship rows of works `viewer` may see in any of `fandoms`."""
    in_fandoms = Q()
    for fandom in fandoms:
        in_fandoms |= Q(pk__in=work_ids_filtered_by(fandom))
    return Q(work_id__in=visible_works(viewer).filter(in_fandoms).values("pk"))


def matching_pseuds(viewer: Viewer, search: PeopleSearch) -> QuerySet[Pseud]:
    """Pseuds matching `search`, sorted by name, then login."""
    pseuds = Pseud.objects.select_related("user")
    for word in name_words(search.name):
        # One cheap LIKE first: SQLite tests the conditions in order, so most rows never
        # reach the word-start patterns (half the time of the patterns alone).
        pseuds = pseuds.filter(Q(name__icontains=word) | Q(user__username__icontains=word))
        pseuds = pseuds.filter(_word_start_q("name", word) | _word_start_q("user__username", word))
    for word in text_words(search.query):
        variants = {word, fold(word)}
        anywhere = Q()
        for variant in variants:
            anywhere |= (
                Q(name__icontains=variant)
                | Q(user__username__icontains=variant)
                | Q(description__icontains=variant)
            )
        pseuds = pseuds.filter(anywhere)
    if search.fandoms:
        creators = Creatorship.objects.filter(_works_in(viewer, search.fandoms))
        pseuds = pseuds.filter(pk__in=creators.values("pseud_id"))
    return pseuds.only(
        "pk", "name", "description", "is_default", "user__id", "user__username"
    ).order_by(Lower("name"), Lower("user__username"), "pk")


def _visible_work_counts(
    viewer: Viewer, pseud_ids: list[int], where: Q | None = None
) -> dict[int, int]:
    """{pseud id: works `viewer` may see} (only works matching `where`, which must apply the
    visibility rule itself); pseuds without such works are left out."""
    rows = Creatorship.objects.filter(pseud_id__in=pseud_ids)
    if where is not None:
        rows = rows.filter(where)
    else:
        rows = rows.filter(Exists(visible_works(viewer).filter(pk=OuterRef("work_id"))))
    return dict(rows.values("pseud_id").annotate(n=Count("work_id")).values_list("pseud_id", "n"))


def search_people(viewer: Viewer, search: PeopleSearch) -> Page:
    """One page of results (a page past the last one is empty), items being PersonResults
    with their work counts."""
    pseuds = matching_pseuds(viewer, search)
    start = (search.page - 1) * PER_PAGE
    # Matching reads every pseud (see Cost above), so the total comes with the page, as a
    # window count, instead of from a second scan; only a page past the last one needs a
    # count of its own. (read_page keeps `start` below MAX_RESULTS.)
    items = list(pseuds.annotate(total=Window(Count("pk")))[start : start + PER_PAGE])
    if items:
        count: int = items[0].total
    else:
        count = pseuds.count() if start else 0
    num_pages = max(1, -(-min(count, MAX_RESULTS) // PER_PAGE))
    ids = [pseud.pk for pseud in items]
    counts = _visible_work_counts(viewer, ids) if ids else {}
    in_fandoms: dict[int, int] = {}
    if ids and search.fandoms:
        in_fandoms = _visible_work_counts(viewer, ids, _works_in(viewer, search.fandoms))
    results = [
        PersonResult(
            pseud=pseud,
            work_count=counts.get(pseud.pk, 0),
            fandom_work_count=in_fandoms.get(pseud.pk, 0) if search.fandoms else None,
        )
        for pseud in items
    ]
    return Page(
        items=results,
        number=search.page,
        num_pages=num_pages,
        count=count,
        start_index=start + 1 if items else 0,
        end_index=start + len(items),
    )


def page_prefix(form: BracketForm) -> str:
    """The query string of a result page without its page number, ending in `page=`."""
    keys = [form.add_prefix(name) for name in form.fields]
    params = [(key, str(form.data.get(key, "")).strip()) for key in keys]
    return "?" + urlencode([(key, value) for key, value in params if value]) + "&page="
