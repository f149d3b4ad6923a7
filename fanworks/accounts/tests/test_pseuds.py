import pytest

from fanworks.accounts.models import Pseud
from fanworks.core.testing import make_user


def pseud_names(user):
    return list(user.pseuds.order_by("name").values_list("name", "is_default", "description"))


@pytest.mark.django_db
def test_owner_adds_a_pseud_with_spaces_and_its_page_works(client):
    user = make_user("mira")
    client.force_login(user)
    assert client.get("/users/mira/pseuds/new").status_code == 200
    response = client.post(
        "/users/mira/pseuds/new", {"name": "Night Owl", "description": "Writes after dark."}
    )
    assert response.status_code == 302
    assert response["Location"] == "/users/mira/pseuds/Night%20Owl"
    assert pseud_names(user) == [("Night Owl", False, "Writes after dark."), ("mira", True, "")]
    page = client.get("/users/mira/pseuds/Night%20Owl")
    assert page.status_code == 200
    assert "Night Owl (mira)" in page.content.decode()
    listing = client.get("/users/mira/pseuds").content.decode()
    assert 'href="/users/mira/pseuds/Night%20Owl"' in listing
    assert 'href="/users/mira/pseuds/Night%20Owl/edit"' in listing


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("night owl", "You already have a pseud called “Night Owl”."),
        ("MIRA", "You already have a pseud called “mira”."),
        ("new", "can't be used as a pseud name"),
        ("<script>", "Pseuds are 1 to 40 characters"),
        (" ", "This field is required."),
    ],
)
def test_bad_new_pseud_names_get_clear_errors(client, name, message):
    user = make_user("mira")
    Pseud.objects.create(user=user, name="Night Owl")
    client.force_login(user)
    before = pseud_names(user)
    response = client.post("/users/mira/pseuds/new", {"name": name})
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors["name"])
    assert pseud_names(user) == before


@pytest.mark.django_db
def test_owner_renames_and_describes_a_pseud(client):
    user = make_user("mira")
    Pseud.objects.create(user=user, name="Night Owl")
    client.force_login(user)
    page = client.get("/users/mira/pseuds/Night%20Owl/edit")
    assert page.status_code == 200
    assert 'value="Night Owl"' in page.content.decode()
    response = client.post(
        "/users/mira/pseuds/Night%20Owl/edit", {"name": "Dawn Owl", "description": "Mornings now."}
    )
    assert response["Location"] == "/users/mira/pseuds/Dawn%20Owl"
    assert pseud_names(user) == [("Dawn Owl", False, "Mornings now."), ("mira", True, "")]
    # Changing only the case of its own name is fine.
    response = client.post("/users/mira/pseuds/Dawn%20Owl/edit", {"name": "dawn owl"})
    assert response.status_code == 302


@pytest.mark.django_db
def test_renaming_onto_another_pseud_is_refused(client):
    user = make_user("mira")
    Pseud.objects.create(user=user, name="Night Owl")
    client.force_login(user)
    before = pseud_names(user)
    response = client.post("/users/mira/pseuds/Night%20Owl/edit", {"name": "Mira"})
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["You already have a pseud called “mira”."]
    assert pseud_names(user) == before
    # The form still posts to the pseud's real address.
    assert 'action="/users/mira/pseuds/Night%20Owl/edit"' in response.content.decode()


@pytest.mark.django_db
def test_owner_chooses_the_default_pseud(client):
    user = make_user("mira")
    client.force_login(user)
    client.post("/users/mira/pseuds/new", {"name": "Night Owl", "is_default": "on"})
    assert user.pseuds.get(is_default=True).name == "Night Owl"
    # The default pseud's form has no box to switch it off; another pseud takes it over.
    assert (
        "is_default" not in client.get("/users/mira/pseuds/Night%20Owl/edit").context["form"].fields
    )
    client.post("/users/mira/pseuds/mira/edit", {"name": "mira", "is_default": "on"})
    assert list(user.pseuds.filter(is_default=True).values_list("name", flat=True)) == ["mira"]


@pytest.mark.django_db
def test_pseud_pages_for_others_and_guests(client):
    user = make_user("mira")
    Pseud.objects.create(user=user, name="Night Owl")
    assert client.get("/users/mira/pseuds").status_code == 200
    assert "/edit" not in client.get("/users/mira/pseuds").content.decode()
    assert client.get("/users/mira/pseuds/new").status_code == 302
    client.force_login(make_user("tide"))
    before = pseud_names(user)
    assert client.get("/users/mira/pseuds/new").status_code == 404
    assert client.post("/users/mira/pseuds/new", {"name": "Intruder"}).status_code == 404
    assert client.get("/users/mira/pseuds/Night%20Owl/edit").status_code == 404
    response = client.post("/users/mira/pseuds/Night%20Owl/edit", {"name": "Hijacked"})
    assert response.status_code == 404
    assert pseud_names(user) == before


@pytest.mark.django_db
def test_unknown_pseuds_and_users_are_404(client):
    make_user("mira")
    assert client.get("/users/mira/pseuds/Nobody").status_code == 404
    assert client.get("/users/nobody/pseuds").status_code == 404
    assert client.get("/users/nobody/pseuds/nobody").status_code == 404


@pytest.mark.django_db
def test_pseud_urls_redirect_to_their_canonical_spelling(client):
    user = make_user("mira")
    Pseud.objects.create(user=user, name="Night Owl")
    response = client.get("/users/MIRA/pseuds/night%20owl?page=1")
    assert response.status_code == 302
    assert response["Location"] == "/users/mira/pseuds/Night%20Owl?page=1"


@pytest.mark.django_db
def test_renaming_a_pseud_updates_creator_sort_keys_and_the_search_outbox():
    from fanworks.accounts.actions import pseud_update
    from fanworks.core.testing import make_work
    from fanworks.search.models import SearchOutbox
    from fanworks.works.models import Work

    user = make_user("zed_writer")
    work = make_work(user)
    pseud = user.pseuds.get()
    before = SearchOutbox.objects.filter(work_id=work.pk).count()
    pseud_update(pseud=pseud, name="Aster Vale", description="", make_default=False)
    assert Work.objects.get(pk=work.pk).creator_sort_key.startswith("aster vale")
    assert SearchOutbox.objects.filter(work_id=work.pk).count() == before + 1
