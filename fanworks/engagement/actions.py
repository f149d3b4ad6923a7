"""Writes of kudos, hits, reading history, subscriptions, the inbox and bookmarks (comments
are in comment_actions)."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Count, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.encoding import iri_to_uri

from fanworks.accounts.models import Pseud, User
from fanworks.core.sanitize import (
    MAX_NESTING_DEPTH,
    SANITIZER_VERSION,
    nesting_depth,
    sanitize_html,
)
from fanworks.engagement.models import (
    MAX_BOOKMARK_NOTES_LENGTH,
    MAX_BOOKMARK_TAGS,
    MAX_EXTERNAL_SUMMARY_LENGTH,
    MAX_EXTERNAL_TEXT_LENGTH,
    MAX_EXTERNAL_URL_LENGTH,
    Bookmark,
    BookmarkTag,
    ExternalWork,
    HitDay,
    HitVisit,
    Kudos,
    Notification,
    Reading,
    Subscription,
)
from fanworks.search.outbox import record_bookmark_changes, record_work_changes
from fanworks.tags.actions import tags_find_or_create
from fanworks.tags.models import RATINGS, Tag, TagType
from fanworks.tags.search import fold
from fanworks.tags.validation import tag_name_problems, validate_tag_names
from fanworks.works.models import Series, Work


def kudos_leave(*, work: Work, user: User | None, visitor_hash: str = "") -> Kudos | None:
    """Leave kudos on `work` from `user`, or from the guest `visitor_hash` when there is no
    user. Returns the new kudos, or None when this reader had already left some.

    The unique constraints decide: of two requests racing, one inserts and the other gets an
    IntegrityError inside its savepoint and changes nothing. The work's kudos count moves in
    the same transaction and the search index hears of it through the outbox, so the kudos
    sort and range see it within seconds. The work's "updated" date does not move.
    """
    if user is None and not visitor_hash:
        raise ValueError("kudos need a user or a visitor hash")
    # The insert comes first in the transaction, so a refused one rolls back nothing else and
    # needs no savepoint of its own (the counter and outbox rows are written only after it).
    inserted = False
    try:
        with transaction.atomic():
            kudos = Kudos.objects.create(
                work=work, user=user, visitor_hash="" if user is not None else visitor_hash
            )
            inserted = True
            Work.objects.filter(pk=work.pk).update(kudos_count=F("kudos_count") + 1)
            record_work_changes([work.pk])
    except IntegrityError:
        if inserted:
            raise  # not the unique constraint on kudos: someone else's problem
        return None
    return kudos


# A visitor's hits on one work count once in this window (AO3: once per address per 24 hours).
HIT_WINDOW = timedelta(hours=24)


def hit_record(*, work: Work, visitor: str, now: datetime | None = None) -> bool:
    """Count a visit of `visitor` to `work` unless their last counted one is within HIT_WINDOW.
    Returns True when the hit counted.

    A repeat visit costs one read and no write, so reading stays cheap. Two first visits at
    once insert one row (the unique constraint) and count once; two late visits at once both
    match the conditional update but only one changes the row, and only that one counts.
    """
    now = now or timezone.now()
    last = (
        HitVisit.objects.filter(work=work, visitor=visitor)
        .values_list("last_counted_at", flat=True)
        .first()
    )
    if last is not None and now - last < HIT_WINDOW:
        return False
    with transaction.atomic():
        if last is None:
            try:
                with transaction.atomic():
                    HitVisit.objects.create(work=work, visitor=visitor, last_counted_at=now)
            except IntegrityError:
                return False
        else:
            moved = HitVisit.objects.filter(
                work=work, visitor=visitor, last_counted_at=last
            ).update(last_counted_at=now)
            if not moved:
                return False
        Work.objects.filter(pk=work.pk).update(hit_count=F("hit_count") + 1)
        _count_hit_day(work, now)
        record_work_changes([work.pk])
    return True


def _count_hit_day(work: Work, now: datetime) -> None:
    """One more hit in the work's row for today (UTC); the first hit of the day makes the row."""
    day = now.astimezone(UTC).date()
    if HitDay.objects.filter(work=work, day=day).update(hits=F("hits") + 1):
        return
    try:
        with transaction.atomic():
            HitDay.objects.create(work=work, day=day, hits=1)
    except IntegrityError:  # another request made today's row a moment ago
        HitDay.objects.filter(work=work, day=day).update(hits=F("hits") + 1)


