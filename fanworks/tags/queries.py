"""Every read of tags."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Lower

from fanworks.tags.models import Tag, TagType, tag_name_from_url

if TYPE_CHECKING:
    from fanworks.core.models import Job
    from fanworks.tags.models import WranglingLogEntry


def tag_by_url_name(url_name: str) -> Tag | None:
    return tag_by_name(tag_name_from_url(url_name))


def tags_under(tag: Tag) -> set[int]:
    """`tag`, its synonyms, its subtags at every level and their synonyms: what the filter
    table holds under `tag`, read straight from the graph."""
    from fanworks.tags.models import MetaTagging

    found = {tag.pk}
    frontier = {tag.pk}
    while frontier:
        subs = set(
            MetaTagging.objects.filter(meta_tag_id__in=frontier).values_list(
                "sub_tag_id", flat=True
            )
        )
        frontier = subs - found
        found |= subs
    synonyms = set(Tag.objects.filter(synonym_of_id__in=found).values_list("pk", flat=True))
    return found | synonyms


def work_ids_filtered_by(tag: Tag) -> QuerySet[Any]:
    """Ids of works a reader finds under `tag` (a values() queryset for `pk__in`).

    Canonical tags read the filter table, except while a re-filter job is catching up after a
    big wrangling change: then the graph is expanded live so no page is wrong meanwhile.
    Other tags (not wrangled yet) find the works tagged with them directly.
    """
    from fanworks.tags.filters import filters_settling
    from fanworks.tags.models import WorkFilter
    from fanworks.works.models import WorkTag

    if not tag.canonical:
        return WorkTag.objects.filter(tag=tag).values("work_id")
    if filters_settling():
        return WorkTag.objects.filter(tag_id__in=tags_under(tag)).values("work_id")
    return WorkFilter.objects.filter(tag=tag).values("work_id")


# ---------------------------------------------------------------------------------------------
# Tag pages, fandom and media indexes, wrangling bins (read by tags.views_pages and
# tags.views_wrangling). Imports of works/core modules stay inside functions: works.queries
# imports this module.


def tag_by_name(name: str) -> Tag | None:
    """The tag with this name, ignoring case and accents (names are unique that way)."""
    from fanworks.tags.search import fold

    name = " ".join(name.split())
    if not name:
        return None
    return Tag.objects.filter(search_name=fold(name)).first()


def visible_work_count(viewer: Any, tag: Tag) -> int:
    """How many works `viewer` may see under `tag` (synonyms and subtags included)."""
    from fanworks.works.queries import visible_works

    return visible_works(viewer).filter(pk__in=work_ids_filtered_by(tag)).count()


CHILD_LIMIT = 100


@dataclass
class TagLinks:
    """Everything a tag is linked to, for the tag page and the edit page."""

    synonyms: list[Tag]
    metatags: list[Tag]
    subtags: list[Tag]
    parents: dict[str, list[Tag]]  # by type: fandom, media, character
    children: dict[str, list[Tag]]  # by type, at most CHILD_LIMIT each
    child_counts: dict[str, int]


def tag_links(tag: Tag, child_limit: int = CHILD_LIMIT) -> TagLinks:
    """The tag's links in a fixed number of queries (one more per type of child tag)."""
    from fanworks.tags.models import ParentLink

    parents: dict[str, list[Tag]] = {}
    for parent in Tag.objects.filter(child_links__child=tag).order_by("type", Lower("name")):
        parents.setdefault(parent.type, []).append(parent)
    child_counts = dict(
        ParentLink.objects.filter(parent=tag)
        .values("child__type")
        .annotate(n=Count("pk"))
        .values_list("child__type", "n")
    )
    children: dict[str, list[Tag]] = {}
    for child_type in _type_order(child_counts):
        children[child_type] = list(
            Tag.objects.filter(parent_links__parent=tag, type=child_type).order_by(Lower("name"))[
                :child_limit
            ]
        )
    return TagLinks(
        synonyms=list(tag.synonyms.order_by(Lower("name"))),
        metatags=list(tag.metatags.order_by(Lower("name"))),
        subtags=list(tag.subtags.order_by(Lower("name"))),
        parents={t: parents[t] for t in _type_order(parents)},
        children=children,
        child_counts=child_counts,
    )


