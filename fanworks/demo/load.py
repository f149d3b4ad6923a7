"""Write the demo archive to the database.

The work actions are the right way in for people; for a hundred thousand invented works they
are too slow, so this module writes the same rows directly: bulk inserts, one transaction per
batch, tag ids looked up once. It keeps the invariants the actions keep (sanitised twins of
every rich-text field, word counts from the sanitised HTML, a work's word count and posted
chapter count from its chapters, dates that only move forward) and the tests check them.

Demo rows are recognisable: users by their e-mail domain, works by a creation key derived from
(seed, index). A second run with the same seed skips every work that exists and creates only
the missing ones, so it never duplicates anything and `--works` can grow an archive.
"""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from fanworks.accounts.actions import user_create
from fanworks.accounts.models import Pseud, User
from fanworks.core.sanitize import SANITIZER_VERSION
from fanworks.demo.bookmarks import write_demo_bookmarks, write_demo_series_bookmarks
from fanworks.demo.cocreators import fill_series_cocreators, fill_work_cocreators
from fanworks.demo.comments import write_demo_comments
from fanworks.demo.engagement import hit_day_rows, kudos_rows, plan_engagement
from fanworks.demo.gifts import fill_gifts, fill_orphans
from fanworks.demo.plan import DEMO_CREATOR, WorkPlan, plan_work
from fanworks.demo.related import fill_related
from fanworks.demo.rows import RowWriter
from fanworks.demo.series import fill_series
from fanworks.demo.subscriptions import fill_subscriptions
from fanworks.demo.world import (
    DEMO_EMAIL_DOMAIN,
    DEMO_USERNAME,
    TagSpec,
    World,
    user_pool_size,
    work_key,
)
from fanworks.engagement.models import HitDay, Kudos
from fanworks.search.models import SearchOutbox
from fanworks.tags.actions import closed_tags, index_tag_words
from fanworks.tags.filters import crossover_work_ids
from fanworks.tags.models import (
    CATEGORIES,
    CLOSED_TYPES,
    RATINGS,
    WARNINGS,
    MetaTagging,
    ParentLink,
    Tag,
    TagType,
    WorkFilter,
)
from fanworks.tags.search import fold
from fanworks.works.actions import work_sort_keys_refresh
from fanworks.works.models import Chapter, Creatorship, Work, WorkTag, sortable_title

DEFAULT_PASSWORD = "fanworks-demo"  # noqa: S105 - printed for anyone to use; demo only
DEMO_EXTRA_PSEUD = "Midnight Scribbler"
USER_BATCH = 2000


@dataclass
class DemoResult:
    works_created: int = 0
    works_skipped: int = 0
    chapters_created: int = 0
    words_created: int = 0
    users_created: int = 0
    tags_created: int = 0
    seconds: float = 0.0
    demo_login: str = ""  # "created", "exists" or "taken" (someone else owns the name)


Progress = Callable[[str], None]


@contextmanager
def _relaxed_sync() -> Iterator[None]:
    """On SQLite, skip the fsync at every commit while bulk loading.

    WAL with synchronous=NORMAL cannot corrupt the database; a power cut could lose the last
    batches, and running the command again would simply make them again.
    """
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield  # (SQLite refuses to change it inside a transaction, e.g. in tests)
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        previous = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA synchronous=NORMAL")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA synchronous={previous:d}")


@contextmanager
def _dates_as_given(*model_classes: type[models.Model]) -> Iterator[None]:
    """Let bulk inserts keep the created/updated dates we set instead of "now"."""
    fields = [
        field
        for model in model_classes
        for field in model._meta.concrete_fields
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    ]
    saved = [(field, field.auto_now, field.auto_now_add) for field in fields]  # type: ignore[attr-defined]
    try:
        for field in fields:
            field.auto_now = field.auto_now_add = False  # type: ignore[attr-defined]
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add  # type: ignore[attr-defined]


def _is_demo_email(email: str) -> bool:
    return email.lower().endswith("@" + DEMO_EMAIL_DOMAIN)


# ---------------------------------------------------------------------------------------------
# Users


