"""Related works through the pages: naming parents on the posting and edit forms (and the
errors), the parent creators' notification, approval, decline and withdrawal, the child
creators' removal, and what the work page shows in its preface and afterword."""

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from fanworks.accounts.actions import block_user
from fanworks.accounts.models import User
from fanworks.core.testing import make_user, make_work
from fanworks.engagement.actions import ExternalWorkData, external_work_find_or_create
from fanworks.engagement.models import ExternalWork, Notification, NotificationKind
from fanworks.works.models import RelatedWork, RelationState, Work
from fanworks.works.related_actions import (
    parse_work_reference,
    related_work_approve,
    related_work_decline,
)
from fanworks.works.tests.related_helpers import link, parent_row, snapshot
from fanworks.works.tests.series_helpers import form_post, logged_in

pytestmark = pytest.mark.django_db


def children_block(html: str) -> str:
    match = re.search(r'<div id="children" class="children module">(.*?)</div>', html, re.S)
    return match.group(1) if match else ""


def associations(html: str) -> str:
    match = re.search(r'<ul class="associations">(.*?)</ul>', html, re.S)
    return match.group(1) if match else ""


def post_work(user: User, capture: Any, **fields: str) -> Any:
    with capture(execute=True):
        return logged_in(user).post("/works/new", form_post(user, **fields))


# ---------------------------------------------------------------------------------------------
# The whole path: name a parent, the parent's creator hears, approves, the parent lists it


def test_a_podfic_is_announced_approved_and_listed(django_capture_on_commit_callbacks) -> None:
    author, reader_voice = make_user("inkwell"), make_user("voicebox")
    parent = make_work(author, title="Salt and Lanterns")

    response = post_work(
        reader_voice,
        django_capture_on_commit_callbacks,
        title="Salt and Lanterns (Podfic)",
        **parent_row(1, relation="podfic", work=f"https://elsewhere.example/works/{parent.pk}"),
    )
    assert response.status_code == 302
    child = Work.objects.get(title="Salt and Lanterns (Podfic)")
    made = RelatedWork.objects.get(child=child)
    assert (made.parent_work_id, made.relation, made.state) == (parent.pk, "podfic", "pending")

    # The parent's creator has it in their inbox and by e-mail; the child's creator does not.
    note = Notification.objects.get(recipient=author)
    assert note.kind == NotificationKind.RELATED and note.work_id == child.pk
    assert "a podfic of your work “Salt and Lanterns”" in note.text
    assert not Notification.objects.filter(recipient=reader_voice).exists()
    assert [message.to for message in mail.outbox] == [[author.email]]

    # Pending: the parent does not list it yet; the child names its parent already.
    assert "children module" not in page_html(None, f"/works/{parent.pk}")
    child_page = page_html(None, f"/works/{child.pk}")
    assert "A podfic of" in associations(child_page)
    assert f'href="/works/{parent.pk}">Salt and Lanterns</a>' in associations(child_page)

    # The inbox entry leads to the author's Related Works page, where the request waits.
    inbox = logged_in(author).get(f"/users/{author.username}/inbox").content.decode()
    assert '<a href="/related_works">' in inbox
    assert logged_in(author).get("/related_works")["Location"] == "/users/inkwell/related_works"
    assert Client().get("/related_works")["Location"].startswith("/users/login")
    # Approving lists the podfic.
    page = logged_in(author).get(f"/users/{author.username}/related_works")
    assert "Salt and Lanterns (Podfic)" in page.content.decode()
    assert logged_in(author).post(f"/related_works/{made.pk}/approve").status_code == 302
    block = children_block(page_html(None, f"/works/{parent.pk}"))
    assert '<h3 class="heading">Podfics:</h3>' in block
    assert f'<a href="/works/{child.pk}">Salt and Lanterns (Podfic)</a>' in block
    assert 'rel="author" href="/users/voicebox/pseuds/voicebox">voicebox</a>' in block

    # Withdrawing the approval takes it off the parent; the child keeps naming its parent.
    assert logged_in(author).post(f"/related_works/{made.pk}/decline").status_code == 302
    made.refresh_from_db()
    assert made.state == RelationState.DECLINED
    assert "children module" not in page_html(None, f"/works/{parent.pk}")
    assert "A podfic of" in associations(page_html(None, f"/works/{child.pk}"))

    # The child's creator removes the link altogether.
    assert logged_in(reader_voice).post(f"/related_works/{made.pk}/remove").status_code == 302
    assert not RelatedWork.objects.exists()
    assert "associations" not in page_html(None, f"/works/{child.pk}")


