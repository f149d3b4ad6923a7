"""Series: creating them from the posting form and their own page, adding, removing and
reordering works, the series page and the user's series list. Visibility and the permission
matrix are in test_series_visibility.py, subscriptions to series in
test_series_subscriptions.py."""

import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client

from fanworks.core.testing import PROSE, make_user, make_work, run_together, work_data
from fanworks.works.actions import work_update
from fanworks.works.models import Series, SeriesWork, Work
from fanworks.works.series_actions import (
    SeriesData,
    series_add_work,
    series_create,
    series_delete,
    series_remove_work,
    series_reorder,
)
from fanworks.works.tests.series_helpers import (
    form_post,
    logged_in,
    new_series,
    positions,
    series_of,
    snapshot,
)

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------------------------
# Actions


def test_series_create_keeps_raw_and_sanitised_text_and_credits_the_default_pseud() -> None:
    writer = make_user("writer")
    series = new_series(
        writer, summary='<p onclick="x()">Sea <script>bad()</script>stories</p>', notes="Notes"
    )
    assert series.summary.startswith('<p onclick="x()">')
    assert "onclick" not in series.summary_html and "script" not in series.summary_html
    assert series.sanitizer_version > 0
    assert list(series.pseuds.all()) == [writer.pseuds.get(is_default=True)]
    assert series.get_absolute_url() == f"/series/{series.pk}"


def test_series_create_with_the_same_key_twice_makes_one_series() -> None:
    import uuid

    writer = make_user("writer")
    key = uuid.uuid4()
    first = series_create(user=writer, data=SeriesData(title="One"), creation_key=key)
    second = series_create(user=writer, data=SeriesData(title="One"), creation_key=key)
    assert first.pk == second.pk and Series.objects.count() == 1


@pytest.mark.parametrize(
    ("title", "field"),
    [("", "title"), ("   ", "title"), ("x" * 241, "title")],
)
def test_series_create_refuses_bad_titles_and_writes_nothing(title: str, field: str) -> None:
    writer = make_user("writer")
    with pytest.raises(ValidationError) as problem:
        new_series(writer, title)
    assert field in problem.value.message_dict
    assert Series.objects.count() == 0


def test_adding_works_numbers_them_and_credits_their_creators() -> None:
    writer = make_user("writer")
    first, second = make_work(writer, title="One"), make_work(writer, title="Two")
    series = series_of(writer, first, second)
    assert positions(series) == [(first.pk, 1), (second.pk, 2)]
    # Adding again keeps the one place.
    series_add_work(user=writer, series=series, work=first)
    assert positions(series) == [(first.pk, 1), (second.pk, 2)]


def test_adding_someone_elses_work_or_to_someone_elses_series_is_refused() -> None:
    writer, other = make_user("writer"), make_user("other")
    mine, theirs = make_work(writer), make_work(other)
    my_series, their_series = new_series(writer), new_series(other, "Theirs")
    before = snapshot()
    with pytest.raises(ValidationError):
        series_add_work(user=writer, series=my_series, work=theirs)
    with pytest.raises(ValidationError):
        series_add_work(user=writer, series=their_series, work=mine)
    assert snapshot() == before


def test_remove_closes_the_gap_and_reorder_moves_every_part() -> None:
    writer = make_user("writer")
    works = [make_work(writer, title=f"Part {n}") for n in range(4)]
    series = series_of(writer, *works)
    series_remove_work(user=writer, series=series, work=works[1])
    assert positions(series) == [(works[0].pk, 1), (works[2].pk, 2), (works[3].pk, 3)]
    series_reorder(series=series, ordered_work_ids=[works[3].pk, works[0].pk, works[2].pk])
    assert positions(series) == [(works[3].pk, 1), (works[0].pk, 2), (works[2].pk, 3)]


def test_reorder_needs_every_work_exactly_once() -> None:
    writer = make_user("writer")
    one, two = make_work(writer), make_work(writer)
    series = series_of(writer, one, two)
    before = snapshot()
    for bad in ([one.pk], [one.pk, one.pk], [one.pk, two.pk, 999_999]):
        with pytest.raises(ValidationError):
            series_reorder(series=series, ordered_work_ids=bad)
    assert snapshot() == before


