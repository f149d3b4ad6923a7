"""Every write to series: creating, editing and deleting them, and adding, removing and
reordering their works.

Each action is one transaction. Actions that touch a series' parts lock the series row first,
so two people adding works at once get consecutive positions instead of a clash on the
(series, position) constraint. Refusals raise `ValidationError` (for forms) before anything
is written, or roll the whole transaction back.
"""

import uuid
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max

from fanworks.accounts.models import User
from fanworks.core.sanitize import SANITIZER_VERSION, NestingTooDeep, sanitize_html
from fanworks.engagement.notifications import announce_series_work
from fanworks.search.outbox import record_series_changes
from fanworks.works.cocreator_actions import invitations_send
from fanworks.works.models import (
    MAX_SERIES_NOTES_LENGTH,
    MAX_SERIES_SUMMARY_LENGTH,
    MAX_SERIES_TITLE_LENGTH,
    Creatorship,
    Series,
    SeriesCreatorship,
    SeriesWork,
    Work,
)
from fanworks.works.series_queries import is_series_creator


@dataclass
class SeriesData:
    """A series' own fields, as validated by a form or the API."""

    title: str
    summary: str = ""
    notes: str = ""
    complete: bool = False
    # Other users' pseuds to invite as co-creators, by name (works.cocreator_actions).
    invite_cocreators: list[str] = field(default_factory=list)


def _length_problem(label: str, value: str, maximum: int) -> str | None:
    if len(value) > maximum:
        return f"{label} must be at most {maximum:,} characters (it is {len(value):,})."
    return None


def series_title_problem(title: str) -> str | None:
    """What is wrong with a series title, or None (shared with the work form's "new series")."""
    if not title.strip():
        return "Please enter a title for the series."
    return _length_problem("The series title", title.strip(), MAX_SERIES_TITLE_LENGTH)


def validate_series_data(data: SeriesData) -> None:
    errors: dict[str, list[str]] = {}
    for name, problem in (
        ("title", series_title_problem(data.title)),
        ("summary", _length_problem("The summary", data.summary, MAX_SERIES_SUMMARY_LENGTH)),
        ("notes", _length_problem("Notes", data.notes, MAX_SERIES_NOTES_LENGTH)),
    ):
        if problem:
            errors.setdefault(name, []).append(problem)
    for name in ("summary", "notes"):
        if name not in errors:
            try:
                sanitize_html(getattr(data, name))
            except NestingTooDeep as problem:
                errors.setdefault(name, []).append(str(problem))
    if errors:
        raise ValidationError(errors)


def _apply_series_fields(series: Series, data: SeriesData) -> None:
    series.title = data.title.strip()
    series.complete = data.complete
    for name in ("summary", "notes"):
        raw = getattr(data, name)
        setattr(series, name, raw)
        setattr(series, f"{name}_html", sanitize_html(raw).html if raw.strip() else "")
    series.sanitizer_version = SANITIZER_VERSION


def _credit(series: Series, pseud_ids: list[int]) -> None:
    """Add these pseuds to the series' creators (those already there keep their place)."""
    existing = set(series.creatorships.values_list("pseud_id", flat=True))
    start = series.creatorships.aggregate(last=Max("position"))["last"]
    start = -1 if start is None else start
    new = [pk for pk in dict.fromkeys(pseud_ids) if pk not in existing]
    SeriesCreatorship.objects.bulk_create(
        [
            SeriesCreatorship(series=series, pseud_id=pk, position=start + 1 + index)
            for index, pk in enumerate(new)
        ]
    )


# ---------------------------------------------------------------------------------------------
# Series


def series_create(*, user: User, data: SeriesData, creation_key: uuid.UUID | None = None) -> Series:
    """Create an empty series credited to `user`'s default pseud. With a `creation_key`, a
    double submit returns the first series."""
    if creation_key is not None:
        existing = Series.objects.filter(creation_key=creation_key).first()
        if existing is not None:
            return existing
    validate_series_data(data)
    default = user.pseuds.order_by("-is_default", "pk").values_list("pk", flat=True).first()
    if default is None:
        raise ValidationError({"pseud_ids": ["You need a pseud to create a series."]})
    try:
        with transaction.atomic():
            series = Series(creation_key=creation_key)
            _apply_series_fields(series, data)
            series.save()
            _credit(series, [default])
            invitations_send(inviter=user, names=data.invite_cocreators, target=series)
    except IntegrityError:
        if creation_key is not None:
            existing = Series.objects.filter(creation_key=creation_key).first()
            if existing is not None:
                return existing
        raise
    return series


def series_update(*, series: Series, data: SeriesData, user: User | None = None) -> Series:
    """Change a series' title, summary, notes and "complete"; `user` invites the co-creators
    `data` names."""
    validate_series_data(data)
    with transaction.atomic():
        locked = Series.objects.select_for_update().get(pk=series.pk)
        _apply_series_fields(locked, data)
        locked.save()
        if user is not None:
            invitations_send(inviter=user, names=data.invite_cocreators, target=locked)
    return locked


def series_delete(*, series: Series) -> None:
    """Delete a series; its works stay, they just no longer belong to it."""
    with transaction.atomic():
        record_series_changes([series.pk])  # its bookmarks go with it
        Series.objects.filter(pk=series.pk).delete()


# ---------------------------------------------------------------------------------------------
# Parts


