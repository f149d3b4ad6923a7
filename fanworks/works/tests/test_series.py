"""Series: creating them from the posting form and their own page, adding, removing and
reordering works, the series page, "Part N" with previous/next, the user's series list,
visibility (drafts, restricted and hidden parts never show or count), the permission matrix
with "nothing changed" on refusals, and subscriptions to series."""

import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client

from fanworks.accounts.actions import block_user, mute_user
from fanworks.accounts.models import User
from fanworks.core.testing import PROSE, make_user, make_work, run_together, work_data
from fanworks.engagement.models import Notification, Subscription
from fanworks.works.actions import work_post, work_update
from fanworks.works.models import Series, SeriesCreatorship, SeriesWork, Work
from fanworks.works.series_actions import (
    SeriesData,
    series_add_work,
    series_create,
    series_delete,
    series_remove_work,
    series_reorder,
)

pytestmark = pytest.mark.django_db


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every series row and series subscription, to assert a refusal changed nothing."""
    return {
        "series": list(
            Series.objects.order_by("pk").values_list(
                "pk", "title", "summary", "notes", "complete", "updated_at"
            )
        ),
        "parts": list(
            SeriesWork.objects.order_by("pk").values_list("pk", "series", "work", "position")
        ),
        "creators": list(
            SeriesCreatorship.objects.order_by("pk").values_list("pk", "series", "pseud")
        ),
        "subscriptions": list(
            Subscription.objects.order_by("pk").values_list("pk", "user", "series")
        ),
        "works": list(Work.objects.order_by("pk").values_list("pk", "version", "title")),
    }


def new_series(user: User, title: str = "Tidewater Cycle", **fields: Any) -> Series:
    return series_create(user=user, data=SeriesData(title=title, **fields))


def series_of(user: User, *works: Work, title: str = "Tidewater Cycle") -> Series:
    series = new_series(user, title)
    for work in works:
        series_add_work(user=user, series=series, work=work)
    return series


def positions(series: Series) -> list[tuple[int, int]]:
    return list(series.series_works.order_by("position").values_list("work_id", "position"))


def form_post(user: User, **overrides: Any) -> dict[str, Any]:
    """The posting form's fields for a new work by `user`."""
    data = {
        "title": "Harbour Lights",
        "pseuds": [str(user.pseuds.get(is_default=True).pk)],
        "rating": "General Audiences",
        "warnings": ["No Archive Warnings Apply"],
        "fandoms": "Tidewater Chronicles",
        "language": "en",
        "expected_chapters": "1",
        "comment_permission": "registered",
        "content": PROSE,
        "post": "1",
    }
    data.update(overrides)
    return data


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


# ---------------------------------------------------------------------------------------------
# Visibility: drafts, restricted and hidden parts


@pytest.fixture
def mixed() -> dict[str, Any]:
    """A series of five parts: public, draft, restricted, hidden by an admin, public."""
    writer = make_user("writer")
    works = {
        "first": make_work(writer, title="First Public"),
        "draft": make_work(writer, title="Secret Draft", post=False),
        "restricted": make_work(writer, title="Members Only", restricted=True),
        "hidden": make_work(writer, title="Hidden Away"),
        "last": make_work(writer, title="Last Public"),
    }
    series = series_of(writer, *works.values())
    Work.objects.filter(pk=works["hidden"].pk).update(hidden_by_admin=True)
    return {"writer": writer, "works": works, "series": series}


def test_guests_see_only_public_parts_in_listing_counts_and_numbers(mixed: dict[str, Any]) -> None:
    series, works = mixed["series"], mixed["works"]
    page = Client().get(f"/series/{series.pk}").content.decode()
    for title in ("Secret Draft", "Members Only", "Hidden Away"):
        assert title not in page
    assert '<dd class="works">2</dd>' in page
    words = works["first"].word_count + works["last"].word_count
    assert f'<dd class="words">{words:,}</dd>' in page
    # The last part is Part 2 for a guest: nothing tells them three parts are missing.
    assert "Part <strong>2</strong>" in page and "Part <strong>5</strong>" not in page


def test_registered_readers_also_see_restricted_parts(mixed: dict[str, Any]) -> None:
    series = mixed["series"]
    page = logged_in(make_user("reader")).get(f"/series/{series.pk}").content.decode()
    assert "Members Only" in page and "Secret Draft" not in page and "Hidden Away" not in page
    assert '<dd class="works">3</dd>' in page
    assert "Part <strong>3</strong>" in page


