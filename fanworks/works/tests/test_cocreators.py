"""Co-creators: invitations from the work and series forms, the invitee's Co-Creator
Requests page, accepting and declining, leaving, the preference that refuses invitations, and
what an unanswered invitation does not change (bylines, search, the user's works, edit
rights). Chapters are in test_cocreators_chapters.py, the permission matrix in
test_cocreators_permissions.py."""

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from fanworks.accounts.actions import block_user, pseud_create, unblock_user
from fanworks.core.pagination import PER_PAGE
from fanworks.core.testing import PROSE, make_user, make_work, work_data
from fanworks.engagement.actions import subscription_create
from fanworks.engagement.models import Notification, NotificationKind
from fanworks.search.indexer import get_index, run_round
from fanworks.search.models import SearchOutbox
from fanworks.works.actions import (
    work_delete,
    work_post,
    work_update,
)
from fanworks.works.cocreator_actions import (
    creator_remove_self,
    invitations_answer,
)
from fanworks.works.cocreator_models import CreatorInvitation
from fanworks.works.models import Creatorship, Series, SeriesCreatorship, Work
from fanworks.works.tests.cocreator_helpers import (
    accept_all,
    byline,
    chapter_shared_with_bea,
    credited_users,
    invite,
    snapshot,
    two_chapter_work,
)
from fanworks.works.tests.series_helpers import form_post, logged_in, new_series, series_of

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------------------------
# Inviting from the posting form


def test_posting_form_invites_and_the_invitee_is_credited_only_after_accepting() -> None:
    alma = make_user("alma")
    bea = make_user("bea")
    client = logged_in(alma)
    response = client.post("/works/new", form_post(alma, invite_cocreators="bea"))
    assert response.status_code == 302
    work = Work.objects.get()
    assert credited_users(work) == ["alma"]
    invitation = CreatorInvitation.objects.get()
    assert (invitation.pseud.user, invitation.inviter, invitation.work) == (bea, alma, work)
    note = Notification.objects.get(recipient=bea)
    assert note.kind == NotificationKind.COCREATOR and "alma invited bea" in note.text

    # Not credited yet: byline, the user's works page, edit rights.
    page = Client().get(f"/works/{work.pk}").content.decode()
    assert byline(page) == "alma"
    assert "Harbour Lights" not in Client().get("/users/bea/works").content.decode()
    bea_client = logged_in(bea)
    assert bea_client.get(f"/works/{work.pk}/edit").status_code == 404

    # The inbox links to the requests page, which lists the invitation.
    inbox = bea_client.get("/users/bea/inbox").content.decode()
    assert 'href="/creatorships"' in inbox
    assert bea_client.get("/creatorships")["Location"] == "/users/bea/creatorships"
    requests_page = bea_client.get("/users/bea/creatorships").content.decode()
    assert "Co-Creator Requests" in requests_page and "Harbour Lights" in requests_page

    outbox_before = SearchOutbox.objects.filter(work_id=work.pk).count()
    response = bea_client.post(
        "/users/bea/creatorships", {"invitation_ids": [invitation.pk], "accept": "1"}
    )
    assert response.status_code == 302
    assert credited_users(work) == ["alma", "bea"]
    assert not CreatorInvitation.objects.exists()
    assert SearchOutbox.objects.filter(work_id=work.pk).count() == outbox_before + 1
    assert byline(Client().get(f"/works/{work.pk}").content.decode()) == "alma, bea"
    assert "Harbour Lights" in Client().get("/users/bea/works").content.decode()
    assert bea_client.get(f"/works/{work.pk}/edit").status_code == 200