def test_the_database_refuses_two_parts_at_one_position_and_a_work_twice() -> None:
    writer = make_user("writer")
    one, two = make_work(writer), make_work(writer)
    series = series_of(writer, one)
    with pytest.raises(IntegrityError), transaction.atomic():
        SeriesWork.objects.create(series=series, work=two, position=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        SeriesWork.objects.create(series=series, work=one, position=5)


def test_deleting_a_series_keeps_its_works() -> None:
    writer = make_user("writer")
    one, two = make_work(writer), make_work(writer)
    series = series_of(writer, one, two)
    series_delete(series=series)
    assert not Series.objects.exists() and not SeriesWork.objects.exists()
    assert set(Work.objects.values_list("pk", flat=True)) == {one.pk, two.pk}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_works_added_at_the_same_moment_get_distinct_positions() -> None:
    writer = make_user("writer")
    works = [make_work(writer, title=f"Racer {n}") for n in range(4)]
    series = new_series(writer)

    def add(index: int) -> int:
        return series_add_work(user=writer, series=series, work=works[index]).position

    results, errors = run_together(4, add)
    assert not errors, errors
    assert sorted(results) == [1, 2, 3, 4]
    assert sorted(p for _, p in positions(series)) == [1, 2, 3, 4]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_reorder_racing_an_add_leaves_positions_unique() -> None:
    writer = make_user("writer")
    works = [make_work(writer, title=f"Racer {n}") for n in range(4)]
    series = series_of(writer, *works[:3])
    order = [works[2].pk, works[1].pk, works[0].pk]

    def act(index: int) -> Any:
        if index == 0:
            return series_reorder(series=series, ordered_work_ids=order)
        return series_add_work(user=writer, series=series, work=works[3])

    _, errors = run_together(2, act)
    # Either the reorder saw three parts (then the add went last) or four (then it is
    # refused as out of date); positions stay 1..n either way.
    assert all(isinstance(error, ValidationError) for error in errors), errors
    assert sorted(p for _, p in positions(series)) == list(
        range(1, series.series_works.count() + 1)
    )
    assert series.series_works.count() == 4


# ---------------------------------------------------------------------------------------------
# The posting and edit forms


def test_posting_a_work_into_a_new_series_creates_it() -> None:
    writer = make_user("writer")
    response = logged_in(writer).post("/works/new", form_post(writer, new_series_title="Tides"))
    assert response.status_code == 302
    series = Series.objects.get()
    work = Work.objects.get()
    assert series.title == "Tides" and positions(series) == [(work.pk, 1)]
    page = logged_in(writer).get(f"/works/{work.pk}").content.decode()
    assert re.search(
        rf'<dd class="series">.*<span class="position">Part 1 of <a href="/series/{series.pk}">'
        r"Tides</a></span>",
        page,
    )


def test_posting_into_one_of_your_series_appends_the_work() -> None:
    writer = make_user("writer")
    first = make_work(writer)
    series = series_of(writer, first)
    response = logged_in(writer).post("/works/new", form_post(writer, series_id=str(series.pk)))
    assert response.status_code == 302
    new = Work.objects.exclude(pk=first.pk).get()
    assert positions(series) == [(first.pk, 1), (new.pk, 2)]


@pytest.mark.parametrize(
    "overrides",
    [
        {"series_id": "not-a-number"},
        {"series_id": "999999"},
        {"new_series_title": "x" * 241},
        {"series_id": "SERIES", "new_series_title": "Both"},
    ],
)
def test_bad_series_choices_on_the_posting_form_are_refused_and_keep_the_input(
    overrides: dict[str, str],
) -> None:
    writer = make_user("writer")
    series = new_series(writer)
    if overrides.get("series_id") == "SERIES":
        overrides = {**overrides, "series_id": str(series.pk)}
    before = snapshot()
    response = logged_in(writer).post("/works/new", form_post(writer, **overrides))
    assert response.status_code == 400
    page = response.content.decode()
    assert "has-error" in page and "Harbour Lights" in page  # nothing typed is lost
    assert snapshot() == before


def test_someone_elses_series_cannot_be_chosen_on_the_posting_form() -> None:
    writer, other = make_user("writer"), make_user("other")
    theirs = series_of(other, make_work(other))
    before = snapshot()
    response = logged_in(writer).post("/works/new", form_post(writer, series_id=str(theirs.pk)))
    assert response.status_code == 400
    assert snapshot() == before


def test_the_edit_form_removes_a_work_from_a_series_and_adds_it_to_another() -> None:
    writer = make_user("writer")
    work = make_work(writer)
    old = series_of(writer, work, title="Old")
    new = new_series(writer, "New")
    client = logged_in(writer)
    page = client.get(f"/works/{work.pk}/edit").content.decode()
    assert 'name="remove_series"' in page and 'name="new_series_title"' in page
    data = form_post(writer, version=str(work.version), remove_series=[str(old.pk)])
    data["series_id"] = str(new.pk)
    response = client.post(f"/works/{work.pk}/edit", data)
    assert response.status_code == 302
    assert positions(old) == [] and positions(new) == [(work.pk, 1)]


def test_work_update_with_someone_elses_series_changes_nothing() -> None:
    writer, other = make_user("writer"), make_user("other")
    work = make_work(writer)
    theirs = new_series(other)
    before = snapshot()
    with pytest.raises(ValidationError):
        work_update(
            user=writer,
            work=work,
            data=work_data(writer, title="Renamed", series_id=theirs.pk),
            expected_version=work.version,
        )
    assert snapshot() == before


# ---------------------------------------------------------------------------------------------
# The series page and its own forms


def test_series_new_page_creates_an_empty_series_and_refuses_bad_input() -> None:
    writer = make_user("writer")
    client = logged_in(writer)
    page = client.get("/series/new").content.decode()
    assert 'name="creation_key"' in page
    response = client.post("/series/new", {"title": "", "summary": "kept summary"})
    assert response.status_code == 400
    assert "kept summary" in response.content.decode() and not Series.objects.exists()
    response = client.post("/series/new", {"title": "t" * 500})
    assert response.status_code == 400 and not Series.objects.exists()
    assert "at most 240" in response.content.decode()
    response = client.post("/series/new", {"title": "Fresh", "complete": "on"})
    series = Series.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/series/{series.pk}"
    assert series.complete
    # An empty series is there for its creator only.
    assert client.get(f"/series/{series.pk}").status_code == 200
    assert Client().get(f"/series/{series.pk}").status_code == 404
    assert logged_in(make_user("reader")).get(f"/series/{series.pk}").status_code == 404


def test_the_series_page_shows_what_ao3_clients_read() -> None:
    writer = make_user("writer")
    one = make_work(writer, title="First Tide", content=PROSE)
    two = make_work(writer, title="Second Tide", content=PROSE + " More words here.")
    series = series_of(writer, one, two)
    Series.objects.filter(pk=series.pk).update(complete=True)
    page = Client().get(f"/series/{series.pk}").content.decode()
    assert 'class="series-show region"' in page
    assert '<h2 class="heading">Tidewater Cycle</h2>' in page
    words = one.word_count + two.word_count
    assert (
        f'<dd class="words">{words:,}</dd><dt class="works">Works:</dt><dd class="works">2' in page
    )
    assert 'Complete:</dt><dd class="complete">Yes</dd>' in page
    assert page.index("First Tide") < page.index("Second Tide")
    assert f'Part <strong>2</strong> of <a href="/series/{series.pk}">Tidewater Cycle</a>' in page
    assert 'rel="author"' in page


@pytest.mark.parametrize("path", ["/series/abc", "/series/0", "/series/99999999999999999999"])
def test_malformed_or_missing_series_ids_are_404(path: str) -> None:
    assert Client().get(path).status_code == 404


def test_edit_and_delete_pages_change_the_series_but_keep_works() -> None:
    writer = make_user("writer")
    work = make_work(writer)
    series = series_of(writer, work)
    client = logged_in(writer)
    response = client.post(
        f"/series/{series.pk}/edit",
        {"title": "Renamed", "summary": "<em>new</em>", "notes": "n", "complete": "on"},
    )
    assert response.status_code == 302
    series.refresh_from_db()
    assert (series.title, series.summary_html, series.complete) == (
        "Renamed",
        "<p><em>new</em></p>",
        True,
    )
    response = client.post(f"/series/{series.pk}/edit", {"title": ""})
    assert response.status_code == 400
    series.refresh_from_db()
    assert series.title == "Renamed"
    assert client.post(f"/series/{series.pk}/delete").status_code == 302
    assert not Series.objects.exists() and Work.objects.filter(pk=work.pk).exists()


def test_manage_page_reorders_with_typed_positions_and_removes_a_work() -> None:
    writer = make_user("writer")
    one, two, three = (make_work(writer, title=t) for t in ("One", "Two", "Three"))
    series = series_of(writer, one, two, three)
    client = logged_in(writer)
    page = client.get(f"/series/{series.pk}/manage").content.decode()
    assert f'<label for="position_{one.pk}">' in page
    before = snapshot()
    for bad in (
        {f"position_{one.pk}": "1", f"position_{two.pk}": "1", f"position_{three.pk}": "2"},
        {f"position_{one.pk}": "x", f"position_{two.pk}": "2", f"position_{three.pk}": "3"},
        {f"position_{one.pk}": "9" * 40},
        {"remove": "abc"},
        {"remove": str(make_work(writer).pk)},
    ):
        assert client.post(f"/series/{series.pk}/manage", bad).status_code == 400
    assert snapshot() == {**before, "works": snapshot()["works"]}
    response = client.post(
        f"/series/{series.pk}/manage",
        {f"position_{one.pk}": "3", f"position_{two.pk}": "1", f"position_{three.pk}": "2"},
    )
    assert response.status_code == 302
    assert positions(series) == [(two.pk, 1), (three.pk, 2), (one.pk, 3)]
    response = client.post(f"/series/{series.pk}/manage", {"remove": str(three.pk)})
    assert response.status_code == 302
    assert positions(series) == [(two.pk, 1), (one.pk, 2)]
    assert Work.objects.filter(pk=three.pk).exists()


def test_user_series_page_lists_series_the_viewer_may_see() -> None:
    writer = make_user("writer")
    public = series_of(writer, make_work(writer, title="Open"), title="Open Series")
    locked = series_of(
        writer, make_work(writer, title="Locked", restricted=True), title="Locked Series"
    )
    draft_only = series_of(writer, make_work(writer, post=False), title="Draft Series")
    guest_page = Client().get("/users/writer/series").content.decode()
    assert "Open Series" in guest_page
    assert "Locked Series" not in guest_page and "Draft Series" not in guest_page
    assert "1 - 1 of 1 Series by writer" in guest_page
    reader_page = logged_in(make_user("reader")).get("/users/writer/series").content.decode()
    assert "Locked Series" in reader_page and "Draft Series" not in reader_page
    own_page = logged_in(writer).get("/users/writer/series").content.decode()
    assert all(s.title in own_page for s in (public, locked, draft_only))
    assert 'href="/series/new"' in own_page
    # The dashboard links to it.
    assert 'href="/users/writer/series"' in Client().get("/users/writer").content.decode()
    assert Client().get("/users/nobody-here/series").status_code == 404


def test_deleting_a_work_closes_the_gap_in_its_series() -> None:
    from fanworks.works.actions import work_delete

    writer = make_user("writer")
    one, two, three = (make_work(writer, title=t) for t in ("One", "Two", "Three"))
    series = series_of(writer, one, two, three)
    work_delete(work=two)
    assert positions(series) == [(one.pk, 1), (three.pk, 2)]
    response = logged_in(writer).post(
        f"/series/{series.pk}/manage", {f"position_{one.pk}": "2", f"position_{three.pk}": "1"}
    )
    assert response.status_code == 302
    assert positions(series) == [(three.pk, 1), (one.pk, 2)]


def test_series_dates_come_from_visible_parts_only() -> None:
    from datetime import UTC, datetime

    writer = make_user("writer")
    public = make_work(writer, title="Old Public")
    Work.objects.filter(pk=public.pk).update(
        first_posted_at=datetime(2020, 1, 2, tzinfo=UTC),
        revised_at=datetime(2020, 3, 4, tzinfo=UTC),
    )
    series = series_of(writer, public)
    series_add_work(user=writer, series=series, work=make_work(writer, post=False))
    page = Client().get(f"/series/{series.pk}").content.decode()
    assert "<dt>Series Begun:</dt><dd>2020-01-02</dd>" in page
    assert "<dt>Series Updated:</dt><dd>2020-03-04</dd>" in page
    listing = Client().get("/users/writer/series").content.decode()
    assert '<p class="datetime">04 Mar 2020</p>' in listing
