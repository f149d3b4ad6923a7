"""Wrangling pages through the test client, with the real actions behind them."""

import re
from typing import Any

import pytest

from fanworks.accounts.models import User
from fanworks.core.models import Job
from fanworks.core.testing import make_user, make_work
from fanworks.tags import wrangling
from fanworks.tags.filters import REFILTER_JOB
from fanworks.tags.models import (
    MetaTagging,
    ParentLink,
    Tag,
    TagType,
    WranglerAssignment,
    WranglingLogEntry,
    tag_url_name,
)

pytestmark = pytest.mark.django_db

FANDOM = "Starfall Saga"
OTHER_FANDOM = "Lantern Fleet"


def make_admin(username: str = "maria_admin") -> User:
    user = make_user(username)
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])
    return user


def tag(name: str) -> Tag:
    return Tag.objects.get(name=name)


def url(name: str, suffix: str = "") -> str:
    return f"/tags/{tag_url_name(name)}{suffix}"


def state(*names: str) -> list[tuple[Any, ...]]:
    """Everything wrangling can change about these tags, to compare before and after."""
    rows = []
    for name in names:
        t = Tag.objects.filter(name__iexact=name).first()
        assert t is not None, name
        rows.append(
            (
                t.name,
                t.type,
                t.canonical,
                t.synonym_of_id,
                t.unwrangleable,
                sorted(MetaTagging.objects.filter(sub_tag=t).values_list("meta_tag_id", flat=True)),
                sorted(ParentLink.objects.filter(child=t).values_list("parent_id", flat=True)),
            )
        )
    return rows


@pytest.fixture
def admin() -> User:
    return make_admin()


@pytest.fixture
def world(admin: User) -> dict[str, Any]:
    """Two canonical fandoms, each with a wrangler, and tags in every state."""
    writer = make_user("writer")
    make_work(
        writer,
        fandoms=[FANDOM],
        characters=["Kylo Ren", "Hux", "kylo"],
        relationships=["Kylo Ren/Hux", "Hux/Kylo Ren", "hux x kylo ren"],
        freeforms=["Space Battles", "Tea", "Angst"],
    )
    make_work(writer, fandoms=[FANDOM], characters=["Rey"], post=False)
    make_work(writer, fandoms=[OTHER_FANDOM], characters=["Mira Salt"], freeforms=["Harbour"])
    fandom = wrangling.tag_make_canonical(actor=admin, tag=tag(FANDOM))
    other = wrangling.tag_make_canonical(actor=admin, tag=tag(OTHER_FANDOM))
    wrangler = make_user("wrangler")
    wrangling.wrangler_assign(actor=admin, user=wrangler, fandom=fandom)
    other_wrangler = make_user("other_wrangler")
    wrangling.wrangler_assign(actor=admin, user=other_wrangler, fandom=other)
    return {
        "fandom": fandom,
        "other": other,
        "wrangler": wrangler,
        "other_wrangler": other_wrangler,
        "reader": make_user("reader"),
        "admin": admin,
    }


def bulk(client, fandom: str, action: str, tags: list[str], target: str = "", **query: str):
    ids = [str(tag(name).pk) for name in tags]
    path = url(fandom, "/wrangle")
    if query:
        path += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return client.post(path, {"tags": ids, "bulk_action": action, "target": target})


def edit(client, name: str, action: str, **data: Any):
    return client.post(url(name, "/edit"), {"action": action, **data})


# ---------------------------------------------------------------------------------------------
# Who may see and use the wrangling pages


WRANGLING_PAGES = [
    url(FANDOM, "/wrangle"),
    url("Kylo Ren", "/edit"),
    "/tag_wranglers",
    "/wrangling/log",
]


def test_guests_are_sent_to_log_in_for_every_wrangling_page(client, world):
    for path in WRANGLING_PAGES:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/users/login?return_to="), path


def test_guest_posts_change_nothing(client, world):
    before = state("Kylo Ren", "Tea")
    entries = WranglingLogEntry.objects.count()
    assert edit(client, "Kylo Ren", "make_canonical").status_code == 302
    assert bulk(client, FANDOM, "make_canonical", ["Kylo Ren", "Tea"]).status_code == 302
    response = client.post("/tag_wranglers", {"username": "reader", "fandom": FANDOM})
    assert response.status_code == 302 and "/users/login" in response["Location"]
    assert state("Kylo Ren", "Tea") == before
    assert WranglingLogEntry.objects.count() == entries
    assert not WranglerAssignment.objects.filter(user=world["reader"]).exists()