_TYPE_ORDER = [
    TagType.MEDIA,
    TagType.FANDOM,
    TagType.CHARACTER,
    TagType.RELATIONSHIP,
    TagType.FREEFORM,
    TagType.UNSORTED,
]


def _type_order(by_type: Mapping[str, object]) -> list[str]:
    known = [t.value for t in _TYPE_ORDER if t.value in by_type]
    return known + sorted(t for t in by_type if t not in known)


def refilter_jobs() -> list["Job"]:
    """Re-filter jobs still queued or running, oldest first (for "Updating N works" notices)."""
    from fanworks.core.models import Job
    from fanworks.tags.filters import REFILTER_JOB

    return list(
        Job.objects.filter(
            kind=REFILTER_JOB, status__in=[Job.Status.PENDING, Job.Status.RUNNING]
        ).order_by("pk")
    )


# Fandom and media indexes ---------------------------------------------------------------------


def fandom_work_counts(viewer: Any, fandom_ids: Iterable[int] | None = None) -> dict[int, int]:
    """{canonical fandom id: works `viewer` may see under it}, for all canonical fandoms or
    the given ones; fandoms without visible works are left out.

    One grouped query on the filter table. While a re-filter job is catching up, the table may
    be stale, so the counts are worked out from the tag graph instead (heavier, but correct).
    """
    from fanworks.tags.filters import ancestors, canonical_ids, filters_settling
    from fanworks.tags.models import WorkFilter
    from fanworks.works.models import WorkTag
    from fanworks.works.queries import visible_works

    visible = visible_works(viewer).values("pk")
    wanted = None if fandom_ids is None else set(fandom_ids)
    if not filters_settling():
        fandoms = Tag.objects.filter(type=TagType.FANDOM, canonical=True)
        if wanted is not None:
            fandoms = fandoms.filter(pk__in=wanted)
        # Walk each fandom's filter rows and check each work's visibility by primary key:
        # ~40 ms at 20,000 works, where joining against the visible set took ~10× longer.
        rows = WorkFilter.objects.filter(
            Exists(visible_works(viewer).filter(pk=OuterRef("work_id"))),
            tag_id__in=fandoms.values("pk"),
        )
        return dict(rows.values("tag_id").annotate(n=Count("work_id")).values_list("tag_id", "n"))
    pairs = list(
        WorkTag.objects.filter(work_id__in=visible, tag__type=TagType.FANDOM).values_list(
            "work_id", "tag_id"
        )
    )
    canonical = canonical_ids({tag_id for _, tag_id in pairs})
    above = ancestors(set(canonical.values()))
    works: dict[int, set[int]] = {}
    for work_id, tag_id in pairs:
        if tag_id not in canonical:
            continue
        for fandom in {canonical[tag_id], *above.get(canonical[tag_id], ())}:
            if wanted is None or fandom in wanted:
                works.setdefault(fandom, set()).add(work_id)
    return {fandom: len(ids) for fandom, ids in works.items()}


@dataclass
class FandomGroup:
    media: Tag | None  # None: fandoms not linked to any medium yet
    fandoms: list[Tag]  # each with `work_count` set


def fandoms_by_media(viewer: Any) -> list[FandomGroup]:
    """Canonical fandoms with visible works, grouped by their media (a fandom under several
    media appears in each), with "Uncategorized" (media None) last."""
    from fanworks.tags.models import ParentLink

    counts = fandom_work_counts(viewer)
    fandoms: dict[int, Tag] = {}
    for fandom in Tag.objects.filter(pk__in=list(counts)).order_by(Lower("name")):
        fandom.work_count = counts[fandom.pk]  # type: ignore[attr-defined]
        fandoms[fandom.pk] = fandom
    links = ParentLink.objects.filter(
        child_id__in=list(fandoms), parent__type=TagType.MEDIA, parent__canonical=True
    ).values_list("parent_id", "child_id")
    by_media: dict[int, list[int]] = {}
    for media_id, fandom_id in links:
        by_media.setdefault(media_id, []).append(fandom_id)
    linked = {fandom_id for ids in by_media.values() for fandom_id in ids}
    groups = [
        FandomGroup(
            media=media, fandoms=[f for f in fandoms.values() if f.pk in by_media[media.pk]]
        )
        for media in Tag.objects.filter(pk__in=list(by_media)).order_by(Lower("name"))
    ]
    loose = [f for f in fandoms.values() if f.pk not in linked]
    if loose:
        groups.append(FandomGroup(media=None, fandoms=loose))
    return groups


