"""What readers left on the demo's works: kudos from demo users and guests, and hits, with the
long tail of a real archive (most works a handful of kudos, a few thousands).

Decided per work from its creation key alone, so a demo run makes the same kudos whatever the
batch, and a run that skips existing works skips their kudos too.
"""

import hashlib
import random
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, overload

from fanworks.demo.plan import WorkPlan

# Popularity: a Pareto tail, capped so a demo work stays readable.
KUDOS_SHAPE = 1.15
KUDOS_SCALE = 6.0
MAX_KUDOS = 600
GUEST_SHARE = 0.3


class UsersExcept(Sequence[int]):
    """range(user_count) without a few indexes (a work's creators), indexed without building
    the list: `rng.sample` picks from it exactly as from the list, at a cost that does not
    grow with the user pool (the demo plans every work against every user)."""

    def __init__(self, user_count: int, excluded: Collection[int]) -> None:
        # Out-of-range indexes (DEMO_CREATOR, the `demo` login, is -1) exclude nobody.
        self._skip = sorted(n for n in set(excluded) if 0 <= n < user_count)
        self._len = user_count - len(self._skip)

    def __len__(self) -> int:
        return self._len

    @overload
    def __getitem__(self, position: int) -> int: ...
    @overload
    def __getitem__(self, position: slice) -> list[int]: ...
    def __getitem__(self, position: int | slice) -> int | list[int]:
        if isinstance(position, slice):
            return [self[n] for n in range(*position.indices(self._len))]
        if position < 0:
            position += self._len
        if not 0 <= position < self._len:
            raise IndexError(position)
        for skipped in self._skip:
            if skipped > position:
                break
            position += 1
        return position


@dataclass(frozen=True)
class WorkEngagement:
    kudos_user_indexes: list[int]  # demo users (indexes into the user pool) who left kudos
    guest_hashes: list[str]  # one made-up visitor hash per guest kudos
    hits: int

    @property
    def kudos(self) -> int:
        return len(self.kudos_user_indexes) + len(self.guest_hashes)


def plan_engagement(plan: WorkPlan, user_count: int) -> WorkEngagement:
    """Kudos and hits for one planned work (none for drafts; no guest kudos on restricted works,
    and never kudos from one of the work's own creators)."""
    if not plan.posted or user_count <= 0:
        return WorkEngagement([], [], 0)
    rng = random.Random(f"engagement-{plan.key}")
    total = min(int((rng.paretovariate(KUDOS_SHAPE) - 1) * KUDOS_SCALE), MAX_KUDOS)
    guests = 0 if plan.restricted else sum(rng.random() < GUEST_SHARE for _ in range(total))
    candidates = UsersExcept(user_count, [index for index, _ in plan.creators])
    users = rng.sample(candidates, min(total - guests, len(candidates)))
    hashes = [
        hashlib.sha256(f"demo-guest:{plan.key}:{n}".encode()).hexdigest() for n in range(guests)
    ]
    kudos = len(users) + guests
    hits = kudos * rng.randint(8, 30) + rng.randint(0, 40)
    return WorkEngagement(sorted(users), hashes, hits)


def kudos_time(plan: WorkPlan, engagement_index: int, now: datetime) -> datetime:
    """When a demo kudos was left: some time between the work's posting and now."""
    start = plan.first_posted_at or now
    rng = random.Random(f"kudos-time-{plan.key}-{engagement_index}")
    return start + (now - start) * rng.random()


# The share of a demo work's hits that fell in the last RECENT_DAYS days (the creator's chart).
RECENT_SHARE = 0.2
RECENT_DAYS = 30


def recent_hit_days(plan: WorkPlan, hits: int, now: datetime) -> list[tuple[date, int]]:
    """Hits per day over the last RECENT_DAYS days (only days since the work was posted), a
    part of its total, for the statistics chart."""
    if not hits or plan.first_posted_at is None:
        return []
    today = now.astimezone(UTC).date()
    first = max(plan.first_posted_at.astimezone(UTC).date(), today - timedelta(RECENT_DAYS - 1))
    days = [first + timedelta(n) for n in range((today - first).days + 1)]
    rng = random.Random(f"hit-days-{plan.key}")
    counts: dict[date, int] = {}
    for _ in range(int(hits * RECENT_SHARE)):
        day = rng.choice(days)
        counts[day] = counts.get(day, 0) + 1
    return sorted(counts.items())


def kudos_rows(
    plans: list[WorkPlan],
    work_ids: dict[Any, int],
    engagement: dict[Any, WorkEngagement],
    user_ids: list[int],
    now: datetime,
) -> list[list[Any]]:
    """Kudos table rows (work, user, visitor hash, time) for the planned works."""
    rows: list[list[Any]] = []
    for plan in plans:
        planned = engagement[plan.key]
        work_id = work_ids[plan.key]
        rows.extend(
            [work_id, user_ids[index], "", kudos_time(plan, n, now)]
            for n, index in enumerate(planned.kudos_user_indexes)
        )
        rows.extend(
            [work_id, None, visitor, kudos_time(plan, -1 - n, now)]
            for n, visitor in enumerate(planned.guest_hashes)
        )
    return rows


def hit_day_rows(
    plans: list[WorkPlan],
    work_ids: dict[Any, int],
    engagement: dict[Any, WorkEngagement],
    now: datetime,
) -> list[list[Any]]:
    """Hits-per-day table rows (work, day, hits) for the planned works."""
    return [
        [work_ids[plan.key], day, hits]
        for plan in plans
        for day, hits in recent_hit_days(plan, engagement[plan.key].hits, now)
    ]