def _ensure_demo_login(password: str, joined: datetime, result: DemoResult) -> User | None:
    existing = User.objects.filter(username__iexact=DEMO_USERNAME).first()
    if existing is None:
        user = user_create(
            username=DEMO_USERNAME, email=f"{DEMO_USERNAME}@{DEMO_EMAIL_DOMAIN}", password=password
        )
        User.objects.filter(pk=user.pk).update(date_joined=joined)
        Pseud.objects.filter(user=user).update(created_at=joined)
        result.demo_login = "created"
        result.users_created += 1
    elif not _is_demo_email(existing.email):
        result.demo_login = "taken"
        return None
    else:
        user = existing
        result.demo_login = "exists"
        if not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
    if not user.pseuds.filter(name__iexact=DEMO_EXTRA_PSEUD).exists():
        Pseud.objects.create(
            user=user,
            name=DEMO_EXTRA_PSEUD,
            description="Where the demo account keeps its late-night drafts.",
        )
    return user


def _ensure_users(
    world: World, count: int, result: DemoResult
) -> tuple[dict[int, tuple[int, ...]], dict[int, datetime]]:
    """Create the first `count` demo users.

    Returns user index -> pseud ids (default first) and user index -> date joined.
    """
    marker = "@" + DEMO_EMAIL_DOMAIN
    ours = set(
        User.objects.filter(email__iendswith=marker)
        .annotate(lower=Lower("username"))
        .values_list("lower", flat=True)
    )
    taken = set(
        User.objects.exclude(email__iendswith=marker)
        .annotate(lower=Lower("username"))
        .values_list("lower", flat=True)
    )
    specs = world.user_specs(count, taken)
    missing = [spec for spec in specs if spec.username.lower() not in ours]
    unusable = make_password(None)
    for start in range(0, len(missing), USER_BATCH):
        chunk = missing[start : start + USER_BATCH]
        with transaction.atomic(), _dates_as_given(Pseud):
            users = User.objects.bulk_create(
                [
                    User(
                        username=spec.username,
                        email=f"{spec.username.lower()}@{DEMO_EMAIL_DOMAIN}",
                        password=unusable,
                        date_joined=spec.joined,
                    )
                    for spec in chunk
                ]
            )
            pseuds = []
            for user, spec in zip(users, chunk, strict=True):
                pseuds.append(
                    Pseud(user=user, name=spec.username, is_default=True, created_at=spec.joined)
                )
                for offset, (name, description) in enumerate(spec.extra_pseuds, start=1):
                    pseuds.append(
                        Pseud(
                            user=user,
                            name=name,
                            description=description,
                            created_at=spec.joined + timedelta(days=30 * offset),
                        )
                    )
            Pseud.objects.bulk_create(pseuds)
        result.users_created += len(chunk)
    ids = dict(
        User.objects.filter(email__iendswith=marker)
        .annotate(lower=Lower("username"))
        .values_list("lower", "id")
    )
    pseuds_by_user: dict[int, list[int]] = {}
    for user_id, pseud_id in (
        Pseud.objects.filter(user__email__iendswith=marker)
        .order_by("user_id", "-is_default", "id")
        .values_list("user_id", "id")
    ):
        pseuds_by_user.setdefault(user_id, []).append(pseud_id)
    by_index = {
        spec.index: tuple(pseuds_by_user[ids[spec.username.lower()]])
        for spec in specs
        if spec.username.lower() in ids
    }
    return by_index, {spec.index: spec.joined for spec in specs}


# ---------------------------------------------------------------------------------------------
# Tags