def series_add_work(*, user: User, series: Series, work: Work) -> SeriesWork:
    """Put `work` at the end of `series`. `user` must be a creator of both (raises
    ValidationError otherwise, changing nothing). The work's creators are credited on the
    series, as on AO3. A posted work is announced to the series' subscribers after commit;
    a draft is announced when it is posted (`announce_series_parts`). Adding a work twice
    returns its existing place."""
    with transaction.atomic():
        locked = Series.objects.select_for_update().filter(pk=series.pk).first()
        if locked is None or not is_series_creator(user, locked):
            raise ValidationError({"series_id": ["You can only add works to your own series."]})
        work_pseuds = list(
            Creatorship.objects.filter(work_id=work.pk).values_list("pseud_id", "pseud__user_id")
        )
        if user.pk not in {user_id for _, user_id in work_pseuds}:
            raise ValidationError({"series_id": ["You can only add your own works to a series."]})
        existing = SeriesWork.objects.filter(series=locked, work_id=work.pk).first()
        if existing is not None:
            return existing
        last = locked.series_works.aggregate(last=Max("position"))["last"] or 0
        part = SeriesWork.objects.create(series=locked, work_id=work.pk, position=last + 1)
        _credit(locked, [pseud_id for pseud_id, _ in work_pseuds])
        locked.save(update_fields=["updated_at"])
        record_series_changes([locked.pk])  # its bookmarks carry the new part's tags
        if Work.objects.filter(pk=work.pk, posted=True).exists():
            announce_series_work(series_id=locked.pk, work_id=work.pk)
    return part


def series_remove_work(*, user: User, series: Series, work: Work) -> Series:
    """Take `work` out of `series` and close the gap in the numbering. A creator of the series
    or of the work may do it; anyone else gets ValidationError and nothing changes."""
    with transaction.atomic():
        locked = Series.objects.select_for_update().get(pk=series.pk)
        allowed = (
            is_series_creator(user, locked)
            or Creatorship.objects.filter(work_id=work.pk, pseud__user_id=user.pk).exists()
        )
        if not allowed:
            raise ValidationError("You can only remove works from your own series.")
        deleted, _ = SeriesWork.objects.filter(series=locked, work_id=work.pk).delete()
        if deleted:
            _renumber(locked)
            locked.save(update_fields=["updated_at"])
            record_series_changes([locked.pk])
    return locked


def series_reorder(*, series: Series, ordered_work_ids: list[int]) -> Series:
    """Put the series' works in this order (every work exactly once)."""
    with transaction.atomic():
        locked = Series.objects.select_for_update().get(pk=series.pk)
        parts = dict(locked.series_works.values_list("work_id", "pk"))
        if len(ordered_work_ids) != len(parts) or set(ordered_work_ids) != set(parts):
            raise ValidationError("Please give every work of the series exactly one position.")
        _renumber(locked, [parts[work_id] for work_id in ordered_work_ids])
        locked.save(update_fields=["updated_at"])
    return locked


def _renumber(series: Series, ordered_part_ids: list[int] | None = None) -> None:
    """Number the parts 1..n in this order (by default their current order, which closes
    gaps). Positions are unique per series, so every row first moves out of the way (above
    any position in use), then takes its new number: no moment of the transaction has two
    parts at one position."""
    parts = {part.pk: part for part in series.series_works.order_by("position")}
    if ordered_part_ids is None:
        ordered_part_ids = list(parts)
    offset = max((part.position for part in parts.values()), default=0) + len(parts) + 1
    for index, part in enumerate(parts.values()):
        part.position = offset + index
    SeriesWork.objects.bulk_update(parts.values(), ["position"])
    for index, pk in enumerate(ordered_part_ids, start=1):
        parts[pk].position = index
    SeriesWork.objects.bulk_update([parts[pk] for pk in ordered_part_ids], ["position"])


def series_ids_of_work(*, work_id: int) -> list[int]:
    return list(SeriesWork.objects.filter(work_id=work_id).values_list("series_id", flat=True))


def series_close_gaps(*, series_ids: list[int]) -> None:
    """Number the parts of these series 1..n again (after a work in them was deleted)."""
    for series in Series.objects.select_for_update().filter(pk__in=series_ids).order_by("pk"):
        _renumber(series)


def announce_series_parts(*, work: Work) -> None:
    """`work` was just posted: tell the subscribers of every series it is in (after commit)."""
    for series_id in series_ids_of_work(work_id=work.pk):
        announce_series_work(series_id=series_id, work_id=work.pk)


# ---------------------------------------------------------------------------------------------
# From the work form (called inside work_create / work_update's transaction)


def work_series_apply(
    *,
    user: User,
    work: Work,
    series_id: int | None,
    new_series_title: str,
    remove_series_ids: list[int],
) -> None:
    """Add the work to one of `user`'s series, or to a new one named `new_series_title`, and
    take it out of `remove_series_ids`. Raises ValidationError (rolling the caller back) when
    a series is not `user`'s."""
    for removed in Series.objects.filter(pk__in=remove_series_ids, series_works__work=work):
        series_remove_work(user=user, series=removed, work=work)
    target: Series | None = None
    if new_series_title.strip():
        target = series_create(user=user, data=SeriesData(title=new_series_title))
    elif series_id is not None:
        target = Series.objects.filter(pk=series_id).first()
        if target is None or not is_series_creator(user, target):
            raise ValidationError({"series_id": ["Please choose one of your own series."]})
    if target is not None:
        series_add_work(user=user, series=target, work=work)
