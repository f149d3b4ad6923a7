"""Tag autocomplete: matching, order, synonyms, fandom scoping, bad input, query counts."""

import random

import pytest

from fanworks.core.testing import make_user, make_work
from fanworks.tags import autocomplete as ac
from fanworks.tags import wrangling
from fanworks.tags.actions import tags_find_or_create
from fanworks.tags.models import Tag, TagType
from fanworks.works.models import Work

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counts():
    # Counts only choose where queries start; clearing them keeps query counts predictable.
    ac.clear_count_cache()
    yield
    ac.clear_count_cache()


@pytest.fixture
def admin():
    user = make_user("autocomplete_admin")
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])
    return user


def new(tag_type, *names):
    return tags_find_or_create(names=list(names), tag_type=tag_type)


def canonical(admin, tag_type, *names):
    return [wrangling.tag_make_canonical(actor=admin, tag=tag) for tag in new(tag_type, *names)]


def synonym(admin, tag_type, name, of):
    (tag,) = new(tag_type, name)
    return wrangling.tag_make_synonym(actor=admin, tag=tag, canonical=of)


def link(admin, parent, *children):
    for child in children:
        wrangling.tag_link_parent(actor=admin, child=child, parent=parent)


def names(term, tag_type, **kwargs):
    return [s.name for s in ac.autocomplete(term, tag_type, **kwargs)]


def get(client, **params):
    response = client.get("/autocomplete/tags", params)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()["results"]


# Matching and order -------------------------------------------------------------------------


def test_canonical_tags_come_first_then_name_prefix_before_word_matches(admin):
    new(TagType.FREEFORM, "Harbour Town", "Old Harbour")
    canonical(admin, TagType.FREEFORM, "Harbour Lights", "Winter Harbour", "Harbourmaster")
    assert names("harb", TagType.FREEFORM) == [
        "Harbour Lights",  # canonical, name starts with the text
        "Harbourmaster",
        "Winter Harbour",  # canonical, a word starts with it
        "Harbour Town",  # not canonical
        "Old Harbour",
    ]
    result = ac.autocomplete("harb", TagType.FREEFORM)
    assert [s.canonical for s in result] == [True, True, True, False, False]


def test_a_word_start_matches_but_the_middle_of_a_word_does_not():
    new(TagType.CHARACTER, "Kylo Ren", "Amy Renfield", "Lauren Ash")
    assert names("ren", TagType.CHARACTER) == ["Kylo Ren", "Amy Renfield"]
    assert names("ylo", TagType.CHARACTER) == []


def test_word_matches_are_ordered_by_the_matching_word():
    new(TagType.CHARACTER, "Zed Renfield", "Abe Renault", "Kylo Ren")
    # "ren" is a whole word of Kylo Ren: it sorts before the longer words.
    assert names("ren", TagType.CHARACTER) == ["Kylo Ren", "Abe Renault", "Zed Renfield"]


def test_case_and_accents_do_not_matter():
    new(TagType.CHARACTER, "Amélie Poulain", "Zoë Washburne")
    assert names("AMEL", TagType.CHARACTER) == ["Amélie Poulain"]
    assert names("amél", TagType.CHARACTER) == ["Amélie Poulain"]
    assert names("zoe wash", TagType.CHARACTER) == ["Zoë Washburne"]
    assert names("WASHBÜRNE", TagType.CHARACTER) == ["Zoë Washburne"]


def test_several_words_must_each_start_a_word_of_the_name():
    new(TagType.RELATIONSHIP, "Kylo Ren/Hux", "Kylo Ren & Rey", "Hux & Phasma")
    assert names("hux kyl", TagType.RELATIONSHIP) == ["Kylo Ren/Hux"]
    assert names("kylo r", TagType.RELATIONSHIP) == ["Kylo Ren & Rey", "Kylo Ren/Hux"]
    assert names("hux", TagType.RELATIONSHIP) == ["Hux & Phasma", "Kylo Ren/Hux"]