# Visits within this long of the last one are the same visit (reloads, chapter to chapter), so
# reading a work costs a write at most this often.
READING_VISIT_GAP = timedelta(minutes=30)


def reading_record(*, user: User, work: Work, now: datetime | None = None) -> bool:
    """Note a visit of `user` to `work` in their history (not when their history is off), and
    return whether they marked the work for later: the work page shows that mark, and one read
    answers both."""
    now = now or timezone.now()
    last, marked = (
        Reading.objects.filter(user=user, work=work)
        .values_list("last_viewed_at", "marked_for_later")
        .first()
    ) or (None, False)
    if not user.history_enabled or (last is not None and now - last < READING_VISIT_GAP):
        return marked
    updated = Reading.objects.filter(user=user, work=work).update(
        last_viewed_at=now, view_count=F("view_count") + 1
    )
    if updated:
        return marked
    try:
        with transaction.atomic():
            Reading.objects.create(
                user=user, work=work, first_viewed_at=now, last_viewed_at=now, view_count=1
            )
    except IntegrityError:
        pass  # the same reader's other request made it a moment ago
    return marked


def reading_mark(*, user: User, work: Work, for_later: bool) -> Reading:
    """Mark `work` to read later (AO3's "Mark for Later"), or as read."""
    reading, _ = Reading.objects.get_or_create(user=user, work=work)
    if reading.marked_for_later != for_later:
        reading.marked_for_later = for_later
        reading.save(update_fields=["marked_for_later"])
    return reading


def reading_delete(*, user: User, work_id: int) -> int:
    """Remove one work from `user`'s history. Returns the rows removed (0 or 1)."""
    deleted, _ = Reading.objects.filter(user=user, work_id=work_id).delete()
    return deleted


def history_clear(*, user: User) -> int:
    """Forget `user`'s visits; works marked for later stay marked. Returns the visits removed."""
    cleared, _ = Reading.objects.filter(user=user, marked_for_later=False).delete()
    Reading.objects.filter(user=user).update(
        first_viewed_at=None, last_viewed_at=None, view_count=0
    )
    return cleared


def history_set_enabled(*, user: User, enabled: bool) -> User:
    """Turn `user`'s reading history on or off; turning it off also clears it."""
    user.history_enabled = enabled
    user.save(update_fields=["history_enabled"])
    if not enabled:
        history_clear(user=user)
    return user


# ---------------------------------------------------------------------------------------------
# Subscriptions and the inbox


def subscription_create(
    *,
    user: User,
    work: Work | None = None,
    target_user: User | None = None,
    series: Series | None = None,
) -> Subscription:
    """Subscribe `user` to a work (new chapters) or a user (new works); the caller has checked
    `subscribe_refusal`. Subscribing twice returns the first subscription: the unique
    constraints decide between two clicks at once."""
    if [work, target_user, series].count(None) != 2:
        raise ValueError("subscribe to exactly one of a work, a user or a series")
    target: dict[str, Work | User | Series | None]
    if series is not None:
        target = {"series": series}
    elif work is not None:
        target = {"work": work}
    else:
        target = {"target_user": target_user}
    existing = Subscription.objects.filter(user=user, **target).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Subscription.objects.create(user=user, **target)
    except IntegrityError:
        return Subscription.objects.get(user=user, **target)


def subscription_delete(*, user: User, subscription_id: int) -> bool:
    """Remove one of `user`'s subscriptions. False when they have none with that id."""
    deleted, _ = Subscription.objects.filter(user=user, pk=subscription_id).delete()
    return bool(deleted)


def notifications_mark(*, user: User, ids: list[int], read: bool) -> int:
    """Mark these notifications of `user` read or unread; other users' ids are ignored.
    Returns how many changed."""
    return (
        Notification.objects.filter(recipient=user, pk__in=ids).exclude(read=read).update(read=read)
    )


def notifications_delete(*, user: User, ids: list[int]) -> int:
    """Delete these notifications of `user` (never anyone else's). Returns how many."""
    deleted, _ = Notification.objects.filter(recipient=user, pk__in=ids).delete()
    return deleted


# ---------------------------------------------------------------------------------------------
# Bookmarks


