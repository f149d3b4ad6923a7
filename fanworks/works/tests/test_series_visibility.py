"""Series visibility: drafts, restricted and hidden parts never show or count, "Part N" with
previous/next for each kind of reader, and the permission matrix with "nothing changed" on
refusals."""

import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from fanworks.accounts.actions import mute_user
from fanworks.accounts.models import User
from fanworks.core.testing import make_user, make_work
from fanworks.works.models import Series, SeriesCreatorship, Work
from fanworks.works.series_actions import (
    series_add_work,
    series_remove_work,
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
