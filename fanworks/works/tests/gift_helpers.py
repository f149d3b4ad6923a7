"""Helpers shared by the gift, orphaning and account deletion tests."""

from typing import Any

from django.apps import apps

from fanworks.works.models import Creatorship, Gift, Work
from fanworks.works.tests.series_helpers import logged_in

__all__ = ["logged_in", "snapshot"]

# Apps whose rows gifts, orphaning and deleting an account may write.
WATCHED_APPS = ("accounts", "works", "engagement")


def snapshot() -> dict[str, Any]:
    """Row counts of every watched table, the gifts, creatorships and the works' counters and
    sort keys: a refused action must leave all of it as it was."""
    state: dict[str, Any] = {}
    for label in WATCHED_APPS:
        for model in apps.get_app_config(label).get_models():
            state[model._meta.label] = model._default_manager.count()
    state["gifts"] = list(
        Gift.objects.order_by("pk").values_list("pk", "work", "pseud", "recipient_name", "refused")
    )
    state["creatorships"] = list(
        Creatorship.objects.order_by("pk").values_list("pk", "work", "pseud", "position")
    )
    state["works"] = list(
        Work.objects.order_by("pk").values_list(
            "pk",
            "posted",
            "creator_sort_key",
            "version",
            "kudos_count",
            "comment_count",
            "bookmark_count",
        )
    )
    return state
