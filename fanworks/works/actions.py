"""Every write to works and chapters.

Each action is one transaction: a work, its chapters and its tags change together or not at
all. Edits carry the version the author started from; if the row moved on meanwhile the action
raises `StaleEdit` and changes nothing, so no one's words are silently overwritten.
"""

import uuid
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from fanworks.accounts.models import Pseud, User
from fanworks.analysis.text.wordcount import count_words_in_html
from fanworks.core.sanitize import SANITIZER_VERSION, NestingTooDeep, sanitize_html
from fanworks.downloads.storage import work_files_remove_after_commit
from fanworks.engagement.notifications import announce_chapter, announce_work
from fanworks.search.outbox import record_work_changes
from fanworks.tags.actions import closed_tags, tags_find_or_create
from fanworks.tags.filters import refilter_works
from fanworks.tags.models import CATEGORIES, RATINGS, WARNINGS, Tag, TagType
from fanworks.works.cocreator_actions import invitations_send
from fanworks.works.cocreator_models import ChapterCreatorship
from fanworks.works.gift_actions import gifts_announce, gifts_set
from fanworks.works.models import (
    MAX_CHAPTER_LENGTH,
    MAX_NOTES_LENGTH,
    MAX_SUMMARY_LENGTH,
    MAX_TITLE_LENGTH,
    MAX_USER_DEFINED_TAGS,
    MIN_CHAPTER_LENGTH,
    Chapter,
    CommentPermission,
    Creatorship,
    Work,
    WorkTag,
    sortable_name,
    sortable_title,
)
from fanworks.works.related_actions import (
    ParentData,
    announce_related_parents,
    work_related_apply,
)
from fanworks.works.series_actions import (
    announce_series_parts,
    series_close_gaps,
    series_ids_of_work,
    series_title_problem,
    work_series_apply,
)


class StaleEdit(Exception):
    """The row changed since the author loaded the form; `current` is what is saved now."""

    def __init__(self, current: Work | Chapter) -> None:
        super().__init__(f"{type(current).__name__} {current.pk} changed since it was loaded")
        self.current = current


@dataclass
class WorkData:
    """A work's metadata as validated by a form or the API."""

    title: str
    rating: str
    warnings: list[str]
    fandoms: list[str]
    language: str
    pseud_ids: list[int]
    categories: list[str] = field(default_factory=list)
    relationships: list[str] = field(default_factory=list)
    characters: list[str] = field(default_factory=list)
    freeforms: list[str] = field(default_factory=list)
    summary: str = ""
    notes: str = ""
    endnotes: str = ""
    restricted: bool = False
    comment_permission: str = CommentPermission.REGISTERED
    moderate_comments: bool = False
    expected_chapters: int | None = None
    # "Add to series": one of the user's series, or a new one by title; and series to leave.
    series_id: int | None = None
    new_series_title: str = ""
    remove_series_ids: list[int] = field(default_factory=list)
    # "Gift this work to": names (works.gift_actions); None leaves the gifts as they are.
    gift_recipients: list[str] | None = None
    # "Parent works" (works.related_actions): parents to add, and parent links to remove.
    parents: list[ParentData] = field(default_factory=list)
    remove_related_ids: list[int] = field(default_factory=list)
    # Other users' pseuds to invite as co-creators, by name (works.cocreator_actions).
    invite_cocreators: list[str] = field(default_factory=list)


@dataclass
class ChapterData:
    content: str
    title: str = ""
    summary: str = ""
    notes: str = ""
    endnotes: str = ""
    invite_cocreators: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Validation shared by every way in (forms, API, importers)


def _length_problem(label: str, value: str, maximum: int) -> str | None:
    if len(value) > maximum:
        return f"{label} must be at most {maximum:,} characters (it is {len(value):,})."
    return None