def page_html(user: User | None, url: str) -> str:

    client = Client() if user is None else logged_in(user)
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def test_every_type_has_its_heading_on_the_parent() -> None:
    author = make_user("inkwell")
    parent = make_work(author, title="Salt and Lanterns")
    expected = {
        "inspired_by": "Works inspired by this one:",
        "translation": "Translations:",
        "podfic": "Podfics:",
        "remix": "Remixes:",
        "fanart": "Fanart:",
    }
    for relation in expected:
        fan = make_user(f"fan_{relation}")
        child = make_work(fan, title=f"Child {relation}")
        made = link(fan, child, parent, relation=relation)
        assert logged_in(author).post(f"/related_works/{made.pk}/approve").status_code == 302
    block = children_block(page_html(None, f"/works/{parent.pk}"))
    headings = re.findall(r'<h3 class="heading">(.*?)</h3>', block)
    assert headings == list(expected.values())
    child_page = page_html(None, f"/works/{Work.objects.get(title='Child translation').pk}")
    assert "A translation of" in associations(child_page)


def test_a_draft_child_is_announced_when_posted(django_capture_on_commit_callbacks) -> None:
    author, fan = make_user("inkwell"), make_user("fanling")
    parent = make_work(author, title="Salt and Lanterns")
    data = form_post(
        fan, title="Quiet Remix", **parent_row(1, relation="remix", work=str(parent.pk))
    )
    data.pop("post")
    data["draft"] = "1"
    with django_capture_on_commit_callbacks(execute=True):
        assert logged_in(fan).post("/works/new", data).status_code == 302
    child = Work.objects.get(title="Quiet Remix")
    assert RelatedWork.objects.filter(child=child, state="pending").exists()
    assert not Notification.objects.filter(recipient=author).exists()
    page = logged_in(author).get(f"/users/{author.username}/related_works").content.decode()
    assert "Quiet Remix" not in page  # a draft is nobody's business yet

    with django_capture_on_commit_callbacks(execute=True):
        assert logged_in(fan).post(f"/works/{child.pk}/post").status_code == 302
    assert Notification.objects.get(recipient=author).kind == NotificationKind.RELATED
    page = logged_in(author).get(f"/users/{author.username}/related_works").content.decode()
    assert "Quiet Remix" in page


def test_email_follows_the_preference(django_capture_on_commit_callbacks) -> None:
    author, fan = make_user("inkwell"), make_user("fanling")
    User.objects.filter(pk=author.pk).update(related_work_emails=False)
    parent = make_work(author, title="Salt and Lanterns")
    post_work(fan, django_capture_on_commit_callbacks, **parent_row(1, work=str(parent.pk)))
    assert Notification.objects.filter(recipient=author).count() == 1
    assert mail.outbox == []
    # The switch is on the preferences page.
    page = logged_in(author).get(f"/users/{author.username}/preferences").content.decode()
    assert 'name="related_work_emails"' in page


def test_linking_to_ones_own_work_needs_no_approval(django_capture_on_commit_callbacks) -> None:
    author = make_user("inkwell")
    parent = make_work(author, title="Salt and Lanterns")
    post_work(
        author,
        django_capture_on_commit_callbacks,
        title="Lanterns, Again",
        **parent_row(1, relation="inspired_by", work=f"/works/{parent.pk}/chapters/1"),
    )
    made = RelatedWork.objects.get()
    assert made.state == RelationState.APPROVED
    assert not Notification.objects.exists()
    assert "Works inspired by this one:" in page_html(None, f"/works/{parent.pk}")