def test_only_tags_of_the_requested_type():
    new(TagType.FREEFORM, "Fluff")
    new(TagType.CHARACTER, "Flurry")
    assert names("flu", TagType.FREEFORM) == ["Fluff"]
    assert names("flu", TagType.CHARACTER) == ["Flurry"]


def test_a_synonym_is_suggested_as_its_canonical_tag_once(admin):
    (kylo,) = canonical(admin, TagType.CHARACTER, "Kylo Ren")
    synonym(admin, TagType.CHARACTER, "Ben Solo", kylo)
    synonym(admin, TagType.CHARACTER, "Kylo", kylo)
    result = ac.autocomplete("ben", TagType.CHARACTER)
    assert [s.as_json() for s in result] == [
        {"name": "Kylo Ren", "canonical": True, "synonym": "Ben Solo"}
    ]
    # The canonical tag matched itself: no second entry for its synonym "Kylo".
    assert [s.as_json() for s in ac.autocomplete("kylo", TagType.CHARACTER)] == [
        {"name": "Kylo Ren", "canonical": True}
    ]


def test_synonym_matches_come_after_canonical_tags_that_match_themselves(admin):
    (ben,) = canonical(admin, TagType.CHARACTER, "Ben Solo")
    (kylo,) = canonical(admin, TagType.CHARACTER, "Kylo Ren")
    synonym(admin, TagType.CHARACTER, "Benjamin Organa-Solo", kylo)
    new(TagType.CHARACTER, "Ben Kenobi")
    result = ac.autocomplete("ben", TagType.CHARACTER)
    assert [(s.name, s.synonym) for s in result] == [
        ("Ben Solo", ""),
        ("Ben Kenobi", ""),  # unwrangled and synonym matches share a group, by name
        ("Kylo Ren", "Benjamin Organa-Solo"),
    ]
    assert ben.pk and kylo.pk


def test_at_most_fifteen_suggestions():
    new(TagType.FREEFORM, *[f"Snow Day {n:02}" for n in range(30)])
    result = names("snow", TagType.FREEFORM)
    assert result == [f"Snow Day {n:02}" for n in range(15)]


# Fandom scoping -----------------------------------------------------------------------------


@pytest.fixture
def two_fandoms(admin):
    """Two canonical fandoms with linked characters, plus tags only used on works."""
    lantern, tide = canonical(admin, TagType.FANDOM, "Lantern Guild", "Tidewater")
    synonym(admin, TagType.FANDOM, "Lantern Guild (Books)", lantern)
    mira, mirel = canonical(admin, TagType.CHARACTER, "Mira Vell", "Mirel Dask")
    link(admin, lantern, mira)
    link(admin, tide, mirel)
    # Used on a posted Lantern Guild work only: in its scope, though linked to nothing.
    (mirabel,) = canonical(admin, TagType.CHARACTER, "Mirabel Ash")
    author = make_user("lantern_author")
    make_work(author, fandoms=["Lantern Guild"], characters=["Mirabel Ash", "Miranda Quill"])
    # Used on works nobody else can see: a draft and a hidden work.
    make_work(author, post=False, fandoms=["Lantern Guild"], characters=["Mirage Draft"])
    hidden = make_work(author, fandoms=["Lantern Guild"], characters=["Mirror Spam"])
    Work.objects.filter(pk=hidden.pk).update(hidden_by_admin=True)
    return {"lantern": lantern, "tide": tide, "mirabel": mirabel}


def test_characters_are_scoped_to_the_fandoms_given(two_fandoms):
    assert names("mir", TagType.CHARACTER, fandoms=["Lantern Guild"]) == [
        "Mira Vell",  # linked
        "Mirabel Ash",  # canonical, used on the fandom's works
        "Miranda Quill",  # not wrangled, used on the fandom's works
    ]
    assert names("mir", TagType.CHARACTER, fandoms=["Tidewater"]) == ["Mirel Dask"]
    assert names("mir", TagType.CHARACTER, fandoms=["Tidewater", "Lantern Guild"]) == [
        "Mira Vell",
        "Mirabel Ash",
        "Mirel Dask",
        "Miranda Quill",
    ]