@dataclass
class BookmarkData:
    """What a bookmark form or the API says about a bookmark."""

    notes: str = ""
    tag_names: list[str] = field(default_factory=list)
    rec: bool = False
    private: bool = False


@dataclass
class ExternalWorkData:
    url: str
    title: str
    creator: str
    summary: str = ""
    fandoms: str = ""
    rating: str = ""


def validate_bookmark_data(data: BookmarkData) -> None:
    """Raises ValidationError keyed by field ("notes", "tag_string") when the data won't do."""
    errors: dict[str, list[str]] = {}
    if len(data.notes) > MAX_BOOKMARK_NOTES_LENGTH:
        errors["notes"] = [
            f"Notes must be at most {MAX_BOOKMARK_NOTES_LENGTH:,} characters "
            f"(they are {len(data.notes):,})."
        ]
    elif nesting_depth(data.notes) > MAX_NESTING_DEPTH:
        errors["notes"] = [
            f"The notes' HTML is nested more than {MAX_NESTING_DEPTH} levels deep; "
            "please simplify it."
        ]
    if len(data.tag_names) > MAX_BOOKMARK_TAGS:
        errors["tag_string"] = [
            f"Bookmarks can have at most {MAX_BOOKMARK_TAGS} tags; this one has "
            f"{len(data.tag_names)}."
        ]
    else:
        problems = [problem for name in data.tag_names for problem in tag_name_problems(name)]
        if problems:
            errors["tag_string"] = problems
    if errors:
        raise ValidationError(errors)


def normalise_external_url(raw: str) -> str:
    """The address as stored: http(s) only, with a host, non-ASCII percent-encoded (so the
    unique index sees one spelling and one byte length). Raises ValidationError."""
    url = iri_to_uri(raw.strip())
    problem = "Please enter a web address starting with http:// or https://."
    if len(url) > MAX_EXTERNAL_URL_LENGTH:
        raise ValidationError(
            f"The address must be at most {MAX_EXTERNAL_URL_LENGTH:,} characters long."
        )
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ValidationError(problem) from None
    parts = urlsplit(url)
    # Scheme and host are case-insensitive: one spelling, so one row per work.
    return urlunsplit(parts._replace(scheme=parts.scheme.lower(), netloc=parts.netloc.lower()))


def validate_external_work_data(data: ExternalWorkData) -> str:
    """The normalised URL; raises ValidationError keyed by field."""
    errors: dict[str, list[str]] = {}
    url = ""
    try:
        url = normalise_external_url(data.url)
    except ValidationError as error:
        errors["url"] = error.messages
    for name, label in (("title", "a title"), ("creator", "the creator's name")):
        value = getattr(data, name).strip()
        if not value:
            errors[name] = [f"Please enter {label}."]
        elif len(value) > MAX_EXTERNAL_TEXT_LENGTH:
            errors[name] = [f"Please use at most {MAX_EXTERNAL_TEXT_LENGTH} characters."]
    if len(data.fandoms) > MAX_EXTERNAL_TEXT_LENGTH:
        errors["fandoms"] = [f"Please use at most {MAX_EXTERNAL_TEXT_LENGTH} characters."]
    if data.rating and data.rating not in RATINGS:
        errors["rating"] = ["Please choose a rating from the list."]
    if len(data.summary) > MAX_EXTERNAL_SUMMARY_LENGTH:
        errors["summary"] = [
            f"The summary must be at most {MAX_EXTERNAL_SUMMARY_LENGTH:,} characters."
        ]
    elif nesting_depth(data.summary) > MAX_NESTING_DEPTH:
        errors["summary"] = ["The summary's HTML is nested too deeply; please simplify it."]
    if errors:
        raise ValidationError(errors)
    return url


def external_work_find_or_create(*, user: User, data: ExternalWorkData) -> ExternalWork:
    """The external work at this address, recording it (with this reader's title, creator and
    summary) when it is new. An address already known keeps the details first given for it,
    as AO3 does; two readers racing to add one address make one row."""
    url = validate_external_work_data(data)
    existing = ExternalWork.objects.filter(url=url).first()
    if existing is not None:
        return existing
    summary = sanitize_html(data.summary) if data.summary.strip() else None
    try:
        with transaction.atomic():
            return ExternalWork.objects.create(
                url=url,
                title=data.title.strip(),
                creator=data.creator.strip(),
                summary=data.summary,
                summary_html=summary.html if summary else "",
                sanitizer_version=SANITIZER_VERSION,
                fandoms=data.fandoms.strip(),
                rating=data.rating,
                created_by=user,
            )
    except IntegrityError:
        return ExternalWork.objects.get(url=url)


