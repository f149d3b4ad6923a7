"""Orphaning: the orphan account (made on first use, cannot log in), orphaning one work or
several keeping the pseud's name or anonymously, co-creators kept, the confirmation step,
the search outbox and creator sort key, stats kept, and the permission matrix with nothing
changed on refusals."""

import pytest
from django.contrib.auth import authenticate
from django.test import Client

from fanworks.accounts.actions import block_user, pseud_create
from fanworks.accounts.models import Pseud, User
from fanworks.core.testing import DEFAULT_PASSWORD, make_user, make_work
from fanworks.engagement.actions import kudos_leave
from fanworks.search.models import SearchOutbox
from fanworks.works.cocreator_models import ChapterCreatorship
from fanworks.works.models import Creatorship, Work
from fanworks.works.orphan_actions import orphan_account, works_orphan
from fanworks.works.orphan_queries import ORPHAN_USERNAME
from fanworks.works.tests.gift_helpers import logged_in, snapshot

pytestmark = pytest.mark.django_db


def credited(work: Work) -> list[tuple[str, str]]:
    return list(
        Creatorship.objects.filter(work=work)
        .order_by("position", "pk")
        .values_list("pseud__user__username", "pseud__name")
    )


def test_orphan_account_is_made_once_and_cannot_log_in() -> None:
    first = orphan_account()
    assert orphan_account().pk == first.pk
    assert first.username == ORPHAN_USERNAME
    assert not first.has_usable_password() and not first.is_active
    assert Pseud.objects.get(user=first, is_default=True).name == ORPHAN_USERNAME
    assert authenticate(username=ORPHAN_USERNAME, password="") is None
    client = Client()
    client.post(
        "/users/login", {"user[login]": ORPHAN_USERNAME, "user[password]": "anything-at-all"}
    )
    assert "_auth_user_id" not in client.session
    # Nobody can sign up under the name either.
    Client().post(
        "/signup",
        {
            "username": ORPHAN_USERNAME,
            "email": "o@example.org",
            "password1": DEFAULT_PASSWORD,
            "password2": DEFAULT_PASSWORD,
        },
    )
    assert User.objects.filter(username__iexact=ORPHAN_USERNAME).count() == 1


def test_orphan_one_work_keeping_the_pseud_name() -> None:
    writer = make_user("writer")
    pen = pseud_create(user=writer, name="Harbour Pen")
    work = make_work(writer, pseud_ids=[pen.pk])
    reader = make_user("reader")
    kudos_leave(work=work, user=reader)
    client = logged_in(writer)
    # The confirmation page changes nothing.
    before = snapshot()
    page = client.get(f"/works/{work.pk}/orphan")
    assert page.status_code == 200 and "can't be undone" in page.content.decode()
    assert snapshot() == before
    outbox_before = SearchOutbox.objects.count()
    response = client.post(f"/works/{work.pk}/orphan", {"name_choice": "keep"})
    assert response.status_code == 302
    assert credited(work) == [(ORPHAN_USERNAME, "Harbour Pen")]
    work.refresh_from_db()
    assert work.posted and work.kudos_count == 1
    assert work.creator_sort_key == "harbour pen"
    assert SearchOutbox.objects.filter(work_id=work.pk).count() > 0
    assert SearchOutbox.objects.count() > outbox_before
    # It is public still, credited to the orphan pseud, and no longer the writer's to edit.
    shown = Client().get(f"/works/{work.pk}").content.decode()
    assert f'href="/users/{ORPHAN_USERNAME}/pseuds/Harbour%20Pen"' in shown
    assert client.get(f"/works/{work.pk}/edit").status_code == 404
    assert "Harbour Lights" not in Client().get("/users/writer/works").content.decode()


def test_orphan_anonymously_uses_the_default_pseud() -> None:
    writer = make_user("writer")
    work = make_work(writer)
    response = logged_in(writer).post(f"/works/{work.pk}/orphan", {"name_choice": "anonymous"})
    assert response.status_code == 302
    assert credited(work) == [(ORPHAN_USERNAME, ORPHAN_USERNAME)]
    work.refresh_from_db()
    assert work.creator_sort_key == ORPHAN_USERNAME
    # The orphan account's pages list it like anyone's.
    for url in (
        f"/users/{ORPHAN_USERNAME}",
        f"/users/{ORPHAN_USERNAME}/works",
        f"/users/{ORPHAN_USERNAME}/pseuds/{ORPHAN_USERNAME}/works",
    ):
        page = Client().get(url)
        assert page.status_code == 200, url
        assert "Harbour Lights" in page.content.decode(), url


def test_only_the_orphaners_credit_moves_on_a_co_created_work() -> None:
    writer = make_user("writer")
    partner = make_user("partner")
    work = make_work(partner, title="Duet")
    # A co-creator's credit (co-creator invitations are built elsewhere; the row is what counts).
    Creatorship.objects.create(work=work, pseud=writer.pseuds.get(), position=1)
    works_orphan(user=writer, work_ids=[work.pk], keep_names=False)
    assert credited(work) == [("partner", "partner"), (ORPHAN_USERNAME, ORPHAN_USERNAME)]
    work.refresh_from_db()
    assert work.creator_sort_key == "partner"


