"""`fanworks demo` links works to parents of every type, some approved, some pending, some
external; a second run adds none."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from fanworks.works.models import RelatedWork, RelationState, RelationType

pytestmark = pytest.mark.django_db
WORKS = 150


def demo() -> str:
    out = StringIO()
    call_command("demo", "--works", str(WORKS), stdout=out)
    return out.getvalue()


def test_demo_makes_related_works_of_every_kind_once() -> None:
    output = demo()
    assert "Related works:" in output
    links = list(RelatedWork.objects.select_related("parent_work", "parent_external", "child"))
    assert {link.relation for link in links} == set(RelationType.values), output
    local = [link for link in links if link.parent_work_id]
    assert {link.state for link in local} == {RelationState.APPROVED, RelationState.PENDING}
    external = [link for link in links if link.parent_external_id]
    assert external and all(link.state == RelationState.APPROVED for link in external)
    for link in local:
        assert link.child_id != link.parent_work_id

    approved = next(link for link in local if link.state == RelationState.APPROVED)
    page = Client().get(f"/works/{approved.parent_work_id}", {"view_adult": "true"})
    assert page.status_code in {200, 302}
    if page.status_code == 200:
        assert approved.child.title in page.content.decode()

    count = RelatedWork.objects.count()
    demo()
    assert RelatedWork.objects.count() == count
