"""Password reset by e-mail, and changing e-mail address and password."""

import re

import pytest
from django.core import mail
from django.test import Client

from fanworks.accounts.models import User
from fanworks.core.models import RateLimitCounter
from fanworks.core.testing import DEFAULT_PASSWORD, make_user

NEW_PASSWORD = "a-brand-new-tide-table-77"


def log_in(client, login, password, ip="203.0.113.9"):
    return client.post(
        "/users/login", {"user[login]": login, "user[password]": password}, REMOTE_ADDR=ip
    )


def reset_link(message) -> str:
    found = re.search(r"https?://[^/\s]+(/users/password/reset/\S+)", message.body)
    assert found, message.body
    return found.group(1)


# --- reset -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_reset_sends_a_mail_and_shows_the_same_page_for_unknown_addresses(client):
    make_user("mira")
    known = client.post("/users/password/new", {"email": "MIRA@example.org"})
    assert known.status_code == 302
    assert known["Location"] == "/users/password/sent"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["mira@example.org"]
    assert "/users/password/reset/" in mail.outbox[0].body
    unknown = client.post("/users/password/new", {"email": "nobody@example.org"})
    assert unknown["Location"] == "/users/password/sent"
    assert len(mail.outbox) == 1
    page = client.get("/users/password/sent").content.decode()
    assert "If an account exists for that e-mail address" in page


@pytest.mark.django_db
def test_reset_mails_are_limited_to_three_per_address(client, clock):
    make_user("mira")
    for _ in range(5):
        response = client.post("/users/password/new", {"email": "mira@example.org"})
        assert response["Location"] == "/users/password/sent"
    assert len(mail.outbox) == 3
    clock.advance(12 * 60 * 60)
    client.post("/users/password/new", {"email": "mira@example.org"})
    assert len(mail.outbox) == 4


@pytest.mark.django_db
@pytest.mark.usefixtures("tight_login_limits")
def test_reset_sets_the_password_and_lifts_the_login_throttle(client, clock):
    make_user("mira")
    for n in range(3):
        log_in(Client(), "mira", "guess", ip=f"198.51.100.{n}")
    assert log_in(Client(), "mira", DEFAULT_PASSWORD).status_code == 429

    client.post("/users/password/new", {"email": "mira@example.org"})
    form_page = client.get(reset_link(mail.outbox[0]), follow=True)
    assert form_page.context["validlink"]
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302
    assert done["Location"] == "/users/password/done"
    assert "log in" in client.get("/users/password/done").content.decode()
    assert not RateLimitCounter.objects.filter(key="login:user:mira").exists()

    assert log_in(Client(), "mira", DEFAULT_PASSWORD).status_code == 200  # the old one is gone
    assert log_in(Client(), "mira", NEW_PASSWORD).status_code == 302
    # The link works once.
    again = client.get(reset_link(mail.outbox[0]), follow=True)
    assert not again.context["validlink"]


@pytest.mark.django_db
def test_reset_rejects_a_weak_new_password(client):
    make_user("mira")
    client.post("/users/password/new", {"email": "mira@example.org"})
    form_page = client.get(reset_link(mail.outbox[0]), follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "password", "new_password2": "password"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    assert User.objects.get(username="mira").check_password(DEFAULT_PASSWORD)


# --- change e-mail ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_change_email_needs_the_current_password(client):
    user = make_user("mira")
    client.force_login(user)
    assert client.get("/users/mira/change_email").status_code == 200
    wrong = client.post(
        "/users/mira/change_email", {"email": "new@example.org", "password": "not-it"}
    )
    assert wrong.status_code == 200
    assert wrong.context["form"].errors["password"] == ["That isn't your current password."]
    assert User.objects.get(pk=user.pk).email == "mira@example.org"
    right = client.post(
        "/users/mira/change_email", {"email": "new@example.org", "password": DEFAULT_PASSWORD}
    )
    assert right.status_code == 302
    assert User.objects.get(pk=user.pk).email == "new@example.org"


@pytest.mark.django_db
def test_change_email_refuses_an_address_in_use(client):
    user = make_user("mira")
    make_user("tide")
    client.force_login(user)
    response = client.post(
        "/users/mira/change_email", {"email": "TIDE@example.org", "password": DEFAULT_PASSWORD}
    )
    assert response.context["form"].errors["email"] == [
        "An account with that e-mail address exists."
    ]
    assert User.objects.get(pk=user.pk).email == "mira@example.org"


@pytest.mark.django_db
@pytest.mark.usefixtures("tight_login_limits")
def test_change_email_password_guesses_are_throttled(client, clock, hash_calls):
    user = make_user("mira")
    client.force_login(user)
    for _ in range(3):
        client.post("/users/mira/change_email", {"email": "x@example.org", "password": "guess"})
    hash_calls.reset()
    response = client.post(
        "/users/mira/change_email", {"email": "x@example.org", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 429
    assert response["Retry-After"]
    assert hash_calls.count == 0
    assert User.objects.get(pk=user.pk).email == "mira@example.org"


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["change_email", "change_password", "drafts"])
def test_account_pages_are_only_for_their_owner(client, page):
    make_user("mira")
    other = make_user("tide")
    assert client.get(f"/users/mira/{page}").status_code == 302  # guests are asked to log in
    assert client.get(f"/users/mira/{page}")["Location"].startswith("/users/login?return_to=")
    client.force_login(other)
    assert client.get(f"/users/mira/{page}").status_code == 404
    assert client.get(f"/users/nobody/{page}").status_code == 404


@pytest.mark.django_db
def test_others_cannot_change_someone_elses_email_or_password(client):
    make_user("mira")
    client.force_login(make_user("tide"))
    response = client.post(
        "/users/mira/change_email", {"email": "evil@example.org", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 404
    response = client.post(
        "/users/mira/change_password",
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 404
    mira = User.objects.get(username="mira")
    assert mira.email == "mira@example.org"
    assert mira.check_password(DEFAULT_PASSWORD)


# --- change password -------------------------------------------------------------------------


@pytest.mark.django_db
def test_change_password_keeps_this_session_and_ends_others(client):
    user = make_user("mira")
    client.force_login(user)
    elsewhere = Client()
    elsewhere.force_login(user)
    response = client.post(
        "/users/mira/change_password",
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).check_password(NEW_PASSWORD)
    assert client.get("/users/mira/change_password").status_code == 200  # still logged in
    assert elsewhere.get("/users/mira/change_password").status_code == 302  # logged out


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"old_password": "wrong", "new_password1": NEW_PASSWORD}, "old_password"),
        ({"old_password": DEFAULT_PASSWORD, "new_password1": "password"}, "new_password2"),
    ],
)
def test_change_password_errors_change_nothing(client, data, field):
    user = make_user("mira")
    client.force_login(user)
    data = {**data, "new_password2": data["new_password1"]}
    response = client.post("/users/mira/change_password", data)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert User.objects.get(pk=user.pk).check_password(DEFAULT_PASSWORD)
