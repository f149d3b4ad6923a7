"""Co-creators answering at the same moment: every acceptance is credited once, in order."""

import pytest

from fanworks.core.testing import make_user, make_work, run_together
from fanworks.works.cocreator_actions import invitations_answer
from fanworks.works.cocreator_models import CreatorInvitation
from fanworks.works.tests.cocreator_helpers import credited_users, invite

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_parallel_acceptances_credit_everyone_once() -> None:
    alma = make_user("alma")
    friends = [make_user(f"friend{index}") for index in range(4)]
    work = make_work(alma)
    invite(alma, work, *[friend.username for friend in friends])
    ids = {friend.pk: CreatorInvitation.objects.get(pseud__user=friend).pk for friend in friends}

    def accept(index: int) -> int:
        friend = friends[index]
        return invitations_answer(user=friend, invitation_ids=[ids[friend.pk]], accept=True)

    results, errors = run_together(len(friends), accept)
    assert not errors and results == [1, 1, 1, 1]
    credited = credited_users(work)
    assert credited[0] == "alma" and sorted(credited[1:]) == [f.username for f in friends]
    positions = list(work.creatorships.values_list("position", flat=True))
    assert len(set(positions)) == len(positions)