def unwrangled_fandoms_with_counts(viewer: Any) -> list[Tag]:
    """Fandom tags nobody has wrangled yet (neither canonical nor a synonym) that have visible
    works, with `work_count` (direct taggings), so freshly posted fandoms can be browsed."""
    from fanworks.works.models import WorkTag
    from fanworks.works.queries import visible_works

    loose = Tag.objects.filter(type=TagType.FANDOM, canonical=False, synonym_of__isnull=True)
    counts = dict(
        WorkTag.objects.filter(
            Exists(visible_works(viewer).filter(pk=OuterRef("work_id"))),
            tag_id__in=loose.values("pk"),
        )
        .values("tag_id")
        .annotate(n=Count("work_id"))
        .values_list("tag_id", "n")
    )
    fandoms = list(Tag.objects.filter(pk__in=list(counts)).order_by(Lower("name")))
    for fandom in fandoms:
        fandom.work_count = counts[fandom.pk]  # type: ignore[attr-defined]
    return fandoms


def media_index(viewer: Any, top: int = 5) -> list[Tag]:
    """Canonical media tags, each with `fandom_count` (its canonical fandoms that have visible
    works) and `top_fandoms` (the `top` biggest, each with `work_count`)."""
    from fanworks.tags.models import ParentLink

    counts = fandom_work_counts(viewer)
    media = list(Tag.objects.filter(type=TagType.MEDIA, canonical=True).order_by(Lower("name")))
    links = ParentLink.objects.filter(
        parent__in=media, child_id__in=list(counts), child__type=TagType.FANDOM
    ).values_list("parent_id", "child_id")
    by_media: dict[int, list[int]] = {}
    for media_id, fandom_id in links:
        by_media.setdefault(media_id, []).append(fandom_id)
    tops = {
        media_id: sorted(ids, key=lambda pk: -counts[pk])[:top]
        for media_id, ids in by_media.items()
    }
    names = Tag.objects.in_bulk({pk for ids in tops.values() for pk in ids})
    for medium in media:
        medium.fandom_count = len(by_media.get(medium.pk, []))  # type: ignore[attr-defined]
        shown = []
        for pk in tops.get(medium.pk, []):
            fandom = names[pk]
            fandom.work_count = counts[pk]  # type: ignore[attr-defined]
            shown.append(fandom)
        medium.top_fandoms = sorted(  # type: ignore[attr-defined]
            shown, key=lambda f: (-f.work_count, f.name.lower())
        )
    return media


def media_fandoms(viewer: Any, media: Tag) -> list[Tag]:
    """The medium's canonical fandoms that have visible works, by name, with `work_count`."""
    counts = fandom_work_counts(viewer)
    fandoms = list(
        Tag.objects.filter(
            parent_links__parent=media, type=TagType.FANDOM, pk__in=list(counts)
        ).order_by(Lower("name"))
    )
    for fandom in fandoms:
        fandom.work_count = counts[fandom.pk]  # type: ignore[attr-defined]
    return fandoms


# Wrangling bins -------------------------------------------------------------------------------

BIN_STATUSES = ["unwrangled", "canonical", "synonymous", "unwrangleable"]


def unwrangled_q(prefix: str = "") -> Q:
    """Tags that still need a wrangler: not marked unwrangleable, and either neither canonical
    nor a synonym, or canonical but not yet linked to any fandom.

    `prefix` applies the rule through a relation, e.g. `unwrangled_q("tag__")` on WorkTag.
    """
    from fanworks.tags.models import ParentLink

    # A plain (not correlated) subquery: databases build its set once, where a correlated
    # EXISTS per row made the wrangler home page take seconds at 20,000 works.
    in_fandom = ParentLink.objects.filter(parent__type=TagType.FANDOM).values("child_id")
    unlinked_canonical = Q(**{f"{prefix}canonical": True}) & ~Q(**{f"{prefix}pk__in": in_fandom})
    loose = Q(**{f"{prefix}canonical": False, f"{prefix}synonym_of__isnull": True})
    return Q(**{f"{prefix}unwrangleable": False}) & (loose | unlinked_canonical)


