"""Every write of the importers: a parsed file becomes a work, and external creators' claims.

`work_import` is one transaction: the work, its chapters, tags, creators and related-work
links are saved together or not at all. It reuses the posting actions (works.actions), so
imported text is validated, sanitised, tagged and indexed exactly like posted text.
"""

import contextlib
import datetime
import hashlib
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from fanworks.accounts.models import Pseud, User
from fanworks.engagement.actions import (
    ExternalWorkData,
    external_work_find_or_create,
    normalise_external_url,
)
from fanworks.importers.models import (
    ClaimState,
    CreatorClaim,
    ExternalCreator,
    ExternalCreatorship,
    ImportedReference,
    ImportedWork,
)
from fanworks.importers.parsers import ParsedWork, Reference
from fanworks.importers.safety import ImportRefused
from fanworks.search.outbox import record_work_changes
from fanworks.tags.models import CATEGORIES, RATINGS, WARNINGS
from fanworks.works.actions import (
    ChapterData,
    WorkData,
    chapter_create,
    work_create,
    work_sort_keys_refresh,
)
from fanworks.works.models import (
    Chapter,
    Creatorship,
    RelatedWork,
    RelationState,
    RelationType,
    Work,
)
from fanworks.works.queries import visible_works
from fanworks.works.related_actions import parse_work_reference

UNKNOWN_FANDOM = "Unknown Fandom"
_NO_WARNINGS_CHOSEN = "Creator Chose Not To Use Archive Warnings"


@dataclass
class ImportOutcome:
    imported: bool  # False: skipped, the archive has this work already
    work_id: int
    message: str


def content_hash(parsed: ParsedWork) -> str:
    """What makes two files the same work when neither names its address."""
    digest = hashlib.sha256()
    for part in [parsed.title, *(c.title + "\x00" + c.content for c in parsed.chapters)]:
        digest.update(part.encode("utf-8"))
        digest.update(b"\x01")
    return digest.hexdigest()


def _original_url(parsed: ParsedWork) -> str | None:
    if not parsed.original_url:
        return None
    try:
        return normalise_external_url(parsed.original_url)
    except ValidationError:
        return None  # an address we can't use is no address


def _closed(names: list[str], allowed: list[str]) -> list[str]:
    by_fold = {name.casefold(): name for name in allowed}
    return [by_fold[name.casefold()] for name in names if name.casefold() in by_fold]


def _work_data(parsed: ParsedWork, pseud: Pseud) -> WorkData:
    ratings = _closed([parsed.rating], RATINGS)
    return WorkData(
        title=parsed.title,
        rating=ratings[0] if ratings else "Not Rated",
        warnings=_closed(parsed.warnings, WARNINGS) or [_NO_WARNINGS_CHOSEN],
        categories=_closed(parsed.categories, CATEGORIES),
        fandoms=parsed.fandoms or [UNKNOWN_FANDOM],
        relationships=parsed.relationships,
        characters=parsed.characters,
        freeforms=parsed.freeforms,
        language=parsed.language,
        pseud_ids=[pseud.pk],
        summary=parsed.summary,
        notes=parsed.notes,
        endnotes=parsed.endnotes,
    )


