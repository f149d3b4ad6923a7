"""Read works from a local archive with ao3-py and print what it saw as JSON.

Runs in the throwaway venv only. ao3-py takes the archive's address as `base_url`, so it
needs no patching. Usage: python run_ao3_py.py http://127.0.0.1:PORT LOGIN PASSWORD WORK_ID...
"""

import json
import sys

from ao3 import AO3Client


def read(work):  # type: ignore[no-untyped-def]
    return {
        "title": work.title,
        "creators": [pseud.name for pseud in work.pseuds],
        "ratings": [tag.name for tag in work.ratings],
        "warnings": [tag.name for tag in work.warnings],
        "categories": [tag.name for tag in work.categories],
        "fandoms": [tag.name for tag in work.fandoms],
        "relationships": [tag.name for tag in work.relationships],
        "characters": [tag.name for tag in work.characters],
        "freeforms": [tag.name for tag in work.additional_tags],
        "summary": work.summary,
        "notes": work.notes,
        "endnotes": work.endnotes,
        "words": work.words,
        "chapters_posted": work.number_of_posted_chapters,
        "chapters_expected": work.expected_number_of_chapters,
        "complete": work.complete,
        "restricted": work.restricted,
        "published": work.published.isoformat() if work.published else None,
        "updated": work.updated.isoformat() if work.updated else None,
        "series": [series.title for series in work.series],
        "chapters": [
            {
                "title": chapter.title,
                "text": chapter.content,
                "notes": chapter.notes,
                "endnotes": chapter.endnotes,
            }
            for chapter in work.chapters
        ],
    }


def main() -> None:
    base, login, password, *ids = sys.argv[1:]
    results: dict[str, object] = {}
    client = AO3Client(base_url=base)
    for work_id in ids:
        try:
            results[work_id] = read(client.work(int(work_id)))
        except Exception as error:  # reported to the suite, which decides what it means
            results[work_id] = {"error": f"{type(error).__name__}: {error}"}
    member = AO3Client(base_url=base).login(login, password)
    results["restricted_with_login"] = {work_id: read(member.work(int(work_id))) for work_id in ids}
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