def test_previous_and_next_skip_parts_the_reader_may_not_see(mixed: dict[str, Any]) -> None:
    works = mixed["works"]
    first, last = works["first"].pk, works["last"].pk
    guest = Client().get(f"/works/{last}").content.decode()
    assert f'<a class="previous" href="/works/{first}">← Previous Work</a>' in guest
    assert "Part 2 of" in guest and "Members Only" not in guest
    assert f'href="/works/{works["restricted"].pk}"' not in guest
    guest_first = Client().get(f"/works/{first}").content.decode()
    assert f'<a class="next" href="/works/{last}">Next Work →</a>' in guest_first
    reader = logged_in(make_user("reader")).get(f"/works/{last}").content.decode()
    assert f'<a class="previous" href="/works/{works["restricted"].pk}">' in reader
    assert "Part 3 of" in reader


def test_a_series_of_only_invisible_parts_is_404_except_for_its_creators() -> None:
    writer = make_user("writer")
    draft = make_work(writer, post=False)
    locked = make_work(writer, restricted=True)
    hidden = make_work(writer)
    Work.objects.filter(pk=hidden.pk).update(hidden_by_admin=True)
    drafts = series_of(writer, draft, hidden, title="Nothing to see")
    members = series_of(writer, locked, title="Members")
    reader = logged_in(make_user("reader"))
    assert Client().get(f"/series/{drafts.pk}").status_code == 404
    assert reader.get(f"/series/{drafts.pk}").status_code == 404
    assert Client().get(f"/series/{members.pk}").status_code == 404
    assert reader.get(f"/series/{members.pk}").status_code == 200
    assert logged_in(writer).get(f"/series/{drafts.pk}").status_code == 200


def test_blurbs_in_listings_say_part_n_for_the_kind_of_reader(mixed: dict[str, Any]) -> None:
    series, works = mixed["series"], mixed["works"]
    guest = Client().get("/users/writer/works").content.decode()
    blurb = guest[guest.index(f'id="work_{works["last"].pk}"') :]
    assert re.search(r'<ul class="series"><li>Part <strong>2</strong> of <a href="/series/', blurb)
    reader = logged_in(make_user("reader")).get("/users/writer/works").content.decode()
    blurb = reader[reader.index(f'id="work_{works["last"].pk}"') :]
    assert f'Part <strong>3</strong> of <a href="/series/{series.pk}">' in blurb


def test_a_muted_creators_parts_leave_the_muters_series_page() -> None:
    writer, other = make_user("writer"), make_user("other")
    reader = make_user("reader")
    mine = make_work(writer, title="Mine")
    shared = make_work(other, title="Muted Part")
    series = series_of(writer, mine)
    # A co-created series: the other writer is credited and adds their own work.
    SeriesCreatorship.objects.create(series=series, pseud=other.pseuds.get(), position=1)
    series_add_work(user=other, series=series, work=shared)
    mute_user(muter=reader, muted=other)
    page = logged_in(reader).get(f"/series/{series.pk}").content.decode()
    assert "Muted Part" not in page and '<dd class="works">1</dd>' in page


# ---------------------------------------------------------------------------------------------
# Permission matrix: guest, reader, creator, other creator, admin × public, restricted, draft


PERSONAS = ("guest", "reader", "creator", "other_creator", "admin")
KINDS = ("public", "restricted", "draft")


@pytest.fixture
def world() -> dict[str, Any]:
    creator = make_user("maker")
    admin = make_user("siteadmin")
    User.objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
    people = {
        "creator": creator,
        "reader": make_user("plainreader"),
        "other_creator": make_user("otherwriter"),
        "admin": User.objects.get(pk=admin.pk),
    }
    works = {
        "public": make_work(creator, title="Open Harbour"),
        "restricted": make_work(creator, title="Locked Harbour", restricted=True),
        "draft": make_work(creator, title="Draft Harbour", post=False),
    }
    series = {
        kind: series_of(creator, work, title=f"{kind} series") for kind, work in works.items()
    }
    spare = make_work(creator, title="Spare")
    other_work = make_work(people["other_creator"], title="Other's work")
    return {"people": people, "works": works, "series": series, "spare": spare,
            "other_work": other_work}  # fmt: skip


def client_for(world: dict[str, Any], persona: str) -> Client:
    client = Client()
    if persona != "guest":
        client.force_login(world["people"][persona])
    return client


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("kind", KINDS)
def test_only_readers_who_may_see_a_part_see_the_series_page(
    world: dict[str, Any], persona: str, kind: str
) -> None:
    series = world["series"][kind]
    status = client_for(world, persona).get(f"/series/{series.pk}").status_code
    visible = {
        "public": True,
        "restricted": persona != "guest",
        "draft": persona == "creator",
    }[kind]
    assert status == (200 if visible else 404)


