import re
from urllib.parse import urlencode

import pytest
from django.test import Client

from fanworks import settings as project_settings
from fanworks.core.models import RateLimitCounter
from fanworks.core.testing import DEFAULT_PASSWORD, make_user

FAILED = "The password or user name you entered doesn't match our records."


def log_in(client, login, password, ip="203.0.113.9", **extra):
    data = {"user[login]": login, "user[password]": password, **extra}
    return client.post("/users/login", data, REMOTE_ADDR=ip)


# --- the page --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_login_page_is_ao3_shaped(client):
    response = client.get("/users/login")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<div id="main" class="sessions-new region"' in html
    found = re.search(r'<form id="new_user".*?</form>', html, re.S)
    assert found
    form = found.group(0)
    assert 'name="user[login]"' in form
    assert 'name="user[password]"' in form
    assert 'name="user[remember_me]"' in form
    token = re.search(r'<input type="hidden" name="authenticity_token" value="([^"]+)"', form)
    assert token and token.group(1)
    assert '<label for="user_login">' in form
    assert "csrftoken" in response.cookies
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_restricted_login_page_explains_why(client):
    response = client.get("/users/login?restricted=true&return_to=/works/3")
    html = response.content.decode()
    assert "This work is only available to registered users of the Archive." in html
    assert 'name="return_to" value="/works/3"' in html
    assert "only available to registered users" not in client.get("/users/login").content.decode()


# --- logging in and out ----------------------------------------------------------------------