def test_an_external_parent_shares_the_bookmarks_row(django_capture_on_commit_callbacks) -> None:
    fan = make_user("fanling")
    known = external_work_find_or_create(
        user=make_user("bookmarker"),
        data=ExternalWorkData(url="https://fics.example/story/9", title="Nine", creator="Nia"),
    )
    post_work(
        fan,
        django_capture_on_commit_callbacks,
        title="Ninety",
        **parent_row(
            1,
            relation="translation",
            url="https://FICS.example/story/9",
            title="Nine",
            creator="Nia",
            language="de",
        ),
        **parent_row(
            2,
            relation="inspired_by",
            url="https://other.example/a?b=1",
            title="Elsewhere",
            creator="Someone",
            language="fr",
        ),
    )
    child = Work.objects.get(title="Ninety")
    links = list(RelatedWork.objects.filter(child=child).order_by("pk"))
    assert links[0].parent_external_id == known.pk
    assert all(item.state == RelationState.APPROVED for item in links)
    assert ExternalWork.objects.count() == 2
    assert ExternalWork.objects.get(pk=known.pk).language == "de"
    html = associations(page_html(None, f"/works/{child.pk}"))
    assert '<a href="https://fics.example/story/9" rel="nofollow">Nine</a> by Nia' in html
    assert '<a href="https://other.example/a?b=1" rel="nofollow">Elsewhere</a>' in html
    assert 'lang="fr"' in html
    assert not Notification.objects.exists()


# ---------------------------------------------------------------------------------------------
# Errors next to the field, nothing lost, nothing written


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("not a work", "Please enter the address of a work on this archive"),
        ("https://x.example/users/someone", "Please enter the address of a work on this archive"),
        ("javascript:alert(1)//works/1", "Please enter the address of a work on this archive"),
        ("١٢", "Please enter the address of a work on this archive"),
        ("999999999999999999999999", "Please enter the address of a work on this archive"),
        ("987654", "We couldn&#x27;t find that work on this archive."),
    ],
)
def test_a_bad_parent_is_refused_next_to_its_field(value: str, message: str) -> None:
    fan = make_user("fanling")
    before = snapshot()
    data = form_post(fan, title="Kept Title", **parent_row(2, relation="remix", work=value))
    response = logged_in(fan).post("/works/new", data)
    assert response.status_code == 400
    html = response.content.decode()
    field = re.search(r'<div class="field has-error">.*?</div>', html, re.S)
    assert field is not None and 'for="id_parent_2_work"' in field.group(0)
    assert message in field.group(0)
    assert 'value="Kept Title"' in html  # the rest of the form is kept
    assert snapshot() == before


def test_drafts_and_hidden_works_are_not_found_alike() -> None:
    other, fan = make_user("inkwell"), make_user("fanling")
    draft = make_work(other, title="Secret Draft", post=False)
    hidden = make_work(other, title="Hidden Work")
    Work.objects.filter(pk=hidden.pk).update(hidden_by_admin=True)
    restricted = make_work(other, title="Members Only", restricted=True)
    before = snapshot()
    for work in (draft, hidden):
        response = logged_in(fan).post(
            "/works/new", form_post(fan, **parent_row(1, work=str(work.pk)))
        )
        assert response.status_code == 400
        html = response.content.decode()
        assert "We couldn&#x27;t find that work on this archive." in html
        assert work.title not in html
    assert snapshot() == before
    # A restricted work is visible to a registered user, so it can be named.
    response = logged_in(fan).post(
        "/works/new", form_post(fan, **parent_row(1, work=str(restricted.pk)))
    )
    assert response.status_code == 302