@pytest.mark.parametrize("persona", ("guest", "reader", "other_creator", "admin"))
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("edit", {"title": "Taken over"}),
        ("delete", {}),
        ("manage", {"remove": "WORK"}),
        ("manage", {"position_WORK": "1"}),
    ],
)
def test_everyone_but_the_creator_is_refused_every_change_and_nothing_changes(
    world: dict[str, Any], persona: str, kind: str, path: str, data: dict[str, str]
) -> None:
    series = world["series"][kind]
    work_id = str(world["works"][kind].pk)
    data = {k.replace("WORK", work_id): v.replace("WORK", work_id) for k, v in data.items()}
    client = client_for(world, persona)
    before = snapshot()
    get = client.get(f"/series/{series.pk}/{path}")
    post = client.post(f"/series/{series.pk}/{path}", data)
    if persona == "guest":
        assert get.status_code == post.status_code == 302
        assert post["Location"].startswith("/users/login")
    else:
        assert get.status_code == post.status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("kind", KINDS)
def test_the_creator_may_edit_every_kind_of_series(world: dict[str, Any], kind: str) -> None:
    series = world["series"][kind]
    client = client_for(world, "creator")
    assert client.get(f"/series/{series.pk}/manage").status_code == 200
    response = client.post(f"/series/{series.pk}/edit", {"title": "Renamed"})
    assert response.status_code == 302
    assert Series.objects.get(pk=series.pk).title == "Renamed"


@pytest.mark.parametrize("persona", ("reader", "other_creator", "admin"))
def test_others_cannot_add_the_creators_work_to_their_series_through_the_form(
    world: dict[str, Any], persona: str
) -> None:
    user = world["people"][persona]
    theirs = new_series(user, "Their own")
    work = world["works"]["public"]
    before = snapshot()
    # The work's edit form is the creator's only (404), and the action refuses too.
    response = client_for(world, persona).post(
        f"/works/{work.pk}/edit",
        form_post(user, version=str(work.version), series_id=str(theirs.pk)),
    )
    assert response.status_code == 404
    with pytest.raises(ValidationError):
        series_add_work(user=user, series=theirs, work=work)
    with pytest.raises(ValidationError):
        series_add_work(user=user, series=world["series"]["public"], work=world["other_work"])
    assert snapshot() == before


def test_a_works_creator_may_take_it_out_of_someone_elses_series(world: dict[str, Any]) -> None:
    owner = world["people"]["other_creator"]
    creator = world["people"]["creator"]
    theirs = new_series(owner, "Anthology")
    SeriesCreatorship.objects.create(series=theirs, pseud=creator.pseuds.get(), position=1)
    series_add_work(user=creator, series=theirs, work=world["spare"])
    SeriesCreatorship.objects.filter(series=theirs, pseud__user=creator).delete()
    reader = world["people"]["reader"]
    before = snapshot()
    with pytest.raises(ValidationError):
        series_remove_work(user=reader, series=theirs, work=world["spare"])
    assert snapshot() == before
    series_remove_work(user=creator, series=theirs, work=world["spare"])
    assert positions(theirs) == []


# ---------------------------------------------------------------------------------------------
# Subscriptions to series


def subscribe(client: Client, owner: str, series: Series) -> Any:
    return client.post(
        f"/users/{owner}/subscriptions",
        {
            "subscription[subscribable_type]": "Series",
            "subscription[subscribable_id]": str(series.pk),
        },
    )


def series_notifications(user: User) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user, event_key__startswith="series:")
        .order_by("pk")
        .values_list("event_key", flat=True)
    )


def test_subscribing_to_a_series_through_the_page(django_capture_on_commit_callbacks) -> None:
    writer = make_user("writer")
    series = series_of(writer, make_work(writer))
    reader = make_user("reader")
    client = logged_in(reader)
    page = client.get(f"/series/{series.pk}").content.decode()
    assert 'name="subscription[subscribable_type]" value="Series"' in page
    response = subscribe(client, "reader", series)
    assert response.status_code == 302 and response["Location"] == f"/series/{series.pk}"
    subscribe(client, "reader", series)
    assert Subscription.objects.filter(user=reader, series=series).count() == 1
    page = client.get(f"/series/{series.pk}").content.decode()
    assert 'value="Unsubscribe"' in page
    listing = client.get("/users/reader/subscriptions?type=series").content.decode()
    assert f'href="/series/{series.pk}"' in listing and "(Series)" in listing
    # The creator gets no button and is refused.
    assert 'value="Subscribe"' not in logged_in(writer).get(f"/series/{series.pk}").content.decode()
    before = snapshot()
    subscribe(logged_in(writer), "writer", series)
    assert snapshot() == before