def test_non_wranglers_are_refused_everywhere(client, world):
    client.force_login(world["reader"])
    for path in WRANGLING_PAGES:
        assert client.get(path).status_code == 403, path
    before = state("Kylo Ren", "Tea")
    assert edit(client, "Kylo Ren", "make_canonical").status_code == 403
    assert bulk(client, FANDOM, "make_canonical", ["Kylo Ren", "Tea"]).status_code == 403
    response = client.post("/tag_wranglers", {"username": "reader", "fandom": FANDOM})
    assert response.status_code == 403
    assert state("Kylo Ren", "Tea") == before
    assert not WranglerAssignment.objects.filter(user=world["reader"]).exists()


def test_wranglers_wrangle_their_fandom_only(client, world):
    client.force_login(world["wrangler"])
    assert client.get(url(FANDOM, "/wrangle")).status_code == 200
    assert client.get(url("Kylo Ren", "/edit")).status_code == 200
    assert client.get("/tag_wranglers").status_code == 200
    assert client.get("/wrangling/log").status_code == 403
    # Another fandom's bins and tags are not theirs.
    assert client.get(url(OTHER_FANDOM, "/wrangle")).status_code == 403
    assert client.get(url("Mira Salt", "/edit")).status_code == 403
    before = state("Mira Salt", "Harbour")
    assert edit(client, "Mira Salt", "make_canonical").status_code == 403
    assert bulk(client, OTHER_FANDOM, "make_canonical", ["Harbour"]).status_code == 403
    # Tags of another fandom can't be smuggled into this fandom's bulk form either.
    response = bulk(client, FANDOM, "make_canonical", ["Harbour"])
    assert response.status_code == 400
    assert state("Mira Salt", "Harbour") == before
    # Wranglers can't assign wranglers.
    response = client.post("/tag_wranglers", {"username": "reader", "fandom": FANDOM})
    assert response.status_code == 403
    assert not WranglerAssignment.objects.filter(user=world["reader"]).exists()


def test_admins_see_every_wrangling_page(client, world):
    client.force_login(world["admin"])
    for path in [*WRANGLING_PAGES, url(OTHER_FANDOM, "/wrangle"), url("Mira Salt", "/edit")]:
        assert client.get(path).status_code == 200, path


def test_bins_of_a_non_fandom_or_missing_tag_are_404(client, world):
    client.force_login(world["admin"])
    assert client.get(url("Kylo Ren", "/wrangle")).status_code == 404
    assert client.get(url("Nope", "/wrangle")).status_code == 404
    assert client.get(url("Nope", "/edit")).status_code == 404


# ---------------------------------------------------------------------------------------------
# Wrangler home and assignments


def test_wrangler_home_counts_unwrangled_tags_per_type(client, world):
    client.force_login(world["wrangler"])
    page = client.get("/tag_wranglers").content.decode()
    assert FANDOM in page and OTHER_FANDOM not in page
    row = page.split(f'href="{url(FANDOM, "/wrangle")}">{FANDOM}</a>')[1].split("</tr>")[0]
    counts = [int(n) for n in re.findall(r">(\d+)</a></td>", row)]
    # Characters (Kylo Ren, Hux, kylo and the draft's Rey), relationships, freeforms, unsorted.
    assert counts == [4, 3, 3, 0]
    # The bins page shows the same counts as tabs.
    bins = client.get(url(FANDOM, "/wrangle")).content.decode()
    assert 'Characters <span class="count">(4 unwrangled)</span>' in bins
    assert 'Relationships <span class="count">(3 unwrangled)</span>' in bins


def test_admin_home_lists_all_canonical_fandoms_and_assigns_wranglers(client, world):
    client.force_login(world["admin"])
    page = client.get("/tag_wranglers").content.decode()
    assert FANDOM in page and OTHER_FANDOM in page and "other_wrangler" in page
    response = client.post(
        "/tag_wranglers", {"username": "Reader", "fandom": "starfall saga", "do": "assign"}
    )
    assert response.status_code == 302
    assert WranglerAssignment.objects.filter(user=world["reader"], fandom=world["fandom"]).exists()
    response = client.post(
        "/tag_wranglers", {"username": "reader", "fandom": FANDOM, "do": "unassign"}
    )
    assert response.status_code == 302
    assert not WranglerAssignment.objects.filter(user=world["reader"]).exists()
    actions = list(WranglingLogEntry.objects.values_list("action", flat=True)[:2])
    assert actions == ["unassign wrangler", "assign wrangler"]