def test_self_links_and_duplicates_are_refused_on_edit() -> None:
    fan = make_user("fanling")
    parent = make_work(make_user("inkwell"), title="Salt and Lanterns")
    child = make_work(fan, title="Mine")
    link(fan, child, parent)
    before = snapshot()

    def edit(**rows: str) -> str:
        from fanworks.works.forms import EditWorkForm

        data = form_post(fan, title="Mine")
        data.update(
            {k: v for k, v in EditWorkForm.initial_for(child).items() if isinstance(v, str)}
        )
        data["version"] = str(Work.objects.get(pk=child.pk).version)
        data.update(rows)
        response = logged_in(fan).post(f"/works/{child.pk}/edit", data)
        assert response.status_code == 400
        return response.content.decode()

    html = edit(**parent_row(1, work=str(child.pk)))
    assert "A work can&#x27;t be related to itself." in html
    html = edit(**parent_row(3, work=f"/works/{parent.pk}"))
    assert "This work is already listed as a parent." in html
    html = edit(
        **parent_row(1, url="https://x.example/1", title="X", creator="Y"),
        **parent_row(2, url="https://X.example/1", title="X", creator="Y"),
    )
    assert html.count("This work is already listed as a parent.") == 1
    html = edit(**parent_row(1, url="ftp://x.example/1", title="", creator="Y"))
    assert "Please enter a web address starting with http:// or https://." in html
    assert "Please enter a title." in html
    html = edit(**parent_row(1, work="1", url="https://x.example/1", title="T", creator="C"))
    assert "not both" in html
    html = edit(**parent_row(1, work=str(parent.pk), relation="sequel"))
    assert "Select a valid choice." in html
    assert snapshot() == before


def test_blocked_users_cannot_link_to_the_blockers_work() -> None:
    author, fan = make_user("inkwell"), make_user("fanling")
    parent = make_work(author, title="Salt and Lanterns")
    block_user(blocker=author, blocked=fan)
    before = snapshot()
    response = logged_in(fan).post(
        "/works/new", form_post(fan, **parent_row(1, work=str(parent.pk)))
    )
    assert response.status_code == 400
    assert "has blocked you" in response.content.decode()
    assert snapshot() == before


def test_the_edit_form_removes_a_parent() -> None:
    fan = make_user("fanling")
    parent = make_work(make_user("inkwell"), title="Salt and Lanterns")
    child = make_work(fan, title="Mine")
    made = link(fan, child, parent)
    page = logged_in(fan).get(f"/works/{child.pk}/edit").content.decode()
    assert f'name="remove_related" value="{made.pk}"' in page
    assert "Inspired by “Salt and Lanterns”" in page
    from fanworks.works.forms import EditWorkForm

    data = form_post(fan, title="Mine")
    data.update({k: v for k, v in EditWorkForm.initial_for(child).items() if isinstance(v, str)})
    data["version"] = str(Work.objects.get(pk=child.pk).version)
    data["remove_related"] = [str(made.pk)]
    assert logged_in(fan).post(f"/works/{child.pk}/edit", data).status_code == 302
    assert not RelatedWork.objects.exists()


def test_work_references() -> None:
    assert parse_work_reference(" 12 ") == 12
    assert parse_work_reference("/works/12") == 12
    assert parse_work_reference("http://a.example/works/12/chapters/3") == 12
    assert parse_work_reference("https://a.example/works/12?view_full_work=true") == 12
    assert parse_work_reference("mailto:x/works/12") is None
    assert parse_work_reference("/works/12abc") is None
    assert parse_work_reference("/wörks/12") is None
    assert parse_work_reference("") is None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_racing_links_to_one_parent_make_one() -> None:
    from django.core.exceptions import ValidationError

    from fanworks.core.testing import run_together
    from fanworks.works.related_actions import ParentData, work_related_apply

    fan = make_user("fanling")
    parent = make_work(make_user("inkwell"), title="Salt and Lanterns")
    child = make_work(fan, title="Mine")

    def name_parent(_: int) -> object:
        from django.db import transaction

        with transaction.atomic():
            return work_related_apply(
                user=fan,
                work=child,
                parents=[ParentData(row=1, work=str(parent.pk))],
                remove_link_ids=[],
            )

    results, errors = run_together(2, name_parent)
    assert RelatedWork.objects.filter(child=child).count() == 1
    # One wins; the other gets the duplicate error for its field, never a database error.
    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], ValidationError)
    assert errors[0].message_dict == {"parent_1_work": ["This work is already listed as a parent."]}