def validate_work_data(data: WorkData) -> None:
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str | None) -> None:
        if message:
            errors.setdefault(name, []).append(message)

    if not data.title.strip():
        add("title", "Please enter a title.")
    add("title", _length_problem("The title", data.title, MAX_TITLE_LENGTH))
    add("summary", _length_problem("The summary", data.summary, MAX_SUMMARY_LENGTH))
    add("notes", _length_problem("Notes", data.notes, MAX_NOTES_LENGTH))
    add("endnotes", _length_problem("End notes", data.endnotes, MAX_NOTES_LENGTH))
    if data.rating not in RATINGS:
        add("rating", "Please choose a rating.")
    if not data.warnings:
        add("warnings", "Please choose at least one archive warning.")
    elif any(w not in WARNINGS for w in data.warnings):
        add("warnings", "Please choose archive warnings from the list.")
    if any(c not in CATEGORIES for c in data.categories):
        add("categories", "Please choose categories from the list.")
    if not data.fandoms:
        add("fandoms", "Please add at least one fandom.")
    if not data.pseud_ids:
        add("pseud_ids", "Please choose at least one of your pseuds to credit.")
    if data.new_series_title.strip():
        add("new_series_title", series_title_problem(data.new_series_title))
    if data.expected_chapters is not None and data.expected_chapters < 1:
        add("expected_chapters", "The expected number of chapters must be at least 1, or ?.")
    user_defined = (
        len(data.fandoms) + len(data.relationships) + len(data.characters) + len(data.freeforms)
    )
    if user_defined > MAX_USER_DEFINED_TAGS:
        add(
            "freeforms",
            f"Works can have at most {MAX_USER_DEFINED_TAGS} fandom, relationship, character "
            f"and additional tags together; this one has {user_defined}.",
        )
    for name in ("summary", "notes", "endnotes"):
        _check_nesting(getattr(data, name), name, errors)
    if errors:
        raise ValidationError(errors)


def validate_chapter_data(data: ChapterData) -> None:
    errors: dict[str, list[str]] = {}
    text_length = len(data.content.strip())
    if text_length < MIN_CHAPTER_LENGTH:
        errors["content"] = [
            f"The chapter text must be at least {MIN_CHAPTER_LENGTH} characters long."
        ]
    elif len(data.content) > MAX_CHAPTER_LENGTH:
        errors["content"] = [
            f"The chapter text must be at most {MAX_CHAPTER_LENGTH:,} characters "
            f"(it is {len(data.content):,})."
        ]
    for name, label, maximum in (
        ("title", "The chapter title", MAX_TITLE_LENGTH),
        ("summary", "The chapter summary", MAX_SUMMARY_LENGTH),
        ("notes", "Chapter notes", MAX_NOTES_LENGTH),
        ("endnotes", "Chapter end notes", MAX_NOTES_LENGTH),
    ):
        problem = _length_problem(label, getattr(data, name), maximum)
        if problem:
            errors.setdefault(name, []).append(problem)
    for name in ("content", "summary", "notes", "endnotes"):
        if name not in errors:
            _check_nesting(getattr(data, name), name, errors)
    if errors:
        raise ValidationError(errors)


def _check_nesting(raw: str, name: str, errors: dict[str, list[str]]) -> None:
    try:
        sanitize_html(raw)
    except NestingTooDeep as problem:
        errors.setdefault(name, []).append(str(problem))


# ---------------------------------------------------------------------------------------------
# Helpers that write


def _apply_work_fields(work: Work, data: WorkData) -> None:
    work.title = data.title.strip()
    work.title_sort_key = sortable_title(work.title)
    work.language = data.language
    work.restricted = data.restricted
    work.comment_permission = data.comment_permission
    work.moderate_comments = data.moderate_comments
    work.expected_chapters = data.expected_chapters
    for name in ("summary", "notes", "endnotes"):
        raw = getattr(data, name)
        setattr(work, name, raw)
        setattr(work, f"{name}_html", sanitize_html(raw).html if raw.strip() else "")
    work.sanitizer_version = SANITIZER_VERSION


def _apply_chapter_fields(chapter: Chapter, data: ChapterData) -> None:
    chapter.title = data.title.strip()
    for name in ("summary", "notes", "endnotes", "content"):
        raw = getattr(data, name)
        setattr(chapter, name, raw)
        setattr(chapter, f"{name}_html", sanitize_html(raw).html if raw.strip() else "")
    chapter.sanitizer_version = SANITIZER_VERSION
    chapter.word_count = count_words_in_html(chapter.content_html)


def _resolve_tags(data: WorkData) -> list[Tag]:
    """All tags for the work; collects every field's problems before raising."""
    errors: dict[str, list[str]] = {}
    tags: list[Tag] = []
    tags.extend(closed_tags(tag_type=TagType.RATING, names=[data.rating]))
    tags.extend(closed_tags(tag_type=TagType.WARNING, names=data.warnings))
    tags.extend(closed_tags(tag_type=TagType.CATEGORY, names=data.categories))
    for field_name, tag_type, names in (
        ("fandoms", TagType.FANDOM, data.fandoms),
        ("relationships", TagType.RELATIONSHIP, data.relationships),
        ("characters", TagType.CHARACTER, data.characters),
        ("freeforms", TagType.FREEFORM, data.freeforms),
    ):
        try:
            tags.extend(tags_find_or_create(names=names, tag_type=tag_type))
        except ValidationError as problem:
            errors[field_name] = problem.messages
    if errors:
        raise ValidationError(errors)
    return tags


