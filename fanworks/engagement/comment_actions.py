"""Every write of comments: posting, replies, edits, deletes, freezing and approval."""

import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from fanworks.accounts.models import Pseud, User
from fanworks.core.sanitize import (
    NestingTooDeep,
    Sanitized,
    sanitize_html,
)
from fanworks.engagement.models import (
    MAX_COMMENT_LENGTH,
    MAX_GUEST_NAME_LENGTH,
    Comment,
    CommentState,
)
from fanworks.engagement.notifications import notify_comment
from fanworks.search.outbox import record_work_changes
from fanworks.works.models import Chapter, Work
from fanworks.works.permissions import is_creator
from fanworks.works.queries import prefetched_creator_ids

# Comments


@dataclass(frozen=True)
class Commenter:
    """Who a comment is from: a registered user writing as one of their pseuds, or a guest."""

    user: User | None = None
    pseud: Pseud | None = None
    guest_name: str = ""
    guest_email: str = ""


def _clean_comment(content: str) -> Sanitized:
    """The sanitised comment, or a ValidationError keyed "content"."""
    if not content.strip():
        raise ValidationError({"content": ["Please write a comment before posting."]})
    if len(content) > MAX_COMMENT_LENGTH:
        raise ValidationError(
            {
                "content": [
                    f"A comment must be at most {MAX_COMMENT_LENGTH:,} characters "
                    f"(it is {len(content):,})."
                ]
            }
        )
    try:
        return sanitize_html(content)
    except NestingTooDeep as problem:
        raise ValidationError({"content": [str(problem)]}) from None


def _check_commenter(by: Commenter) -> None:
    if by.user is not None:
        if by.pseud is None or by.pseud.user_id != by.user.pk:
            raise ValidationError({"pseud": ["Please choose one of your own pseuds."]})
        return
    errors: dict[str, list[str]] = {}
    if not by.guest_name.strip():
        errors["name"] = ["Please enter your name."]
    elif len(by.guest_name) > MAX_GUEST_NAME_LENGTH:
        errors["name"] = [f"Your name must be at most {MAX_GUEST_NAME_LENGTH} characters."]
    try:
        validate_email(by.guest_email)
    except ValidationError:
        errors["email"] = ["Please enter a valid e-mail address."]
    if errors:
        raise ValidationError(errors)


def _count_comments(work_id: int, change: int) -> None:
    """Move the work's comment count in the caller's transaction and tell the search index."""
    if change > 0:
        Work.objects.filter(pk=work_id).update(comment_count=F("comment_count") + change)
    else:
        Work.objects.filter(pk=work_id, comment_count__gte=-change).update(
            comment_count=F("comment_count") + change
        )
    record_work_changes([work_id])


def comment_create(
    *,
    work: Work,
    chapter: Chapter,
    by: Commenter,
    content: str,
    parent: Comment | None = None,
    creation_key: uuid.UUID | None = None,
    key_checked: bool = False,
) -> Comment:
    """Post a comment on `chapter` of `work`, or a reply to `parent`. Who may do so is the
    caller's question (engagement.permissions.comment_refusal); this checks the input.
    `key_checked` says the caller just looked the key up and found no comment (the view does,
    to answer a double submit before the rate limit): the unique constraint still catches one
    posted since.

    On a work with moderation on, a comment waits for the creators' approval (theirs never
    does) and counts only once approved. With a `creation_key`, a second submit of the same
    form returns the first one's comment; two at once meet the unique constraint and the loser
    returns the winner's comment.
    """
    if creation_key is not None and not key_checked:
        existing = Comment.objects.filter(creation_key=creation_key).first()
        if existing is not None:
            return _same_submission(existing, work, by)
    if chapter.work_id != work.pk or (parent is not None and parent.work_id != work.pk):
        raise ValueError("the chapter and the parent comment must belong to the work")
    cleaned = _clean_comment(content)
    _check_commenter(by)
    by_creator = by.user is not None and is_creator(by.user, work)
    approved = by_creator or not work.moderate_comments
    comment = Comment(
        work=work,
        chapter=chapter if parent is None else parent.chapter,
        parent=parent,
        thread_id=None if parent is None else parent.thread_root_id,
        depth=0 if parent is None else parent.depth + 1,
        user=by.user,
        pseud=by.pseud if by.user is not None else None,
        guest_name="" if by.user is not None else by.guest_name.strip(),
        guest_email="" if by.user is not None else by.guest_email.strip(),
        content=content,
        content_html=cleaned.html,
        sanitizer_version=cleaned.version,
        state=CommentState.APPROVED if approved else CommentState.UNREVIEWED,
        creation_key=creation_key,
    )
    try:
        with transaction.atomic():
            comment.save(force_insert=True)
            if approved:
                _count_comments(work.pk, +1)
            # The creators hear of a comment at once, so they can approve a waiting one; the
            # author of the comment replied to only once it is approved (they would not see it).
            _notify_about_comment(comment, work, to_parent_author=approved)
    except IntegrityError:
        if creation_key is not None:
            existing = Comment.objects.filter(creation_key=creation_key).first()
            if existing is not None:
                return _same_submission(existing, work, by)
        raise
    return comment


