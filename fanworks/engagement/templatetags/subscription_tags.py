"""The Subscribe / Unsubscribe button, shown on work pages and user profiles."""

from typing import Any

from django import template

from fanworks.accounts.models import User
from fanworks.engagement.permissions import can_subscribe
from fanworks.engagement.queries import subscription_state
from fanworks.works.models import Series, Work

register = template.Library()


@register.inclusion_tag("engagement/_subscribe.html", takes_context=True)
def subscribe_button(
    context: template.Context,
    work: Work | None = None,
    target_user: User | None = None,
    series: Series | None = None,
) -> dict[str, Any]:
    """AO3's markup: a form posting to /users/ME/subscriptions with an `input[value=Subscribe]`,
    or, when subscribed, one posting to the subscription with `input[value=Unsubscribe]`.
    Nothing for guests, on one's own work or profile, or where subscribing is refused."""
    request = context["request"]
    viewer = request.user
    shown: dict[str, Any] = {"show": False, "request": request}
    if not isinstance(viewer, User):
        return shown
    if target_user is not None and target_user.pk == viewer.pk:
        return shown
    subscription_id, blocked = subscription_state(
        viewer, work=work, target_user=target_user, series=series
    )
    if subscription_id is None and not can_subscribe(
        viewer, work=work, target_user=target_user, blocked=blocked, series=series
    ):
        return shown
    target_id: int | None
    if series is not None:
        kind, target_id = "Series", series.pk
    elif work is not None:
        kind, target_id = "Work", work.pk
    else:
        kind, target_id = "User", target_user.pk if target_user else None
    return shown | {
        "show": True,
        "viewer": viewer,
        "subscription_id": subscription_id,
        "type": kind,
        "target_id": target_id,
        "csrf_token": context.get("csrf_token"),
        "in_list": series is not None or work is not None,
    }
