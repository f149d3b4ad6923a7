"""`{% dashboard_nav %}`: the links between a user's pages, in groups, the current one marked.

Every dashboard page includes accounts/_dashboard_nav.html, which calls this tag with the
page's `profile_user` and `is_owner`. The links are grouped so that a phone can fold them
into one "Menu" disclosure (the CSS keeps them all in view on wider screens)."""

from dataclasses import dataclass
from typing import Any

from django import template

register = template.Library()


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    current: bool


@dataclass(frozen=True)
class NavGroup:
    title: str
    slug: str
    links: list[NavLink]


# (group title, slug, owner only, [(label, path after /users/NAME)]); the owner's last
# group ends with logging out.
_GROUPS: list[tuple[str, str, bool, list[tuple[str, str]]]] = [
    (
        "Creations",
        "creations",
        False,
        [
            ("Dashboard", ""),
            ("Profile", "/profile"),
            ("Works", "/works"),
            ("Bookmarks", "/bookmarks"),
            ("Series", "/series"),
            ("Gifts", "/gifts"),
            ("Pseuds", "/pseuds"),
        ],
    ),
    (
        "Activity",
        "activity",
        True,
        [
            ("Drafts", "/drafts"),
            ("Inbox", "/inbox"),
            ("History", "/readings"),
            ("Subscriptions", "/subscriptions"),
            ("Related works", "/related_works"),
            ("Co-Creator Requests", "/creatorships"),
            ("Statistics", "/stats"),
        ],
    ),
    (
        "Account",
        "account",
        True,
        [
            ("Preferences", "/preferences"),
            ("Blocked users", "/blocked"),
            ("Muted users", "/muted"),
            ("Change e-mail", "/change_email"),
            ("Change password", "/change_password"),
            ("Orphan works", "/orphan"),
            ("Export", "/export"),
            ("Delete account", "/delete"),
        ],
    ),
]


@register.inclusion_tag("accounts/_dashboard_menu.html", takes_context=True)
def dashboard_nav(context: dict[str, Any]) -> dict[str, Any]:
    profile_user = context.get("profile_user")
    if profile_user is None:  # a page without a user to link around renders no menu
        return {"profile_user": None, "groups": [], "current": None}
    is_owner = bool(context.get("is_owner"))
    request = context.get("request")
    path = request.path if request is not None else ""
    base = profile_user.get_absolute_url()
    groups = []
    for title, slug, owner_only, links in _GROUPS:
        if owner_only and not is_owner:
            continue
        shown = [NavLink(label, base + tail, base + tail == path) for label, tail in links]
        groups.append(NavGroup(title, slug, shown))
    if is_owner:
        groups[-1].links.append(NavLink("Log out", "/users/logout", False))
    current = next((link for group in groups for link in group.links if link.current), None)
    return {"profile_user": profile_user, "groups": groups, "current": current}
