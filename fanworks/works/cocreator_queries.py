"""Reads for co-creators: naming invitees, pending invitations, and chapter bylines."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from fanworks.accounts.models import Pseud, User
from fanworks.accounts.queries import blocks_between, pseud_for_name
from fanworks.works.cocreator_models import ChapterCreatorship, CreatorInvitation
from fanworks.works.models import (
    Chapter,
    Creatorship,
    Series,
    SeriesCreatorship,
    Work,
)
from fanworks.works.queries import Viewer, visible_works

# How many names one form may invite at once; a longer list is refused, not truncated.
MAX_INVITEES = 20


def split_names(text: str) -> list[str]:
    """The names in a comma-separated list, stripped, without blanks or repeats."""
    names: list[str] = []
    for part in text.split(","):
        name = " ".join(part.split())
        if name and name.lower() not in {n.lower() for n in names}:
            names.append(name)
    return names


def _pseud_named(name: str) -> tuple[Pseud | None, str | None]:
    """The pseud `name` means (accounts.queries.pseud_for_name), or why none."""
    found = pseud_for_name(name)
    if found.pseud is not None:
        return found.pseud, None
    if found.ambiguous:
        return None, (
            f"Several users write as “{name}”; please name the one you mean as “{name} (username)”."
        )
    return None, f"We couldn't find a user or pseud called “{name[:100]}”."


def invitees_for(
    *,
    inviter: User,
    names: list[str],
    credited_pseud_ids: set[int],
) -> tuple[list[Pseud], list[str]]:
    """The pseuds `names` invite, and a message for each name that cannot be invited: an
    unknown name, the inviter's own pseud, a user who refuses invitations, blocks the
    inviter or is blocked by them, or a pseud already credited."""
    if len(names) > MAX_INVITEES:
        return [], [f"Please invite at most {MAX_INVITEES} co-creators at a time."]
    named = [(name, *_pseud_named(name)) for name in names]
    # Blocks count both ways: a block keeps the two apart, whoever made it.
    blocking_inviter, blocked_by_inviter = blocks_between(
        inviter, {pseud.user_id for _, pseud, _ in named if pseud is not None}
    )
    found: list[Pseud] = []
    problems: list[str] = []
    for name, pseud, problem in named:
        if pseud is None:
            problems.append(problem or f"We couldn't find “{name}”.")
        elif pseud.user_id == inviter.pk:
            problems.append(
                f"“{pseud.name}” is your own pseud: choose it under Creator/Pseud(s) instead."
            )
        elif pseud.pk in credited_pseud_ids:
            problems.append(f"{pseud.byline} is already credited.")
        elif not pseud.user.allow_cocreator_invitations:
            problems.append(f"{pseud.byline} does not accept co-creator invitations.")
        elif pseud.user_id in blocking_inviter:
            problems.append(f"{pseud.byline} has blocked you, so you cannot invite them.")
        elif pseud.user_id in blocked_by_inviter:
            problems.append(f"You have blocked {pseud.byline}, so you cannot invite them.")
        elif all(p.pk != pseud.pk for p in found):
            found.append(pseud)
    return found, problems


def target_of(invitation: CreatorInvitation) -> Work | Chapter | Series:
    target = invitation.work or invitation.chapter or invitation.series
    assert target is not None  # the database holds exactly one
    return target


def credited_pseud_ids(target: Work | Chapter | Series) -> set[int]:
    if isinstance(target, Work):
        return set(Creatorship.objects.filter(work=target).values_list("pseud_id", flat=True))
    if isinstance(target, Chapter):
        return set(
            ChapterCreatorship.objects.filter(chapter=target).values_list("pseud_id", flat=True)
        )
    return set(SeriesCreatorship.objects.filter(series=target).values_list("pseud_id", flat=True))


def _target_filter(target: Work | Chapter | Series) -> Q:
    if isinstance(target, Work):
        return Q(work=target)
    if isinstance(target, Chapter):
        return Q(chapter=target)
    return Q(series=target)


def pending_invitations_of(target: Work | Chapter | Series) -> QuerySet[CreatorInvitation]:
    """Who was invited to `target` and has not answered (for its creators' edit page)."""
    return (
        CreatorInvitation.objects.filter(_target_filter(target))
        .select_related("pseud__user")
        .order_by("created_at", "pk")
    )


@dataclass
class PendingInvitation:
    """One row of the "Co-Creator Requests" page."""

    invitation: CreatorInvitation
    kind: str  # "Work", "Chapter" or "Series"
    title: str
    url: str | None  # None when the invitee may not open it yet (a draft, say)


def invitations_for_user(user: User) -> QuerySet[CreatorInvitation]:
    """`user`'s unanswered invitations, newest first (a page of them goes to `describe`)."""
    return CreatorInvitation.objects.filter(pseud__user=user).select_related(
        "pseud", "inviter", "work", "chapter__work", "series"
    )


def describe_invitations(user: User, rows: list[CreatorInvitation]) -> list[PendingInvitation]:
    """What each of `user`'s invitations is for, linked only where `user` may open it."""
    work_ids = {r.work_id for r in rows if r.work_id} | {
        r.chapter.work_id for r in rows if r.chapter is not None
    }
    readable = set(
        visible_works(user, include_own_drafts=True, hide_muted=False)
        .filter(pk__in=work_ids)
        .values_list("pk", flat=True)
    )
    result: list[PendingInvitation] = []
    for row in rows:
        if row.work is not None:
            url = row.work.get_absolute_url() if row.work_id in readable else None
            result.append(PendingInvitation(row, "Work", row.work.title, url))
        elif row.chapter is not None:
            chapter = row.chapter
            label = f"Chapter {chapter.position}" + (f": {chapter.title}" if chapter.title else "")
            visible = chapter.work_id in readable and chapter.posted
            url = chapter.get_absolute_url() if visible else None
            result.append(PendingInvitation(row, "Chapter", f"{chapter.work.title}, {label}", url))
        elif row.series is not None:
            result.append(
                PendingInvitation(row, "Series", row.series.title, row.series.get_absolute_url())
            )
    return result


def is_credited_on(viewer: Viewer, target: Work | Chapter | Series) -> bool:
    """Whether one of `viewer`'s pseuds is credited on `target` itself."""
    if not viewer.is_authenticated:
        return False
    if isinstance(target, Work):
        ships: QuerySet[Any] = Creatorship.objects.filter(work=target)
    elif isinstance(target, Chapter):
        ships = ChapterCreatorship.objects.filter(chapter=target)
    else:
        ships = SeriesCreatorship.objects.filter(series=target)
    return ships.filter(pseud__user_id=viewer.pk).exists()


def chapter_bylines(work: Work, chapters: list[Chapter]) -> None:
    """Set `byline_pseuds` on each chapter whose own creators differ from the work's (AO3
    shows a chapter byline only then); one query for all of them."""
    work_pseuds = {ship.pseud_id for ship in work.creatorships.all()}
    by_chapter: dict[int, list[Pseud]] = {}
    for ship in ChapterCreatorship.objects.filter(chapter__in=chapters).select_related(
        "pseud__user"
    ):
        by_chapter.setdefault(ship.chapter_id, []).append(ship.pseud)
    for chapter in chapters:
        # Only pseuds credited on the work: a chapter row left behind by a change made
        # elsewhere (a pseud moved to the orphan account, say) must never name its old owner.
        own = [pseud for pseud in by_chapter.get(chapter.pk, []) if pseud.pk in work_pseuds]
        differs = bool(own) and {p.pk for p in own} != work_pseuds
        chapter.byline_pseuds = own if differs else []  # type: ignore[attr-defined]