def test_subscribing_to_an_invisible_series_is_404_and_changes_nothing() -> None:
    writer = make_user("writer")
    drafts = series_of(writer, make_work(writer, post=False))
    reader = make_user("reader")
    blocked = make_user("blocked")
    block_user(blocker=writer, blocked=blocked)
    public = series_of(writer, make_work(writer), title="Public")
    before = snapshot()
    assert subscribe(logged_in(reader), "reader", drafts).status_code == 404
    subscribe(logged_in(blocked), "blocked", public)
    response = logged_in(reader).post(
        "/users/reader/subscriptions",
        {"subscription[subscribable_type]": "Series", "subscription[subscribable_id]": "x1"},
    )
    assert response.status_code == 400
    assert subscribe(Client(), "reader", public).status_code == 302
    assert snapshot() == before


def test_series_subscribers_hear_of_posted_works_once(django_capture_on_commit_callbacks) -> None:
    writer = make_user("writer")
    reader, muter, stranger = make_user("reader"), make_user("muter"), make_user("stranger")
    first = make_work(writer)
    series = series_of(writer, first)
    for user in (reader, muter):
        Subscription.objects.create(user=user, series=series)
    mute_user(muter=muter, muted=writer)

    with django_capture_on_commit_callbacks(execute=True):
        posted = make_work(writer, title="Posted Later", restricted=True)
        series_add_work(user=writer, series=series, work=posted)
    assert series_notifications(reader) == [f"series:{series.pk}:work:{posted.pk}"]
    assert series_notifications(muter) == [] and series_notifications(stranger) == []
    text = Notification.objects.get(recipient=reader, event_key__startswith="series:").text
    assert "Posted Later" in text and "Tidewater Cycle" in text

    # Removing and adding again does not announce it twice.
    with django_capture_on_commit_callbacks(execute=True):
        series_remove_work(user=writer, series=series, work=posted)
        series_add_work(user=writer, series=series, work=posted)
    assert len(series_notifications(reader)) == 1

    # A draft is announced when it is posted, not before.
    with django_capture_on_commit_callbacks(execute=True):
        draft = make_work(writer, title="Draft Part", post=False)
        series_add_work(user=writer, series=series, work=draft)
    assert len(series_notifications(reader)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        work_post(work=draft)
    assert series_notifications(reader)[-1] == f"series:{series.pk}:work:{draft.pk}"

    # A work hidden by an admin is not announced.
    hidden = make_work(writer, title="Hidden Part")
    Work.objects.filter(pk=hidden.pk).update(hidden_by_admin=True)
    with django_capture_on_commit_callbacks(execute=True):
        series_add_work(user=writer, series=series, work=hidden)
    assert len(series_notifications(reader)) == 2


def test_posting_into_a_series_from_the_form_notifies_subscribers(
    django_capture_on_commit_callbacks,
) -> None:
    writer, reader = make_user("writer"), make_user("reader")
    series = series_of(writer, make_work(writer))
    Subscription.objects.create(user=reader, series=series)
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(writer).post(
            "/works/new", form_post(writer, title="Via Form", series_id=str(series.pk))
        )
    assert response.status_code == 302
    work = Work.objects.get(title="Via Form")
    assert series_notifications(reader) == [f"series:{series.pk}:work:{work.pk}"]


def test_following_the_creator_and_the_series_gives_one_entry_per_work(
    django_capture_on_commit_callbacks,
) -> None:
    writer, reader = make_user("writer"), make_user("reader")
    series = series_of(writer, make_work(writer))
    Subscription.objects.create(user=reader, series=series)
    Subscription.objects.create(user=reader, target_user=writer)
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(writer).post(
            "/works/new", form_post(writer, title="Both Ways", series_id=str(series.pk))
        )
    assert response.status_code == 302
    work = Work.objects.get(title="Both Ways")
    assert Notification.objects.filter(recipient=reader, work=work).count() == 1


def test_the_subscription_check_constraint_takes_exactly_one_target() -> None:
    writer, reader = make_user("writer"), make_user("reader")
    work = make_work(writer)
    series = series_of(writer, work)
    with pytest.raises(IntegrityError), transaction.atomic():
        Subscription.objects.create(user=reader, series=series, work=work)
    Subscription.objects.create(user=reader, series=series)
    with pytest.raises(IntegrityError), transaction.atomic():
        Subscription.objects.create(user=reader, series=series)


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