def test_assign_form_errors_are_next_to_the_fields(client, world):
    client.force_login(world["admin"])
    response = client.post("/tag_wranglers", {"username": "nobody", "fandom": "No Such Fandom"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_username_error"' in page and "There is no user called “nobody”" in page
    assert 'id="id_fandom_error"' in page and "There is no fandom tag called" in page
    # A fandom that isn't canonical: the action's own message, next to the fandom field.
    make_work(fandoms=["Loose Fandom"])
    response = client.post("/tag_wranglers", {"username": "reader", "fandom": "Loose Fandom"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_fandom_error"' in page and "canonical fandom tags" in page
    assert not WranglerAssignment.objects.filter(user=world["reader"]).exists()


# ---------------------------------------------------------------------------------------------
# Bins


def test_bins_list_tags_of_the_fandom_by_type_and_status(client, world):
    client.force_login(world["wrangler"])
    page = client.get(url(FANDOM, "/wrangle") + "?type=character").content.decode()
    for name in ("Kylo Ren", "Hux", "kylo", "Rey"):
        assert f'href="{url(name, "/edit")}">{name}</a>' in page
    assert "Mira Salt" not in page and "Space Battles" not in page
    assert 'type="checkbox" name="tags"' in page and "csrfmiddlewaretoken" in page
    page = client.get(url(FANDOM, "/wrangle") + "?type=freeform").content.decode()
    assert "Space Battles" in page and "Kylo Ren<" not in page
    wrangling.tag_make_canonical(actor=world["admin"], tag=tag("Hux"))
    canonical = client.get(url(FANDOM, "/wrangle") + "?type=character&status=canonical")
    assert 'href="/tags/Hux/edit">Hux</a>' in canonical.content.decode()
    assert "Kylo Ren" not in canonical.content.decode()
    # Canonical but in no fandom yet: still unwrangled.
    unwrangled = client.get(url(FANDOM, "/wrangle") + "?type=character").content.decode()
    assert 'href="/tags/Hux/edit">Hux</a>' in unwrangled
    wrangling.tag_link_parent(actor=world["admin"], child=tag("Hux"), parent=world["fandom"])
    unwrangled = client.get(url(FANDOM, "/wrangle") + "?type=character").content.decode()
    assert 'href="/tags/Hux/edit">Hux</a>' not in unwrangled


def test_bins_paginate(client, world):
    make_work(fandoms=[FANDOM], freeforms=[f"Tag {n:02}" for n in range(55)])
    client.force_login(world["wrangler"])
    first = client.get(url(FANDOM, "/wrangle") + "?type=freeform").content.decode()
    assert first.count('name="tags"') == 50
    assert "?type=freeform&amp;page=2" in first
    second = client.get(url(FANDOM, "/wrangle") + "?type=freeform&page=2").content.decode()
    assert second.count('name="tags"') == 8


def test_bulk_make_canonical(client, world):
    client.force_login(world["wrangler"])
    response = bulk(client, FANDOM, "make_canonical", ["Kylo Ren", "Hux"], type="character")
    assert response.status_code == 302
    assert response["Location"] == url(FANDOM, "/wrangle") + "?type=character"
    assert tag("Kylo Ren").canonical and tag("Hux").canonical
    assert "Make canonical: Hux, Kylo Ren." in client.get(response["Location"]).content.decode()


def test_bulk_make_synonym(client, world):
    client.force_login(world["wrangler"])
    wrangling.tag_make_canonical(actor=world["admin"], tag=tag("Kylo Ren"))
    response = bulk(client, FANDOM, "make_synonym", ["kylo"], target="kylo ren")
    assert response.status_code == 302
    assert tag("kylo").synonym_of == tag("Kylo Ren")


def test_bulk_make_synonym_needs_an_existing_target(client, world):
    client.force_login(world["wrangler"])
    before = state("kylo")
    response = bulk(client, FANDOM, "make_synonym", ["kylo"], target="")
    assert response.status_code == 400
    assert 'id="id_target_error"' in response.content.decode()
    response = bulk(client, FANDOM, "make_synonym", ["kylo"], target="Kylo the Great")
    assert "There is no tag called “Kylo the Great”" in response.content.decode()
    assert state("kylo") == before


def test_bulk_attach_to_fandom_only_for_canonical_tags(client, world):
    client.force_login(world["wrangler"])
    wrangling.tag_make_canonical(actor=world["admin"], tag=tag("Hux"))
    response = bulk(client, FANDOM, "attach_fandom", ["Hux"])
    assert response.status_code == 302
    assert ParentLink.objects.filter(parent=world["fandom"], child=tag("Hux")).exists()
    before = state("Kylo Ren")
    response = bulk(client, FANDOM, "attach_fandom", ["Kylo Ren"])
    assert response.status_code == 400
    assert "“Kylo Ren” must be canonical before it can be attached" in response.content.decode()
    assert state("Kylo Ren") == before


def test_bulk_add_metatag(client, world):
    admin = world["admin"]
    for name in ("Space Battles", "Angst"):
        wrangling.tag_make_canonical(actor=admin, tag=tag(name))
    client.force_login(world["wrangler"])
    response = bulk(client, FANDOM, "add_metatag", ["Space Battles"], target="Angst")
    assert response.status_code == 302
    assert MetaTagging.objects.filter(meta_tag=tag("Angst"), sub_tag=tag("Space Battles")).exists()


def test_bulk_mark_unwrangleable(client, world):
    client.force_login(world["wrangler"])
    response = bulk(client, FANDOM, "mark_unwrangleable", ["Tea", "Angst"], type="freeform")
    assert response.status_code == 302
    assert tag("Tea").unwrangleable and tag("Angst").unwrangleable
    page = client.get(url(FANDOM, "/wrangle") + "?type=freeform&status=unwrangleable")
    assert ">Tea</a>" in page.content.decode()


def test_a_failing_bulk_action_changes_nothing(client, world):
    # "Hux" is canonical, so it can't be marked unwrangleable; "Angst" and "Tea" could be.
    wrangling.tag_make_canonical(actor=world["admin"], tag=tag("Angst"))
    client.force_login(world["wrangler"])
    names = ["Angst", "Space Battles", "Tea"]
    before = state(*names)
    entries = WranglingLogEntry.objects.count()
    response = bulk(client, FANDOM, "mark_unwrangleable", names, type="freeform")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was changed. “Angst” failed:" in page and "already wrangled" in page
    assert 'class="failed-row"' in page
    # The ticks are kept so the wrangler can untick the failing tag and try again.
    assert len(re.findall(r"name=\"tags\" value=\"\d+\" id=\"tag-\d+\" checked>", page)) == 3
    assert state(*names) == before
    assert WranglingLogEntry.objects.count() == entries


def test_a_failing_bulk_synonym_rolls_back_earlier_tags(client, world):
    admin = world["admin"]
    wrangling.tag_make_canonical(actor=admin, tag=tag("Kylo Ren/Hux"))
    client.force_login(world["wrangler"])
    names = ["Hux/Kylo Ren", "hux x kylo ren", "Kylo Ren/Hux"]
    before = state(*names)
    # The first two would succeed; the canonical target itself fails last (alphabetically).
    response = bulk(client, FANDOM, "make_synonym", names, target="Kylo Ren/Hux")
    assert response.status_code == 400
    assert "“Kylo Ren/Hux” failed: A tag can&#x27;t be a synonym of itself." in (
        response.content.decode()
    )
    assert state(*names) == before


def test_bins_query_count_is_bounded(client, world, django_assert_max_num_queries):
    make_work(fandoms=[FANDOM], characters=[f"Extra {n}" for n in range(40)])
    client.force_login(world["wrangler"])
    with django_assert_max_num_queries(14):
        response = client.get(url(FANDOM, "/wrangle") + "?type=character")
    assert response.content.decode().count('name="tags"') == 44
    with django_assert_max_num_queries(14):
        assert client.get("/tag_wranglers").status_code == 200


# ---------------------------------------------------------------------------------------------
# Edit page


def test_edit_page_shows_links_and_forms(client, world):
    admin = world["admin"]
    ship = wrangling.tag_make_canonical(actor=admin, tag=tag("Kylo Ren/Hux"))
    wrangling.tag_link_parent(actor=admin, child=ship, parent=world["fandom"])
    wrangling.tag_make_synonym(actor=admin, tag=tag("Hux/Kylo Ren"), canonical=ship)
    client.force_login(world["wrangler"])
    page = client.get(url("Kylo Ren/Hux", "/edit")).content.decode()
    assert "<h1>Edit tag: Kylo Ren/Hux</h1>" in page
    assert 'href="/tags/Hux*s*Kylo%20Ren/edit">Hux/Kylo Ren</a>' in page
    assert f'href="{url(FANDOM, "/edit")}">{FANDOM}</a>' in page
    assert 'Remove<span class="visually-hidden"> synonym Hux/Kylo Ren</span>' in page
    assert 'Remove<span class="visually-hidden"> parent Starfall Saga</span>' in page
    for label in ("New name", "Add metatag", "Add parent tag (Character or Fandom)"):
        assert label in page
    assert "De-canonicalise" in page


def test_make_synonym_through_the_edit_form(client, world):
    wrangling.tag_make_canonical(actor=world["admin"], tag=tag("Kylo Ren/Hux"))
    client.force_login(world["wrangler"])
    response = edit(client, "Hux/Kylo Ren", "synonym", **{"synonym-name": "kylo ren/hux"})
    assert response.status_code == 302 and response["Location"] == url("Hux/Kylo Ren", "/edit")
    assert tag("Hux/Kylo Ren").synonym_of == tag("Kylo Ren/Hux")
    page = client.get(response["Location"]).content.decode()
    assert "“Hux/Kylo Ren” is now a synonym of “Kylo Ren/Hux”." in page
    response = edit(client, "Hux/Kylo Ren", "remove_synonym")
    assert response.status_code == 302 and tag("Hux/Kylo Ren").synonym_of is None


def test_bad_synonym_input_comes_back_next_to_the_field(client, world):
    wrangling.tag_make_canonical(actor=world["admin"], tag=tag("Hux"))
    client.force_login(world["wrangler"])
    before = state("Hux/Kylo Ren")
    response = edit(client, "Hux/Kylo Ren", "synonym", **{"synonym-name": "Nobody"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_synonym-name_error"' in page and "There is no tag called “Nobody”" in page
    assert 'value="Nobody"' in page
    # Another type: the action's message.
    response = edit(client, "Hux/Kylo Ren", "synonym", **{"synonym-name": "Hux"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_synonym-name_error"' in page and "must be of the same type" in page
    assert state("Hux/Kylo Ren") == before


def test_wrangler_cannot_merge_canonical_tags_but_admin_can(client, world):
    admin = world["admin"]
    one = wrangling.tag_make_canonical(actor=admin, tag=tag("Kylo Ren/Hux"))
    two = wrangling.tag_make_canonical(actor=admin, tag=tag("Hux/Kylo Ren"))
    wrangling.tag_make_synonym(actor=admin, tag=tag("hux x kylo ren"), canonical=two)
    client.force_login(world["wrangler"])
    before = state("Hux/Kylo Ren", "hux x kylo ren")
    response = edit(client, "Hux/Kylo Ren", "synonym", **{"synonym-name": "Kylo Ren/Hux"})
    assert response.status_code == 400
    assert "Only admins can merge" in response.content.decode()
    assert state("Hux/Kylo Ren", "hux x kylo ren") == before
    client.force_login(admin)
    response = edit(client, "Hux/Kylo Ren", "synonym", **{"synonym-name": "Kylo Ren/Hux"})
    assert response.status_code == 302
    two.refresh_from_db()
    assert not two.canonical and two.synonym_of == one
    # The merged tag's synonym moved over.
    assert tag("hux x kylo ren").synonym_of == one
    assert WranglingLogEntry.objects.filter(action="merge into", tag=two).exists()


def test_rename_rules(client, world):
    client.force_login(world["wrangler"])
    # Case and accents only for wranglers.
    response = edit(client, "Tea", "rename", **{"rename-name": "TÉA"})
    assert response.status_code == 302 and response["Location"] == "/tags/T%C3%89A/edit"
    assert Tag.objects.filter(name="TÉA").exists()
    before = state("TÉA")
    response = edit(client, "TÉA", "rename", **{"rename-name": "Coffee"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_rename-name_error"' in page and "only change the capitalisation" in page
    response = edit(client, "TÉA", "rename", **{"rename-name": "T{e}a"})
    assert response.status_code == 400
    assert "characters tags cannot use" in response.content.decode()
    assert state("TÉA") == before
    # Admins rename freely, but not onto another tag's name.
    client.force_login(world["admin"])
    response = edit(client, "TÉA", "rename", **{"rename-name": "angst"})
    assert response.status_code == 400
    assert "A tag called “Angst” already exists" in response.content.decode()
    assert state("TÉA") == before
    response = edit(client, "TÉA", "rename", **{"rename-name": "Tea Ceremonies"})
    assert response.status_code == 302 and Tag.objects.filter(name="Tea Ceremonies").exists()


def test_canonical_metatag_parent_and_unwrangleable_buttons(client, world):
    admin = world["admin"]
    client.force_login(world["wrangler"])
    assert edit(client, "Angst", "make_canonical").status_code == 302
    assert edit(client, "Space Battles", "make_canonical").status_code == 302
    assert tag("Angst").canonical
    response = edit(client, "Space Battles", "add_metatag", **{"metatag-name": "Angst"})
    assert response.status_code == 302
    assert list(tag("Space Battles").metatags.all()) == [tag("Angst")]
    # The metatag's page offers to remove the subtag; the subtag's page the metatag.
    sub_id = tag("Space Battles").pk
    assert edit(client, "Angst", "remove_subtag", other=sub_id).status_code == 302
    assert not tag("Space Battles").metatags.exists()
    response = edit(client, "Space Battles", "add_parent", **{"parent-name": FANDOM})
    assert response.status_code == 302
    assert list(tag("Space Battles").parents.all()) == [world["fandom"]]
    response = edit(client, "Space Battles", "remove_parent", other=world["fandom"].pk)
    assert response.status_code == 302 and not tag("Space Battles").parents.exists()
    # A cycle is refused with the action's message next to the field.
    wrangling.tag_add_metatag(actor=admin, sub=tag("Space Battles"), meta=tag("Angst"))
    before = state("Angst", "Space Battles")
    response = edit(client, "Angst", "add_metatag", **{"metatag-name": "Space Battles"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_metatag-name_error"' in page and "would create a loop" in page
    assert state("Angst", "Space Battles") == before
    # A parent of the wrong type.
    response = edit(client, "Space Battles", "add_parent", **{"parent-name": "Angst"})
    assert response.status_code == 400 and "can only belong to Fandom tags" in (
        response.content.decode()
    )
    assert edit(client, "Tea", "mark_unwrangleable").status_code == 302
    assert tag("Tea").unwrangleable
    assert edit(client, "Tea", "unmark_unwrangleable").status_code == 302
    assert not tag("Tea").unwrangleable
    # De-canonicalising a tag with synonyms is refused, shown in its section.
    wrangling.tag_make_synonym(actor=admin, tag=tag("Tea"), canonical=tag("Angst"))
    before = state("Angst", "Tea")
    response = edit(client, "Angst", "decanonicalize")
    assert response.status_code == 400
    assert "still has synonyms (Tea)" in response.content.decode()
    assert state("Angst", "Tea") == before
    assert edit(client, "Angst", "drop_synonym", other=tag("Tea").pk).status_code == 302
    assert tag("Tea").synonym_of is None


def test_change_type_of_an_unsorted_tag(client, world):
    unsorted = Tag.objects.create(name="Mystery Thing", type=TagType.UNSORTED)
    make_work(fandoms=[FANDOM])
    client.force_login(world["admin"])
    response = edit(client, "Mystery Thing", "change_type", **{"type-type": "freeform"})
    assert response.status_code == 302
    unsorted.refresh_from_db()
    assert unsorted.type == TagType.FREEFORM
    response = edit(client, "Mystery Thing", "change_type", **{"type-type": "rating"})
    assert response.status_code == 400 and 'id="id_type-type_error"' in response.content.decode()


def test_unknown_edit_action_or_stale_link(client, world):
    client.force_login(world["wrangler"])
    assert edit(client, "Tea", "explode").status_code == 404
    response = edit(client, "Tea", "remove_metatag", other=tag("Angst").pk)
    assert response.status_code == 400 and "no longer exists" in response.content.decode()


def test_possible_synonyms_for_reordered_relationships(client, world):
    admin = world["admin"]
    ship = wrangling.tag_make_canonical(actor=admin, tag=tag("Kylo Ren/Hux"))
    client.force_login(world["wrangler"])
    page = client.get(url("Kylo Ren/Hux", "/edit")).content.decode()
    section = page.split('id="possible-heading"')[1].split("</section>")[0]
    assert "Make “Hux/Kylo Ren” a synonym of “Kylo Ren/Hux”" in section
    assert "Make “hux x kylo ren” a synonym of “Kylo Ren/Hux”" in section
    hux_kylo = tag("Hux/Kylo Ren")
    response = edit(client, "Kylo Ren/Hux", "pair_synonym", subject=hux_kylo.pk, target=ship.pk)
    assert response.status_code == 302
    assert tag("Hux/Kylo Ren").synonym_of == ship
    page = client.get(url("Kylo Ren/Hux", "/edit")).content.decode()
    section = page.split('id="possible-heading"')[1].split("</section>")[0]
    assert "Hux/Kylo Ren" not in section and "hux x kylo ren" in section
    # From the unwrangled spelling's page, the proposal points the other way.
    page = client.get(url("hux x kylo ren", "/edit")).content.decode()
    assert "Make “hux x kylo ren” a synonym of “Kylo Ren/Hux”" in page


def test_edit_page_shows_refilter_progress(client, world):
    Job.objects.create(kind=REFILTER_JOB, payload={"reason": "A → B"}, total=400, done=100)
    client.force_login(world["wrangler"])
    page = client.get(url("Tea", "/edit")).content.decode()
    assert "Updating 400 works: 25% done (A → B)." in page
    Job.objects.update(status=Job.Status.DONE)
    assert "Updating" not in client.get(url("Tea", "/edit")).content.decode()


def test_edit_page_query_count_is_bounded(client, world, django_assert_max_num_queries):
    admin = world["admin"]
    ship = wrangling.tag_make_canonical(actor=admin, tag=tag("Kylo Ren/Hux"))
    for n in range(10):
        synonym = Tag.objects.create(name=f"Kylo/Hux {n}", type=TagType.RELATIONSHIP)
        wrangling.tag_make_synonym(actor=admin, tag=synonym, canonical=ship)
    client.force_login(world["wrangler"])
    with django_assert_max_num_queries(20):
        assert client.get(url("Kylo Ren/Hux", "/edit")).status_code == 200


# ---------------------------------------------------------------------------------------------
# Log


def test_log_is_admin_only_and_shows_who_what_before_and_after(client, world):
    client.force_login(world["wrangler"])
    edit(client, "Hux", "make_canonical")
    edit(client, "Tea", "mark_unwrangleable")
    assert client.get("/wrangling/log").status_code == 403
    client.force_login(world["admin"])
    page = client.get("/wrangling/log").content.decode()
    rows = page.split("<tbody>")[1].split("</tr>")
    assert "mark unwrangleable" in rows[0] and "Tea" in rows[0]
    assert '<span class="what">Unwrangleable:</span> <del>no</del> → <ins>yes</ins>' in rows[0]
    assert "make canonical" in rows[1] and "wrangler" in rows[1]
    assert '<span class="what">Canonical:</span> <del>no</del> → <ins>yes</ins>' in rows[1]
    filtered = client.get("/wrangling/log?tag=hu&wrangler=WRANGLER").content.decode()
    assert "make canonical" in filtered and "mark unwrangleable" not in filtered
    assert "assign wrangler" not in filtered
    nobody = client.get("/wrangling/log?wrangler=nobody").content.decode()
    assert "No wrangling actions match these filters." in nobody


def test_log_paginates_with_filters_kept(client, world):
    admin = world["admin"]
    for n in range(55):
        t = Tag.objects.create(name=f"Logged {n}", type=TagType.FREEFORM)
        wrangling.tag_set_unwrangleable(actor=admin, tag=t, unwrangleable=True)
    client.force_login(admin)
    page = client.get("/wrangling/log?tag=logged").content.decode()
    assert "55 entries" in page and 'href="?tag=logged&amp;page=2"' in page
    second = client.get("/wrangling/log?tag=logged&page=2").content.decode()
    assert second.count("mark unwrangleable") == 5


def test_wrangling_posts_need_the_csrf_token(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world["wrangler"])
    before = state("Kylo Ren", "Tea")
    assert edit(client, "Kylo Ren", "make_canonical").status_code == 403
    assert bulk(client, FANDOM, "make_canonical", ["Tea"]).status_code == 403
    assert state("Kylo Ren", "Tea") == before
    # With the token from the page, the same post works.
    page = client.get(url("Kylo Ren", "/edit")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    response = edit(client, "Kylo Ren", "make_canonical", csrfmiddlewaretoken=token.group(1))
    assert response.status_code == 302 and tag("Kylo Ren").canonical
