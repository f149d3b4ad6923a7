"""What a downloaded file shows of a work, read once and kept as plain values.

Renderers (HTML, EPUB, converters) only format a `WorkFile`; they never query. The
`signature` of a `WorkFile` names its version: everything the file shows, with each chapter's
text stood in for by its id and version, so a file is rebuilt exactly when it would change.
"""

import hashlib
import json
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils.timezone import localtime

from fanworks.tags.models import TagType
from fanworks.works.cocreator_queries import chapter_bylines
from fanworks.works.gift_queries import gift_recipients
from fanworks.works.languages import LANGUAGE_NAMES
from fanworks.works.models import Chapter, Work
from fanworks.works.queries import listing_pseuds, tags_by_type
from fanworks.works.related_queries import children_for_viewer, parents_for_viewer
from fanworks.works.series_queries import work_series_places

# AO3's order and labels of the tag rows in a download's preface (singular, plural).
TAG_ROWS = [
    (TagType.RATING, "Rating", "Rating"),
    (TagType.WARNING, "Archive Warning", "Archive Warnings"),
    (TagType.CATEGORY, "Category", "Categories"),
    (TagType.FANDOM, "Fandom", "Fandoms"),
    (TagType.RELATIONSHIP, "Relationship", "Relationships"),
    (TagType.CHARACTER, "Character", "Characters"),
    (TagType.FREEFORM, "Additional Tags", "Additional Tags"),
]


@dataclass
class Link:
    text: str
    url: str  # absolute: a downloaded file lives away from the archive


@dataclass
class TagRow:
    label: str
    tag_type: str
    tags: list[Link]


@dataclass
class Related:
    phrase: str  # "Inspired by", "A translation of", …
    work: Link
    creators: list[Link]
    creator_text: str = ""  # an external work's creator, as written


@dataclass
class ChildGroup:
    heading: str
    works: list[Related]


@dataclass
class ChapterFile:
    chapter_id: int
    version: int
    number: int
    title: str
    byline: list[Link]
    summary_html: str
    notes_html: str
    endnotes_html: str
    content_html: str = field(repr=False)

    @property
    def heading(self) -> str:
        return f"Chapter {self.number}: {self.title}" if self.title else f"Chapter {self.number}"


@dataclass
class WorkFile:
    work_id: int
    title: str
    url: str
    site_name: str
    site_url: str
    creators: list[Link]
    tag_rows: list[TagRow]
    language: str
    language_name: str
    series: list[tuple[int, Link]]
    published: str
    status_label: str
    status_date: str
    words: int
    chapters_display: str
    summary_html: str
    notes_html: str
    endnotes_html: str
    gifts: list[Link]
    parents: list[Related]
    children: list[ChildGroup]
    chapters: list[ChapterFile]
    version: int
    updated_at: int = field(compare=False)

    @property
    def creator_names(self) -> str:
        return ", ".join(link.text for link in self.creators) or "Anonymous"

    @property
    def fandom_names(self) -> str:
        for row in self.tag_rows:
            if row.tag_type == TagType.FANDOM:
                return ", ".join(link.text for link in row.tags)
        return ""

    @property
    def subjects(self) -> list[str]:
        return [link.text for row in self.tag_rows for link in row.tags]

    def signature(self) -> str:
        """A digest of everything the file shows (chapter texts by id and version)."""
        data = asdict(self)
        del data["updated_at"]  # counters may touch it; `version` moves with every edit
        for chapter in data["chapters"]:
            del chapter["content_html"]
        blob = json.dumps(data, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:32]


def absolute(path: str) -> str:
    return path if "://" in path else f"{settings.SITE_URL}{path}"


def _pseud_links(pseuds: list[Any]) -> list[Link]:
    return [Link(pseud.byline, absolute(pseud.get_absolute_url())) for pseud in pseuds]


def _day(when: Any) -> str:
    return localtime(when).strftime("%Y-%m-%d") if when else ""