def test_without_fandoms_nothing_is_scoped(two_fandoms):
    assert names("mir", TagType.CHARACTER) == [
        "Mira Vell",
        "Mirabel Ash",
        "Mirel Dask",
        "Mirage Draft",
        "Miranda Quill",
        "Mirror Spam",
    ]


def test_fandoms_resolve_through_synonyms_case_and_accents(two_fandoms):
    expected = ["Mira Vell", "Mirabel Ash", "Miranda Quill"]
    assert names("mir", TagType.CHARACTER, fandoms=["Lantern Guild (Books)"]) == expected
    assert names("mir", TagType.CHARACTER, fandoms=["  lantern   GUÍLD "]) == expected


def test_unknown_fandoms_are_ignored_and_none_known_means_no_scope(two_fandoms):
    assert names("mir", TagType.CHARACTER, fandoms=["Tidewater", "Not A Fandom"]) == ["Mirel Dask"]
    assert len(names("mir", TagType.CHARACTER, fandoms=["Not A Fandom"])) == 6


def test_drafts_and_hidden_works_do_not_put_tags_in_scope(two_fandoms):
    scoped = names("mir", TagType.CHARACTER, fandoms=["Lantern Guild"])
    assert "Mirage Draft" not in scoped and "Mirror Spam" not in scoped


def test_a_synonym_is_in_scope_when_its_canonical_tag_is(admin, two_fandoms):
    mira = Tag.objects.get(name="Mira Vell")
    synonym(admin, TagType.CHARACTER, "Captain Vell", mira)
    result = ac.autocomplete("capt", TagType.CHARACTER, fandoms=["Lantern Guild"])
    assert [(s.name, s.synonym) for s in result] == [("Mira Vell", "Captain Vell")]
    assert ac.autocomplete("capt", TagType.CHARACTER, fandoms=["Tidewater"]) == []


def test_relationships_are_scoped_and_freeforms_are_not(admin, two_fandoms):
    (ship,) = canonical(admin, TagType.RELATIONSHIP, "Mira Vell/Mirel Dask")
    link(admin, two_fandoms["tide"], ship)
    new(TagType.FREEFORM, "Mirrors")
    assert names("mir", TagType.RELATIONSHIP, fandoms=["Tidewater"]) == ["Mira Vell/Mirel Dask"]
    assert names("mir", TagType.RELATIONSHIP, fandoms=["Lantern Guild"]) == []
    assert names("mir", TagType.FREEFORM, fandoms=["Tidewater"]) == ["Mirrors"]