@pytest.mark.django_db
def test_login_redirects_to_user_page_which_links_to_logout(client):
    make_user("mira")
    response = log_in(client, "mira", DEFAULT_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/users/mira"
    page = client.get(response["Location"])
    assert page.context["user"].username == "mira"
    assert 'href="/users/logout"' in page.content.decode()
    assert 'class="logged-in"' in page.content.decode()


@pytest.mark.django_db
def test_login_ignores_case_and_accepts_email(client):
    make_user("mira")
    assert log_in(client, "MIRA", DEFAULT_PASSWORD).status_code == 302
    other = Client()
    assert log_in(other, "Mira@Example.org", DEFAULT_PASSWORD)["Location"] == "/users/mira"


@pytest.mark.django_db
def test_login_follows_safe_return_to_only(client):
    make_user("mira")
    response = log_in(client, "mira", DEFAULT_PASSWORD, return_to="/works/7?view_adult=true")
    assert response["Location"] == "/works/7?view_adult=true"
    for evil in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"):
        fresh = Client()
        response = log_in(fresh, "mira", DEFAULT_PASSWORD, return_to=evil)
        assert response["Location"] == "/users/mira", evil


@pytest.mark.django_db
def test_remember_me_keeps_session_after_browser_closes(client):
    make_user("mira")
    log_in(client, "mira", DEFAULT_PASSWORD, **{"user[remember_me]": "0"})
    assert client.session.get_expire_at_browser_close()
    other = Client()
    log_in(other, "mira", DEFAULT_PASSWORD, **{"user[remember_me]": "1"})
    assert not other.session.get_expire_at_browser_close()


@pytest.mark.django_db
@pytest.mark.parametrize(("login", "password"), [("mira", "wrong-password"), ("nobody", "x")])
def test_bad_login_shows_generic_message(client, login, password):
    make_user("mira")
    response = log_in(client, login, password)
    assert response.status_code == 200
    html = response.content.decode()
    assert FAILED in html
    assert '<div id="main" class="sessions-new region"' in html
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_logout_get_shows_a_button_and_post_logs_out(client):
    user = make_user("mira")
    client.force_login(user)
    page = client.get("/users/logout")
    assert page.status_code == 200
    assert 'action="/users/logout" method="post"' in page.content.decode()
    assert "_auth_user_id" in client.session  # a GET never logs out
    response = client.post("/users/logout")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


# --- AO3 clients -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_token_dispenser_gives_a_working_csrf_token():
    make_user("mira")
    client = Client(enforce_csrf_checks=True)
    response = client.get("/token_dispenser.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    token = response.json()["token"]
    assert token and "csrftoken" in response.cookies
    # FanFicFare: form body with AO3's extra fields and the token from the dispenser.
    body = {
        "user[login]": "mira",
        "user[password]": DEFAULT_PASSWORD,
        "user[remember_me]": "1",
        "commit": "Log in",
        "utf8": "✓",
        "authenticity_token": token,
    }
    response = client.post("/users/login", body, follow=True)
    assert response.redirect_chain[0][1] == 302
    assert 'href="/users/logout' in response.content.decode()


@pytest.mark.django_db
def test_ao3_api_login_with_credentials_in_the_query_string():
    make_user("mira")
    client = Client(enforce_csrf_checks=True)
    page = client.get("/users/login").content.decode()
    found = re.search(r'name="authenticity_token" value="([^"]+)"', page)
    assert found
    token = found.group(1)
    query = urlencode(
        {"user[login]": "mira", "user[password]": DEFAULT_PASSWORD, "authenticity_token": token}
    )
    response = client.post(f"/users/login?{query}")
    assert response.status_code == 302
    assert response["Location"] == "/users/mira"
    assert client.session["_auth_user_id"]


@pytest.mark.django_db
def test_login_without_csrf_token_is_refused():
    make_user("mira")
    client = Client(enforce_csrf_checks=True)
    client.get("/users/login")
    response = log_in(client, "mira", DEFAULT_PASSWORD)
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


# --- throttling ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("tight_login_limits")
def test_throttle_per_username_answers_429_without_hashing(client, clock, hash_calls):
    make_user("mira")
    hash_calls.reset()
    for n in range(3):  # from different addresses: only the username limit applies
        assert log_in(client, "mira", "guess", ip=f"198.51.100.{n}").status_code == 200
    assert hash_calls.count == 3
    hash_calls.reset()
    for login in ("mira", "MIRA", "mira@example.org"):
        response = log_in(client, login, DEFAULT_PASSWORD, ip="192.0.2.77")
        assert response.status_code == 429
        assert 0 < int(response["Retry-After"]) <= 300
        assert "too many failed attempts" in response.content.decode().lower()
        assert "try again after" in response.content.decode()
    assert hash_calls.count == 0
    assert "_auth_user_id" not in client.session
    # Other accounts are unaffected.
    make_user("tide")
    assert log_in(client, "tide", DEFAULT_PASSWORD, ip="192.0.2.77").status_code == 302


@pytest.mark.django_db
@pytest.mark.usefixtures("tight_login_limits")
def test_throttle_per_ip_answers_429_without_hashing(client, clock, hash_calls):
    make_user("mira")
    hash_calls.reset()
    for n in range(5):  # five different names, so only the address limit applies
        assert log_in(client, f"nobody{n}", "guess").status_code == 200
    assert hash_calls.count == 5
    hash_calls.reset()
    response = log_in(client, "mira", DEFAULT_PASSWORD)
    assert response.status_code == 429
    assert int(response["Retry-After"]) == 295  # the clock is 5 s into a 300 s window
    assert hash_calls.count == 0
    # Another address is fine.
    assert log_in(client, "mira", DEFAULT_PASSWORD, ip="192.0.2.1").status_code == 302


@pytest.mark.django_db
@pytest.mark.usefixtures("tight_login_limits")
def test_owner_can_log_in_once_the_window_passes(client, clock):
    make_user("mira")
    for _ in range(3):
        log_in(client, "mira", "guess")
    assert log_in(client, "mira", DEFAULT_PASSWORD).status_code == 429
    clock.advance(int(log_in(client, "mira", DEFAULT_PASSWORD)["Retry-After"]))
    assert log_in(client, "mira", DEFAULT_PASSWORD).status_code == 302


@pytest.mark.django_db
@pytest.mark.usefixtures("tight_login_limits")
def test_success_clears_the_username_counter_and_only_failures_count(client, clock):
    make_user("mira")
    for _ in range(2):
        log_in(client, "mira", "guess")
    assert RateLimitCounter.objects.filter(key="login:user:mira").exists()
    assert log_in(client, "mira", DEFAULT_PASSWORD).status_code == 302
    assert not RateLimitCounter.objects.filter(key="login:user:mira").exists()
    client.post("/users/logout")
    for _ in range(2):  # counting starts again from zero
        assert log_in(Client(), "mira", "guess", ip="192.0.2.5").status_code == 200
    assert log_in(Client(), "mira", DEFAULT_PASSWORD, ip="192.0.2.5").status_code == 302
    # Five successful logins from one address never trip the address limit.
    for _ in range(6):
        assert log_in(Client(), "mira", DEFAULT_PASSWORD, ip="192.0.2.6").status_code == 302


@pytest.mark.django_db
@pytest.mark.usefixtures("tight_login_limits")
def test_unknown_names_are_not_stored_in_plain_text(client, clock):
    log_in(client, "my-secret-password-typed-here", "oops")
    keys = list(RateLimitCounter.objects.values_list("key", flat=True))
    assert keys and not any("my-secret" in key for key in keys)


# --- hashing ---------------------------------------------------------------------------------


def test_project_settings_hash_with_argon2_first():
    assert project_settings.PASSWORD_HASHERS[0] == (
        "django.contrib.auth.hashers.Argon2PasswordHasher"
    )


@pytest.mark.django_db
def test_user_with_argon2_password_can_log_in(client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = make_user("mira")
    assert user.password.startswith("argon2$")
    assert log_in(client, "mira", DEFAULT_PASSWORD).status_code == 302