def _problem_text(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


def _aware(day: datetime.date | None) -> datetime.datetime | None:
    if day is None:
        return None
    return datetime.datetime.combine(day, datetime.time(12, 0), tzinfo=datetime.UTC)


def _default_pseud(user: User) -> Pseud:
    pseud = Pseud.objects.filter(user=user, is_default=True).first()
    if pseud is None:
        raise ImportRefused(f"{user.username} has no default pseud to import with.")
    return pseud


def _is_ours(url: str) -> bool:
    """Whether a (normalised) address is on this archive's host."""
    return urlsplit(url).netloc == urlsplit(settings.SITE_URL).netloc.lower()


def _address_matches(url: str) -> list[int]:
    """Works this archive holds under a (normalised) original address: a work of this archive
    the address names (a download of it), and the work imported from that address."""
    found = []
    if _is_ours(url):
        own_id = parse_work_reference(url)
        if own_id is not None and Work.objects.filter(pk=own_id).exists():
            found.append(own_id)
    found.extend(ImportedWork.objects.filter(original_url=url).values_list("work_id", flat=True))
    return found


def find_existing(parsed: ParsedWork) -> int | None:
    """The work already imported from this file's address (or, without one, its content),
    whoever may see it: the archive's own dedupe, for the `fanworks import` command."""
    url = _original_url(parsed)
    if url:
        matches = _address_matches(url)
        return matches[0] if matches else None
    return (
        ImportedWork.objects.filter(original_url__isnull=True, content_hash=content_hash(parsed))
        .values_list("work_id", flat=True)
        .first()
    )


def find_existing_for(parsed: ParsedWork, user: User) -> int | None:
    """The work this file duplicates that `user` may see (by its address, or by the same
    title and chapter text), or None.

    An uploader learns nothing of works they may not see: a match they may not see (someone
    else's draft, a work an admin hid, …) counts as no match. Matching by content also finds
    the uploader's own earlier upload of the file when that copy kept no address (see
    `work_import`)."""
    url = _original_url(parsed)
    candidates = _address_matches(url) if url else []
    candidates.extend(
        ImportedWork.objects.filter(content_hash=content_hash(parsed)).values_list(
            "work_id", flat=True
        )
    )
    if not candidates:
        return None
    # The work page's rule: a creator sees their drafts and hidden works, and a muted
    # creator's work still opens by its address, so it is there for this user.
    visible = visible_works(user, include_own_drafts=True, hide_muted=False)
    return visible.filter(pk__in=candidates).order_by("pk").values_list("pk", flat=True).first()


def work_import(*, parsed: ParsedWork, user: User, archive: bool) -> ImportOutcome:
    """Save `parsed` as a work.

    `archive` (the `fanworks import` command): the work is posted with its original dates,
    credited to `user` as archivist and bylined to the file's creators as external creators.
    A file the archive holds already (`find_existing`) is skipped.

    Otherwise (a creator's upload) it becomes a draft of `user`'s for them to review and post.
    A file duplicating a work `user` may see is skipped (and the outcome names that work);
    one duplicating only works they may not see is imported like any other, so the answer is
    the same as if those works did not exist. That copy does not keep the original address,
    which stays with the work imported from it first (the command's dedupe and related-work
    links keep pointing there); its content hash is kept, so the same file uploaded again
    finds the uploader's copy.

    Raises ImportRefused, saving nothing, when the file's content won't make a valid work.
    """
    existing = find_existing(parsed) if archive else find_existing_for(parsed, user)
    if existing is not None:
        return ImportOutcome(False, existing, "skipped: already in the archive")
    url = _original_url(parsed)
    if url and not archive and _address_matches(url):
        url = None  # the address belongs to a work this uploader may not see
    try:
        work = _save_import(parsed, user, archive=archive, url=url)
    except IntegrityError:
        # Someone imported the same address meanwhile; theirs stands.
        again = find_existing(parsed) if archive else find_existing_for(parsed, user)
        if again is not None:
            return ImportOutcome(False, again, "skipped: already in the archive")
        if archive or url is None:
            raise
        work = _save_import(parsed, user, archive=archive, url=None)
    return ImportOutcome(True, work.pk, "imported" if archive else "imported as a draft")


def _save_import(parsed: ParsedWork, user: User, *, archive: bool, url: str | None) -> Work:
    """The work, its chapters and its import record in one transaction."""
    pseud = _default_pseud(user)
    try:
        with transaction.atomic():
            work = work_create(
                user=user,
                data=_work_data(parsed, pseud),
                chapter=_chapter_data(parsed, 0),
                post=False,
            )
            for index in range(1, len(parsed.chapters)):
                chapter_create(work=work, data=_chapter_data(parsed, index), post=False)
            record = ImportedWork.objects.create(
                work=work,
                original_url=url,
                content_hash=content_hash(parsed),
                source_format=parsed.source_format,
                archivist=user,
            )
            if archive:
                _name_creators(record, parsed, url)
                _post_with_dates(work, parsed)
            _link_related(record, parsed, user)
    except ValidationError as error:
        raise ImportRefused(_problem_text(error)) from None
    return work


def _chapter_data(parsed: ParsedWork, index: int) -> ChapterData:
    chapter = parsed.chapters[index]
    return ChapterData(
        content=chapter.content,
        title=chapter.title,
        summary=chapter.summary,
        notes=chapter.notes,
        endnotes=chapter.endnotes,
    )


def _name_creators(record: ImportedWork, parsed: ParsedWork, url: str | None) -> None:
    source = (urlsplit(url).hostname or "") if url else ""
    for position, name in enumerate(dict.fromkeys(parsed.creators or ["Anonymous"])):
        creator, _ = ExternalCreator.objects.get_or_create(name=name[:200], source=source)
        ExternalCreatorship.objects.create(imported=record, creator=creator, position=position)


def _post_with_dates(work: Work, parsed: ParsedWork) -> None:
    """Post the work as the original site did: on its dates, without telling subscribers
    (an archive being filled is not news)."""
    published = _aware(parsed.published) or timezone.now()
    updated = _aware(parsed.updated) or published
    chapters = work.chapters.order_by("position")
    chapters.update(posted=True, published_at=published)
    last = chapters.last()
    if last is not None and last.position > 1:
        Chapter.objects.filter(pk=last.pk).update(published_at=updated)
    Work.objects.filter(pk=work.pk).update(
        posted=True,
        first_posted_at=published,
        revised_at=updated,
        posted_chapter_count=chapters.count(),
        word_count=chapters.aggregate(total=Sum("word_count"))["total"] or 0,
    )
    record_work_changes([work.pk])


# ---------------------------------------------------------------------------------------------
# Related works named in the file


def _work_at(address: str, user: User) -> Work | None:
    """A work of this archive named by its original address or by its address here."""
    try:
        url = normalise_external_url(address)
    except ValidationError:
        return None
    work_id = (
        ImportedWork.objects.filter(original_url=url).values_list("work_id", flat=True).first()
    )
    if work_id is None and _is_ours(url):
        work_id = parse_work_reference(url)
    if work_id is None:
        return None
    return visible_works(user, include_own_drafts=True).filter(pk=work_id).first()


def _link(child_id: int, parent: Work, relation: str) -> None:
    if child_id == parent.pk:
        return
    # Imported on both sides: the original site showed the link, so it needs no approval.
    approved = ImportedWork.objects.filter(work_id=parent.pk).exists()
    # A savepoint: a link made twice (a race) is simply there already.
    with contextlib.suppress(IntegrityError), transaction.atomic():
        RelatedWork.objects.get_or_create(
            child_id=child_id,
            parent_work=parent,
            defaults={
                "relation": relation,
                "state": RelationState.APPROVED if approved else RelationState.PENDING,
                "decided_at": timezone.now() if approved else None,
            },
        )


def _keep_external(record: ImportedWork, reference: Reference, user: User, direction: str) -> None:
    try:
        external = external_work_find_or_create(
            user=user,
            data=ExternalWorkData(
                url=reference.url,
                title=reference.title[:200] or "Untitled",
                creator=reference.creator[:200] or "Anonymous",
            ),
        )
    except ValidationError:
        return  # not a usable web address: nothing to keep
    ImportedReference.objects.get_or_create(
        imported=record,
        external_work=external,
        direction=direction,
        defaults={"relation": reference.relation},
    )
    if direction == ImportedReference.PARENT:
        RelatedWork.objects.get_or_create(
            child=record.work,
            parent_external=external,
            defaults={"relation": reference.relation, "state": RelationState.APPROVED},
        )


def _link_related(record: ImportedWork, parsed: ParsedWork, user: User) -> None:
    for reference in parsed.parents:
        parent = _work_at(reference.url, user)
        if parent is not None:
            _link(record.work_id, parent, reference.relation)
        else:
            _keep_external(record, reference, user, ImportedReference.PARENT)
    for reference in parsed.children:
        child = _work_at(reference.url, user)
        if child is not None:
            _link(child.pk, record.work, RelationType.INSPIRED_BY)
        else:
            _keep_external(record, reference, user, ImportedReference.CHILD)
    if record.original_url:
        # Files imported earlier that named this one while it was not here yet.
        waiting = ImportedReference.objects.filter(
            external_work__url=record.original_url
        ).select_related("imported")
        for pending in waiting:
            if pending.direction == ImportedReference.PARENT:
                _link(pending.imported.work_id, record.work, pending.relation)
                RelatedWork.objects.filter(
                    child_id=pending.imported.work_id,
                    parent_external_id=pending.external_work_id,
                ).delete()
            else:
                _link(record.work_id, pending.imported.work, pending.relation)
        waiting.delete()


# ---------------------------------------------------------------------------------------------
# Claims


def creator_claim_request(*, user: User, creator: ExternalCreator) -> CreatorClaim:
    """Ask to be recognised as `creator`; asking twice keeps the first request."""
    claim, _ = CreatorClaim.objects.get_or_create(creator=creator, user=user)
    return claim


def creator_claim_approve(*, claim: CreatorClaim) -> CreatorClaim:
    """An admin's approval: the creator's imported works move to the claimant's default
    pseud; the archivist's credit goes once no unclaimed external creator is left."""
    with transaction.atomic():
        claim = CreatorClaim.objects.select_for_update().get(pk=claim.pk)
        if claim.state == ClaimState.APPROVED:
            return claim
        pseud = _default_pseud(claim.user)
        creator = claim.creator
        records = list(ImportedWork.objects.filter(creators=creator))
        for record in records:
            Creatorship.objects.get_or_create(work_id=record.work_id, pseud=pseud)
            ExternalCreatorship.objects.filter(imported=record, creator=creator).delete()
            archivist_id = record.archivist_id
            if (
                archivist_id is not None
                and archivist_id != claim.user_id
                and not ExternalCreatorship.objects.filter(imported=record).exists()
            ):
                Creatorship.objects.filter(
                    work_id=record.work_id, pseud__user_id=archivist_id
                ).delete()
        work_ids = [record.work_id for record in records]
        work_sort_keys_refresh(work_ids=work_ids)
        record_work_changes(work_ids)
        creator.claimed_by = claim.user
        creator.save(update_fields=["claimed_by"])
        claim.state = ClaimState.APPROVED
        claim.decided_at = timezone.now()
        claim.save(update_fields=["state", "decided_at"])
    return claim


def creator_claim_decline(*, claim: CreatorClaim) -> CreatorClaim:
    CreatorClaim.objects.filter(pk=claim.pk, state=ClaimState.PENDING).update(
        state=ClaimState.DECLINED, decided_at=timezone.now()
    )
    claim.refresh_from_db()
    return claim
