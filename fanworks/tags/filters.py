"""The work→filter table: each work's canonical tags plus every metatag they inherit.

`filters_for_works` derives the rows from the tag graph; `refilter_works` rewrites them for some
works in one transaction. Wrangling actions call `refilter_affected`, which rewrites small sets at
once and hands large ones to a resumable background job, so a tag used by 100,000 works can be
re-wrangled without holding a transaction open for minutes.
"""

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet

from fanworks.core import jobs
from fanworks.core.models import Job
from fanworks.search.outbox import record_work_changes
from fanworks.tags.models import MetaTagging, Tag, TagType, WorkFilter

if TYPE_CHECKING:
    from fanworks.works.models import Work

REFILTER_JOB = "tags.refilter"
BATCH_SIZE = 1000


def canonical_ids(tag_ids: Iterable[int]) -> dict[int, int]:
    """Map each tag id to the canonical tag it filters as; tags with none are left out."""
    result: dict[int, int] = {}
    for pk, canonical, synonym_of in Tag.objects.filter(pk__in=list(tag_ids)).values_list(
        "pk", "canonical", "synonym_of_id"
    ):
        if canonical:
            result[pk] = pk
        elif synonym_of is not None:
            result[pk] = synonym_of
    return result


def ancestors(tag_ids: Iterable[int]) -> dict[int, set[int]]:
    """For each tag, every metatag above it (metatags of metatags included)."""
    start = set(tag_ids)
    parents: dict[int, set[int]] = {}
    frontier = set(start)
    seen: set[int] = set()
    while frontier:
        seen |= frontier
        for sub_id, meta_id in MetaTagging.objects.filter(sub_tag_id__in=frontier).values_list(
            "sub_tag_id", "meta_tag_id"
        ):
            parents.setdefault(sub_id, set()).add(meta_id)
        frontier = {m for ms in parents.values() for m in ms} - seen
    result: dict[int, set[int]] = {}
    for tag_id in start:
        found: set[int] = set()
        stack = list(parents.get(tag_id, ()))
        while stack:
            meta = stack.pop()
            if meta not in found:
                found.add(meta)
                stack.extend(parents.get(meta, ()))
        found.discard(tag_id)
        result[tag_id] = found
    return result


def filters_for_works(work_ids: Iterable[int]) -> dict[int, dict[int, bool]]:
    """{work id: {filter tag id: inherited?}} computed from scratch from the tag graph."""
    from fanworks.works.models import WorkTag

    ids = list(work_ids)
    tagged: dict[int, set[int]] = {pk: set() for pk in ids}
    for work_id, tag_id in WorkTag.objects.filter(work_id__in=ids).values_list("work_id", "tag_id"):
        tagged[work_id].add(tag_id)
    canonical = canonical_ids({t for tags in tagged.values() for t in tags})
    inherited_from = ancestors(set(canonical.values()))
    result: dict[int, dict[int, bool]] = {}
    for work_id, tags in tagged.items():
        rows: dict[int, bool] = {}
        direct = {canonical[t] for t in tags if t in canonical}
        for tag_id in direct:
            rows[tag_id] = False
        for tag_id in direct:
            for meta in inherited_from.get(tag_id, ()):
                rows.setdefault(meta, True)
        result[work_id] = rows
    return result


def crossover_work_ids(filters: dict[int, dict[int, bool]]) -> set[int]:
    """The works among `filters` ({work id: {filter id: inherited?}}) that are crossovers.

    As on AO3, a work is a crossover when two of its fandoms have no metatag in common (each
    fandom counting as its own metatag): "Avengers (Movies)" with "Marvel Cinematic Universe"
    above it is one franchise, not a crossover.
    """
    direct = {t for rows in filters.values() for t, inherited in rows.items() if not inherited}
    fandoms = set(
        Tag.objects.filter(pk__in=list(direct), type=TagType.FANDOM).values_list("pk", flat=True)
    )
    families = {f: metas | {f} for f, metas in ancestors(fandoms).items()}
    crossovers: set[int] = set()
    for work_id, rows in filters.items():
        own = [families[t] for t, inherited in rows.items() if not inherited and t in fandoms]
        if any(a.isdisjoint(b) for i, a in enumerate(own) for b in own[i + 1 :]):
            crossovers.add(work_id)
    return crossovers


def _store_crossovers(filters: dict[int, dict[int, bool]]) -> set[int]:
    """Bring `Work.is_crossover` up to date for these works; returns the works that changed."""
    from fanworks.works.models import Work

    crossovers = crossover_work_ids(filters)
    others = set(filters) - crossovers
    changed = set(
        Work.objects.filter(pk__in=crossovers, is_crossover=False).values_list("pk", flat=True)
    ) | set(Work.objects.filter(pk__in=others, is_crossover=True).values_list("pk", flat=True))
    if changed:
        Work.objects.filter(pk__in=changed & crossovers).update(is_crossover=True)
        Work.objects.filter(pk__in=changed & others).update(is_crossover=False)
    return changed


