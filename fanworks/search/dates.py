"""Date arithmetic for search ranges such as ``updated<1 week`` and ``posted>2024-01-01``.

Everything is computed from a ``now`` passed in; nothing here reads the clock. Results keep the
time zone of ``now`` (aware or naive) and are clamped to a floor of 2 January of year 1, so a
silly amount ("99999 years") gives a usable bound instead of an overflow, and the bound still
converts to UTC without leaving the range ``datetime`` can hold.
"""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta

HOUR, DAY, WEEK, MONTH, YEAR = "hour", "day", "week", "month", "year"

# Unit spellings accepted after a number, with or without a space: "1 week", "2weeks".
UNITS: dict[str, str] = {
    "hour": HOUR,
    "hours": HOUR,
    "hr": HOUR,
    "hrs": HOUR,
    "day": DAY,
    "days": DAY,
    "week": WEEK,
    "weeks": WEEK,
    "wk": WEEK,
    "wks": WEEK,
    "month": MONTH,
    "months": MONTH,
    "mo": MONTH,
    "mos": MONTH,
    "year": YEAR,
    "years": YEAR,
    "yr": YEAR,
    "yrs": YEAR,
}
# One-letter units only count when glued to the number ("3d", "2w"), so that in
# "updated<3 d" a lone letter is not silently eaten as a unit.
GLUED_UNITS: dict[str, str] = {"h": HOUR, "d": DAY, "w": WEEK, "y": YEAR}

_SECONDS = {HOUR: 3600, DAY: 86400, WEEK: 7 * 86400}
# The last day whose following midnight still fits in a datetime.
_LAST_YEAR, _LAST_MONTH, _LAST_DAY = 9999, 12, 30


def unit_name(unit: str, amount: int) -> str:
    """``"week"`` or ``"weeks"`` to go with ``amount``."""
    return unit if amount == 1 else unit + "s"


def floor(now: datetime) -> datetime:
    """The earliest moment a bound may take, in the time zone of ``now``."""
    return datetime(1, 1, 2, tzinfo=now.tzinfo)


def ago(now: datetime, amount: int, unit: str) -> datetime:
    """``now`` minus ``amount`` units; months and years move by calendar, clamping the day."""
    lowest = floor(now)
    if unit in (MONTH, YEAR):
        months = amount * (12 if unit == YEAR else 1)
        year, month_index = divmod(now.year * 12 + now.month - 1 - months, 12)
        if year < 1:
            return lowest
        month = month_index + 1
        day = min(now.day, calendar.monthrange(year, month)[1])
        return max(now.replace(year=year, month=month, day=day), lowest)
    seconds = amount * _SECONDS[unit]
    if seconds >= (now - lowest).total_seconds():
        return lowest
    return now - timedelta(seconds=seconds)


def period_start(moment: datetime, unit: str) -> datetime:
    """The start of the calendar hour, day, week (Monday), month or year holding ``moment``."""
    if unit == HOUR:
        return moment.replace(minute=0, second=0, microsecond=0)
    midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if unit == DAY:
        return midnight
    if unit == WEEK:
        try:
            return max(midnight - timedelta(days=midnight.weekday()), floor(moment))
        except OverflowError:
            return floor(moment)
    if unit == MONTH:
        return midnight.replace(day=1)
    return midnight.replace(month=1, day=1)


def period_end(start: datetime, unit: str) -> datetime:
    """The start of the period after the one beginning at ``start`` (an exclusive end).

    At the very end of year 9999, where no later moment exists, ``start`` itself is returned.
    """
    try:
        if unit in _SECONDS:
            return start + timedelta(seconds=_SECONDS[unit])
        if unit == YEAR:
            return start.replace(year=start.year + 1)
        year, month_index = divmod(start.year * 12 + start.month, 12)
        return start.replace(year=year, month=month_index + 1)
    except (OverflowError, ValueError):
        return start


def calendar_day(now: datetime, year: int, month: int, day: int) -> datetime | None:
    """Midnight starting that day in the time zone of ``now``; None if there is no such day.

    Days outside what a search can express are clamped to the floor or to 30 December 9999, so
    that the midnight after the day still exists.
    """
    try:
        moment = datetime(year, month, day, tzinfo=now.tzinfo)
    except ValueError:
        return None
    lowest = floor(now)
    if moment < lowest:
        return lowest
    return min(moment, datetime(_LAST_YEAR, _LAST_MONTH, _LAST_DAY, tzinfo=now.tzinfo))


def next_day(moment: datetime) -> datetime:
    """The midnight after ``moment``'s day (``moment`` is at most 30 December 9999)."""
    return moment + timedelta(days=1)
