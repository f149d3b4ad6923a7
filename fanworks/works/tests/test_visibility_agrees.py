"""The write paths (kudos, comments, bookmarks) load a work by its key and decide visibility
from its creators (`is_visible_with_creators`); the rest of the site asks `visible_works`.
The two must agree for every kind of work and viewer."""

import itertools

import pytest
from django.contrib.auth.models import AnonymousUser

from fanworks.accounts.models import Mute
from fanworks.core.testing import make_user, make_work
from fanworks.works.models import Creatorship, Work
from fanworks.works.queries import (
    Viewer,
    chapter_to_act_on,
    visible_works,
    work_for_viewer,
    work_to_act_on,
)

pytestmark = pytest.mark.django_db


def test_work_to_act_on_agrees_with_the_visibility_query():
    creator, co_creator, reader, muter = (
        make_user(name) for name in ("creator", "cocreator", "reader", "muter")
    )
    Mute.objects.create(muter=muter, muted=creator)
    co_pseud = co_creator.pseuds.get(is_default=True).pk
    works = []
    for posted, hidden, restricted, shared in itertools.product([True, False], repeat=4):
        work = make_work(creator, post=posted, restricted=restricted)
        if shared:
            # A co-creator's invitation is accepted: credited like the creator.
            Creatorship.objects.create(work=work, pseud_id=co_pseud, position=1)
        Work.objects.filter(pk=work.pk).update(hidden_by_admin=hidden)
        works.append(work.pk)
    viewers: list[Viewer] = [AnonymousUser(), creator, co_creator, reader, muter]
    seen = 0
    for viewer, work_id in itertools.product(viewers, [*works, max(works) + 1]):
        expected = (
            visible_works(viewer, include_own_drafts=True, hide_muted=False)
            .filter(pk=work_id)
            .exists()
        )
        acted_on = work_to_act_on(viewer, work_id)
        assert (acted_on is not None) == expected, (viewer, work_id)
        assert (work_for_viewer(viewer, work_id) is not None) == expected
        for chapter_id in Work.objects.filter(pk=work_id).values_list("chapters", flat=True):
            found = chapter_to_act_on(viewer, chapter_id)
            assert (found is not None) == expected, (viewer, work_id, chapter_id)
            assert found is None or (found[0].pk, found[1].pk) == (work_id, chapter_id)
        seen += expected
    # Both outcomes occur for every kind of viewer, so the comparison means something.
    assert 0 < seen < len(viewers) * (len(works) + 1)


def test_a_missing_chapter_is_not_acted_on():
    assert chapter_to_act_on(AnonymousUser(), 10**9) is None