class TagIndex:
    """What the loader knows of the tag graph, creating demo tags the first time a work needs
    them (with the links wranglers would have made) and working out each work's filter rows.

    Loaded once from the database, so tags and wrangling that exist already are respected:
    an existing tag is used as it is and never relinked.
    """

    def __init__(self) -> None:
        self.by_name: dict[str, tuple[int, str]] = {}
        self.filter_of: dict[int, int] = {}  # tag id -> the canonical tag it filters as
        for pk, name, tag_type, canonical, synonym_of in Tag.objects.values_list(
            "id", "name", "type", "canonical", "synonym_of_id"
        ):
            self._remember(pk, name, tag_type, canonical, synonym_of)
        self.metatags: dict[int, set[int]] = {}
        for sub, meta in MetaTagging.objects.values_list("sub_tag_id", "meta_tag_id"):
            self.metatags.setdefault(sub, set()).add(meta)
        self.created = 0

    def _remember(
        self, pk: int, name: str, tag_type: str, canonical: bool, synonym_of: int | None
    ) -> None:
        self.by_name[name.lower()] = (pk, tag_type)
        if canonical:
            self.filter_of[pk] = pk
        elif synonym_of is not None:
            self.filter_of[pk] = synonym_of

    def closed_id(self, name: str) -> int:
        pk, tag_type = self.by_name[name.lower()]
        assert tag_type in CLOSED_TYPES
        return pk

    def id_for(self, spec: TagSpec) -> int | None:
        """The tag's id, or None when the name belongs to a tag of another type.

        A synonym that could not be made (its name is taken) stands in for its target, so the
        work keeps the tag it meant.
        """
        found = self.by_name.get(spec.name.lower())
        if found is None or found[1] != spec.type:
            return self.id_for(spec.synonym_of) if spec.synonym_of else None
        return found[0]

    def filter_rows(self, tag_ids: set[int]) -> dict[int, bool]:
        """{filter tag id: inherited?} for a work with these tags (as `tags.filters` does)."""
        direct = {self.filter_of[t] for t in tag_ids if t in self.filter_of}
        rows = dict.fromkeys(direct, False)
        stack = [meta for tag_id in direct for meta in self.metatags.get(tag_id, ())]
        while stack:
            meta = stack.pop()
            if meta not in rows:
                rows[meta] = True
                stack.extend(self.metatags.get(meta, ()))
        return rows

    def ensure(self, specs: list[TagSpec]) -> None:
        """Create the tags among `specs` (and those they point to) that do not exist yet."""
        missing: dict[str, TagSpec] = {}
        seen: set[int] = set()  # by identity: most specs are shared objects, and hashing
        todo = list(specs)  # nested frozen dataclasses again and again is slow
        while todo:
            spec = todo.pop()
            if id(spec) in seen:
                continue
            seen.add(id(spec))
            if spec.name.lower() not in self.by_name:
                missing.setdefault(spec.name.lower(), spec)
            todo.extend(spec.parents)
            todo.extend(spec.metatags)
            if spec.synonym_of:
                todo.append(spec.synonym_of)
        if not missing:
            return
        ordered = sorted(missing.values(), key=lambda spec: _TYPE_RANK[spec.type])
        new = self._create([spec for spec in ordered if not spec.synonym_of])
        new += self._create([spec for spec in ordered if spec.synonym_of])
        index_tag_words(new)
        ids = {tag.name.lower(): tag.pk for tag in new}
        links = []
        metas = []
        for spec in missing.values():
            child = ids.get(spec.name.lower())
            if child is None:
                continue
            for parent in spec.parents:
                parent_id = self.id_for(parent)
                if parent_id is not None:
                    links.append(ParentLink(parent_id=parent_id, child_id=child))
            for meta in spec.metatags:
                meta_id = self.id_for(meta)
                if meta_id is not None:
                    metas.append(MetaTagging(meta_tag_id=meta_id, sub_tag_id=child))
                    self.metatags.setdefault(child, set()).add(meta_id)
        ParentLink.objects.bulk_create(links, ignore_conflicts=True)
        MetaTagging.objects.bulk_create(metas, ignore_conflicts=True)

    def _create(self, specs: list[TagSpec]) -> list[Tag]:
        tags = []
        for spec in specs:
            target = None
            if spec.synonym_of:
                target = self.id_for(spec.synonym_of)
                if target is None or self.filter_of.get(target) != target:
                    continue  # a synonym needs a canonical tag to point at
            tags.append(
                Tag(
                    name=spec.name,
                    search_name=fold(spec.name),
                    type=spec.type,
                    canonical=spec.canonical,
                    synonym_of_id=target,
                )
            )
        created = Tag.objects.bulk_create(tags)
        for tag in created:
            self._remember(tag.pk, tag.name, tag.type, tag.canonical, tag.synonym_of_id)
        self.created += len(created)
        return created


# Parents before children, so links can be made in one pass.
_TYPE_RANK: dict[str, int] = {
    TagType.MEDIA: 0,
    TagType.FANDOM: 1,
    TagType.CHARACTER: 2,
    TagType.RELATIONSHIP: 3,
    TagType.FREEFORM: 4,
}


# ---------------------------------------------------------------------------------------------
# Works


_WORK_FIELDS = [
    "title", "summary", "summary_html", "notes", "notes_html", "endnotes", "endnotes_html",
    "sanitizer_version", "language", "restricted", "comment_permission", "expected_chapters",
    "posted", "hidden_by_admin", "first_posted_at", "revised_at", "created_at", "updated_at",
    "word_count", "posted_chapter_count", "version", "creation_key", "title_sort_key",
    "kudos_count", "hit_count",
]  # fmt: skip
_CHAPTER_FIELDS = [
    "work", "position", "title", "summary", "summary_html", "notes", "notes_html", "endnotes",
    "endnotes_html", "content", "content_html", "sanitizer_version", "word_count", "posted",
    "published_at", "created_at", "updated_at", "version",
]  # fmt: skip


