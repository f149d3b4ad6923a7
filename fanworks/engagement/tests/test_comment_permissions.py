"""Who may do what with comments: every action for a guest, a reader, the creator, a user the
creator blocks, a user the creator mutes and an admin, on a public, a restricted and a draft
work. A refused action changes nothing in the database."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from fanworks.accounts.models import Block, Mute, User
from fanworks.core.testing import make_user, make_work
from fanworks.engagement.models import Comment, CommentState
from fanworks.works.models import Chapter, CommentPermission, Work

pytestmark = pytest.mark.django_db

ACTORS = ["guest", "reader", "creator", "blocked", "muted", "admin"]
KINDS = ["public", "restricted", "draft"]
OK, LOGIN = "ok", "login"  # done (302 and a change); sent to log in (302, no change)


@dataclass
class World:
    work: Work
    chapter: Chapter
    target: Comment  # a reader's comment every actor tries their hand at
    users: dict[str, User]


def _established(name: str) -> User:
    user = make_user(name)
    User.objects.filter(pk=user.pk).update(date_joined=timezone.now() - timedelta(days=30))
    return User.objects.get(pk=user.pk)


def build(kind: str) -> World:
    creator = _established(f"creator_{kind}")
    users = {
        name: _established(f"{name}_{kind}") for name in ("reader", "blocked", "muted", "admin")
    }
    users["creator"] = creator
    User.objects.filter(pk=users["admin"].pk).update(is_staff=True)
    users["admin"].refresh_from_db()
    Block.objects.create(blocker=creator, blocked=users["blocked"])
    Mute.objects.create(muter=creator, muted=users["muted"])
    work = make_work(
        creator,
        post=kind != "draft",
        restricted=kind == "restricted",
        comment_permission=CommentPermission.EVERYONE,
    )
    chapter = work.chapters.get()
    author = _established(f"author_{kind}")
    # Written straight to the table: on a draft no one could have posted it, but a work can go
    # back to being a draft with comments on it, and they must stay out of sight.
    target = Comment.objects.create(
        work=work, chapter=chapter, user=author, pseud=author.pseuds.get(), content="Target"
    )
    Work.objects.filter(pk=work.pk).update(comment_count=1)
    return World(work=work, chapter=chapter, target=target, users=users)


def client_for(world: World, actor: str) -> Client:
    client = Client(REMOTE_ADDR="203.0.113.9")
    if actor != "guest":
        client.force_login(world.users[actor])
    return client


GUEST = {"comment[name]": "Guest", "comment[email]": "guest@example.org"}


def _text(actor: str, text: str) -> dict[str, str]:
    data = {"comment[comment_content]": text}
    return {**data, **GUEST} if actor == "guest" else data


def do(action: str, client: Client, world: World, actor: str) -> int:
    target = world.target
    if action == "comment":
        url = f"/chapters/{world.chapter.pk}/comments"
        return client.post(url, _text(actor, "New")).status_code
    if action == "reply":
        url = f"/comments/{target.pk}/comments"
        return client.post(url, _text(actor, "Reply")).status_code
    if action == "edit":
        data = {"comment[comment_content]": "Changed"}
        return client.post(f"/comments/{target.pk}/edit", data).status_code
    if action == "view":
        return client.get(f"/comments/{target.pk}").status_code
    return client.post(f"/comments/{target.pk}/{action}").status_code


# What each actor gets, per action, on a public work.
PUBLIC: dict[str, dict[str, str | int]] = {
    "comment": {"guest": OK, "reader": OK, "creator": OK, "blocked": 403, "muted": OK, "admin": OK},
    "reply": {"guest": OK, "reader": OK, "creator": OK, "blocked": 403, "muted": OK, "admin": OK},
    "edit": {"guest": LOGIN, "reader": 403, "creator": 403, "blocked": 403, "muted": 403,
             "admin": 403},
    "delete": {"guest": LOGIN, "reader": 403, "creator": OK, "blocked": 403, "muted": 403,
               "admin": OK},
    "freeze": {"guest": LOGIN, "reader": 403, "creator": OK, "blocked": 403, "muted": 403,
               "admin": 403},
    # A comment awaiting approval is seen only by the creators, admins and its author.
    "approve": {"guest": 404, "reader": 404, "creator": OK, "blocked": 404, "muted": 404,
                "admin": 403},
    "view": {"guest": 200, "reader": 200, "creator": 200, "blocked": 200, "muted": 200,
             "admin": 200},
}  # fmt: skip


def expected(action: str, kind: str, actor: str) -> str | int:
    if kind == "restricted" and actor == "guest":
        return 404  # guests never learn of a restricted work
    if kind == "draft":
        if actor != "creator":
            return 404  # a draft is nobody else's business, admins' included
        if action in ("comment", "reply"):
            return 403  # posted works only
    return PUBLIC[action][actor]


CASES = [(action, kind, actor) for action in PUBLIC for kind in KINDS for actor in ACTORS]


def snapshot() -> list[tuple]:
    return list(Comment.objects.order_by("pk").values_list()) + list(
        Work.objects.order_by("pk").values_list("pk", "comment_count")
    )


@pytest.mark.parametrize(("action", "kind", "actor"), CASES)
def test_comment_permissions(action: str, kind: str, actor: str) -> None:
    world = build(kind)
    if action == "approve":  # the target waits for moderation
        Comment.objects.filter(pk=world.target.pk).update(state=CommentState.UNREVIEWED)
        Work.objects.filter(pk=world.work.pk).update(comment_count=0, moderate_comments=True)
    want = expected(action, kind, actor)
    before = snapshot()
    status = do(action, client_for(world, actor), world, actor)
    after = snapshot()
    if want == OK:
        assert status == 302, (action, kind, actor, status)
        assert after != before, (action, kind, actor)
    elif want == LOGIN:
        assert status == 302
        assert after == before
    else:
        assert status == want, (action, kind, actor, status)
        assert after == before, (action, kind, actor)
    if action == "comment" and want == OK:
        assert Comment.objects.filter(content="New").count() == 1
    if action == "delete" and want == OK:
        assert not Comment.objects.filter(pk=world.target.pk).exists()
        assert Work.objects.get(pk=world.work.pk).comment_count == 0
    if action == "approve" and want == OK:
        assert Work.objects.get(pk=world.work.pk).comment_count == 1
    if action == "freeze" and want == OK:
        assert Comment.objects.get(pk=world.target.pk).frozen


def test_a_muted_users_comment_is_still_posted_but_the_creator_does_not_see_it() -> None:
    world = build("public")
    client_for(world, "muted").post(
        f"/chapters/{world.chapter.pk}/comments", _text("muted", "From the muted one")
    )
    assert Comment.objects.filter(content="From the muted one").exists()
    creator_page = client_for(world, "creator").get(f"/works/{world.work.pk}").content.decode()
    reader_page = client_for(world, "reader").get(f"/works/{world.work.pk}").content.decode()
    assert "From the muted one" not in creator_page
    assert "From the muted one" in reader_page
