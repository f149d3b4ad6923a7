"""The filter table stays equal to a from-scratch recomputation whatever wranglers do."""

import random
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from fanworks.core import jobs
from fanworks.core.models import Job
from fanworks.core.testing import make_user, make_work
from fanworks.tags import wrangling
from fanworks.tags.filters import (
    REFILTER_JOB,
    filters_for_works,
    filters_settling,
    rebuild_all_filters,
    run_refilter_job,
)
from fanworks.tags.models import Tag, TagType, WorkFilter
from fanworks.tags.queries import work_ids_filtered_by
from fanworks.works.models import Work

pytestmark = pytest.mark.django_db

NAMES = [
    "Angst",
    "angst",
    "Fluff",
    "fluff!",
    "Hurt/Comfort",
    "hurt comfort",
    "Slow Burn",
    "Slow-Burn",
    "Pining",
    "Mutual Pining",
    "Friendship",
    "Friends to Lovers",
]


def table():
    return {
        (w, t): inherited
        for w, t, inherited in WorkFilter.objects.values_list("work_id", "tag_id", "inherited")
    }


def recomputed():
    work_ids = list(Work.objects.values_list("pk", flat=True))
    return {
        (w, t): inherited
        for w, rows in filters_for_works(work_ids).items()
        for t, inherited in rows.items()
    }


@pytest.fixture
def admin():
    user = make_user("root_wrangler")
    user.is_superuser = True
    user.save()
    return user


@pytest.mark.parametrize("seed", range(6))
def test_random_wrangling_keeps_the_filter_table_exact(admin, settings, seed):
    # Some seeds force every change through the background job path.
    settings.REFILTER_INLINE_LIMIT = 2 if seed % 2 else 10_000
    rng = random.Random(seed)
    creator = make_user()
    for n in range(12):
        make_work(creator, title=f"W{n}", freeforms=rng.sample(NAMES, rng.randint(1, 4)))
    tags = list(Tag.objects.filter(type=TagType.FREEFORM))
    operations = [
        lambda t, u: wrangling.tag_make_canonical(actor=admin, tag=t),
        lambda t, u: wrangling.tag_make_synonym(actor=admin, tag=t, canonical=u, allow_merge=True),
        lambda t, u: wrangling.tag_remove_synonym(actor=admin, tag=t),
        lambda t, u: wrangling.tag_decanonicalize(actor=admin, tag=t),
        lambda t, u: wrangling.tag_add_metatag(actor=admin, sub=t, meta=u),
        lambda t, u: wrangling.tag_remove_metatag(actor=admin, sub=t, meta=u),
    ]
    applied = 0
    for _ in range(60):
        operation = rng.choice(operations)
        first, second = rng.sample(tags, 2)
        try:
            operation(first, second)
            applied += 1
        except ValidationError:
            pass  # refused changes are part of real life; the table must still be exact
        assert table() == recomputed()
        if rng.random() < 0.2:
            make_work(creator, freeforms=rng.sample(NAMES, 2))
    assert applied > 10
    assert not filters_settling()


def test_big_change_runs_as_a_job_and_pages_are_right_meanwhile(admin, settings):
    settings.REFILTER_INLINE_LIMIT = 3
    settings.JOBS_EAGER = False
    canonical = Tag.objects.create(name="Enemies to Lovers", type=TagType.FREEFORM, canonical=True)
    creator = make_user()
    works = [make_work(creator, freeforms=["enemies 2 lovers"]) for _ in range(8)]
    spelling = Tag.objects.get(name="enemies 2 lovers")
    job_or_none = wrangling.tag_make_synonym(actor=admin, tag=spelling, canonical=canonical)
    assert job_or_none.synonym_of_id == canonical.pk
    job = Job.objects.get(kind=REFILTER_JOB)
    assert job.total == 8 and job.status == Job.Status.PENDING
    # The table is not updated yet, but readers already see every work under the canonical.
    assert not WorkFilter.objects.filter(tag=canonical).exists()
    assert filters_settling()
    found = set(work_ids_filtered_by(canonical).values_list("work_id", flat=True))
    assert found == {w.pk for w in works}
    assert jobs.run_pending() == 1
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.percent == 100
    assert not filters_settling()
    assert WorkFilter.objects.filter(tag=canonical).count() == 8
    assert table() == recomputed()