def test_chapter_credits_follow_the_orphaned_work_credit() -> None:
    """A co-creator credited on a chapter of their own: orphaning moves that chapter credit
    to the orphan pseud too, and leaves the partner's chapters alone."""
    writer = make_user("writer")
    partner = make_user("partner")
    work = make_work(partner, title="Duet")
    chapter = work.chapters.get()
    Creatorship.objects.create(work=work, pseud=writer.pseuds.get(), position=1)
    ChapterCreatorship.objects.create(chapter=chapter, pseud=partner.pseuds.get(), position=0)
    ChapterCreatorship.objects.create(chapter=chapter, pseud=writer.pseuds.get(), position=1)
    works_orphan(user=writer, work_ids=[work.pk], keep_names=True)
    chapter_credits = list(
        ChapterCreatorship.objects.filter(chapter=chapter)
        .order_by("position")
        .values_list("pseud__user__username", "pseud__name")
    )
    assert chapter_credits == [("partner", "partner"), (ORPHAN_USERNAME, "writer")]


def test_two_pseuds_on_one_work_orphaned_anonymously_are_credited_once() -> None:
    writer = make_user("writer")
    pen = pseud_create(user=writer, name="Second Pen")
    work = make_work(writer, pseud_ids=[writer.pseuds.get(is_default=True).pk, pen.pk])
    works_orphan(user=writer, work_ids=[work.pk], keep_names=False)
    assert credited(work) == [(ORPHAN_USERNAME, ORPHAN_USERNAME)]


def test_orphan_several_works_from_the_users_page_with_confirmation() -> None:
    writer = make_user("writer")
    one = make_work(writer, title="One")
    two = make_work(writer, title="Two")
    keep = make_work(writer, title="Keep Me")
    draft = make_work(writer, title="Drafty", post=False)
    client = logged_in(writer)
    page = client.get("/users/writer/orphan").content.decode()
    assert "One" in page and "Keep Me" in page and "Drafty" not in page
    before = snapshot()
    step = client.post(
        "/users/writer/orphan", {"works": [one.pk, two.pk], "name_choice": "anonymous"}
    )
    assert step.status_code == 200
    text = step.content.decode()
    assert "Orphan 2 works?" in text and 'name="confirm" value="True"' in text
    assert snapshot() == before  # the first step only asks
    done = client.post(
        "/users/writer/orphan",
        {"works": [one.pk, two.pk], "name_choice": "anonymous", "confirm": "True"},
    )
    assert done.status_code == 302
    assert credited(one) == credited(two) == [(ORPHAN_USERNAME, ORPHAN_USERNAME)]
    assert credited(keep) == [("writer", "writer")]
    assert credited(draft) == [("writer", "writer")]


@pytest.mark.parametrize(
    ("post", "field"),
    [
        ({"name_choice": "anonymous", "confirm": "True"}, "works"),
        ({"works": ["DRAFT"], "name_choice": "anonymous", "confirm": "True"}, "works"),
        ({"works": ["OTHER"], "name_choice": "keep", "confirm": "True"}, "works"),
        ({"works": ["١"], "name_choice": "keep", "confirm": "True"}, "works"),
        ({"works": ["MINE"], "name_choice": "sideways", "confirm": "True"}, "name_choice"),
        ({"works": ["MINE"], "confirm": "True"}, "name_choice"),
    ],
)
def test_bad_orphan_input_is_refused_next_to_the_field(post: dict, field: str) -> None:
    writer = make_user("writer")
    mine = make_work(writer, title="Mine")
    draft = make_work(writer, title="Drafty", post=False)
    other = make_work(make_user("someone"), title="Theirs")
    ids = {"MINE": mine.pk, "DRAFT": draft.pk, "OTHER": other.pk}
    if "works" in post:
        post = {**post, "works": [str(ids.get(w, w)) for w in post["works"]]}
    before = snapshot()
    response = logged_in(writer).post("/users/writer/orphan", post)
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert snapshot() == before


@pytest.mark.parametrize("persona", ["guest", "reader", "blocked", "admin", "creator"])
@pytest.mark.parametrize("kind", ["public", "restricted", "draft"])
def test_orphan_permission_matrix(persona: str, kind: str) -> None:
    writer = make_user("writer")
    work = make_work(writer, title="Target", restricted=kind == "restricted", post=kind != "draft")
    others = {"reader": make_user("reader"), "blocked": make_user("blocked")}
    block_user(blocker=writer, blocked=others["blocked"])
    admin = make_user("siteadmin")
    User.objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
    others["admin"] = admin
    others["creator"] = writer
    client = Client() if persona == "guest" else logged_in(others[persona])
    before = snapshot()
    get = client.get(f"/works/{work.pk}/orphan")
    response = client.post(f"/works/{work.pk}/orphan", {"name_choice": "anonymous"})
    if persona == "creator" and kind != "draft":
        assert get.status_code == 200 and response.status_code == 302
        assert credited(work) == [(ORPHAN_USERNAME, ORPHAN_USERNAME)]
        return
    if persona == "guest":
        assert response.status_code == 302 and "/users/login" in response["Location"]
    else:
        assert response.status_code == 404 and get.status_code == 404
    assert snapshot() == before
    # Nor can anyone but the owner use the user's orphan page.
    if persona != "creator":
        page = client.post(
            "/users/writer/orphan",
            {"works": [str(work.pk)], "name_choice": "keep", "confirm": "True"},
        )
        assert page.status_code in (302, 404)
        assert snapshot() == before


def test_missing_work_and_user_are_404() -> None:
    client = logged_in(make_user("writer"))
    assert client.get("/works/999999/orphan").status_code == 404
    assert client.get("/users/nobody_at_all/orphan").status_code == 404
