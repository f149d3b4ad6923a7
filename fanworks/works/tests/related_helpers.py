"""Helpers shared by the related works tests (test_related*.py)."""

from typing import Any

from django.db import transaction

from fanworks.accounts.models import User
from fanworks.engagement.models import ExternalWork, Notification
from fanworks.works.models import RelatedWork, Work
from fanworks.works.related_actions import ParentData, work_related_apply


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every link, external work, notification and work version, to assert that a refused
    action changed nothing."""
    return {
        "links": list(
            RelatedWork.objects.order_by("pk").values_list(
                "pk", "child", "parent_work", "parent_external", "relation", "state", "decided_at"
            )
        ),
        "externals": list(ExternalWork.objects.order_by("pk").values_list("pk", "url", "title")),
        "notifications": list(
            Notification.objects.order_by("pk").values_list("pk", "recipient", "kind", "read")
        ),
        "works": list(Work.objects.order_by("pk").values_list("pk", "version", "title")),
    }


def link(
    user: User, child: Work, parent: Work | None = None, relation: str = "inspired_by", **kw: Any
) -> RelatedWork:
    """Name `parent` (or an external work, from `kw`) as a parent of `child` with the action
    the work form calls; returns the new link."""
    with transaction.atomic():
        [made] = work_related_apply(
            user=user,
            work=child,
            parents=[
                ParentData(row=1, relation=relation, work=str(parent.pk) if parent else "", **kw)
            ],
            remove_link_ids=[],
        )
    return made


def parent_row(row: int = 1, **fields: str) -> dict[str, str]:
    """Form fields of one "Parent works" row."""
    return {f"parent_{row}_{name}": value for name, value in fields.items()}