def refilter_works(work_ids: Iterable[int]) -> None:
    """Rewrite the filter rows of these works to match the tag graph now."""
    ids = list(work_ids)
    if not ids:
        return
    with transaction.atomic():
        wanted = filters_for_works(ids)
        current: dict[tuple[int, int], bool] = {
            (w, t): inh
            for w, t, inh in WorkFilter.objects.filter(work_id__in=ids).values_list(
                "work_id", "tag_id", "inherited"
            )
        }
        target = {(w, t): inh for w, rows in wanted.items() for t, inh in rows.items()}
        stale = [key for key, inh in current.items() if target.get(key) != inh]
        if stale:
            # Delete in slices: SQLite limits the number of parameters in one statement.
            for start in range(0, len(stale), 300):
                chunk = stale[start : start + 300]
                q = Q()
                for work_id, tag_id in chunk:
                    q |= Q(work_id=work_id, tag_id=tag_id)
                WorkFilter.objects.filter(q).delete()
        missing = [
            WorkFilter(work_id=w, tag_id=t, inherited=inh)
            for (w, t), inh in target.items()
            if current.get((w, t)) != inh
        ]
        WorkFilter.objects.bulk_create(missing, batch_size=2000)
        recrossed = _store_crossovers(wanted)
        record_work_changes({w for w, _ in stale} | {f.work_id for f in missing} | recrossed)


def works_to_refilter(tag_ids: Iterable[int]) -> "QuerySet[Work]":
    """Works whose filters may change when these tags change: tagged with them or filtered by
    them (which covers works that only inherit them as metatags)."""
    from fanworks.works.models import Work, WorkTag

    ids = list(tag_ids)
    tagged = WorkTag.objects.filter(tag_id__in=ids).values("work_id")
    filtered = WorkFilter.objects.filter(tag_id__in=ids).values("work_id")
    return Work.objects.filter(Q(pk__in=tagged) | Q(pk__in=filtered))


def refilter_affected(tag_ids: Iterable[int], *, reason: str) -> Job | None:
    """Bring the filter rows of every work touched by these tags up to date.

    Few works: done now, inside the caller's transaction. Many: a background job is queued
    (after the caller commits) and returned; until it finishes, `filters_settling()` is true and
    readers expand tags live from the graph instead of trusting the table.
    """
    ids = sorted(set(tag_ids))
    affected = works_to_refilter(ids)
    limit = settings.REFILTER_INLINE_LIMIT
    work_ids = list(affected.values_list("pk", flat=True)[: limit + 1])
    if len(work_ids) <= limit:
        refilter_works(work_ids)
        return None
    # The job must see the affected works as they are now, before the graph changes further:
    # remember the highest id; newer works are filtered correctly when they are posted.
    return jobs.enqueue(
        REFILTER_JOB,
        {
            "tag_ids": ids,
            "reason": reason,
            "max_work_id": max(affected.values_list("pk", flat=True)),
        },
        total=affected.count(),
    )


def filters_settling() -> bool:
    """True while a re-filter job is queued or running."""
    return Job.objects.filter(
        kind=REFILTER_JOB, status__in=[Job.Status.PENDING, Job.Status.RUNNING]
    ).exists()


@jobs.handler(REFILTER_JOB)
def run_refilter_job(job: Job) -> None:
    """Re-filter the job's works in id order, one committed batch at a time.

    The cursor (last work id done) is saved with each batch, so an interrupted job resumes
    where it stopped; rewriting a work twice is harmless because `refilter_works` converges.
    """
    tag_ids = job.payload["tag_ids"]
    max_work_id = job.payload["max_work_id"]
    while True:
        after = int(job.cursor.get("after", 0))
        batch = list(
            works_to_refilter(tag_ids)
            .filter(pk__gt=after, pk__lte=max_work_id)
            .order_by("pk")
            .values_list("pk", flat=True)[:BATCH_SIZE]
        )
        if not batch:
            return
        with transaction.atomic():
            refilter_works(batch)
            job.cursor = {"after": batch[-1]}
            job.done = min(job.total, job.done + len(batch)) if job.total else job.done
            jobs.save_progress(job)


def rebuild_all_filters(batch_size: int = BATCH_SIZE) -> int:
    """Recompute the whole table (used by the `refilter` command and tests). Returns works done."""
    from fanworks.works.models import Work

    done = 0
    after = 0
    while True:
        batch = list(
            Work.objects.filter(pk__gt=after)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not batch:
            return done
        refilter_works(batch)
        done += len(batch)
        after = batch[-1]
