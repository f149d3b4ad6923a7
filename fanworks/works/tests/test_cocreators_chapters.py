"""Co-creators of chapters: a chapter invitation credits the chapter and the work, chapter
bylines where a chapter's creators differ from the work's, and leaving a work or a chapter.
Work and series invitations are in test_cocreators.py."""

import re

import pytest
from django.test import Client

from fanworks.core.testing import PROSE, make_user
from fanworks.works.cocreator_actions import (
    LAST_CREATOR,
)
from fanworks.works.cocreator_models import ChapterCreatorship, CreatorInvitation
from fanworks.works.tests.cocreator_helpers import (
    accept_all,
    byline,
    chapter_shared_with_bea,
    credited_users,
    invite,
    snapshot,
    two_chapter_work,
)
from fanworks.works.tests.series_helpers import logged_in

pytestmark = pytest.mark.django_db


def test_chapter_invitation_credits_the_chapter_and_the_work_and_shows_chapter_bylines() -> None:
    alma = make_user("alma")
    bea = make_user("bea")
    work, second = two_chapter_work(alma)
    client = logged_in(alma)
    response = client.post(
        f"/works/{work.pk}/chapters/{second.pk}/edit",
        {
            "content": PROSE,
            "chapter_title": "The Tide",
            "version": second.version,
            "invite_cocreators": "bea",
        },
    )
    assert response.status_code == 302
    assert CreatorInvitation.objects.get().chapter == second
    assert credited_users(work) == ["alma"]
    accept_all(bea)
    assert credited_users(work) == ["alma", "bea"]
    first = work.chapters.get(position=1)
    assert list(
        ChapterCreatorship.objects.filter(chapter=first).values_list(
            "pseud__user__username", flat=True
        )
    ) == ["alma"]
    html = Client().get(f"/works/{work.pk}?view_full_work=true").content.decode()
    assert byline(html) == "alma, bea"
    # Chapter 1 differs from the work's creators; chapter 2 (alma and bea) does not.
    assert re.findall(r'<p class="byline chapter-byline">(.*?)</p>', html) == [
        'Chapter by <a href="/users/alma/pseuds/alma">alma</a>'
    ]


def test_chapter_form_refuses_bad_names_and_keeps_the_text() -> None:
    alma = make_user("alma")
    work, second = two_chapter_work(alma)
    before = snapshot()
    response = logged_in(alma).post(
        f"/works/{work.pk}/chapters/{second.pk}/edit",
        {
            "content": PROSE + " More words.",
            "version": second.version,
            "invite_cocreators": "ghost",
        },
    )
    assert response.status_code == 400
    assert "More words." in response.content.decode()
    assert snapshot() == before


def test_leaving_a_work_leaves_its_chapters_and_the_last_creator_cannot_leave() -> None:
    alma, bea, work, _second = chapter_shared_with_bea()
    client = logged_in(bea)
    assert "Remove me as co-creator" in client.get(f"/works/{work.pk}/edit").content.decode()
    response = client.post(f"/works/{work.pk}/remove_me")
    assert response.status_code == 302
    assert credited_users(work) == ["alma"]
    assert not ChapterCreatorship.objects.filter(pseud__user=bea).exists()
    assert client.get(f"/works/{work.pk}/edit").status_code == 404

    before = snapshot()
    alma_client = logged_in(alma)
    assert "Remove me" not in alma_client.get(f"/works/{work.pk}/edit").content.decode()
    response = alma_client.post(f"/works/{work.pk}/remove_me", follow=True)
    assert LAST_CREATOR.replace("'", "&#x27;") in response.content.decode()
    assert snapshot() == before


def test_leaving_a_chapter_keeps_the_work_credit() -> None:
    _alma, bea, work, second = chapter_shared_with_bea()
    response = logged_in(bea).post(f"/works/{work.pk}/chapters/{second.pk}/remove_me")
    assert response.status_code == 302
    assert credited_users(work) == ["alma", "bea"]
    assert list(second.creatorships.values_list("pseud__user__username", flat=True)) == ["alma"]


def test_work_invitation_accepted_joins_chapters_with_their_own_creators() -> None:
    alma = make_user("alma")
    bea = make_user("bea")
    cara = make_user("cara")
    work, second = two_chapter_work(alma)
    invite(alma, second, "bea")
    accept_all(bea)
    invite(alma, work, "cara")
    accept_all(cara)
    assert credited_users(work) == ["alma", "bea", "cara"]
    assert set(second.creatorships.values_list("pseud__user__username", flat=True)) == {
        "alma",
        "bea",
        "cara",
    }