# ---------------------------------------------------------------------------------------------
# The Related Works page, a page at a time


def links_of_every_state() -> tuple[User, User, list[RelatedWork]]:
    """23 works by fanling linked to one by inkwell, newest last: the first 10 approved, the
    next 2 declined, the other 11 waiting."""
    author, fan = make_user("inkwell"), make_user("fanling")
    parent = make_work(author, title="Salt and Lanterns")
    links = [link(fan, make_work(fan, title=f"Child {n:02}"), parent) for n in range(23)]
    for made in links[:10]:
        related_work_approve(user=author, link=made)
    for made in links[10:12]:
        related_work_decline(user=author, link=made)
    return author, fan, links


def test_related_works_page_is_paginated_waiting_links_first() -> None:
    """23 links to one work: page 1 has the 11 waiting and 9 of the 10 approved, page 2 the
    last approved and the 2 declined, with AO3's page links; the linker's page lists the 23
    parents its works name a page at a time too, each list keeping the other's page."""
    author, fan, _links = links_of_every_state()
    client = logged_in(author)

    first = client.get("/users/inkwell/related_works").content.decode()
    assert "1 - 20 of 23; 11 waiting for your approval (listed first)." in first
    assert re.findall(r'<h3 class="heading">(.*?)</h3>', first) == [
        "Waiting for your approval",
        "Approved",
    ]
    shown = re.findall(r'<a href="/works/\d+">(Child \d\d)</a> by', first)
    waiting = [f"Child {n:02}" for n in range(22, 11, -1)]  # newest first
    assert shown[:11] == waiting
    assert shown[11:] == [f"Child {n:02}" for n in range(9, 0, -1)]
    pager = re.search(r'<nav aria-label="Pages of links to your works">(.*?)</nav>', first, re.S)
    assert pager is not None
    assert '<span class="current" aria-current="page">1</span>' in pager[1]
    assert '<a href="?page=2">2</a>' in pager[1] and 'rel="next" href="?page=2"' in pager[1]

    second = client.get("/users/inkwell/related_works?page=2").content.decode()
    assert re.findall(r'<h3 class="heading">(.*?)</h3>', second) == ["Approved", "Declined"]
    assert re.findall(r'<a href="/works/\d+">(Child \d\d)</a> by', second) == [
        "Child 00",
        "Child 11",
        "Child 10",
    ]
    assert "21 - 23 of 23" in second and 'rel="prev" href="?page=1"' in second
    for bad in ("3", "0", "abc"):
        assert client.get(f"/users/inkwell/related_works?page={bad}").status_code == 404

    fan_client = logged_in(fan)
    own = fan_client.get("/users/fanling/related_works?page=1&parents_page=2").content.decode()
    assert "No one has linked a work of theirs to yours yet." in own
    listed = re.findall(r'<a href="/works/\d+">(Child \d\d)</a>: inspired by', own)
    assert listed == ["Child 02", "Child 01", "Child 00"]  # 21 - 23 of the newest-first list
    pager = re.search(r'<nav aria-label="Pages of parent works">(.*?)</nav>', own, re.S)
    assert pager is not None
    # The other list's page number stays in the links.
    assert 'rel="prev" href="?page=1&amp;parents_page=1"' in pager[1]
    assert fan_client.get("/users/fanling/related_works?parents_page=3").status_code == 404


