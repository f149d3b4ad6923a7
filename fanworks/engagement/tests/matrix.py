"""The people and works the permission tests try every engagement action with.

Six kinds of visitor (a guest, a reader, the creator, a reader the creator blocked, a reader the
creator muted, an admin) meet three kinds of work (public, restricted to logged-in readers, a
draft). A test asks for a `World`, logs one persona in with `client_for`, tries one action, and
compares `snapshot()` before and after: a refused action must leave every engagement table and
counter as it was.
"""

from dataclasses import dataclass

from django.apps import apps
from django.test import Client

from fanworks.accounts.actions import block_user, mute_user
from fanworks.accounts.models import User
from fanworks.core.testing import make_user, make_work
from fanworks.works.models import Work

PERSONAS = ("guest", "reader", "creator", "blocked", "muted", "admin")
WORK_KINDS = ("public", "restricted", "draft")
GUEST_ADDRESS = "203.0.113.50"
# Models whose rows an engagement action may write; a refused action writes none of them.
WATCHED_APPS = ("engagement", "accounts")
WATCHED_WORK_COUNTERS = ("hit_count", "kudos_count", "comment_count", "bookmark_count")


@dataclass
class World:
    creator: User
    reader: User
    blocked: User
    muted: User
    admin: User
    works: dict[str, Work]

    def user(self, persona: str) -> User | None:
        return None if persona == "guest" else getattr(self, persona)

    def client_for(self, persona: str) -> Client:
        client = Client(REMOTE_ADDR=GUEST_ADDRESS)
        user = self.user(persona)
        if user is not None:
            client.force_login(user)
        return client


def build_world() -> World:
    creator = make_user("maker")
    reader = make_user("plainreader")
    blocked = make_user("blockedreader")
    muted = make_user("mutedreader")
    admin = make_user("siteadmin")
    User.objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
    admin.refresh_from_db()
    block_user(blocker=creator, blocked=blocked)
    mute_user(muter=creator, muted=muted)
    works = {
        "public": make_work(creator, title="Open Harbour"),
        "restricted": make_work(creator, title="Locked Harbour", restricted=True),
        "draft": make_work(creator, title="Unfinished Harbour", post=False),
    }
    return World(creator, reader, blocked, muted, admin, works)


def snapshot() -> dict[str, object]:
    """Row counts of every engagement and accounts table, and the works' reader counters."""
    counts: dict[str, object] = {}
    for label in WATCHED_APPS:
        for model in apps.get_app_config(label).get_models():
            counts[model._meta.label] = model._default_manager.count()
    counts["work counters"] = sorted(
        Work.objects.values_list("pk", *WATCHED_WORK_COUNTERS).order_by("pk")
    )
    return counts