def _status_q(status: str) -> Q:
    if status == "canonical":
        return Q(canonical=True)
    if status == "synonymous":
        return Q(synonym_of__isnull=False)
    if status == "unwrangleable":
        return Q(unwrangleable=True)
    return unwrangled_q()


def fandom_tags(fandom: Tag, *, include_linked: bool = True) -> QuerySet[Tag]:
    """Tags that a fandom's wranglers look after: characters, relationships, freeforms and
    unsorted tags used on works (posted or not) found under the fandom, plus, with
    `include_linked`, tags already linked to it as children."""
    from fanworks.tags.models import WRANGLED_IN_FANDOM_TYPES, ParentLink
    from fanworks.works.models import WorkTag

    used = WorkTag.objects.filter(work_id__in=work_ids_filtered_by(fandom)).values("tag_id")
    where = Q(pk__in=used)
    if include_linked:
        where |= Q(pk__in=ParentLink.objects.filter(parent=fandom).values("child_id"))
    return Tag.objects.filter(where, type__in=WRANGLED_IN_FANDOM_TYPES)


def bin_tags(fandom: Tag, tag_type: str, status: str, sort: str = "name") -> QuerySet[Tag]:
    """One bin: the fandom's tags of `tag_type` in `status` (see BIN_STATUSES), with
    `synonym_of` loaded; sorted by `uses` (then annotated) or by name (use `tag_uses` for the
    shown page: counting every tag's uses before paging doubled the page time).

    The unwrangled bins hold tags from works only (new tags land there); the other statuses also
    list tags wranglers linked to the fandom that no work uses yet.
    """
    tags = (
        fandom_tags(fandom, include_linked=status != "unwrangled")
        .filter(_status_q(status), type=tag_type)
        .select_related("synonym_of")
    )
    if sort == "uses":
        return tags.annotate(uses=Count("work_tags")).order_by("-uses", Lower("name"))
    return tags.order_by(Lower("name"))


def tag_uses(tag_ids: Iterable[int]) -> dict[int, int]:
    """{tag id: works tagged with it directly (archive-wide, any state)}."""
    from fanworks.works.models import WorkTag

    return dict(
        WorkTag.objects.filter(tag_id__in=list(tag_ids))
        .values("tag_id")
        .annotate(n=Count("pk"))
        .values_list("tag_id", "n")
    )


def bin_counts(fandom: Tag) -> dict[str, int]:
    """{tag type: unwrangled tags of that type} in one fandom."""
    return dict(
        fandom_tags(fandom, include_linked=False)
        .filter(unwrangled_q())
        .values("type")
        .annotate(n=Count("pk"))
        .values_list("type", "n")
    )


