"""Every read of accounts and pseuds."""

import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Literal

from django.db.models import Exists, Q, QuerySet
from django.db.models.functions import Lower

from fanworks.accounts import throttles
from fanworks.accounts.models import Block, Mute, Pseud, User
from fanworks.core import ratelimit


def user_by_name(name: str) -> User | None:
    """The user called `name`, ignoring case (the lookup matches the LOWER(username) index)."""
    if not name or len(name) > 40 or "\x00" in name:  # PostgreSQL refuses a NUL in a query
        return None
    return User.objects.annotate(lower=Lower("username")).filter(lower=name.lower()).first()


def user_for_login(login: str) -> User | None:
    """The account a login box entry names: a username or, with an "@", an e-mail address."""
    login = login.strip()
    if "@" in login:
        if len(login) > 254:
            return None
        return User.objects.annotate(lower=Lower("email")).filter(lower=login.lower()).first()
    return user_by_name(login)


def pseuds_of_user(user: User) -> QuerySet[Pseud]:
    """The default pseud first, then by name."""
    return Pseud.objects.filter(user=user).select_related("user").order_by("-is_default", "name")


def pseud_by_name(user: User, name: str) -> Pseud | None:
    if not name or len(name) > 40:
        return None
    return (
        Pseud.objects.select_related("user")
        .annotate(lower=Lower("name"))
        .filter(user=user, lower=name.lower())
        .first()
    )


# "pseud (username)", as bylines print a pseud whose name is not the login.
_PSEUD_WITH_USER = re.compile(r"^(?P<pseud>.+?)\s*\((?P<user>[^()]+)\)$")
# Longer than any "pseud (username)" can be: such a name is never looked up.
MAX_TYPED_NAME = 100
MAX_PSEUD_NAME = 40  # Pseud.name's max_length


@dataclass(frozen=True)
class PseudMatch:
    """What a name typed into a form (co-creators, gift recipients) stands for: a pseud, or
    none; `ambiguous` when several users write under that pseud name."""

    pseud: Pseud | None
    ambiguous: bool = False


def pseud_for_name(name: str) -> PseudMatch:
    """The pseud `name` means, as bylines print pseuds: "pseud (username)" is that user's
    pseud, a username alone is the user's default pseud, and a pseud name only one user has
    is that pseud. The pseud comes with its user loaded (for its byline)."""
    if len(name) > MAX_TYPED_NAME or "\x00" in name:  # PostgreSQL refuses a NUL in a query
        return PseudMatch(None)
    pseuds = Pseud.objects.select_related("user").annotate(
        lower=Lower("name"), user_lower=Lower("user__username")
    )
    match = _PSEUD_WITH_USER.match(name)
    if match:
        found = pseuds.filter(
            lower=match["pseud"].lower(), user_lower=match["user"].strip().lower()
        ).first()
        if found is not None:
            return PseudMatch(found)
    by_user = pseuds.filter(user_lower=name.lower(), is_default=True).first()
    if by_user is not None:
        return PseudMatch(by_user)
    if len(name) > MAX_PSEUD_NAME:  # no pseud has such a name: spare the query
        return PseudMatch(None)
    named = list(pseuds.filter(lower=name.lower())[:2])
    if len(named) > 1:
        return PseudMatch(None, ambiguous=True)
    return PseudMatch(named[0] if named else None)


def login_retry_after(*, ip: str | None, account_key: str) -> int | None:
    """Seconds until another login attempt is allowed, or None when it is allowed now."""
    waits = []
    if ip is not None:
        waits.append(ratelimit.retry_after(throttles.login_ip_limit(ip)))
    waits.append(ratelimit.retry_after(throttles.login_account_limit(account_key)))
    known = [wait for wait in waits if wait is not None]
    return max(known) if known else None


def blocked_users(blocker: User) -> QuerySet[Block]:
    """Whom `blocker` blocks, most recent first."""
    return Block.objects.filter(blocker=blocker).select_related("blocked").order_by("-created_at")


def _blocks_with_creators(
    work_id: int,
    *,
    creators_are: Literal["blocker", "blocked"],
    creator_ids: Collection[int] | None,
) -> QuerySet[Block]:
    """The blocks in which a creator of the work is the blocker, or the one blocked. With the
    creators' user ids already loaded (`creator_ids`), the query needs no joins."""
    if creator_ids is not None:
        return Block.objects.filter(**{f"{creators_are}_id__in": creator_ids})
    return Block.objects.filter(**{f"{creators_are}__pseuds__creatorships__work_id": work_id})


def blocked_by_a_creator(
    viewer: User, work_id: int, creator_ids: Collection[int] | None = None
) -> bool:
    """True when a creator of the work blocks `viewer` (their kudos and comments are refused)."""
    blocks = _blocks_with_creators(work_id, creators_are="blocker", creator_ids=creator_ids)
    return blocks.filter(blocked=viewer).exists()


def users_blocking_a_creator(
    user_ids: Collection[int], work_id: int, creator_ids: Collection[int] | None = None
) -> set[int]:
    """Which of `user_ids` block a creator of the work (a gift to them is refused)."""
    blocks = _blocks_with_creators(work_id, creators_are="blocked", creator_ids=creator_ids)
    return set(blocks.filter(blocker_id__in=user_ids).values_list("blocker_id", flat=True))


def blocks_between(user: User, others: Collection[int]) -> tuple[set[int], set[int]]:
    """Of the users `others`: those who block `user`, and those `user` blocks (one query)."""
    blocking_user: set[int] = set()
    blocked_by_user: set[int] = set()
    rows = Block.objects.filter(
        Q(blocked=user, blocker_id__in=others) | Q(blocker=user, blocked_id__in=others)
    ).values_list("blocker_id", "blocked_id")
    for blocker_id, blocked_id in rows:
        if blocker_id == user.pk:
            blocked_by_user.add(blocked_id)
        else:
            blocking_user.add(blocker_id)
    return blocking_user, blocked_by_user


def muted_users(muter: User) -> QuerySet[Mute]:
    return Mute.objects.filter(muter=muter).select_related("muted").order_by("-created_at")


def muted_user_ids(viewer: Any) -> QuerySet[Mute, int]:
    """The ids of the users `viewer` mutes, as a subquery (empty for guests)."""
    return Mute.objects.filter(muter_id=viewer.pk if viewer.is_authenticated else None).values_list(
        "muted_id", flat=True
    )


def muted_pseud_ids(viewer: Any) -> list[int]:
    """Every pseud of the users `viewer` mutes (one query; none for guests)."""
    if not viewer.is_authenticated:
        return []
    return list(
        Pseud.objects.filter(user_id__in=muted_user_ids(viewer)).values_list("pk", flat=True)
    )


def blocking_and_muting(viewer: User, user_id: int) -> tuple[Exists, Exists]:
    """Whether `viewer` blocks, and whether they mute, the user `user_id`: two expressions
    for any query to carry as annotations, so asking costs no query of its own."""
    return (
        Exists(Block.objects.filter(blocker=viewer, blocked_id=user_id)),
        Exists(Mute.objects.filter(muter=viewer, muted_id=user_id)),
    )


def blocks_and_mutes(viewer: User, user: User) -> tuple[bool, bool]:
    """Whether `viewer` blocks and whether they mute `user`, in one query (profile buttons)."""
    blocking, muting = blocking_and_muting(viewer, user.pk)
    row = (
        User.objects.filter(pk=user.pk)
        .annotate(blocking=blocking, muting=muting)
        .values_list("blocking", "muting")
        .first()
    )
    return (bool(row[0]), bool(row[1])) if row else (False, False)
