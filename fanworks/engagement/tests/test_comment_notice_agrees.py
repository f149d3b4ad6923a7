"""A comment's notice goes to a recipient who may see the work and neither mutes nor blocks
its writer. The comment action decides that from the creators' ids (no visibility query); the
rest of the site asks `visible_works`. The two must agree."""

import itertools

import pytest

from fanworks.accounts.models import Block, Mute, User
from fanworks.core.testing import make_user, make_work
from fanworks.engagement.notifications import _may_hear_of_comment
from fanworks.works.models import Creatorship, Work
from fanworks.works.queries import visible_works, work_to_act_on

pytestmark = pytest.mark.django_db


def test_the_loaded_creators_and_the_visibility_query_agree():
    creator, co_creator, reader, commenter = (
        make_user(name) for name in ("creator", "cocreator", "reader", "commenter")
    )
    # The reader hears of comments only as the author of a comment replied to; their
    # relation to the commenter and to the co-creator is what varies.
    relations: list[tuple[str, User, User | None]] = [
        ("none", reader, None),
        ("mutes the commenter", reader, commenter),
        ("blocks the commenter", reader, commenter),
        ("mutes the co-creator", reader, co_creator),
        ("co-creator mutes the commenter", co_creator, commenter),
    ]
    outcomes = set()
    for posted, hidden, restricted in itertools.product([True, False], repeat=3):
        work = make_work(creator, post=posted, restricted=restricted)
        Creatorship.objects.create(
            work=work, pseud=co_creator.pseuds.get(is_default=True), position=1
        )
        Work.objects.filter(pk=work.pk).update(hidden_by_admin=hidden)
        for (relation, who, whom), actor in itertools.product(relations, [commenter, None]):
            Mute.objects.all().delete()
            Block.objects.all().delete()
            if whom is not None:
                model = Block if relation.startswith("blocks") else Mute
                if model is Block:
                    Block.objects.create(blocker=who, blocked=whom)
                else:
                    Mute.objects.create(muter=who, muted=whom)
            for recipient in (creator, co_creator, reader):
                by_query = _by_the_visibility_query(recipient, actor, work.pk)
                loaded = work_to_act_on(creator, work.pk)
                assert loaded is not None
                by_loaded = _may_hear_of_comment(recipient, actor, loaded)
                case = (posted, hidden, restricted, relation, actor, recipient)
                assert by_loaded == by_query, case
                outcomes.add(by_query)
    assert outcomes == {True, False}


def _by_the_visibility_query(recipient: User, actor: User | None, work_id: int) -> bool:
    """The rule as the rest of the site states it: the work is among `visible_works` for the
    recipient, who neither blocks nor mutes the commenter."""
    if actor is not None and (
        Block.objects.filter(blocker=recipient, blocked=actor).exists()
        or Mute.objects.filter(muter=recipient, muted=actor).exists()
    ):
        return False
    return visible_works(recipient, include_own_drafts=True).filter(pk=work_id).exists()