def unwrangled_counts_by_fandom(fandom_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """{fandom id: {tag type: unwrangled tags}} for a page of fandoms, in two queries (one per
    fandom while a re-filter job makes the filter table unreliable).

    The uses of unwrangled tags on the fandoms' works are matched up in Python: one grouped
    join made SQLite probe every fandom for every use (~6 s at 20,000 works).
    """
    from fanworks.tags.filters import filters_settling
    from fanworks.tags.models import WRANGLED_IN_FANDOM_TYPES, WorkFilter
    from fanworks.works.models import WorkTag

    ids = list(fandom_ids)
    if not ids:
        return {}
    if filters_settling():
        return {fandom.pk: bin_counts(fandom) for fandom in Tag.objects.filter(pk__in=ids)}
    in_fandoms = WorkFilter.objects.filter(tag_id__in=ids)
    fandoms_of_work: dict[int, list[int]] = {}
    for work_id, fandom_id in in_fandoms.values_list("work_id", "tag_id"):
        fandoms_of_work.setdefault(work_id, []).append(fandom_id)
    unwrangled = Tag.objects.filter(unwrangled_q(), type__in=WRANGLED_IN_FANDOM_TYPES)
    # Filtering these by the fandoms' works in SQL made SQLite probe per row (seconds).
    uses = WorkTag.objects.filter(tag_id__in=unwrangled.values("pk")).values_list(
        "work_id", "tag_id", "tag__type"
    )
    found: dict[tuple[int, str], set[int]] = {}
    for work_id, tag_id, tag_type in uses.iterator(chunk_size=5000):
        for fandom_id in fandoms_of_work.get(work_id, ()):
            found.setdefault((fandom_id, tag_type), set()).add(tag_id)
    result: dict[int, dict[str, int]] = {pk: {} for pk in ids}
    for (fandom_id, tag_type), tag_ids in found.items():
        result[fandom_id][tag_type] = len(tag_ids)
    return result


def wrangler_fandoms(user: Any, *, all_canonical: bool) -> QuerySet[Tag]:
    """The fandoms on a wrangler's home page: every canonical fandom (admins) or the user's
    assigned ones."""
    fandoms = Tag.objects.filter(type=TagType.FANDOM)
    if all_canonical:
        return fandoms.filter(canonical=True).order_by(Lower("name"))
    return fandoms.filter(wrangler_assignments__user=user).order_by(Lower("name"))


def wranglers_of(fandom_ids: Iterable[int]) -> dict[int, list[str]]:
    """{fandom id: usernames of its wranglers}."""
    from fanworks.tags.models import WranglerAssignment

    result: dict[int, list[str]] = {}
    for fandom_id, username in (
        WranglerAssignment.objects.filter(fandom_id__in=list(fandom_ids))
        .order_by("user__username")
        .values_list("fandom_id", "user__username")
    ):
        result.setdefault(fandom_id, []).append(username)
    return result


# Relationship spellings ------------------------------------------------------------------------

POSSIBLE_SYNONYM_SCAN = 2000


def possible_synonyms(tag: Tag) -> list[Tag]:
    """Other relationship tags that name the same people the same way ("Hux/Kylo Ren" for
    "Kylo Ren/Hux"; see relationships.relationship_key), except tags already in the same
    synonym group. `synonym_of` is loaded.

    To stay fast over hundreds of thousands of tags, only relationship tags that contain the
    longest word of the names are compared (one indexed lookup in the TagWord table, which
    every tag with the same key must match), at most POSSIBLE_SYNONYM_SCAN of them.
    """
    from fanworks.tags.relationships import relationship_key
    from fanworks.tags.search import words

    if tag.type != TagType.RELATIONSHIP:
        return []
    key = relationship_key(tag.name)
    if key is None:
        return []
    probe = max((word for name in key[1] for word in words(name)), key=len, default="")
    if not probe:
        return []
    group = tag.pk if tag.canonical else tag.synonym_of_id
    candidates = (
        Tag.objects.filter(type=TagType.RELATIONSHIP, words__word=probe)
        .exclude(pk=tag.pk)
        .select_related("synonym_of")
        .order_by(Lower("name"))[:POSSIBLE_SYNONYM_SCAN]
    )
    found = []
    for candidate in candidates:
        if relationship_key(candidate.name) != key:
            continue
        candidate_group = candidate.pk if candidate.canonical else candidate.synonym_of_id
        if group is not None and candidate_group == group:
            continue
        found.append(candidate)
    return found


# Wrangling log ---------------------------------------------------------------------------------


def wrangling_log(*, tag_name: str = "", wrangler: str = "") -> QuerySet["WranglingLogEntry"]:
    """Log entries, newest first, optionally only for tags whose name contains `tag_name` and
    for the wrangler called `wrangler`."""
    from fanworks.tags.models import WranglingLogEntry

    entries = WranglingLogEntry.objects.select_related("tag").order_by("-created_at", "-pk")
    if tag_name.strip():
        entries = entries.filter(tag_name__icontains=tag_name.strip())
    if wrangler.strip():
        entries = entries.filter(actor_name__iexact=wrangler.strip())
    return entries