def test_big_and_small_scopes_and_every_starting_place_agree(admin):
    """The same answer whichever way the search runs: a scope matched in Python, buckets
    starting from TagWord, from the type's tags, or from the scope."""
    rng = random.Random(4)
    syllables = ["ka", "ri", "mo", "sel", "tan", "vo", "li", "dra", "en", "os"]

    def word():
        return "".join(rng.choice(syllables) for _ in range(rng.randint(1, 3))).capitalize()

    fandoms = canonical(admin, TagType.FANDOM, "Orchard", "Quarry")
    seen = set()
    made: list[Tag] = []
    while len(made) < 160:
        name = f"{word()} {word()}"
        if name.lower() in seen:
            continue
        seen.add(name.lower())
        (tag,) = new(TagType.CHARACTER, name)
        roll = rng.random()
        if roll < 0.5:
            tag = wrangling.tag_make_canonical(actor=admin, tag=tag)
            if rng.random() < 0.7:
                link(admin, rng.choice(fandoms), tag)
        elif roll < 0.65 and made:
            target = rng.choice(made)
            if target.canonical:
                tag = wrangling.tag_make_synonym(actor=admin, tag=tag, canonical=target)
        made.append(tag)
    author = make_user("orchard_author")
    for _ in range(6):
        chars = [t.name for t in rng.sample(made, 3)]
        make_work(author, fandoms=[rng.choice(["Orchard", "Quarry"])], characters=chars)

    terms = ["k", "ka", "ri", "sel", "mo", "dr", "en", "ka ri", "t", "vo li", "x", "os e"]
    for fandom_names in ([], ["Orchard"], ["Quarry", "Orchard"]):
        scope = ac.resolve_scope(fandom_names) if fandom_names else None
        for term in terms:
            answers = {}
            for start in ("", "words", "tags", "scope"):
                if start == "scope" and scope is None:
                    continue
                search = ac.Search(TagType.CHARACTER, term, scope, 15, force_start=start)
                answers[start or "auto"] = search.run()
            first = next(iter(answers.values()))
            for start, answer in answers.items():
                assert answer == first, (term, fandom_names, start)


# Bad input ----------------------------------------------------------------------------------


def test_bad_input_gives_no_suggestions_never_an_error(client):
    new(TagType.FREEFORM, "Fluff", "100 Years Of Angst")
    assert get(client, type="freeform", term="") == []
    assert get(client, type="freeform", term="   ") == []
    assert get(client, type="freeform", term="f" * 151) == []
    assert get(client, type="freeform") == []
    assert get(client, term="flu") == []
    assert get(client, type="bogus", term="flu") == []
    assert get(client, type="freeform", term="%") == []
    assert get(client, type="freeform", term="_luff") == []  # no LIKE wildcards
    assert get(client, type="freeform", term="\x00") == []
    assert get(client, type="freeform", term="'; DROP TABLE tags_tag; --") == []
    assert get(client, type="character", term="flu", fandom=["x" * 500, ",,,", ""]) == []
    assert [r["name"] for r in get(client, type="freeform", term="100")] == ["100 Years Of Angst"]
    assert [r["name"] for r in get(client, type="freeform", term="FLU")] == ["Fluff"]


def test_a_term_of_exactly_150_characters_is_searched():
    name = "A" + "b" * 149
    new(TagType.FREEFORM, name)
    assert names(name, TagType.FREEFORM) == [name]
    assert names(name + "c", TagType.FREEFORM) == []


def test_the_view_returns_names_canonical_flags_and_synonyms(client, admin, two_fandoms):
    mira = Tag.objects.get(name="Mira Vell")
    synonym(admin, TagType.CHARACTER, "Captain Vell", mira)
    assert get(client, type="character", term="capt", fandom="Lantern Guild") == [
        {"name": "Mira Vell", "canonical": True, "synonym": "Captain Vell"}
    ]
    assert get(client, type="character", term="mir", fandom=["Tidewater"]) == [
        {"name": "Mirel Dask", "canonical": True}
    ]
    # Repeated fandom= parameters, or one with commas, as a script might send.
    both = get(client, type="character", term="mir", fandom=["Tidewater", "Lantern Guild"])
    assert both == get(client, type="character", term="mir", fandom="Tidewater, Lantern Guild")
    assert len(both) == 4


# Cost ---------------------------------------------------------------------------------------


def test_a_request_costs_a_bounded_number_of_queries(
    client, admin, two_fandoms, django_assert_max_num_queries
):
    new(TagType.FREEFORM, *[f"Word{n} Mirth" for n in range(40)])
    with django_assert_max_num_queries(12):
        get(client, type="freeform", term="mi")
    with django_assert_max_num_queries(12):
        get(client, type="freeform", term="zz top")
    with django_assert_max_num_queries(8):
        get(client, type="character", term="mir", fandom=["Lantern Guild", "Tidewater"])
    with django_assert_max_num_queries(2):
        get(client, type="character", term="")