def file_name(work_id: int, title: str) -> str:
    """AO3's file name for a download (without the extension): the title in ASCII, only
    letters, digits, spaces, "-" and "_", cut to 24 characters at a word, spaces as "_"."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    kept = "".join(c for c in ascii_title if c.isalnum() or c in " _-")
    words = " ".join(kept.split())
    if len(words) > 24:
        cut = words[:25].rsplit(" ", 1)[0] if " " in words[:25] else words[:24]
        words = cut.strip()
    name = words.replace(" ", "_")
    if len(name) < 3:
        name = f"{name}_Work_{work_id}".lstrip("_")
    return name


def _related(viewer: Any, work: Work) -> tuple[list[Related], list[ChildGroup]]:
    parents = []
    for link in parents_for_viewer(viewer, work):
        if link.parent_work is not None:
            parent = link.parent_work
            parents.append(
                Related(
                    link.get_relation_display(),
                    Link(parent.title, absolute(parent.get_absolute_url())),
                    _pseud_links(listing_pseuds(parent)),
                )
            )
        elif link.parent_external is not None:
            external = link.parent_external
            parents.append(
                Related(
                    link.get_relation_display(),
                    Link(external.title, external.url),
                    [],
                    external.creator,
                )
            )
    children = [
        ChildGroup(
            str(group.heading),
            [
                Related(
                    "",
                    Link(link.child.title, absolute(link.child.get_absolute_url())),
                    _pseud_links(listing_pseuds(link.child)),
                )
                for link in group.links
            ],
        )
        for group in children_for_viewer(viewer, work)
    ]
    return parents, children


def work_file(work: Work, chapters: list[Chapter]) -> WorkFile:
    """The file's content for `work` (loaded with its creators and tags) and `chapters`.

    Linked works and series parts are those a guest may see, whoever downloads: a file is
    shared by every reader of a version, so it never names a work some of them may not see.
    """
    guest = AnonymousUser()
    by_type = tags_by_type(work)
    tag_rows = []
    for tag_type, singular, plural in TAG_ROWS:
        tags = by_type.get(tag_type, [])
        if tags:
            tag_rows.append(
                TagRow(
                    singular if len(tags) == 1 else plural,
                    str(tag_type),
                    [Link(tag.name, absolute(tag.get_absolute_url())) for tag in tags],
                )
            )
    series = [
        (place.number(work.restricted), Link(place.title, absolute(place.get_absolute_url())))
        for place in work_series_places(work)
    ]
    chapter_bylines(work, chapters)
    chapter_files = [
        ChapterFile(
            chapter_id=chapter.pk,
            version=chapter.version,
            number=number,
            title=chapter.title,
            byline=_pseud_links(getattr(chapter, "byline_pseuds", [])),
            summary_html=chapter.summary_html,
            notes_html=chapter.notes_html,
            endnotes_html=chapter.endnotes_html,
            content_html=chapter.content_html,
        )
        for number, chapter in enumerate(chapters, start=1)
    ]
    shows_status = work.expected_chapters != 1 or work.posted_chapter_count > 1
    parents, children = _related(guest, work)
    return WorkFile(
        work_id=work.pk,
        title=work.title,
        url=absolute(work.get_absolute_url()),
        site_name=settings.SITE_NAME,
        site_url=settings.SITE_URL,
        creators=_pseud_links(listing_pseuds(work)),
        tag_rows=tag_rows,
        language=work.language,
        language_name=LANGUAGE_NAMES.get(work.language, work.language),
        series=series,
        published=_day(work.first_posted_at),
        status_label=("Completed" if work.is_complete else "Updated") if shows_status else "",
        status_date=_day(work.revised_at) if shows_status else "",
        words=work.word_count,
        chapters_display=work.chapters_display,
        summary_html=work.summary_html,
        notes_html=work.notes_html,
        endnotes_html=work.endnotes_html,
        gifts=[Link(r.name, absolute(r.url) if r.url else "") for r in gift_recipients(work)],
        parents=parents,
        children=children,
        chapters=chapter_files,
        version=work.version,
        updated_at=int(work.updated_at.timestamp()),
    )
