"""Reads for imported works: the byline of an archived work."""

from dataclasses import dataclass

from fanworks.importers.models import ExternalCreator, ImportedWork
from fanworks.works.models import Work


@dataclass
class ImportedByline:
    creators: list[ExternalCreator]
    archivist: str  # the archivist's username, or "" when the account is gone


def imported_byline(work: Work) -> ImportedByline | None:
    """Unclaimed external creators of an archived work, or None when it names none."""
    record = ImportedWork.objects.filter(work_id=work.pk).select_related("archivist").first()
    if record is None:
        return None
    creators = list(record.creators.order_by("externalcreatorship__position"))
    if not creators:
        return None
    return ImportedByline(creators, record.archivist.username if record.archivist else "")