def test_buttons_on_a_later_page_return_to_that_page() -> None:
    """Approving, declining, withdrawing an approval or removing a link on page 2 of either
    list comes back to page 2, keeping the other list's page; a removal that empties the last
    page comes back to the page before."""
    author, fan, links = links_of_every_state()
    client = logged_in(author)
    page_two = "/users/inkwell/related_works?page=2"

    html = client.get(page_two).content.decode()
    # Every button on the page carries the page it is on.
    hidden = '<input type="hidden" name="return_to" value="/users/inkwell/related_works?page=2">'
    assert html.count(hidden) == html.count('class="inline-form"') == 3
    # Page 2: Child 00 approved, Child 11 and Child 10 declined.
    withdraw = client.post(f"/related_works/{links[0].pk}/decline", {"return_to": page_two})
    assert withdraw["Location"] == page_two
    assert RelatedWork.objects.get(pk=links[0].pk).state == RelationState.DECLINED
    approve = client.post(f"/related_works/{links[11].pk}/approve", {"return_to": page_two})
    assert approve["Location"] == page_two
    assert RelatedWork.objects.get(pk=links[11].pk).state == RelationState.APPROVED
    decline = client.post(f"/related_works/{links[20].pk}/decline", {"return_to": page_two})
    assert decline["Location"] == page_two
    assert RelatedWork.objects.get(pk=links[20].pk).state == RelationState.DECLINED
    # The message is shown on the page the reader comes back to.
    assert "The link was declined" in client.get(page_two).content.decode()

    fan_client = logged_in(fan)
    both = "/users/fanling/related_works?page=1&parents_page=2"
    escaped = both.replace("&", "&amp;")
    assert f'name="return_to" value="{escaped}"' in fan_client.get(both).content.decode()
    removed = fan_client.post(f"/related_works/{links[0].pk}/remove", {"return_to": both})
    # 22 parents left: page 2 still exists. Page 1 is the default, so it is left out.
    assert removed["Location"] == "/users/fanling/related_works?parents_page=2"
    assert not RelatedWork.objects.filter(pk=links[0].pk).exists()
    for made in links[1:3]:
        fan_client.post(f"/related_works/{made.pk}/remove", {"return_to": both})
    # The last one on page 2 is gone, and so is page 2: back to page 1, which exists.
    assert RelatedWork.objects.filter(child__creatorships__pseud__user=fan).count() == 20
    last = fan_client.post(f"/related_works/{links[3].pk}/remove", {"return_to": both})
    assert last["Location"] == "/users/fanling/related_works"
    assert fan_client.get(last["Location"]).status_code == 200


@pytest.mark.parametrize(
    ("return_to", "location"),
    [
        ("https://elsewhere.example/users/inkwell/related_works?page=2", ""),
        ("//elsewhere.example/users/inkwell/related_works?page=2", ""),
        ("/users/fanling/related_works?page=2", ""),
        ("/works/1?page=2", ""),
        ("/users/inkwell/related_works/../../fanling/related_works?page=2", ""),
        ("javascript:alert(1)", ""),
        ("", ""),
        ("/users/inkwell/related_works?page=abc", ""),
        ("/users/inkwell/related_works?page=%C2%B2", ""),
        ("/users/inkwell/related_works?page=-2", ""),
        ("/users/inkwell/related_works?page=99999999999999999999", "?page=2"),
        ("/users/inkwell/related_works?page=2&next=https://elsewhere.example", "?page=2"),
        ("/users/inkwell/related_works?page=2#links-to-yours", "?page=2"),
    ],
)
def test_return_to_only_reaches_the_users_own_related_works_pages(
    return_to: str, location: str
) -> None:
    """Anything but the user's own Related Works page comes back to its page 1; of the query
    only the page numbers are kept, and one past the end becomes the last page."""
    author, fan = make_user("inkwell"), make_user("fanling")
    parent = make_work(author, title="Salt and Lanterns")
    links = [link(fan, make_work(fan, title=f"Child {n:02}"), parent) for n in range(21)]

    response = logged_in(author).post(
        f"/related_works/{links[0].pk}/approve", {"return_to": return_to}
    )

    assert response.status_code == 302
    assert response["Location"] == "/users/inkwell/related_works" + location
    # The action itself is done whatever the return address.
    assert RelatedWork.objects.get(pk=links[0].pk).state == RelationState.APPROVED
