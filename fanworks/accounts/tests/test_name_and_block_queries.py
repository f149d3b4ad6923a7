"""The shared reads behind the co-creator and gift fields: what a typed name means
(`pseud_for_name`) and who blocks whom (`users_blocking_a_creator`, `blocks_between`)."""

from typing import Any

import pytest

from fanworks.accounts.actions import block_user, pseud_create
from fanworks.accounts.queries import (
    blocked_by_a_creator,
    blocks_between,
    pseud_for_name,
    users_blocking_a_creator,
)
from fanworks.core.testing import make_user, make_work

pytestmark = pytest.mark.django_db


def test_a_name_means_a_pseud_with_username_a_username_or_a_pseud_only_one_user_has() -> None:
    bea = make_user("bea")
    quill = pseud_create(user=bea, name="Quill")
    cara = make_user("cara")
    pseud_create(user=cara, name="Shared")
    dan = make_user("dan")
    dans = pseud_create(user=dan, name="Shared")

    assert pseud_for_name("BEA").pseud == bea.pseuds.get(is_default=True)
    assert pseud_for_name("quill").pseud == quill
    assert pseud_for_name("Quill (BEA)").pseud == quill
    assert pseud_for_name("shared (dan)").pseud == dans
    # Two users write as "Shared": no pseud, and the caller says how to name one.
    assert (pseud_for_name("Shared").pseud, pseud_for_name("Shared").ambiguous) == (None, True)
    # "pseud (username)" naming nobody falls back to the whole text, which is nobody either.
    assert pseud_for_name("Quill (cara)") == pseud_for_name("nobody")
    assert pseud_for_name("nobody").pseud is None and not pseud_for_name("nobody").ambiguous
    # The pseud comes with its user, for its byline.
    found = pseud_for_name("Quill")
    assert found.pseud is not None and found.pseud.byline == "Quill (bea)"


@pytest.mark.parametrize("name", ["bea\x00", "b" * 101, "Quill (" + "b" * 95 + ")"])
def test_names_no_pseud_can_have_find_nothing_without_an_error(name: str) -> None:
    bea = make_user("bea")
    pseud_create(user=bea, name="Quill")
    assert pseud_for_name(name).pseud is None
    assert not pseud_for_name(name).ambiguous


def test_blocks_between_reads_both_directions_in_one_query(
    django_assert_num_queries: Any,
) -> None:
    alma = make_user("alma")
    bea = make_user("bea")
    cara = make_user("cara")
    dan = make_user("dan")
    block_user(blocker=bea, blocked=alma)
    block_user(blocker=alma, blocked=cara)
    block_user(blocker=dan, blocked=cara)  # between others: not alma's business
    with django_assert_num_queries(1):
        assert blocks_between(alma, {bea.pk, cara.pk, dan.pk}) == ({bea.pk}, {cara.pk})
    assert blocks_between(alma, set()) == (set(), set())


def test_users_blocking_a_creator_with_or_without_the_creators_loaded() -> None:
    alma = make_user("alma")
    work = make_work(alma)
    bea = make_user("bea")
    cara = make_user("cara")
    make_user("dan")
    block_user(blocker=bea, blocked=alma)
    block_user(blocker=cara, blocked=make_user("someone_else"))
    block_user(blocker=alma, blocked=cara)  # the creator blocks cara: the other direction
    candidates = {bea.pk, cara.pk}
    assert users_blocking_a_creator(candidates, work.pk) == {bea.pk}
    assert users_blocking_a_creator(candidates, work.pk, [alma.pk]) == {bea.pk}
    assert blocked_by_a_creator(cara, work.pk) and not blocked_by_a_creator(bea, work.pk)
    assert blocked_by_a_creator(cara, work.pk, [alma.pk])