def bookmark_tags_find_or_create(names: list[str], *, create: bool = True) -> list[Tag]:
    """The tags a bookmarker typed, in their order: an existing tag of any type is used as it
    is (so wrangling its synonyms and metatags counts for bookmarks too); new names become
    unsorted tags for wranglers to sort, as on AO3, unless `create` is off (a private
    bookmark's new names must not become public tags; see Bookmark.private_tag_names)."""
    if not names:
        return []
    validate_tag_names(names)
    wanted = {fold(name): name for name in names}
    found = {tag.search_name: tag for tag in Tag.objects.filter(search_name__in=list(wanted))}
    missing = [name for key, name in wanted.items() if key not in found]
    if missing and create:
        try:
            created = tags_find_or_create(names=missing, tag_type=TagType.UNSORTED)
        except ValidationError:
            # Another request made one of the names a moment ago, as another type: use it.
            created = list(Tag.objects.filter(search_name__in=[fold(n) for n in missing]))
        found.update({tag.search_name: tag for tag in created})
    return [found[key] for key in wanted if key in found]


def _bookmark_tags(data: "BookmarkData") -> tuple[list[Tag], str]:
    """The tags to link and the names to keep privately (see Bookmark.private_tag_names)."""
    tags = bookmark_tags_find_or_create(data.tag_names, create=not data.private)
    if not data.private:
        return tags, ""
    linked = {tag.search_name for tag in tags}
    kept = [name for name in data.tag_names if fold(name) not in linked]
    return tags, ", ".join(kept)


def _set_bookmark_tags(bookmark: Bookmark, tags: list[Tag], *, new: bool = False) -> None:
    """Link exactly `tags`. A `new` bookmark (created in this transaction) has none to read
    or remove; otherwise one read, then a write only for what changed (an edit usually keeps
    its tags)."""
    wanted = {tag.pk for tag in tags}
    have: set[int] = set()
    if not new:
        have = set(BookmarkTag.objects.filter(bookmark=bookmark).values_list("tag_id", flat=True))
        if have - wanted:
            BookmarkTag.objects.filter(bookmark=bookmark, tag_id__in=have - wanted).delete()
    if wanted - have:
        BookmarkTag.objects.bulk_create(
            [BookmarkTag(bookmark=bookmark, tag_id=pk) for pk in wanted - have],
            ignore_conflicts=True,
        )


def _count_public_bookmark(work_id: int | None, change: int) -> None:
    """Move the work's public bookmark count (in the caller's transaction) and tell search."""
    if work_id is None or change == 0:
        return
    Work.objects.filter(pk=work_id).update(bookmark_count=F("bookmark_count") + change)
    record_work_changes([work_id])


def bookmark_save(
    *,
    user: User,
    pseud: Pseud,
    data: BookmarkData,
    work: Work | None = None,
    external_work: ExternalWork | None = None,
    series: Series | None = None,
) -> Bookmark:
    """Bookmark `work`, `series` or `external_work` for `user` as `pseud`, or update the
    bookmark they already have of it: a double submit, or two submits racing, leave one
    bookmark holding what was sent last.

    Permission (a posted, visible work; a series with a work the reader may see) is the
    caller's check (engagement.permissions). A work's public bookmark count moves in the same
    transaction and reaches search through the outbox; series keep no counter (what a reader
    may see of one depends on the reader, so listings count). Raises ValidationError for bad
    notes or tags, changing nothing.
    """
    targets = {"work": work, "external_work": external_work, "series": series}
    target = {name: value for name, value in targets.items() if value is not None}
    if len(target) != 1:
        raise ValueError("a bookmark needs exactly one of work, external_work and series")
    if pseud.user_id != user.pk:
        raise ValidationError({"pseud_id": ["Please choose one of your own pseuds."]})
    validate_bookmark_data(data)
    notes = sanitize_html(data.notes) if data.notes.strip() else None
    with transaction.atomic():
        tags, private_names = _bookmark_tags(data)
        bookmark = Bookmark.objects.select_for_update().filter(user=user, **target).first()
        if bookmark is None:
            try:
                with transaction.atomic():
                    bookmark = Bookmark.objects.create(
                        user=user,
                        pseud=pseud,
                        notes=data.notes,
                        notes_html=notes.html if notes else "",
                        sanitizer_version=SANITIZER_VERSION,
                        rec=data.rec,
                        private=data.private,
                        private_tag_names=private_names,
                        **target,
                    )
            except IntegrityError:
                # The same reader's other submit made it a moment ago: update that one.
                bookmark = Bookmark.objects.select_for_update().get(user=user, **target)
            else:
                _set_bookmark_tags(bookmark, tags, new=True)
                _count_public_bookmark(bookmark.work_id, 0 if data.private else 1)
                record_bookmark_changes([bookmark.pk])
                return bookmark
        _apply_bookmark_changes(
            bookmark, pseud, data, notes.html if notes else "", tags, private_names
        )
    return bookmark


