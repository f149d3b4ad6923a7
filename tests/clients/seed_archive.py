"""Fill a fresh archive with the works the client suite reads, and print what it holds as JSON.

Run with the project's Python, FANWORKS_VAR_DIR pointing at a scratch directory and no
DATABASE_URL (the archive is a throwaway SQLite file there): `python seed_archive.py`.
Everything goes through the real actions, as if the creators had posted through the forms.
"""

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanworks.settings")
django.setup()

from django.core.management import call_command  # noqa: E402

from fanworks.accounts.actions import user_create  # noqa: E402
from fanworks.works.actions import ChapterData, WorkData, chapter_create, work_create  # noqa: E402
from fanworks.works.models import Work  # noqa: E402

PASSWORD = "client-suite-password-42"


def paragraphs(*texts: str) -> str:
    return "".join(f"<p>{text}</p>" for text in texts)


def data(pseud_id: int, **values: object) -> WorkData:
    base: dict[str, object] = {
        "rating": "General Audiences",
        "warnings": ["No Archive Warnings Apply"],
        "fandoms": ["Tidewater Chronicles"],
        "language": "en",
        "pseud_ids": [pseud_id],
    }
    base.update(values)
    return WorkData(**base)  # type: ignore[arg-type]


def describe(work: Work) -> dict[str, object]:
    """What the archive holds for a work, in the shape the suite compares clients against."""
    work.refresh_from_db()
    tags: dict[str, list[str]] = {}
    for tag in work.tags.order_by("work_tags__id"):
        tags.setdefault(tag.type, []).append(tag.name)
    series = [
        {"id": part.series_id, "title": part.series.title, "position": part.position}
        for part in work.series_works.select_related("series").order_by("series_id")
    ]
    chapters = [
        {
            "id": chapter.pk,
            "position": chapter.position,
            "title": chapter.title,
            "summary": chapter.summary_html,
            "notes": chapter.notes_html,
            "endnotes": chapter.endnotes_html,
            "html": chapter.content_html,
            "date": chapter.published_at.date().isoformat() if chapter.published_at else "",
        }
        for chapter in work.chapters.filter(posted=True).order_by("position")
    ]
    return {
        "id": work.pk,
        "title": work.title,
        "creators": [pseud.name for pseud in work.pseuds.order_by("creatorships__position")],
        "users": [pseud.user.username for pseud in work.pseuds.order_by("creatorships__position")],
        "tags": tags,
        "language": work.language,
        "summary": work.summary_html,
        "notes": work.notes_html,
        "endnotes": work.endnotes_html,
        "words": work.word_count,
        "chapters": chapters,
        "expected_chapters": work.expected_chapters,
        "complete": work.is_complete,
        "series": series,
        "restricted": work.restricted,
        "published": work.first_posted_at.date().isoformat(),
        "updated": work.revised_at.date().isoformat(),
    }


def main() -> None:
    call_command("migrate", interactive=False, verbosity=0)
    author = user_create(username="harbour_writer", email="hw@example.org", password=PASSWORD)
    pseud = author.pseuds.get(is_default=True).pk
    oneshot = work_create(
        user=author,
        data=data(
            pseud,
            title="Lanterns on the Wall",
            characters=["Mira Tal"],
            freeforms=["Fluff", "Harbour Life"],
            categories=["Gen"],
            summary="<p>Mira counts the ships coming home.</p>",
        ),
        chapter=ChapterData(
            content=paragraphs(
                "The lanterns along the harbour wall flickered as Mira counted the ships.",
                "None of them carried the flag she was waiting for, and the tide turned.",
            )
        ),
        post=True,
    )
    multi = work_create(
        user=author,
        data=data(
            pseud,
            title="The Long Tide",
            rating="Teen And Up Audiences",
            categories=["F/M"],
            relationships=["Mira Tal/Oren Vask"],
            characters=["Mira Tal", "Oren Vask"],
            freeforms=["Slow Burn"],
            summary="<p>Two keepers, one lighthouse, a winter of storms.</p>",
            notes="<p>Written for the winter exchange.</p>",
            endnotes="<p>Thank you for reading to the end.</p>",
            expected_chapters=3,
            new_series_title="Keepers of the Light",
        ),
        chapter=ChapterData(
            title="First Storm",
            content=paragraphs(
                "Oren arrived with the first storm of the season, soaked to the bone.",
                "Mira gave him the spare room and a warning about the stairs.",
            ),
            summary="<p>An arrival.</p>",
            notes="<p>Chapter one notes.</p>",
            endnotes="<p>Chapter one end notes.</p>",
        ),
        post=True,
    )
    chapter_create(
        work=multi,
        data=ChapterData(
            title="Second Storm",
            content=paragraphs(
                "The second storm took the jetty and half the roof of the boathouse.",
                "They mended what they could by lamplight and argued about the rest.",
            ),
            notes="<p>Chapter two notes.</p>",
            endnotes="<p>Chapter two end notes.</p>",
        ),
        post=True,
    )
    series_id = multi.series_works.get().series_id
    sequel = work_create(
        user=author,
        data=data(
            pseud,
            title="After the Storms",
            characters=["Oren Vask"],
            summary="<p>Spring at the lighthouse.</p>",
            series_id=series_id,
        ),
        chapter=ChapterData(content=paragraphs("Spring came late and all at once.")),
        post=True,
    )
    explicit = work_create(
        user=author,
        data=data(
            pseud,
            title="Night Watch",
            rating="Explicit",
            warnings=["Graphic Depictions Of Violence"],
            categories=["M/M"],
            relationships=["Oren Vask/Tamsin Reed"],
            summary="<p>Not everything washes up gently.</p>",
        ),
        chapter=ChapterData(content=paragraphs("The watch at night was long and cold.")),
        post=True,
    )
    restricted = work_create(
        user=author,
        data=data(
            pseud,
            title="Letters Kept Close",
            restricted=True,
            summary="<p>Only for the archive's members.</p>",
        ),
        chapter=ChapterData(content=paragraphs("Dear Oren, the gulls are back.")),
        post=True,
    )
    works = {
        "oneshot": oneshot,
        "multi": multi,
        "sequel": sequel,
        "explicit": explicit,
        "restricted": restricted,
    }
    json.dump(
        {
            "login": author.username,
            "password": PASSWORD,
            "series": {"id": series_id, "title": "Keepers of the Light"},
            "works": {key: describe(work) for key, work in works.items()},
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
