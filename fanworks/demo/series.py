"""Demo series: some creators group several of their posted works into a series, in the order
they posted them; some of those series are complete.

Decided from the seed and each creator's pseud id, and keyed by a creation key derived from
them, so a second run adds only what is missing.
"""

import random
import uuid
from datetime import datetime

from django.db.models import Count

from fanworks.core.sanitize import SANITIZER_VERSION, sanitize_html
from fanworks.demo.rows import RowWriter
from fanworks.works.models import Creatorship, Series, SeriesCreatorship, SeriesWork

# Creators with at least this many posted works are candidates; about one in SHARE of them
# makes a series, at most MAX_CREATORS creators in all.
MIN_WORKS = 3
SHARE = 3
MAX_CREATORS = 150
MAX_SERIES_PER_CREATOR = 2
COMPLETE_SHARE = 0.4
KEY_NAMESPACE = uuid.UUID("6f1b1f6e-3c55-4d0e-9a47-5e2a8f0c9d11")

NOUNS = ["Tide", "Lantern", "Harbour", "Orchard", "Winter", "Compass", "Ember", "Lighthouse",
         "Archive", "Garden", "Comet", "River"]  # fmt: skip
SHAPES = ["The {} Cycle", "{} Stories", "Tales of the {}", "The {} Verse", "After the {}",
          "{} and Other Small Things"]  # fmt: skip
SUMMARIES = [
    "Connected one-shots, best read in order.",
    "A loose collection of stories set in the same world.",
    "Everything that happened after the last chapter.",
    "Missing scenes and what-ifs.",
]


def series_key(seed: int, pseud_id: int, number: int) -> uuid.UUID:
    return uuid.uuid5(KEY_NAMESPACE, f"demo-series-{seed}-{pseud_id}-{number}")


def fill_series(*, seed: int, now: datetime) -> int:
    """Make sure the demo's series exist. Returns the series written by this run."""
    candidates = list(
        Creatorship.objects.filter(work__posted=True, work__hidden_by_admin=False)
        .values("pseud_id")
        .annotate(works=Count("work_id"))
        .filter(works__gte=MIN_WORKS)
        .order_by("pseud_id")
        .values_list("pseud_id", flat=True)[: MAX_CREATORS * SHARE]
    )
    chosen = [
        pseud_id
        for pseud_id in candidates
        if random.Random(f"demo-series-{seed}-{pseud_id}").randrange(SHARE) == 0
    ][:MAX_CREATORS]
    if not chosen:
        return 0
    in_series = set(SeriesWork.objects.values_list("work_id", flat=True))
    works_of: dict[int, list[int]] = {}
    for pseud_id, work_id in (
        Creatorship.objects.filter(
            pseud_id__in=chosen, work__posted=True, work__hidden_by_admin=False
        )
        .order_by("pseud_id", "work__first_posted_at", "work_id")
        .values_list("pseud_id", "work_id")
    ):
        if work_id not in in_series:
            works_of.setdefault(pseud_id, []).append(work_id)
    existing = set(
        Series.objects.filter(creation_key__isnull=False).values_list("creation_key", flat=True)
    )
    planned: list[tuple[uuid.UUID, int, list[int]]] = []
    series_rows: list[list[object]] = []
    for pseud_id in chosen:
        rng = random.Random(f"demo-series-{seed}-{pseud_id}-plan")
        available = works_of.get(pseud_id, [])
        for number in range(rng.randint(1, MAX_SERIES_PER_CREATOR)):
            # Every draw happens before any skip, so a rerun sees the same numbers.
            size = rng.randint(2, 5)
            title = rng.choice(SHAPES).format(rng.choice(NOUNS))
            summary = rng.choice(SUMMARIES)
            complete = rng.random() < COMPLETE_SHARE
            key = series_key(seed, pseud_id, number)
            if key in existing or len(available) < size:
                continue
            parts, available = available[:size], available[size:]
            series_rows.append(
                [
                    title,
                    summary,
                    sanitize_html(summary).html,
                    "",
                    "",
                    SANITIZER_VERSION,
                    complete,
                    now,
                    now,
                    key,
                ]
            )
            planned.append((key, pseud_id, parts))
    RowWriter(
        Series,
        [
            "title",
            "summary",
            "summary_html",
            "notes",
            "notes_html",
            "sanitizer_version",
            "complete",
            "created_at",
            "updated_at",
            "creation_key",
        ],
    ).write(series_rows)
    ids = dict(
        Series.objects.filter(creation_key__in=[key for key, _, _ in planned]).values_list(
            "creation_key", "pk"
        )
    )
    RowWriter(SeriesCreatorship, ["series", "pseud", "position"]).write(
        [[ids[key], pseud_id, 0] for key, pseud_id, _ in planned]
    )
    RowWriter(SeriesWork, ["series", "work", "position"]).write(
        [
            [ids[key], work_id, position]
            for key, _, parts in planned
            for position, work_id in enumerate(parts, start=1)
        ]
    )
    return len(planned)