def bookmark_update(*, bookmark: Bookmark, pseud: Pseud, data: BookmarkData) -> Bookmark:
    """Change a bookmark's pseud, notes, tags, rec and privacy (its owner's edit form)."""
    if pseud.user_id != bookmark.user_id:
        raise ValidationError({"pseud_id": ["Please choose one of your own pseuds."]})
    validate_bookmark_data(data)
    notes = sanitize_html(data.notes) if data.notes.strip() else None
    with transaction.atomic():
        tags, private_names = _bookmark_tags(data)
        locked = Bookmark.objects.select_for_update().get(pk=bookmark.pk)
        _apply_bookmark_changes(
            locked, pseud, data, notes.html if notes else "", tags, private_names
        )
    return locked


def _apply_bookmark_changes(
    bookmark: Bookmark,
    pseud: Pseud,
    data: BookmarkData,
    notes_html: str,
    tags: list[Tag],
    private_names: str,
) -> None:
    """Write `data` over a bookmark locked by the caller's transaction."""
    was_private = bookmark.private
    bookmark.pseud = pseud
    bookmark.notes = data.notes
    bookmark.notes_html = notes_html
    bookmark.sanitizer_version = SANITIZER_VERSION
    bookmark.rec = data.rec
    bookmark.private = data.private
    bookmark.private_tag_names = private_names
    bookmark.updated_at = timezone.now()
    bookmark.save(
        update_fields=[
            "pseud",
            "notes",
            "notes_html",
            "sanitizer_version",
            "rec",
            "private",
            "private_tag_names",
            "updated_at",
        ]
    )
    _set_bookmark_tags(bookmark, tags)
    _count_public_bookmark(bookmark.work_id, int(was_private) - int(data.private))
    record_bookmark_changes([bookmark.pk])


def bookmark_delete(*, bookmark: Bookmark) -> bool:
    """Delete the bookmark; returns False when it was already gone (a double click)."""
    with transaction.atomic():
        locked = Bookmark.objects.select_for_update().filter(pk=bookmark.pk).first()
        if locked is None:
            return False
        record_bookmark_changes([locked.pk])
        locked.delete()
        _count_public_bookmark(locked.work_id, 0 if locked.private else -1)
    return True


def external_bookmark_save(
    *, user: User, pseud: Pseud, external: ExternalWorkData, data: BookmarkData
) -> Bookmark:
    """Bookmark a work on another site: record it (or find it by its address) and bookmark it,
    in one transaction, so a refused bookmark leaves no external work behind. Raises
    ValidationError with the problems of both parts."""
    errors: dict[str, list[str]] = {}
    try:
        validate_external_work_data(external)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        validate_bookmark_data(data)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        external_work = external_work_find_or_create(user=user, data=external)
        return bookmark_save(user=user, pseud=pseud, data=data, external_work=external_work)


def work_bookmark_counts_refresh(*, work_ids: list[int]) -> None:
    """Recount these works' public bookmarks from the rows (one UPDATE) and tell search: for
    bulk paths that write or remove bookmark rows directly (the demo; deleting a user or a
    pseud, whose bookmarks go with them)."""
    public = (
        Bookmark.objects.filter(work=OuterRef("pk"), private=False)
        .values("work")
        .annotate(n=Count("pk"))
        .values("n")
    )
    with transaction.atomic():
        Work.objects.filter(pk__in=work_ids).update(
            bookmark_count=Coalesce(Subquery(public), Value(0))
        )
        record_work_changes(work_ids)
