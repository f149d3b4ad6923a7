"""A user's archive in one zip: their works (HTML and EPUB, drafts too), and their
bookmarks, comments and profile as JSON. A background job writes it (export_actions.py)."""

import json
import zipfile
from collections.abc import Callable
from typing import IO, Any

from fanworks.accounts.models import User
from fanworks.downloads.cache import built_file
from fanworks.downloads.content import file_name
from fanworks.downloads.queries import file_for, user_works_for_export
from fanworks.engagement.models import Bookmark, Comment, Subscription


def _when(value: Any) -> str | None:
    return value.isoformat() if value else None


def profile_data(user: User) -> dict[str, Any]:
    """The account as the user sees it on their pages; never the password or secrets."""
    return {
        "username": user.username,
        "email": user.email,
        "joined": _when(user.date_joined),
        "pseuds": [
            {"name": p.name, "is_default": p.is_default, "description": p.description}
            for p in user.pseuds.order_by("name")
        ],
        "preferences": {
            "history_enabled": user.history_enabled,
            "kudos_emails": user.kudos_emails,
            "subscription_emails": user.subscription_emails,
            "comment_emails": user.comment_emails,
            "related_work_emails": user.related_work_emails,
            "gift_emails": user.gift_emails,
            "allow_cocreator_invitations": user.allow_cocreator_invitations,
        },
        "subscriptions": [
            {
                "work_id": s.work_id,
                "user": s.target_user.username if s.target_user else None,
                "series_id": s.series_id,
                "created": _when(s.created_at),
            }
            for s in Subscription.objects.filter(user=user)
            .select_related("target_user")
            .order_by("pk")
        ],
    }


def bookmarks_data(user: User) -> list[dict[str, Any]]:
    bookmarks = (
        Bookmark.objects.filter(user=user)
        .select_related("pseud", "work", "external_work", "series")
        .prefetch_related("tags")
        .order_by("pk")
    )
    return [
        {
            "pseud": b.pseud.name,
            "work_id": b.work_id,
            "work_title": b.work.title if b.work else None,
            "external_url": b.external_work.url if b.external_work else None,
            "external_title": b.external_work.title if b.external_work else None,
            "series_id": b.series_id,
            "series_title": b.series.title if b.series else None,
            "notes": b.notes,
            "tags": sorted(tag.name for tag in b.tags.all()),
            "private_tags": b.private_tag_names,
            "rec": b.rec,
            "private": b.private,
            "created": _when(b.created_at),
            "updated": _when(b.updated_at),
        }
        for b in bookmarks
    ]


def comments_data(user: User) -> list[dict[str, Any]]:
    comments = Comment.objects.filter(user=user, deleted=False).order_by("pk")
    return [
        {
            "id": c.pk,
            "work_id": c.work_id,
            "chapter_id": c.chapter_id,
            "reply_to": c.parent_id,
            "pseud_id": c.pseud_id,
            "content": c.content,
            "created": _when(c.created_at),
            "edited": _when(c.edited_at),
        }
        for c in comments
    ]


def write_export(
    user: User, out: IO[bytes], *, progress: Callable[[], object] | None = None
) -> None:
    """Write the user's zip to `out` (a binary file open for writing), calling `progress`
    after each work (the job renews its lease: a large archive takes a while)."""
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for work in user_works_for_export(user.pk):
            file = file_for(work)
            if not file.chapters:
                continue
            stem = f"works/{work.pk}-{file_name(work.pk, work.title)}"
            for fmt in ("html", "epub"):
                archive.writestr(f"{stem}.{fmt}", built_file(file, fmt))
            if progress is not None:
                progress()
        for name, data in (
            ("profile.json", profile_data(user)),
            ("bookmarks.json", bookmarks_data(user)),
            ("comments.json", comments_data(user)),
        ):
            archive.writestr(name, json.dumps(data, indent=2, ensure_ascii=False))
