"""Read works from a local archive with ao3-api and print what it saw as JSON.

Runs in the throwaway venv only. ao3-api hard-codes https://archiveofourown.org, so every
request made through `requests` is rewritten to the local archive before it leaves, and any
other destination is refused: the client never reaches the internet.
Usage: python run_ao3_api.py http://127.0.0.1:PORT LOGIN PASSWORD WORK_ID...
"""

import json
import sys

import requests

LOCAL = sys.argv[1].rstrip("/")
AO3_ROOT = "https://archiveofourown.org"
_original_request = requests.Session.request


def _local_request(self, method, url, *args, **kwargs):  # type: ignore[no-untyped-def]
    if isinstance(url, str) and url.startswith(AO3_ROOT):
        url = LOCAL + url[len(AO3_ROOT) :]
    if not str(url).startswith(LOCAL):
        raise RuntimeError(f"client suite: refusing a request off the local archive: {url}")
    return _original_request(self, method, url, *args, **kwargs)


requests.Session.request = _local_request  # type: ignore[method-assign]

import AO3  # noqa: E402  (after the patch, so every request it makes is local)


def read(work):  # type: ignore[no-untyped-def]
    return {
        "title": work.title,
        "creators": [author.username for author in work.authors],
        "ratings": [work.rating],
        "warnings": list(work.warnings),
        "categories": list(work.categories),
        "fandoms": list(work.fandoms),
        "relationships": list(work.relationships),
        "characters": list(work.characters),
        "freeforms": list(work.tags),
        "language": work.language,
        "summary": work.summary,
        "words": work.words,
        "chapters_posted": work.nchapters,
        "chapters_expected": work.expected_chapters,
        "complete": work.complete,
        "restricted": work.restricted,
        "published": work.date_published.date().isoformat(),
        "updated": work.date_updated.date().isoformat(),
        "series": [series.name for series in work.series],
        "chapters": [{"title": chapter.title, "text": chapter.text} for chapter in work.chapters],
    }


def main() -> None:
    login, password, *ids = sys.argv[2:]
    results: dict[str, object] = {}
    for work_id in ids:
        try:
            results[work_id] = read(AO3.Work(int(work_id)))
        except Exception as error:  # reported to the suite, which decides what it means
            results[work_id] = {"error": f"{type(error).__name__}: {error}"}
    # Work.download follows the work page's download menu (li.download), asking for
    # "//downloads/ID/Title.ext" as it does on AO3.
    results["downloads"] = {}
    for work_id in ids:
        try:
            work = AO3.Work(int(work_id))
            html_file, epub_file = work.download("HTML"), work.download("EPUB")
            results["downloads"][work_id] = {
                "html": html_file.decode("utf-8"),
                "epub_starts": epub_file[:4].decode("latin-1"),
                "epub_bytes": len(epub_file),
            }
        except Exception as error:  # the restricted work: anonymous gets the login page
            results["downloads"][work_id] = {"error": f"{type(error).__name__}: {error}"}
    search = AO3.Search(any_field="storm")
    search.update()
    results["search"] = {
        "total": search.total_results,
        "works": [
            {
                "title": work.title,
                "authors": [author.username for author in work.authors],
                "rating": work.rating,
                "categories": work.categories,
                "fandoms": work.fandoms,
                "relationships": work.relationships,
                "freeforms": work.tags,
                "words": work.words,
                "nchapters": work.nchapters,
                "series": [series.name for series in work.series],
            }
            for work in search.results
        ],
    }
    user = AO3.User(login)
    results["user"] = {"works": user.works, "titles": [work.title for work in user.get_works()]}
    session = AO3.Session(login, password)
    results["session_logged_in"] = bool(session.is_authed)
    results["restricted_with_login"] = {}
    for work_id in ids:
        results["restricted_with_login"][work_id] = read(AO3.Work(int(work_id), session=session))
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
