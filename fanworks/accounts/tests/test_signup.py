import pytest

from fanworks.accounts.models import Pseud, User
from fanworks.core.testing import make_user

GOOD = {
    "username": "Mira_Tide",
    "email": "mira@example.org",
    "password": "lanterns-on-the-harbour-wall",
    "password_confirmation": "lanterns-on-the-harbour-wall",
}


def signup(client, **changes):
    return client.post("/signup", {**GOOD, **changes})


@pytest.mark.django_db
def test_signup_page_has_labelled_fields(client):
    response = client.get("/signup")
    assert response.status_code == 200
    html = response.content.decode()
    for field in ("username", "email", "password", "password_confirmation"):
        assert f'<label for="id_{field}">' in html


@pytest.mark.django_db
def test_signup_creates_account_logs_in_and_goes_to_user_page(client):
    response = signup(client)
    assert response.status_code == 302
    assert response["Location"] == "/users/Mira_Tide"
    user = User.objects.get(username="Mira_Tide")
    assert user.check_password(GOOD["password"])
    assert list(user.pseuds.values_list("name", "is_default")) == [("Mira_Tide", True)]
    page = client.get("/users/Mira_Tide")
    assert page.context["user"] == user
    assert 'href="/users/logout"' in page.content.decode()


def _errors(response, field):
    assert response.status_code == 200
    return response.context["form"].errors.get(field, [])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("bad name!", "letters, digits and underscores only"),
        ("ab", "letters, digits and underscores only"),
        ("x" * 41, "at most 40 characters"),
        ("login", "reserved"),
    ],
)
def test_signup_rejects_bad_usernames(client, username, expected):
    response = signup(client, username=username)
    assert any(expected in message for message in _errors(response, "username"))
    assert 'class="field has-error"' in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_signup_rejects_duplicate_username_ignoring_case(client):
    make_user("mira_tide")
    response = signup(client)
    assert _errors(response, "username") == ["That username is already taken."]
    assert User.objects.count() == 1
    assert Pseud.objects.count() == 1


@pytest.mark.django_db
def test_signup_rejects_duplicate_email_ignoring_case(client):
    make_user("someone")  # someone@example.org
    response = signup(client, email="SOMEONE@example.org")
    assert _errors(response, "email") == ["An account with that e-mail address exists."]
    assert User.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("password", ["password", "12345678901", "short"])
def test_signup_rejects_weak_passwords(client, password):
    response = signup(client, password=password, password_confirmation=password)
    assert _errors(response, "password")
    assert not User.objects.exists()


@pytest.mark.django_db
def test_signup_rejects_mismatched_confirmation_and_keeps_input(client):
    response = signup(client, password_confirmation="something-else-entirely")
    assert _errors(response, "password_confirmation") == ["The two passwords don't match."]
    assert 'value="mira@example.org"' in response.content.decode()
    assert not User.objects.exists()
