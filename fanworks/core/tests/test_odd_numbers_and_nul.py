"""Digits that are not ASCII ("²", "①") and NUL characters in requests get a 4xx, never a 500:
`int()` refuses the first and PostgreSQL refuses the second."""

import pytest
from django.test import Client

from fanworks.core.numbers import is_plain_number
from fanworks.core.testing import make_user, make_work

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "plain"), [("12", True), ("0", True), ("²", False), ("①", False), ("", False)]
)
def test_only_ascii_digits_are_plain_numbers(value: str, plain: bool) -> None:
    assert is_plain_number(value) is plain


@pytest.mark.parametrize(
    "path",
    [
        "/works?include_work_search[fandom_ids][]=²",
        "/works?exclude_work_search[freeform_ids][]=①",
        "/works?page=²",
        "/works/search?work_search[query]=harbour&page=²",
    ],
)
def test_unusual_digits_in_search_parameters_are_not_server_errors(path: str) -> None:
    make_work(make_user("quill"))
    response = Client().get(path)
    assert response.status_code < 500


def test_a_nul_in_the_path_is_a_bad_request() -> None:
    make_user("quill")
    for path in ("/users/qu%00ill", "/users/quill%00/works", "/tags/a%00b/works"):
        assert Client().get(path).status_code == 400


def test_unusual_digits_in_history_changes_are_refused_without_change() -> None:
    reader = make_user("wren")
    client = Client()
    client.force_login(reader)
    response = client.post("/users/wren/readings/change", {"change": "delete", "work_id": "²"})
    assert response.status_code == 400