def _set_tags(work: Work, tags: list[Tag]) -> None:
    wanted = {tag.pk for tag in tags}
    current = set(work.work_tags.values_list("tag_id", flat=True))
    WorkTag.objects.filter(work=work, tag_id__in=current - wanted).delete()
    WorkTag.objects.bulk_create([WorkTag(work=work, tag_id=pk) for pk in wanted - current])
    refilter_works([work.pk])


def _set_creators(work: Work, user: User, pseud_ids: list[int]) -> None:
    """Credit the chosen pseuds, all of which must belong to `user`."""
    pseuds = list(Pseud.objects.filter(pk__in=pseud_ids, user=user))
    if len(pseuds) != len(set(pseud_ids)):
        raise ValidationError({"pseud_ids": ["You can only credit your own pseuds."]})
    # Co-creators of other users are kept; only this user's pseuds are replaced.
    Creatorship.objects.filter(work=work, pseud__user=user).exclude(pseud__in=pseuds).delete()
    ChapterCreatorship.objects.filter(chapter__work=work, pseud__user=user).exclude(
        pseud__in=pseuds
    ).delete()  # and off its chapters (works.cocreator_models)
    existing = set(work.creatorships.values_list("pseud_id", flat=True))
    order = {pk: index for index, pk in enumerate(pseud_ids)}
    Creatorship.objects.bulk_create(
        [
            Creatorship(work=work, pseud=pseud, position=order[pseud.pk])
            for pseud in pseuds
            if pseud.pk not in existing
        ]
    )
    # Kept on the instance too, so a later full save() does not write back a stale key.
    work.creator_sort_key = work_sort_keys_refresh(work_ids=[work.pk])[work.pk]


def _apply_series(user: User, work: Work, data: WorkData) -> None:
    """The form's "Add to series" and "remove from series" choices (works.series_actions)."""
    work_series_apply(
        user=user,
        work=work,
        series_id=data.series_id,
        new_series_title=data.new_series_title,
        remove_series_ids=data.remove_series_ids,
    )


def _apply_gifts(work: Work, data: WorkData) -> None:
    """The form's "Gift this work to" (works.gift_actions), after the creators are set."""
    if data.gift_recipients is not None:
        gifts_set(work=work, names=data.gift_recipients)


def _apply_related(user: User, work: Work, data: WorkData) -> None:
    """The form's parent works to add and to remove (works.related_actions)."""
    work_related_apply(
        user=user, work=work, parents=data.parents, remove_link_ids=data.remove_related_ids
    )


def work_sort_keys_refresh(*, work_ids: list[int]) -> dict[int, str]:
    """Recompute the creator sort key of these works from their first creator's pseud.

    Call it (and record the works in the search outbox) whenever a pseud is renamed or a
    work's creators change, so title and creator sorts agree between the database and the index.
    """
    first: dict[int, str] = {}
    for work_id, name in (
        Creatorship.objects.filter(work_id__in=work_ids)
        .order_by("work_id", "position", "pk")
        .values_list("work_id", "pseud__name")
    ):
        first.setdefault(work_id, sortable_name(name))
    keys = {work_id: first.get(work_id, "") for work_id in work_ids}
    # One statement per distinct key: a pseud's rename touches all its works at once.
    by_key: dict[str, list[int]] = {}
    for work_id, key in keys.items():
        by_key.setdefault(key, []).append(work_id)
    for key, ids in by_key.items():
        for start in range(0, len(ids), 500):
            Work.objects.filter(pk__in=ids[start : start + 500]).exclude(
                creator_sort_key=key
            ).update(creator_sort_key=key)
    return keys


def _refresh_counts(work: Work) -> None:
    posted = work.chapters.filter(posted=True)
    work.posted_chapter_count = posted.count()
    counted = posted if work.posted else work.chapters.all()
    work.word_count = counted.aggregate(total=Sum("word_count"))["total"] or 0


# ---------------------------------------------------------------------------------------------
# Works


