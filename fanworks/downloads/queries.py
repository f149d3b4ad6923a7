"""Reads for downloads: which work a viewer may download, what its file shows, and a
user's export."""

from django.utils import timezone

from fanworks.downloads.content import WorkFile, work_file
from fanworks.downloads.models import ExportState, UserExport
from fanworks.works.models import Work
from fanworks.works.queries import Viewer, with_work_page_data, work_for_viewer


def downloadable_work(viewer: Viewer, work_id: int) -> Work | None:
    """The work if `viewer` may download it: what the work page shows them (drafts only to
    their creators, restricted works only to registered users), except works an admin hid,
    which nobody downloads."""
    work = work_for_viewer(viewer, work_id)
    if work is None or work.hidden_by_admin:
        return None
    return work


def file_for(work: Work) -> WorkFile:
    """The file's content: a posted work's posted chapters, or every chapter of a draft
    (only its creators reach a draft)."""
    chapters = work.chapters.all()
    if work.posted:
        chapters = chapters.filter(posted=True)
    return work_file(work, list(chapters.order_by("position")))


def user_works_for_export(user_id: int) -> list[Work]:
    """Every work the user is credited on, drafts and hidden ones too (they own them)."""
    works = Work.objects.filter(creatorships__pseud__user_id=user_id).distinct().order_by("pk")
    return list(with_work_page_data(works))


def export_for_owner(user_id: int) -> UserExport | None:
    """The account's latest export as its owner sees it: None when there is none, or when a
    finished one has expired or its file is gone (the sweep removes those, but an export is
    gone at its expiry whether or not the sweep has run)."""
    export = UserExport.objects.filter(user_id=user_id).first()
    if export is None or export.state != ExportState.READY:
        return export
    expires_at = export.expires_at
    if expires_at is None or expires_at <= timezone.now() or not export.path.is_file():
        return None
    return export