def _notify_about_comment(
    comment: Comment, work: Work, *, to_creators: bool = True, to_parent_author: bool = True
) -> None:
    """Inbox entries (and e-mails, after the commit) for a new comment: a reply for the author
    of the comment answered, a comment for each of the work's creators. Someone who is both
    gets the reply alone: notify_comment keeps one entry per comment and recipient."""
    parent_author = comment.parent.user if comment.parent is not None else None
    recipients: list[tuple[User, bool]] = []
    if to_parent_author and parent_author is not None:
        recipients.append((parent_author, True))
    if to_creators:
        recipients.extend((creator, False) for creator in _creators(work))
    for recipient, is_reply in recipients:
        notify_comment(
            recipient=recipient,
            actor=comment.user,
            work=work,
            chapter=comment.chapter,
            comment_id=comment.pk,
            is_reply=is_reply,
            text=comment.content_html,
            actor_name=comment.guest_name,
        )


def _creators(work: Work) -> list[User]:
    """The work's creators (users, once each, by id): by the creator ids loaded with the work
    (work_to_act_on; no join), else through its creatorships."""
    ids = prefetched_creator_ids(work)
    if ids is not None:
        users = User.objects.filter(pk__in=ids)
    else:
        users = User.objects.filter(pseuds__creatorships__work_id=work.pk).distinct()
    return list(users.order_by("pk"))


def _same_submission(existing: Comment, work: Work, by: Commenter) -> Comment:
    """The comment an earlier submit of this form posted; a key from someone else's form (or
    another work's) is refused rather than answered with their comment."""
    by_user_id = by.user.pk if by.user is not None else None
    if existing.work_id != work.pk or existing.user_id != by_user_id:
        raise ValidationError("This form was already used; please reload the page.")
    return existing


def comment_update(*, comment: Comment, content: str) -> Comment:
    """Replace a comment's text and mark it edited. A comment deleted or frozen meanwhile is
    left alone (ValidationError), whatever the form said."""
    cleaned = _clean_comment(content)
    now = timezone.now()
    changed = Comment.objects.filter(pk=comment.pk, deleted=False, frozen=False).update(
        content=content,
        content_html=cleaned.html,
        sanitizer_version=cleaned.version,
        edited_at=now,
    )
    if not changed:
        raise ValidationError("This comment can no longer be edited.")
    comment.content, comment.content_html = content, cleaned.html
    comment.sanitizer_version, comment.edited_at = cleaned.version, now
    return comment


def comment_delete(*, comment: Comment) -> Comment:
    """Delete a comment. One with replies stays as a "deleted comment" placeholder (its text
    gone) so the replies keep their place; one without goes, and so
    do placeholders above it that no longer hold anything. Two deletes at once count once."""
    with transaction.atomic():
        has_replies = Comment.objects.filter(parent_id=comment.pk).exists()
        pending = Comment.objects.filter(pk=comment.pk, deleted=False)
        if has_replies:
            gone = pending.update(deleted=True, content="", content_html="")
        else:
            gone, _ = pending.delete()
        if gone and comment.approved:
            _count_comments(comment.work_id, -1)
        parent_id = comment.parent_id
        while parent_id is not None and not has_replies:
            parent = Comment.objects.filter(pk=parent_id, deleted=True).first()
            if parent is None or Comment.objects.filter(parent_id=parent_id).exists():
                break
            parent.delete()
            parent_id = parent.parent_id
    comment.deleted = True
    return comment


def _subtree_ids(comment: Comment) -> list[int]:
    """`comment` and every reply below it (one query for the whole thread)."""
    root = comment.thread_root_id
    rows = Comment.objects.filter(Q(pk=root) | Q(thread_id=root)).values_list("pk", "parent_id")
    children: dict[int, list[int]] = {}
    for pk, parent_id in rows:
        if parent_id is not None:
            children.setdefault(parent_id, []).append(pk)
    found, todo = [], [comment.pk]
    while todo:
        pk = todo.pop()
        found.append(pk)
        todo.extend(children.get(pk, []))
    return found


def comment_freeze(*, comment: Comment, frozen: bool) -> Comment:
    """Freeze (or thaw) a comment and every reply below it: a frozen thread takes no replies
    and no edits. Replies made later under a thawed comment are not frozen."""
    with transaction.atomic():
        Comment.objects.filter(pk__in=_subtree_ids(comment)).update(frozen=frozen)
    comment.frozen = frozen
    return comment


def comment_approve(*, comment: Comment) -> Comment:
    """Let a comment waiting for moderation through; it counts from now on. Approving twice
    (or twice at once) counts once."""
    with transaction.atomic():
        approved = Comment.objects.filter(pk=comment.pk, state=CommentState.UNREVIEWED).update(
            state=CommentState.APPROVED
        )
        if approved:
            _count_comments(comment.work_id, +1)
            _notify_about_comment(comment, comment.work, to_creators=False)
    comment.state = CommentState.APPROVED
    return comment