@pytest.mark.parametrize(
    ("names", "message"),
    [
        ("nobody_here", "couldn&#x27;t find a user or pseud called “nobody_here”"),
        ("alma", "is your own pseud"),
        ("refuser", "refuser does not accept co-creator invitations"),
        ("blocker", "blocker has blocked you"),
        ("pest", "You have blocked pest, so you cannot invite them."),
    ],
)
def test_posting_form_refuses_names_that_cannot_be_invited(names: str, message: str) -> None:
    alma = make_user("alma")
    refuser = make_user("refuser")
    refuser.allow_cocreator_invitations = False
    refuser.save()
    blocker = make_user("blocker")
    block_user(blocker=blocker, blocked=alma)
    block_user(blocker=alma, blocked=make_user("pest"))
    before = snapshot()
    response = logged_in(alma).post(
        "/works/new", form_post(alma, title="Kept Title", invite_cocreators=names)
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'value="Kept Title"' in html  # nothing the creator typed is lost
    assert snapshot() == before
    assert not Work.objects.exists()


def invite_field(html: str) -> str:
    """The co-creator field's block on a form page (label, help, errors and input)."""
    match = re.search(
        r'<div class="field has-error">\s*<label for="id_invite_cocreators">.*?</div>', html, re.S
    )
    assert match, html[:3000]
    return match.group(0)


def test_inviter_cannot_invite_someone_they_blocked_from_any_form() -> None:
    """The inviter's own block refuses the invitation (as the invitee's block of them does),
    next to the co-creator field of the work, chapter and series forms; nothing is saved."""
    alma = make_user("alma")
    bea = make_user("bea")
    side = pseud_create(user=bea, name="Quill")
    work, second = two_chapter_work(alma)
    series = new_series(alma)
    block_user(blocker=alma, blocked=bea)
    client = logged_in(alma)
    before = snapshot()
    work.refresh_from_db()
    work_form = form_post(alma, version=str(work.version), invite_cocreators="bea")
    work_form.pop("content")
    posts = [
        (f"/works/{work.pk}/edit", work_form, "bea"),
        (
            f"/works/{work.pk}/chapters/{second.pk}/edit",
            {"content": PROSE, "version": second.version, "invite_cocreators": "Quill"},
            "Quill (bea)",
        ),
        (f"/series/{series.pk}/edit", {"title": series.title, "invite_cocreators": "bea"}, "bea"),
    ]
    for url, data, named in posts:
        response = client.post(url, data)
        assert response.status_code == 400, url
        field = invite_field(response.content.decode())
        assert f"You have blocked {named}, so you cannot invite them." in field, url
        assert snapshot() == before
    with pytest.raises(ValidationError) as refused:
        invite(alma, work, "Quill (bea)")
    assert refused.value.message_dict == {
        "invite_cocreators": ["You have blocked Quill (bea), so you cannot invite them."]
    }
    assert snapshot() == before
    assert not CreatorInvitation.objects.filter(pseud=side).exists()

    # Lifting the block lets the same invitation through.
    unblock_user(blocker=alma, blocked=bea)
    assert [i.pseud.user for i in invite(alma, work, "bea")] == [bea]


def test_a_pseud_is_named_by_username_pseud_or_pseud_with_username() -> None:
    alma = make_user("alma")
    bea = make_user("bea")
    pseud_create(user=bea, name="Quill")
    cara = make_user("cara")
    pseud_create(user=cara, name="Shared")
    dan = make_user("dan")
    pseud_create(user=dan, name="Shared")
    work = make_work(alma)
    invite(alma, work, "BEA", "quill", "Shared (dan)")
    names = set(CreatorInvitation.objects.values_list("pseud__name", flat=True))
    assert names == {"bea", "Quill", "Shared"}
    assert CreatorInvitation.objects.get(pseud__name="Shared").pseud.user == dan
    with pytest.raises(ValidationError) as refused:
        invite(alma, work, "Shared")
    assert "Several users write as “Shared”" in str(refused.value)


def test_inviting_someone_already_credited_is_refused_and_twice_is_one_invitation() -> None:
    alma = make_user("alma")
    bea = make_user("bea")
    work = make_work(alma)
    invite(alma, work, "bea")
    invite(alma, work, "bea")
    assert CreatorInvitation.objects.count() == 1
    assert Notification.objects.filter(recipient=bea).count() == 1
    accept_all(bea)
    with pytest.raises(ValidationError) as refused:
        invite(alma, work, "bea")
    assert "already credited" in str(refused.value)


def test_edit_form_invites_and_shows_pending_invitations_until_accepted() -> None:
    alma = make_user("alma")
    make_user("bea")
    work = make_work(alma)
    client = logged_in(alma)
    data = form_post(alma, version=str(work.version), invite_cocreators="bea")
    data.pop("content")
    response = client.post(f"/works/{work.pk}/edit", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert CreatorInvitation.objects.filter(work=work).count() == 1
    page = client.get(f"/works/{work.pk}/edit").content.decode()
    assert "Invited, not yet accepted" in page and "bea" in page
    assert credited_users(work) == ["alma"]


def test_declining_removes_the_invitation_and_credits_nobody() -> None:
    alma = make_user("alma")
    bea = make_user("bea")
    work = make_work(alma)
    (invitation,) = invite(alma, work, "bea")
    response = logged_in(bea).post(
        "/users/bea/creatorships", {"invitation_ids": [str(invitation.pk)], "decline": "1"}
    )
    assert response.status_code == 302
    assert not CreatorInvitation.objects.exists()
    assert credited_users(work) == ["alma"]


def test_answering_someone_elses_invitation_changes_nothing() -> None:
    alma = make_user("alma")
    make_user("bea")
    mallory = make_user("mallory")
    work = make_work(alma)
    (invitation,) = invite(alma, work, "bea")
    before = snapshot()
    assert invitations_answer(user=mallory, invitation_ids=[invitation.pk], accept=True) == 0
    response = logged_in(mallory).post(
        "/users/bea/creatorships", {"invitation_ids": [invitation.pk], "accept": "1"}
    )
    assert response.status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("value", ["", "abc", "١٢", "9" * 40])
def test_the_requests_page_ignores_malformed_ids(value: str) -> None:
    bea = make_user("bea")
    response = logged_in(bea).post(
        "/users/bea/creatorships", {"invitation_ids": [value], "accept": "1"}
    )
    assert response.status_code == 302


def test_accepting_rekeys_the_creator_sort_and_the_search_creator_filter(
    settings: Any, tmp_path: Path
) -> None:
    settings.SEARCH_BACKEND = "tantivy"
    settings.SEARCH_INDEX_DIR = tmp_path / "index"
    zed = make_user("zed")
    abel = make_user("abel")
    work = make_work(zed)
    invite(zed, work, "abel")
    client = Client()

    def found_by(name: str) -> bool:
        run_round(get_index())
        html = client.get("/works/search", {"work_search[creators]": name}).content.decode()
        return f'id="work_{work.pk}"' in html

    assert not found_by("abel")
    Creatorship.objects.filter(work=work).update(position=5)  # abel will come first
    accept_all(abel)
    work.refresh_from_db()
    assert work.creator_sort_key == "zed"  # zed is still first credited
    assert found_by("abel") and found_by("zed")
    creator_remove_self(user=zed, target=work)
    work.refresh_from_db()
    assert work.creator_sort_key == "abel"
    assert not found_by("zed")


def test_the_preference_refuses_invitations_and_is_on_the_preferences_page() -> None:
    alma = make_user("alma")
    bea = make_user("bea")
    client = logged_in(bea)
    page = client.get("/users/bea/preferences").content.decode()
    assert "Allow others to invite my pseuds to be co-creators" in page
    response = client.post("/users/bea/preferences", {"comment_emails": "on"})
    assert response.status_code == 302
    bea.refresh_from_db()
    assert not bea.allow_cocreator_invitations
    work = make_work(alma)
    with pytest.raises(ValidationError):
        invite(alma, work, "bea")
    client.post("/users/bea/preferences", {"allow_cocreator_invitations": "on"})
    invite(alma, work, "bea")
    assert CreatorInvitation.objects.count() == 1


# ---------------------------------------------------------------------------------------------
# Series


def test_series_form_invites_and_accepting_credits_the_series() -> None:
    alma = make_user("alma")
    bea = make_user("bea")
    series = new_series(alma)
    client = logged_in(alma)
    response = client.post(
        f"/series/{series.pk}/edit", {"title": series.title, "invite_cocreators": "bea"}
    )
    assert response.status_code == 302
    assert not SeriesCreatorship.objects.filter(pseud__user=bea).exists()
    assert "Series" in logged_in(bea).get("/users/bea/creatorships").content.decode()
    accept_all(bea)
    assert SeriesCreatorship.objects.filter(series=series, pseud__user=bea).exists()
    assert logged_in(bea).get(f"/series/{series.pk}/edit").status_code == 200
    response = logged_in(bea).post(f"/series/{series.pk}/remove_me")
    assert response.status_code == 302
    assert not SeriesCreatorship.objects.filter(pseud__user=bea).exists()


def test_accepting_a_work_invitation_credits_its_series_as_ao3_does() -> None:
    """reference/ao3.md: approval cascades, "a work co-creator becomes a series co-creator"
    (and a chapter's becomes the work's, so the series' too). The invitee joins the end of
    each series' byline, the series pages still list the work, and the series shows on the
    invitee's works and series pages. A declined invitation credits no series."""
    alma = make_user("alma")
    bea = make_user("bea")
    cara = make_user("cara")
    work = make_work(alma, title="Shared Tide")
    other = make_work(alma, title="Alma Alone")
    first = series_of(alma, work, other, title="Tidewater Cycle")
    second = series_of(alma, work, title="Harbour Songs")
    untouched = series_of(alma, other, title="Solo Series")
    outbox_before = set(SearchOutbox.objects.values_list("pk", flat=True))

    invite(alma, work, "bea")
    accept_all(bea)

    def series_byline(series: Series) -> list[str]:
        return list(
            series.creatorships.order_by("position", "pk").values_list(
                "pseud__user__username", flat=True
            )
        )

    assert series_byline(first) == ["alma", "bea"]
    assert series_byline(second) == ["alma", "bea"]
    assert series_byline(untouched) == ["alma"]
    # Series bookmarks are indexed with the series' creators: both series are queued.
    queued = SearchOutbox.objects.exclude(pk__in=outbox_before)
    assert set(queued.exclude(series_id=None).values_list("series_id", flat=True)) == {
        first.pk,
        second.pk,
    }
    page = Client().get(f"/series/{first.pk}").content.decode()
    assert "Shared Tide" in page and "Alma Alone" in page
    assert re.search(r"<dt>Creators:</dt>\s*<dd>.*alma.*bea.*</dd>", page)
    works_page = Client().get("/users/bea/works").content.decode()
    assert "Shared Tide" in works_page and f'href="/series/{first.pk}"' in works_page
    series_page = Client().get("/users/bea/series").content.decode()
    assert "Tidewater Cycle" in series_page and "Harbour Songs" in series_page
    assert "Solo Series" not in series_page
    assert logged_in(bea).get(f"/series/{first.pk}/edit").status_code == 200

    # A chapter's co-creator becomes the work's and so the series'.
    work_two, second_chapter = two_chapter_work(alma)
    third = series_of(alma, work_two, title="Third Series")
    invite(alma, second_chapter, "cara")
    accept_all(cara)
    assert series_byline(third) == ["alma", "cara"]

    # Declining credits nobody, on the work or its series.
    dan = make_user("dan")
    invite(alma, work, "dan")
    before = snapshot()
    ids = list(CreatorInvitation.objects.filter(pseud__user=dan).values_list("pk", flat=True))
    invitations_answer(user=dan, invitation_ids=ids, accept=False)
    assert series_byline(first) == ["alma", "bea"]
    assert before["series creatorships"] == snapshot()["series creatorships"]


def test_new_series_form_refuses_unknown_names_and_creates_nothing() -> None:
    alma = make_user("alma")
    before = snapshot()
    response = logged_in(alma).post(
        "/series/new", {"title": "Kept Series", "invite_cocreators": "ghost"}
    )
    assert response.status_code == 400
    assert "ghost" in response.content.decode()
    assert snapshot() == before


def test_a_deleted_work_takes_its_pending_invitations_with_it() -> None:
    alma = make_user("alma")
    make_user("bea")
    work = make_work(alma)
    invite(alma, work, "bea")
    work_delete(work=work)
    assert not CreatorInvitation.objects.exists()
    assert Creatorship.objects.count() == 0


def test_a_draft_invitation_names_the_work_without_a_link() -> None:
    alma = make_user("alma")
    bea = make_user("bea")
    draft = make_work(alma, post=False, title="Secret Draft")
    invite(alma, draft, "bea")
    html = logged_in(bea).get("/users/bea/creatorships").content.decode()
    assert "Secret Draft" in html and f'href="/works/{draft.pk}"' not in html
    accept_all(bea)
    assert logged_in(bea).get(f"/works/{draft.pk}").status_code == 200


def test_a_creator_withdraws_an_invitation_and_its_inbox_entry_goes_too() -> None:
    alma = make_user("alma")
    bea = make_user("bea")
    mallory = make_user("mallory")
    work = make_work(alma)
    (invitation,) = invite(alma, work, "bea")
    before = snapshot()
    response = logged_in(mallory).post(f"/creatorships/{invitation.pk}/withdraw")
    assert response.status_code == 404
    assert logged_in(bea).post(f"/creatorships/{invitation.pk}/withdraw").status_code == 404
    assert snapshot() == before
    client = logged_in(alma)
    page = client.get(f"/works/{work.pk}/edit").content.decode()
    assert f'action="/creatorships/{invitation.pk}/withdraw"' in page
    response = client.post(f"/creatorships/{invitation.pk}/withdraw")
    assert response["Location"] == f"/works/{work.pk}/edit"
    assert not CreatorInvitation.objects.exists()
    assert not Notification.objects.filter(recipient=bea).exists()
    assert credited_users(work) == ["alma"]


def test_taking_a_pseud_off_the_work_takes_it_off_its_chapters() -> None:
    alma = make_user("alma")
    bea = make_user("bea")
    other = pseud_create(user=alma, name="Other Alma")
    work, second = two_chapter_work(alma)
    invite(alma, second, "bea")
    accept_all(bea)
    work.refresh_from_db()
    work_update(
        user=alma,
        work=work,
        data=work_data(alma, pseud_ids=[other.pk]),
        expected_version=work.version,
    )
    assert set(second.creatorships.values_list("pseud__name", flat=True)) == {"bea"}
    assert credited_users(work) == ["alma", "bea"]


def test_no_one_is_invited_to_a_work_an_admin_hid() -> None:
    alma = make_user("alma")
    make_user("bea")
    work = make_work(alma)
    Work.objects.filter(pk=work.pk).update(hidden_by_admin=True)
    work.refresh_from_db()
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        invite(alma, work, "bea")
    assert "administrator hid this work" in str(refused.value)
    assert snapshot() == before


def test_an_invitees_subscribers_hear_of_a_work_only_once_they_co_create_it(
    django_capture_on_commit_callbacks: Any,
) -> None:
    alma = make_user("alma")
    bea = make_user("bea")
    fan = make_user("fan")
    subscription_create(user=fan, target_user=bea)
    with django_capture_on_commit_callbacks(execute=True):
        make_work(alma, title="Pending", invite_cocreators=["bea"])  # posted, bea not yet in
    draft = make_work(alma, post=False, title="Draft")
    invite(alma, draft, "bea")
    accept_all(bea)
    with django_capture_on_commit_callbacks(execute=True):
        work_post(work=draft)
    events = Notification.objects.filter(recipient=fan).values_list("event_key", flat=True)
    assert list(events) == [f"work:{draft.pk}"]


def test_the_requests_page_is_paged() -> None:
    alma = make_user("alma")
    bea = make_user("bea")
    for number in range(PER_PAGE + 1):
        invite(alma, new_series(alma, f"Series {number:02}"), "bea")
    client = logged_in(bea)
    first = client.get("/users/bea/creatorships").content.decode()
    assert first.count('name="invitation_ids"') == PER_PAGE
    assert "Series 00" not in first  # the oldest is on page 2
    second = client.get("/users/bea/creatorships?page=2").content.decode()
    assert second.count('name="invitation_ids"') == 1 and "Series 00" in second
    assert client.get("/users/bea/creatorships?page=9").status_code == 404


def test_a_chapter_byline_names_only_pseuds_still_credited_on_the_work() -> None:
    alma, _bea, work, _second = chapter_shared_with_bea()
    stand_in = pseud_create(user=make_user("orphan_like"), name="Stand In")
    # What orphaning does to the work's credits: alma's creatorship moves to another pseud.
    Creatorship.objects.filter(work=work, pseud__user=alma).update(pseud=stand_in)
    html = Client().get(f"/works/{work.pk}?view_full_work=true").content.decode()
    assert "/users/alma/" not in html
    assert byline(html) == "Stand In (orphan_like), bea"
