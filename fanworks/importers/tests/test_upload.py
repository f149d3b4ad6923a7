"""The upload page (/works/import): it never reveals works the uploader may not see, and it
is rate-limited per account."""

import io
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from fanworks.accounts.actions import mute_user
from fanworks.accounts.models import User
from fanworks.core.testing import make_user
from fanworks.importers.actions import work_import
from fanworks.importers.models import ImportedWork
from fanworks.importers.parsers import parse_file
from fanworks.importers.samples import Sample, ao3_html
from fanworks.works.models import Work
from fanworks.works.tests.series_helpers import logged_in

pytestmark = pytest.mark.django_db

# One file named by its original address, one known only by its title and text.
FILES = {
    "address": ("harbour.html", ao3_html(Sample()).encode()),
    "content": (
        "quiet.md",
        b"Title: Quiet Shore\nFandom: Tidewater Chronicles\n\nThe sea was calm for once.\n",
    ),
}


def upload(client: Client, kind: str, *, name: str | None = None) -> Any:
    file_name, data = FILES[kind]
    handle = io.BytesIO(data)
    handle.name = name or file_name
    return client.post("/works/import", {"file": handle})


def said(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def work_state(work_id: int) -> tuple:
    work = Work.objects.get(pk=work_id)
    record = ImportedWork.objects.get(work_id=work_id)
    return (work.title, work.posted, work.hidden_by_admin, work.restricted, record.original_url)


def existing(case: str, kind: str, uploader: User) -> int:
    """The work already in the archive for this file, as `case` describes it."""
    name, data = FILES[kind]
    parsed = parse_file(name, data)
    if case in {"own draft", "another's draft"}:
        owner = uploader if case == "own draft" else make_user("someoneelse")
        return work_import(parsed=parsed, user=owner, archive=False).work_id
    if case == "own hidden work":
        work_id = work_import(parsed=parsed, user=uploader, archive=True).work_id
    else:
        archivist = make_user("archivist")
        work_id = work_import(parsed=parsed, user=archivist, archive=True).work_id
        if case == "muted creator's work":
            mute_user(muter=uploader, muted=archivist)
    if case in {"hidden work", "own hidden work"}:
        Work.objects.filter(pk=work_id).update(hidden_by_admin=True)
    if case == "restricted work":
        Work.objects.filter(pk=work_id).update(restricted=True)
    return work_id


def fresh_answer(kind: str) -> tuple[int, list[str]]:
    """What an upload answers when the archive does not hold the work: the baseline an
    upload matching only works the uploader may not see must equal."""
    response = upload(logged_in(make_user("baseline")), kind)
    assert response.status_code == 302
    Work.objects.filter(pk=int(response["Location"].rsplit("/", 1)[1])).delete()
    return response.status_code, said(response)


SEEN = ["own draft", "own hidden work", "public work", "restricted work", "muted creator's work"]
UNSEEN = ["another's draft", "hidden work"]


@pytest.mark.parametrize("kind", sorted(FILES))
@pytest.mark.parametrize("case", SEEN)
def test_a_duplicate_the_uploader_may_see_leads_to_it(case: str, kind: str) -> None:
    uploader = make_user("uploader")
    work_id = existing(case, kind, uploader)
    before = (Work.objects.count(), ImportedWork.objects.count(), work_state(work_id))
    response = upload(logged_in(uploader), kind)
    assert response.status_code == 302
    assert response["Location"] == f"/works/{work_id}"
    assert said(response) == ["This work is already in the archive."]
    assert (Work.objects.count(), ImportedWork.objects.count(), work_state(work_id)) == before


@pytest.mark.parametrize("kind", sorted(FILES))
@pytest.mark.parametrize("case", UNSEEN)
def test_a_duplicate_the_uploader_may_not_see_answers_as_if_it_did_not_exist(
    case: str, kind: str
) -> None:
    baseline = fresh_answer(kind)
    uploader = make_user("uploader")
    hidden_id = existing(case, kind, uploader)
    before = work_state(hidden_id)
    client = logged_in(uploader)

    response = upload(client, kind)

    assert (response.status_code, said(response)) == baseline
    copy = Work.objects.exclude(pk=hidden_id).get()
    assert response["Location"] == f"/works/{copy.pk}"
    assert not copy.posted and copy.creatorships.get().pseud.user == uploader
    assert str(hidden_id) not in response.content.decode()
    # The hidden work keeps its address (the archive's own dedupe still finds it); the
    # uploader's copy keeps only the content hash.
    assert work_state(hidden_id) == before
    assert ImportedWork.objects.get(work=copy).original_url is None
    name, data = FILES[kind]
    by_command = work_import(parsed=parse_file(name, data), user=make_user("keeper"), archive=True)
    assert not by_command.imported and by_command.work_id == hidden_id
    assert Work.objects.count() == 2

    # The same file again leads the uploader to their own copy.
    client.get(response["Location"], follow=True)  # showing the first message clears it
    again = upload(client, kind)
    assert again.status_code == 302 and again["Location"] == f"/works/{copy.pk}"
    assert said(again) == ["This work is already in the archive."]
    assert Work.objects.count() == 2


def test_the_command_still_skips_a_file_whatever_its_visibility() -> None:
    uploader = make_user("uploader")
    hidden_id = existing("hidden work", "address", uploader)
    name, data = FILES["address"]
    outcome = work_import(parsed=parse_file(name, data), user=uploader, archive=True)
    assert not outcome.imported and outcome.work_id == hidden_id
    assert Work.objects.count() == 1


def test_too_many_uploads_get_429_next_to_the_field_and_nothing_is_made(settings) -> None:
    settings.IMPORT_UPLOAD_THROTTLE = 2
    uploader = make_user("busy")
    client = logged_in(uploader)
    assert upload(client, "address").status_code == 302
    # A file that fails still counts: reading and parsing it is the cost being limited.
    not_a_work = io.BytesIO(b"<html><body>x</body></html>")
    not_a_work.name = "page.html"
    refused = client.post("/works/import", {"file": not_a_work})
    assert refused.status_code == 400
    before = (Work.objects.count(), ImportedWork.objects.count())

    response = upload(client, "content")

    assert response.status_code == 429
    wait = int(response["Retry-After"])
    assert 0 < wait <= settings.IMPORT_UPLOAD_THROTTLE_WINDOW_SECONDS
    text = response.content.decode()
    field = text[text.index('class="field has-error"') :]
    field = field[: field.index('type="file"')]
    assert "You have uploaded a lot of files in a short time. Please try again in" in field
    assert "UTC)" in field
    assert (Work.objects.count(), ImportedWork.objects.count()) == before
    # Another account is not held up by this one's uploads.
    assert upload(logged_in(make_user("calm")), "content").status_code == 302


def test_admins_get_a_larger_upload_allowance(settings) -> None:
    settings.IMPORT_UPLOAD_THROTTLE = 1
    settings.IMPORT_UPLOAD_THROTTLE_ADMIN = 2
    admin = make_user("boss")
    admin.is_superuser = True
    admin.save(update_fields=["is_superuser"])
    client = logged_in(admin)
    assert upload(client, "address").status_code == 302
    assert upload(client, "content").status_code == 302
    assert upload(client, "content", name="again.md").status_code == 429
    assert Work.objects.count() == 2
