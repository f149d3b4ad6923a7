"""Gifts: giving a work from the posting and edit forms (pseuds, usernames and free text),
refusals for blocked and bad names with nothing changed, the recipients on the work page and
in blurbs, the inbox notification on posting (never for a draft), the gifts pages with their
visibility, and refusing a gift."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from fanworks.accounts.actions import block_user, mute_user, pseud_create
from fanworks.accounts.models import User
from fanworks.core.testing import make_user, make_work, work_data
from fanworks.engagement.models import Notification, NotificationKind
from fanworks.works.actions import work_post, work_update
from fanworks.works.forms import EditWorkForm
from fanworks.works.gift_actions import gift_refuse, gifts_set, split_recipients
from fanworks.works.models import Creatorship, Gift, Work
from fanworks.works.orphan_actions import works_orphan
from fanworks.works.tests.cocreator_helpers import accept_all, invite
from fanworks.works.tests.gift_helpers import logged_in, snapshot
from fanworks.works.tests.series_helpers import form_post

pytestmark = pytest.mark.django_db


def gift_names(work: Work) -> list[tuple[str, int | None]]:
    return list(
        Gift.objects.filter(work=work, refused=False)
        .order_by("pk")
        .values_list("recipient_name", "pseud")
    )


def gift_notes(user: User) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind=NotificationKind.GIFT))


# ---------------------------------------------------------------------------------------------
# Giving


def test_posting_form_gives_to_pseuds_users_and_free_text() -> None:
    writer = make_user("writer")
    friend = make_user("friend")
    other = make_user("otherone")
    side = pseud_create(user=other, name="Lantern Keeper")
    response = logged_in(writer).post(
        "/works/new",
        form_post(writer, gift_recipients="friend, Lantern Keeper, My Sister ,  , friend"),
    )
    assert response.status_code == 302
    work = Work.objects.get(title="Harbour Lights")
    assert gift_names(work) == [
        ("friend", friend.pseuds.get().pk),
        ("Lantern Keeper (otherone)", side.pk),
        ("My Sister", None),
    ]
    # Each recipient on the archive hears once, with a link to the work; free text nobody.
    assert [n.work_id for n in gift_notes(friend)] == [work.pk]
    assert [n.work_id for n in gift_notes(other)] == [work.pk]
    page = Client().get(f"/works/{work.pk}").content.decode()
    associations = re.search(r'<ul class="associations">(.*?)</ul>', page, re.S)
    assert associations is not None
    assert '<a href="/users/friend/gifts">friend</a>' in associations[1]
    assert "My Sister" in associations[1]
    assert associations[1].startswith("<li>For ")
    # The byline is still only the creators (AO3 clients read every rel=author link).
    byline = re.search(r'<h3 class="byline heading">(.*?)</h3>', page, re.S)
    assert byline is not None and "friend" not in byline[1]


def test_byline_form_picks_that_users_pseud() -> None:
    writer = make_user("writer")
    first = make_user("firstuser")
    second = make_user("seconduser")
    pseud_create(user=first, name="Tide")
    theirs = pseud_create(user=second, name="Tide")
    work = make_work(writer, gift_recipients=["Tide (seconduser)"])
    assert gift_names(work) == [("Tide (seconduser)", theirs.pk)]
    # "Tide" alone is two people's pseud: the form says how to name one, and nothing is saved.
    before = snapshot()
    with pytest.raises(ValidationError) as problem:
        work_update(
            user=writer,
            work=work,
            data=work_data(writer, gift_recipients=["Tide"]),
            expected_version=work.version,
        )
    assert "Tide (username)" in str(problem.value)
    assert snapshot() == before


def test_gift_to_a_user_who_blocked_the_creator_is_refused_next_to_the_field() -> None:
    writer = make_user("writer")
    blocker = make_user("blocker")
    block_user(blocker=blocker, blocked=writer)
    client = logged_in(writer)
    before = snapshot()
    response = client.post("/works/new", form_post(writer, gift_recipients="blocker, Someone"))
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["gift_recipients"] == ["You can't give a gift to blocker."]
    # Nothing is lost: the names come back in the field, and nothing was written.
    assert form["gift_recipients"].value() == "blocker, Someone"
    assert snapshot() == before
    assert not Work.objects.exists()


def test_gifts_to_creators_orphan_account_and_bad_names_are_refused() -> None:
    writer = make_user("writer")
    make_user("friend")
    work = make_work(writer)
    client = logged_in(writer)
    from fanworks.works.orphan_actions import orphan_account

    orphan_account()
    for names, message in [
        ("writer", "is a creator of this work"),
        ("orphan_account", "orphan account"),
        ("x" * 101, "at most 100 characters"),
        ("bad\x00name", "Null characters"),  # Django's form field stops it first
        ("bad\x07name", "control characters"),
        (", ".join(f"name{i}" for i in range(21)), "at most 20 recipients"),
    ]:
        before = snapshot()
        data = {
            **EditWorkForm.initial_for(work),
            "version": work.version,
            "gift_recipients": names,
        }
        data["pseuds"] = [str(writer.pseuds.get().pk)]
        response = client.post(f"/works/{work.pk}/edit", data)
        assert response.status_code == 400, names
        assert message in " ".join(response.context["form"].errors["gift_recipients"])
        assert snapshot() == before


def test_edit_keeps_adds_and_removes_gifts_and_refused_ones_stay_refused() -> None:
    writer = make_user("writer")
    friend = make_user("friend")
    pal = make_user("pal")
    work = make_work(writer, gift_recipients=["friend", "Aunt May"])
    assert len(gift_notes(friend)) == 1
    gifts_set(work=work, names=["friend", "pal"])
    assert [name for name, _ in gift_names(work)] == ["friend", "pal"]
    assert len(gift_notes(friend)) == 1  # kept gifts are not announced again
    assert len(gift_notes(pal)) == 1
    gift_refuse(gift=Gift.objects.get(work=work, pseud__user=pal))
    # Giving it again by name does nothing: the refusal stands.
    gifts_set(work=work, names=["friend", "pal"])
    assert [name for name, _ in gift_names(work)] == ["friend"]
    assert Gift.objects.filter(work=work, pseud__user=pal, refused=True).count() == 1
    assert gift_notes(pal) == []
    # The edit form shows the live gifts only.
    assert EditWorkForm.initial_for(work)["gift_recipients"] == "friend"


def test_split_recipients() -> None:
    assert split_recipients(" a ,b,, A,  c  d ") == ["a", "b", "c d"]
    assert split_recipients("") == []


def test_draft_gifts_are_announced_when_posted_only() -> None:
    writer = make_user("writer")
    friend = make_user("friend")
    draft = make_work(writer, post=False, gift_recipients=["friend"])
    assert gift_notes(friend) == []
    # The recipient sees nothing of the draft anywhere.
    client = logged_in(friend)
    assert "Harbour Lights" not in client.get("/users/friend/gifts").content.decode()
    assert client.get(f"/works/{draft.pk}").status_code == 404
    work_post(work=draft)
    notes = gift_notes(friend)
    assert [n.work_id for n in notes] == [draft.pk]
    work_post(work=draft)  # posting twice tells nobody twice
    assert len(gift_notes(friend)) == 1
    assert "Harbour Lights" in client.get("/users/friend/gifts").content.decode()


def test_no_notice_from_a_muted_creator_and_none_again_after_an_edit() -> None:
    writer = make_user("writer")
    friend = make_user("friend")
    muter = make_user("muter")
    mute_user(muter=muter, muted=writer)
    work = make_work(writer, gift_recipients=["friend", "muter"])
    assert gift_notes(muter) == []
    # The recipient deletes the entry; editing the work (keeping the gift) does not bring it
    # back, while a new recipient hears.
    Notification.objects.filter(recipient=friend).delete()
    pal = make_user("pal")
    gifts_set(work=work, names=["friend", "muter", "pal"])
    assert gift_notes(friend) == []
    assert len(gift_notes(pal)) == 1


def test_gift_notice_names_the_creators_as_the_work_credits_them() -> None:
    """The inbox entry names the givers as the work's byline does: each credited pseud as
    "name (username)", in credit order."""
    writer, cowriter = make_user("writer"), make_user("cowriter")
    friend = make_user("friend")
    side = pseud_create(user=writer, name="Lantern Keeper")
    draft = make_work(writer, post=False, pseud_ids=[side.pk], gift_recipients=["friend"])
    invite(writer, draft, "cowriter")
    accept_all(cowriter)
    work_post(work=draft)

    [note] = gift_notes(friend)
    expected = "“Harbour Lights” by Lantern Keeper (writer), cowriter was given to you as a gift."
    assert note.text == expected
    inbox = logged_in(friend).get("/users/friend/inbox").content.decode()
    assert f'<a href="/works/{draft.pk}">{expected}</a>' in inbox


def test_gift_notice_of_an_anonymous_creator_does_not_name_them() -> None:
    """A creator who orphaned the work anonymously is named as the work names them (the
    orphan account), never by their own pseud; a work crediting nobody is "Anonymous"."""
    writer, cowriter = make_user("writer"), make_user("cowriter")
    friend, pal = make_user("friend"), make_user("pal")
    side = pseud_create(user=writer, name="Lantern Keeper")
    work = make_work(writer, pseud_ids=[side.pk])
    invite(writer, work, "cowriter")
    accept_all(cowriter)
    works_orphan(user=writer, work_ids=[work.pk], keep_names=False)
    byline = logged_in(friend).get(f"/works/{work.pk}").content.decode()
    assert '">orphan_account</a>, <a rel="author"' in byline  # what the work shows

    gifts_set(work=work, names=["friend"])

    [note] = gift_notes(friend)
    assert note.text == ("“Harbour Lights” by orphan_account, cowriter was given to you as a gift.")
    inbox = logged_in(friend).get("/users/friend/inbox").content.decode()
    assert "Lantern Keeper" not in inbox and "writer" not in inbox.replace("cowriter", "")

    # No action leaves a posted work crediting nobody; the work page calls such a work
    # "Anonymous", and so does the notice.
    draft = make_work(cowriter, post=False, title="Tide Tables", gift_recipients=["pal"])
    Creatorship.objects.filter(work=draft).delete()
    work_post(work=draft)
    assert '<h3 class="byline heading">Anonymous</h3>' in (
        logged_in(pal).get(f"/works/{draft.pk}").content.decode()
    )
    [anonymous] = gift_notes(pal)
    assert anonymous.text == "“Tide Tables” by Anonymous was given to you as a gift."
    assert "cowriter" not in logged_in(pal).get("/users/pal/inbox").content.decode()


def test_hidden_work_gift_is_not_announced() -> None:
    writer = make_user("writer")
    friend = make_user("friend")
    draft = make_work(writer, post=False, gift_recipients=["friend"])
    Work.objects.filter(pk=draft.pk).update(hidden_by_admin=True)
    draft.refresh_from_db()
    work_post(work=draft)
    assert gift_notes(friend) == []


# ---------------------------------------------------------------------------------------------
# Pages: blurbs, gifts pages, visibility


def test_blurb_heading_names_recipients() -> None:
    writer = make_user("writer")
    make_user("friend")
    make_work(writer, gift_recipients=["friend", "A <b>Stranger</b>"])
    page = Client().get("/users/writer/works").content.decode()
    heading = re.search(r'<h4 class="heading">(.*?)</h4>', page, re.S)
    assert heading is not None
    expected = 'for <a href="/users/friend/gifts">friend</a>, A &lt;b&gt;Stranger'
    assert expected in heading[1]


def test_gifts_page_lists_only_what_the_viewer_may_see() -> None:
    writer = make_user("writer")
    friend = make_user("friend")
    side = pseud_create(user=friend, name="Quiet Harbour")
    make_work(writer, title="Open Gift", gift_recipients=["friend"])
    make_work(writer, title="Members Gift", restricted=True, gift_recipients=["friend"])
    make_work(writer, title="Draft Gift", post=False, gift_recipients=["friend"])
    hidden = make_work(writer, title="Hidden Gift", gift_recipients=["friend"])
    Work.objects.filter(pk=hidden.pk).update(hidden_by_admin=True)
    make_work(writer, title="Pseud Gift", gift_recipients=["Quiet Harbour"])
    make_work(writer, title="Not A Gift")

    def titles(client: Client, url: str) -> tuple[list[str], str]:
        page = client.get(url)
        assert page.status_code == 200
        text = page.content.decode()
        found = re.findall(r'<a href="/works/\d+">([^<]+)</a>', text)
        count = re.search(r"of (\d+) Gifts for", text)
        assert count is not None
        return found, count[1]

    guest = titles(Client(), "/users/friend/gifts")
    assert sorted(guest[0]) == ["Open Gift", "Pseud Gift"] and guest[1] == "2"
    reader = titles(logged_in(make_user("reader")), "/users/friend/gifts")
    assert sorted(reader[0]) == ["Members Gift", "Open Gift", "Pseud Gift"]
    assert reader[1] == "3"
    pseud_page = titles(Client(), f"/users/friend/pseuds/{side.name}/gifts")
    assert pseud_page[0] == ["Pseud Gift"]
    # A muted creator's gifts leave the muter's view of someone else's gifts page.
    muter = make_user("muter")
    mute_user(muter=muter, muted=writer)
    assert titles(logged_in(muter), "/users/friend/gifts")[1] == "0"
    # Only the recipient gets refuse buttons.
    assert "Refuse gift" not in logged_in(writer).get("/users/friend/gifts").content.decode()
    assert "Refuse gift" in logged_in(friend).get("/users/friend/gifts").content.decode()
    assert Client().get("/users/nobody_here/gifts").status_code == 404
    assert Client().get("/users/friend/pseuds/Nope/gifts").status_code == 404


# ---------------------------------------------------------------------------------------------
# Refusing


def test_recipient_refuses_a_gift_and_it_disappears_for_everyone() -> None:
    writer = make_user("writer")
    friend = make_user("friend")
    work = make_work(writer, gift_recipients=["friend", "Cousin"])
    gift = Gift.objects.get(work=work, pseud__isnull=False)
    client = logged_in(friend)
    response = client.post(f"/gifts/{gift.pk}/refuse")
    assert response.status_code == 302
    assert Gift.objects.get(pk=gift.pk).refused
    assert gift_notes(friend) == []
    page = Client().get(f"/works/{work.pk}").content.decode()
    assert "/users/friend/gifts" not in page and "For Cousin." in page
    assert "Harbour Lights" not in Client().get("/users/friend/gifts").content.decode()
    # Refusing again finds nothing to refuse.
    assert client.post(f"/gifts/{gift.pk}/refuse").status_code == 404


@pytest.mark.parametrize("persona", ["guest", "reader", "creator", "admin", "blocked"])
def test_only_the_recipient_can_refuse(persona: str) -> None:
    writer = make_user("writer")
    make_user("friend")
    work = make_work(writer, gift_recipients=["friend"])
    gift = Gift.objects.get(work=work)
    people = {"reader": make_user("reader"), "creator": writer, "blocked": make_user("blocked")}
    admin = make_user("siteadmin")
    User.objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
    people["admin"] = admin
    block_user(blocker=writer, blocked=people["blocked"])
    client = Client() if persona == "guest" else logged_in(people[persona])
    before = snapshot()
    response = client.post(f"/gifts/{gift.pk}/refuse")
    assert response.status_code in (302, 404)
    if persona == "guest":
        assert response.status_code == 302 and "/users/login" in response["Location"]
    else:
        assert response.status_code == 404
    assert snapshot() == before
    assert client.get(f"/gifts/{gift.pk}/refuse").status_code in (302, 405)


def test_refuse_bad_ids_are_404() -> None:
    client = logged_in(make_user("friend"))
    assert client.post("/gifts/999999/refuse").status_code == 404
    assert client.post("/gifts/١٢/refuse").status_code == 404