def test_interrupted_job_resumes_without_missing_or_duplicate_rows(admin, settings, monkeypatch):
    settings.REFILTER_INLINE_LIMIT = 1
    settings.JOBS_EAGER = False
    canonical = Tag.objects.create(name="Road Trip", type=TagType.FREEFORM, canonical=True)
    creator = make_user()
    for _ in range(7):
        make_work(creator, freeforms=["roadtrip"])
    wrangling.tag_make_synonym(
        actor=admin, tag=Tag.objects.get(name="roadtrip"), canonical=canonical
    )
    monkeypatch.setattr("fanworks.tags.filters.BATCH_SIZE", 3)

    # The first runner dies in its second batch, after the first one committed.
    job = jobs.claim_next()
    assert job is not None
    import fanworks.tags.filters as filters_module

    original = filters_module.refilter_works
    calls = {"n": 0}

    def dying_refilter(work_ids):
        calls["n"] += 1
        if calls["n"] == 2:
            raise SystemExit("runner killed")
        original(work_ids)

    monkeypatch.setattr(filters_module, "refilter_works", dying_refilter)
    with pytest.raises(SystemExit):
        run_refilter_job(job)
    monkeypatch.setattr(filters_module, "refilter_works", original)
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING and job.cursor["after"] > 0
    assert 0 < WorkFilter.objects.filter(tag=canonical).count() < 7
    # Nobody claims it while its lease lasts; once the lease runs out another runner does.
    assert jobs.claim_next() is None
    Job.objects.filter(pk=job.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert jobs.run_pending() == 1
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert WorkFilter.objects.filter(tag=canonical).count() == 7
    assert table() == recomputed()


def test_rebuild_all_filters_repairs_a_damaged_table(admin):
    make_work(freeforms=["Angst"])
    wrangling.tag_make_canonical(actor=admin, tag=Tag.objects.get(name="Angst"))
    expected = table()
    WorkFilter.objects.all().delete()
    rebuild_all_filters()
    assert table() == expected


def test_hidden_and_restricted_works_never_count_on_tag_pages(client, admin):
    fandom = Tag.objects.create(name="Glasshouse", type=TagType.FANDOM, canonical=True)
    creator = make_user()
    make_work(creator, fandoms=["Glasshouse"], title="Open")
    make_work(creator, fandoms=["Glasshouse"], title="Members", restricted=True)
    make_work(creator, fandoms=["Glasshouse"], title="Draft", post=False)
    hidden = make_work(creator, fandoms=["Glasshouse"], title="Hidden")
    Work.objects.filter(pk=hidden.pk).update(hidden_by_admin=True)
    page = client.get(fandom.get_absolute_url()).content.decode()
    assert "1 - 1 of 1 Works" in page
    client.force_login(make_user())
    page = client.get(fandom.get_absolute_url()).content.decode()
    assert "1 - 2 of 2 Works" in page and "Draft" not in page and "Hidden" not in page


def test_crossover_means_two_fandoms_without_a_shared_metatag(admin):
    creator = make_user()
    one_franchise = make_work(creator, fandoms=["Avengers (Movies)", "Marvel Universe"])
    crossover = make_work(creator, fandoms=["Avengers (Movies)", "Tidewater Chronicles"])
    single = make_work(creator, fandoms=["Tidewater Chronicles"])
    for name in ["Avengers (Movies)", "Marvel Universe", "Tidewater Chronicles"]:
        wrangling.tag_make_canonical(actor=admin, tag=Tag.objects.get(name=name))

    def flags():
        return set(Work.objects.filter(is_crossover=True).values_list("pk", flat=True))

    assert flags() == {one_franchise.pk, crossover.pk}
    wrangling.tag_add_metatag(
        actor=admin,
        sub=Tag.objects.get(name="Avengers (Movies)"),
        meta=Tag.objects.get(name="Marvel Universe"),
    )
    assert flags() == {crossover.pk}
    assert single.pk not in flags()
