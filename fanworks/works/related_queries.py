"""Reads for related works: a work's children and parents as a viewer may see them, and a
creator's requests to approve. Every work shown goes through `visible_works`."""

from dataclasses import dataclass, field

from django.db.models import Case, Q, QuerySet, Value, When

from fanworks.accounts.models import User
from fanworks.core.numbers import is_plain_number
from fanworks.works.models import RelatedWork, RelationState, RelationType, Work
from fanworks.works.queries import Viewer, visible_works

# The parent's afterword: one heading per type, in this order.
CHILDREN_HEADINGS = {
    RelationType.INSPIRED_BY: "Works inspired by this one:",
    RelationType.TRANSLATION: "Translations:",
    RelationType.PODFIC: "Podfics:",
    RelationType.REMIX: "Remixes:",
    RelationType.FANART: "Fanart:",
}
MAX_LINK_ID_DIGITS = 18


@dataclass
class ChildGroup:
    relation: str
    heading: str
    links: list[RelatedWork] = field(default_factory=list)


def _with_creators(links: QuerySet[RelatedWork], work: str) -> QuerySet[RelatedWork]:
    return links.select_related(work).prefetch_related(f"{work}__creatorships__pseud__user")


def children_for_viewer(viewer: Viewer, work: Work) -> list[ChildGroup]:
    """The approved children of `work` that `viewer` may see, grouped by type: a draft,
    hidden, restricted (for a guest) or muted child is left out."""
    links = _with_creators(
        RelatedWork.objects.filter(
            parent_work=work,
            state=RelationState.APPROVED,
            child__in=visible_works(viewer).values("pk"),
        ),
        "child",
    ).order_by("created_at", "pk")
    groups = {
        relation: ChildGroup(relation, heading) for relation, heading in CHILDREN_HEADINGS.items()
    }
    for link in links:
        groups[RelationType(link.relation)].links.append(link)
    return [group for group in groups.values() if group.links]


def parents_for_viewer(viewer: Viewer, work: Work) -> list[RelatedWork]:
    """The parents `work` names, as far as `viewer` may see them: external parents always,
    works on this archive only when visible to them (their own drafts included)."""
    seen = visible_works(viewer, include_own_drafts=True).values("pk")
    return list(
        _with_creators(
            RelatedWork.objects.filter(child=work).filter(
                Q(parent_external__isnull=False) | Q(parent_work__in=seen)
            ),
            "parent_work",
        )
        .select_related("parent_external")
        .order_by("created_at", "pk")
    )


def parent_links_for_form(work: Work) -> list[tuple[int, str]]:
    """(link id, label) of every parent `work` names, for the edit form's "remove" boxes.
    Only the work's creators see the form, and they named these parents themselves."""
    choices = []
    for link in RelatedWork.objects.filter(child=work).select_related(
        "parent_work", "parent_external"
    ):
        parent = link.parent_work or link.parent_external
        title = parent.title if parent is not None else "?"
        choices.append((link.pk, f"{link.get_relation_display()} “{title}”"))
    return choices


# The Related Works page lists what waits for an answer first, then approved, then declined.
_STATE_ORDER = Case(
    When(state=RelationState.PENDING, then=Value(0)),
    When(state=RelationState.APPROVED, then=Value(1)),
    default=Value(2),
)


def related_requests(user: User) -> QuerySet[RelatedWork]:
    """Links from other people's works to `user`'s works, for their Related Works page (a
    page of them at a time): waiting ones first, then approved, then declined, newest first
    within each. Only children `user` may see: a draft child appears once it is posted."""
    own = Work.objects.filter(creatorships__pseud__user=user).values("pk")
    return (
        _with_creators(
            RelatedWork.objects.filter(
                parent_work__in=own, child__in=visible_works(user).values("pk")
            ).exclude(child__in=own),
            "child",
        )
        .select_related("parent_work")
        .order_by(_STATE_ORDER, "-created_at", "-pk")
    )


def parent_links_of_user(user: User) -> QuerySet[RelatedWork]:
    """The parents `user`'s works name, for their Related Works page (a page of them at a
    time; a parent that is no longer visible to them is left out, as on the work page)."""
    seen = visible_works(user, include_own_drafts=True).values("pk")
    return (
        RelatedWork.objects.filter(
            child__in=Work.objects.filter(creatorships__pseud__user=user).values("pk")
        )
        .filter(Q(parent_external__isnull=False) | Q(parent_work__in=seen))
        .select_related("child", "parent_work", "parent_external")
        .order_by("-created_at", "-pk")
    )


def link_by_id(raw_id: str | int) -> RelatedWork | None:
    value = str(raw_id)
    if not is_plain_number(value) or len(value) > MAX_LINK_ID_DIGITS:
        return None
    return RelatedWork.objects.filter(pk=int(value)).first()