def work_create(
    *,
    user: User,
    data: WorkData,
    chapter: ChapterData,
    post: bool,
    creation_key: uuid.UUID | None = None,
) -> Work:
    """Create a work with its first chapter, as a draft or posted.

    With a `creation_key`, submitting the same form twice returns the work the first
    submission created instead of making another.
    """
    if creation_key is not None:
        existing = Work.objects.filter(creation_key=creation_key).first()
        if existing is not None:
            return existing
    validate_work_data(data)
    validate_chapter_data(chapter)
    try:
        with transaction.atomic():
            tags = _resolve_tags(data)
            now = timezone.now()
            work = Work(creation_key=creation_key, posted=post)
            _apply_work_fields(work, data)
            if post:
                work.first_posted_at = now
                work.revised_at = now
            work.save()
            _set_creators(work, user, data.pseud_ids)
            _set_tags(work, tags)
            first = Chapter(work=work, position=1, posted=post, published_at=now if post else None)
            _apply_chapter_fields(first, chapter)
            first.save()
            _refresh_counts(work)
            work.save(update_fields=["posted_chapter_count", "word_count"])
            _apply_series(user, work, data)
            _apply_gifts(work, data)
            _apply_related(user, work, data)
            invitations_send(inviter=user, names=data.invite_cocreators, target=work)
            record_work_changes([work.pk])
            if post:
                announce_work(work=work)  # subscribers of its creators hear after commit
    except IntegrityError:
        # A concurrent submit with the same key won the race; hand back its work.
        if creation_key is not None:
            existing = Work.objects.filter(creation_key=creation_key).first()
            if existing is not None:
                return existing
        raise
    return work


def work_update(*, user: User, work: Work, data: WorkData, expected_version: int) -> Work:
    """Change a work's metadata; raises StaleEdit if it changed since `expected_version`."""
    validate_work_data(data)
    with transaction.atomic():
        locked = Work.objects.select_for_update().get(pk=work.pk)
        if locked.version != expected_version:
            raise StaleEdit(locked)
        tags = _resolve_tags(data)
        _apply_work_fields(locked, data)
        locked.version += 1
        _refresh_counts(locked)
        locked.save()
        _set_creators(locked, user, data.pseud_ids)
        _set_tags(locked, tags)
        _apply_series(user, locked, data)
        _apply_gifts(locked, data)
        _apply_related(user, locked, data)
        invitations_send(inviter=user, names=data.invite_cocreators, target=locked)
        record_work_changes([locked.pk])
    return locked


def work_post(*, work: Work) -> Work:
    """Publish a draft work and its draft chapters."""
    with transaction.atomic():
        locked = Work.objects.select_for_update().get(pk=work.pk)
        if locked.posted:
            return locked
        now = timezone.now()
        locked.chapters.filter(posted=False).update(posted=True, published_at=now)
        locked.posted = True
        locked.first_posted_at = now
        locked.revised_at = now
        locked.version += 1
        _refresh_counts(locked)
        locked.save()
        record_work_changes([locked.pk])
        announce_work(work=locked)  # a draft counts as new when it is posted
        announce_series_parts(work=locked)  # and as new in each series it was added to
        gifts_announce(work=locked)  # its recipients hear now, not when it was a draft
        announce_related_parents(work=locked)  # its parents' creators hear of it now
    return locked


def work_delete(*, work: Work) -> None:
    with transaction.atomic():
        # The search index drops works the outbox names but the database no longer has.
        record_work_changes([work.pk])
        in_series = series_ids_of_work(work_id=work.pk)
        Work.objects.filter(pk=work.pk).delete()
        series_close_gaps(series_ids=in_series)  # its series number their parts 1..n again
        # Its built download files must not outlive it (kept if this transaction rolls back).
        work_files_remove_after_commit(work_ids=[work.pk])


# ---------------------------------------------------------------------------------------------
# Chapters