def _write_batch(
    plans: list[WorkPlan],
    tags: TagIndex,
    pseuds: dict[int, tuple[int, ...]],
    user_ids: list[int],
) -> int:
    """Insert the planned works with everything that hangs off them; returns chapters made."""
    tags.ensure([spec for plan in plans for spec in plan.tags])
    engagement = {plan.key: plan_engagement(plan, len(user_ids)) for plan in plans}
    RowWriter(Work, _WORK_FIELDS).write(
        [
            [
                plan.title,
                plan.summary,
                plan.html["summary"],
                plan.notes,
                plan.html["notes"],
                plan.endnotes,
                plan.html["endnotes"],
                SANITIZER_VERSION,
                plan.language,
                plan.restricted,
                plan.comment_permission,
                plan.expected_chapters,
                plan.posted,
                False,
                plan.first_posted_at,
                plan.revised_at,
                plan.created_at,
                plan.updated_at,
                plan.word_count,
                plan.posted_chapter_count,
                1,
                plan.key,
                sortable_title(plan.title),
                engagement[plan.key].kudos,
                engagement[plan.key].hits,
            ]
            for plan in plans
        ]
    )
    work_ids = dict(
        Work.objects.filter(creation_key__in=[plan.key for plan in plans]).values_list(
            "creation_key", "id"
        )
    )
    creatorships: list[list[Any]] = []
    work_tags: list[list[Any]] = []
    work_filters: list[list[Any]] = []
    filters_by_work: dict[int, dict[int, bool]] = {}
    chapters: list[list[Any]] = []
    for plan in plans:
        work_id = work_ids[plan.key]
        credited: list[int] = []
        for user_index, choice in plan.creators:
            available = pseuds.get(user_index) or pseuds[0]
            pseud_id = available[min(choice, len(available) - 1)]
            if pseud_id not in credited:
                credited.append(pseud_id)
        creatorships.extend(
            [work_id, pseud_id, position] for position, pseud_id in enumerate(credited)
        )
        tag_ids = {tags.closed_id(plan.rating)}
        tag_ids.update(tags.closed_id(name) for name in plan.warnings)
        tag_ids.update(tags.closed_id(name) for name in plan.categories)
        for spec in plan.tags:
            tag_id = tags.id_for(spec)
            if tag_id is not None:
                tag_ids.add(tag_id)
        work_tags.extend([work_id, tag_id] for tag_id in sorted(tag_ids))
        filters_by_work[work_id] = tags.filter_rows(tag_ids)
        work_filters.extend(
            [work_id, tag_id, inherited]
            for tag_id, inherited in sorted(filters_by_work[work_id].items())
        )
        chapters.extend(
            [
                work_id,
                chapter.position,
                chapter.title,
                chapter.summary,
                "",
                chapter.notes,
                chapter.notes_html,
                chapter.endnotes,
                "",
                chapter.content,
                chapter.content_html,
                SANITIZER_VERSION,
                chapter.word_count,
                chapter.posted,
                chapter.published_at,
                chapter.created_at,
                chapter.updated_at,
                1,
            ]
            for chapter in plan.chapters
        )
    RowWriter(Creatorship, ["work", "pseud", "position"]).write(creatorships)
    work_sort_keys_refresh(work_ids=list(work_ids.values()))
    RowWriter(WorkTag, ["work", "tag"]).write(work_tags)
    RowWriter(WorkFilter, ["work", "tag", "inherited"]).write(work_filters)
    Work.objects.filter(pk__in=crossover_work_ids(filters_by_work)).update(is_crossover=True)
    RowWriter(Chapter, _CHAPTER_FIELDS).write(chapters)
    now = timezone.now()
    RowWriter(Kudos, ["work", "user", "visitor_hash", "created_at"]).write(
        kudos_rows(plans, work_ids, engagement, user_ids, now)
    )
    RowWriter(HitDay, ["work", "day", "hits"]).write(hit_day_rows(plans, work_ids, engagement, now))
    write_demo_comments(plans, work_ids, pseuds, user_ids, now)

    write_demo_bookmarks(plans, work_ids, user_ids, now)
    # Like every write path, tell the search index which works changed.
    RowWriter(SearchOutbox, ["work_id", "created_at"]).write(
        [[work_id, timezone.now()] for work_id in work_ids.values()]
    )
    return len(chapters)