def chapter_create(
    *,
    work: Work,
    data: ChapterData,
    post: bool,
    creation_key: uuid.UUID | None = None,
    user: User | None = None,
) -> Chapter:
    """Add a chapter at the end of a work, as a draft or posted."""
    if creation_key is not None:
        existing = Chapter.objects.filter(creation_key=creation_key).first()
        if existing is not None:
            return existing
    validate_chapter_data(data)
    try:
        with transaction.atomic():
            locked = Work.objects.select_for_update().get(pk=work.pk)
            last = locked.chapters.order_by("-position").values_list("position", flat=True)
            position = (last.first() or 0) + 1
            now = timezone.now()
            # A chapter of a draft work is posted together with the work.
            posted = post and locked.posted
            chapter = Chapter(
                work=locked,
                position=position,
                posted=posted,
                published_at=now if posted else None,
                creation_key=creation_key,
            )
            _apply_chapter_fields(chapter, data)
            chapter.save()
            if user is not None:  # `user` invites the co-creators the form named
                invitations_send(inviter=user, names=data.invite_cocreators, target=chapter)
            if posted:
                locked.revised_at = now
            locked.version += 1
            _refresh_counts(locked)
            locked.save()
            record_work_changes([locked.pk])
            if posted:
                announce_chapter(chapter=chapter)  # the work's subscribers hear after commit
    except IntegrityError:
        if creation_key is not None:
            existing = Chapter.objects.filter(creation_key=creation_key).first()
            if existing is not None:
                return existing
        raise
    return chapter


def chapter_update(
    *, chapter: Chapter, data: ChapterData, expected_version: int, user: User | None = None
) -> Chapter:
    """Change a chapter; raises StaleEdit if it changed since `expected_version`."""
    validate_chapter_data(data)
    with transaction.atomic():
        locked = Chapter.objects.select_for_update().get(pk=chapter.pk)
        if locked.version != expected_version:
            raise StaleEdit(locked)
        content_changed = locked.content != data.content
        _apply_chapter_fields(locked, data)
        locked.version += 1
        locked.save()
        if user is not None:
            invitations_send(inviter=user, names=data.invite_cocreators, target=locked)
        work = Work.objects.select_for_update().get(pk=locked.work_id)
        if content_changed and locked.posted and work.posted:
            work.revised_at = timezone.now()
        _refresh_counts(work)
        work.save()
        record_work_changes([work.pk])
    return locked


def chapter_post(*, chapter: Chapter) -> Chapter:
    """Publish a draft chapter of a posted work."""
    with transaction.atomic():
        locked = Chapter.objects.select_for_update().get(pk=chapter.pk)
        work = Work.objects.select_for_update().get(pk=locked.work_id)
        if locked.posted or not work.posted:
            return locked
        now = timezone.now()
        locked.posted = True
        locked.published_at = now
        locked.version += 1
        locked.save()
        work.revised_at = now
        work.version += 1
        _refresh_counts(work)
        work.save()
        record_work_changes([work.pk])
        announce_chapter(chapter=locked)
    return locked


def chapter_delete(*, chapter: Chapter) -> Work:
    """Delete a chapter and close the gap in the numbering. A work keeps at least one chapter."""
    with transaction.atomic():
        work = Work.objects.select_for_update().get(pk=chapter.work_id)
        if work.chapters.count() <= 1:
            raise ValidationError(
                "A work needs at least one chapter. Delete the whole work instead."
            )
        Chapter.objects.filter(pk=chapter.pk).delete()
        _renumber(work, list(work.chapters.order_by("position").values_list("pk", flat=True)))
        work.version += 1
        _refresh_counts(work)
        # The chapter's comments went with it (engagement.Comment; "approved" = CommentState).
        work.comment_count = work.comments.filter(state="approved", deleted=False).count()
        work.save()
        record_work_changes([work.pk])
    return work


def chapters_reorder(*, work: Work, ordered_ids: list[int]) -> Work:
    """Put the work's chapters in the given order (every chapter exactly once)."""
    with transaction.atomic():
        locked = Work.objects.select_for_update().get(pk=work.pk)
        current = set(locked.chapters.values_list("pk", flat=True))
        if len(ordered_ids) != len(current) or set(ordered_ids) != current:
            raise ValidationError("Please give every chapter of the work exactly one position.")
        _renumber(locked, ordered_ids)
        locked.version += 1
        locked.save(update_fields=["version", "updated_at"])
        record_work_changes([locked.pk])
    return locked


def _renumber(work: Work, ordered_ids: list[int]) -> None:
    # Positions are unique per work, so move everything out of the way first.
    offset = 1_000_000
    chapters = {c.pk: c for c in work.chapters.all()}
    for chapter in chapters.values():
        chapter.position += offset
    Chapter.objects.bulk_update(chapters.values(), ["position"])
    for index, pk in enumerate(ordered_ids, start=1):
        chapters[pk].position = index
    Chapter.objects.bulk_update([chapters[pk] for pk in ordered_ids], ["position"])