def run_demo(
    *,
    works: int,
    seed: int = 1,
    password: str = DEFAULT_PASSWORD,
    if_empty: bool = False,
    batch_size: int = 500,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> DemoResult | None:
    """Make sure demo works 0..works-1 for `seed` exist. Returns None when --if-empty skipped."""
    say = progress or (lambda message: None)
    if if_empty and Work.objects.exists():
        return None
    started = time.perf_counter()
    now = (now or timezone.now()).replace(second=0, microsecond=0)
    world = World(seed, now)
    result = DemoResult()

    demo_joined = now - timedelta(days=3 * 365)
    demo_user = _ensure_demo_login(password, demo_joined, result)
    user_count = user_pool_size(works)
    say(f"Users: making sure {user_count:,} demo users exist…")
    pseuds, joined = _ensure_users(world, user_count, result)
    if demo_user is not None:
        pseuds[DEMO_CREATOR] = tuple(
            demo_user.pseuds.order_by("-is_default", "id").values_list("id", flat=True)
        )
        joined[DEMO_CREATOR] = demo_joined
    else:
        joined[DEMO_CREATOR] = joined[0]
    for tag_type, names in (
        (TagType.RATING, RATINGS),
        (TagType.WARNING, WARNINGS),
        (TagType.CATEGORY, CATEGORIES),
    ):
        closed_tags(tag_type=tag_type, names=names)  # seeded by a migration, unless flushed
    tags = TagIndex()
    user_ids = _user_ids(pseuds, user_count)

    say(f"Works: making sure {works:,} demo works exist (seed {seed})…")
    with _relaxed_sync():
        _make_works(world, works, batch_size, tags, pseuds, user_ids, joined, result, started, say)
    result.tags_created = tags.created
    # Co-created works first: subscriptions and series are planned from who created what.
    shared = fill_work_cocreators(seed=seed, user_ids=user_ids, demo_user=demo_user)
    # Before subscriptions and series, which follow creators: a rerun then sees the same ones.
    say(f"Orphaned works: {fill_orphans(seed=seed):,} new.")
    say(f"Gifts: {fill_gifts(seed=seed):,} works newly given as gifts.")
    followed, notified = fill_subscriptions(seed=seed, user_ids=user_ids, now=now)
    say(f"Subscriptions: {followed:,} new, and {notified} inbox entries.")
    say(f"Series: {fill_series(seed=seed, now=now):,} new.")
    # Series co-creators before the series' bookmarks, which leave out their creators.
    shared = fill_series_cocreators(
        seed=seed, user_ids=user_ids, demo_user=demo_user, result=shared
    )
    series_bookmarks = write_demo_series_bookmarks(seed=seed, user_ids=user_ids, now=now)
    say(f"Series bookmarks: {series_bookmarks:,} new.")
    say(f"Related works: {fill_related(seed=seed, now=now):,} new links.")
    say(
        f"Co-creators: {shared.works:,} works ({shared.chapters:,} by chapter) and "
        f"{shared.series:,} series shared, {shared.pending:,} invitations pending."
    )
    result.seconds = time.perf_counter() - started
    return result


def _user_ids(pseuds: dict[int, tuple[int, ...]], user_count: int) -> list[int]:
    """The demo users' ids by their index in the pool (from each one's first pseud)."""
    first = {index: pseuds[index][0] for index in range(user_count) if pseuds.get(index)}
    owner = dict(Pseud.objects.filter(pk__in=first.values()).values_list("pk", "user_id"))
    return [owner[first[index]] for index in range(user_count) if index in first]


def _make_works(
    world: World,
    works: int,
    batch_size: int,
    tags: TagIndex,
    pseuds: dict[int, tuple[int, ...]],
    user_ids: list[int],
    joined: dict[int, datetime],
    result: DemoResult,
    started: float,
    say: Progress,
) -> None:
    seed = world.seed
    last_report = time.perf_counter()
    for start in range(0, works, batch_size):
        indexes = range(start, min(works, start + batch_size))
        keys = {work_key(seed, index): index for index in indexes}
        existing = set(
            Work.objects.filter(creation_key__in=list(keys)).values_list("creation_key", flat=True)
        )
        result.works_skipped += len(existing)
        todo = [index for key, index in keys.items() if key not in existing]
        if todo:
            plans = [plan_work(world, index, joined) for index in todo]
            with transaction.atomic():
                result.chapters_created += _write_batch(plans, tags, pseuds, user_ids)
            result.works_created += len(plans)
            result.words_created += sum(plan.word_count for plan in plans)
        done = indexes.stop
        if time.perf_counter() - last_report > 2 or done == works:
            elapsed = time.perf_counter() - started
            say(f"  {done:,}/{works:,} works ({result.works_created / elapsed:,.0f} new works/s)")
            last_report = time.perf_counter()
