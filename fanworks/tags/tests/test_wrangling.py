import pytest
from django.core.exceptions import ValidationError

from fanworks.core.testing import make_user, make_work
from fanworks.tags import wrangling
from fanworks.tags.actions import tags_find_or_create
from fanworks.tags.models import (
    MetaTagging,
    ParentLink,
    Tag,
    TagType,
    WorkFilter,
    WranglingLogEntry,
)
from fanworks.tags.queries import work_ids_filtered_by

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    user = make_user("admin_user")
    user.is_superuser = True
    user.save()
    return user


def tag(name, tag_type=TagType.FREEFORM, canonical=False):
    created = tags_find_or_create(names=[name], tag_type=tag_type)[0]
    if canonical and not created.canonical:
        created.canonical = True
        created.save()
    return created


def filter_names(work):
    return set(WorkFilter.objects.filter(work=work).values_list("tag__name", flat=True))


def graph_state():
    return (
        sorted(
            Tag.objects.values_list("name", "type", "canonical", "synonym_of_id", "unwrangleable")
        ),
        sorted(MetaTagging.objects.values_list("meta_tag_id", "sub_tag_id")),
        sorted(ParentLink.objects.values_list("parent_id", "child_id")),
        sorted(WorkFilter.objects.values_list("work_id", "tag_id", "inherited")),
    )


def refused(action, **kwargs):
    """Run an action that must be refused; assert the graph and filters are unchanged."""
    before = graph_state()
    log_before = WranglingLogEntry.objects.count()
    with pytest.raises(ValidationError) as problem:
        action(**kwargs)
    assert graph_state() == before
    assert WranglingLogEntry.objects.count() == log_before
    return " ".join(problem.value.messages)


def test_new_user_tags_are_not_canonical_and_filter_nothing_until_wrangled(admin):
    work = make_work(freeforms=["Slow Burn"])
    slow_burn = Tag.objects.get(name="Slow Burn")
    assert not slow_burn.canonical
    assert "Slow Burn" not in filter_names(work)
    wrangling.tag_make_canonical(actor=admin, tag=slow_burn)
    assert "Slow Burn" in filter_names(work)


def test_synonym_work_is_found_under_the_canonical_tag(admin):
    canonical = tag("Kylo Ren/Hux", TagType.RELATIONSHIP, canonical=True)
    work = make_work(relationships=["Hux/Kylo Ren"])
    synonym = Tag.objects.get(name="Hux/Kylo Ren")
    wrangling.tag_make_synonym(actor=admin, tag=synonym, canonical=canonical)
    assert "Kylo Ren/Hux" in filter_names(work)
    assert work.pk in set(work_ids_filtered_by(canonical).values_list("work_id", flat=True))
    entry = WranglingLogEntry.objects.get(action="make synonym")
    assert entry.before["synonym_of"] is None and entry.after["synonym_of"] == "Kylo Ren/Hux"
    assert entry.actor_name == "admin_user"


def test_metatags_are_inherited_on_several_levels(admin):
    grand = tag("Alternate Universe", canonical=True)
    parent = tag("Alternate Universe - Modern Setting", canonical=True)
    child = tag("Alternate Universe - Coffee Shops & Cafés", canonical=True)
    work = make_work(freeforms=[child.name])
    wrangling.tag_add_metatag(actor=admin, sub=child, meta=parent)
    wrangling.tag_add_metatag(actor=admin, sub=parent, meta=grand)
    rows = dict(WorkFilter.objects.filter(work=work).values_list("tag__name", "inherited"))
    assert rows[child.name] is False
    assert rows[parent.name] is True and rows[grand.name] is True
    wrangling.tag_remove_metatag(actor=admin, sub=parent, meta=grand)
    assert grand.name not in filter_names(work)


def test_metatag_cycles_are_refused(admin):
    a = tag("Angst", canonical=True)
    b = tag("Heavy Angst", canonical=True)
    c = tag("Extremely Heavy Angst", canonical=True)
    wrangling.tag_add_metatag(actor=admin, sub=b, meta=a)
    wrangling.tag_add_metatag(actor=admin, sub=c, meta=b)
    message = refused(wrangling.tag_add_metatag, actor=admin, sub=a, meta=c)
    assert "loop" in message
    assert "own metatag" in refused(wrangling.tag_add_metatag, actor=admin, sub=a, meta=a)


def test_synonym_of_a_synonym_is_refused_naming_the_canonical(admin):
    canonical = tag("Hurt/Comfort", canonical=True)
    synonym = tag("hurt and comfort")
    wrangling.tag_make_synonym(actor=admin, tag=synonym, canonical=canonical)
    third = tag("h/c")
    message = refused(wrangling.tag_make_synonym, actor=admin, tag=third, canonical=synonym)
    assert "“Hurt/Comfort” instead" in message


def test_synonym_of_another_type_is_refused(admin):
    character = tag("Mira Salt", TagType.CHARACTER, canonical=True)
    freeform = tag("mira salt appreciation")
    message = refused(wrangling.tag_make_synonym, actor=admin, tag=freeform, canonical=character)
    assert "same type" in message


def test_synonym_target_must_be_canonical(admin):
    message = refused(
        wrangling.tag_make_synonym, actor=admin, tag=tag("fluff"), canonical=tag("Fluffy")
    )
    assert "not canonical" in message


def test_canonical_tag_merges_only_when_allowed_and_brings_its_links(admin):
    keep = tag("Found Family", canonical=True)
    merged = tag("Found Families", canonical=True)
    meta = tag("Family", canonical=True)
    spelling = tag("found fam")
    wrangling.tag_make_synonym(actor=admin, tag=spelling, canonical=merged)
    wrangling.tag_add_metatag(actor=admin, sub=merged, meta=meta)
    work = make_work(freeforms=["found fam"])
    assert "canonical" in refused(
        wrangling.tag_make_synonym, actor=admin, tag=merged, canonical=keep
    )
    wrangling.tag_make_synonym(actor=admin, tag=merged, canonical=keep, allow_merge=True)
    spelling.refresh_from_db()
    assert spelling.synonym_of_id == keep.pk
    assert MetaTagging.objects.filter(sub_tag=keep, meta_tag=meta).exists()
    assert {"Found Family", "Family"} <= filter_names(work)
    assert "Found Families" not in filter_names(work)


def test_decanonicalising_removes_the_tag_from_filters_unless_it_has_synonyms(admin):
    canonical = tag("Banter", canonical=True)
    work = make_work(freeforms=["Banter"])
    spelling = tag("bantering")
    wrangling.tag_make_synonym(actor=admin, tag=spelling, canonical=canonical)
    assert "synonyms" in refused(wrangling.tag_decanonicalize, actor=admin, tag=canonical)
    wrangling.tag_remove_synonym(actor=admin, tag=spelling)
    wrangling.tag_decanonicalize(actor=admin, tag=canonical)
    assert "Banter" not in filter_names(work)


def test_parent_links_follow_the_type_rules(admin):
    fandom = tag("Tidewater Chronicles", TagType.FANDOM, canonical=True)
    media = tag("TV Shows", TagType.MEDIA, canonical=True)
    character = tag("Mira Salt", TagType.CHARACTER, canonical=True)
    freeform = tag("Harbour Town", canonical=True)
    wrangling.tag_link_parent(actor=admin, child=fandom, parent=media)
    wrangling.tag_link_parent(actor=admin, child=character, parent=fandom)
    wrangling.tag_link_parent(actor=admin, child=freeform, parent=fandom)
    assert set(character.parents.values_list("name", flat=True)) == {"Tidewater Chronicles"}
    assert "can only belong" in refused(
        wrangling.tag_link_parent, actor=admin, child=character, parent=freeform
    )
    assert "can only belong" in refused(
        wrangling.tag_link_parent, actor=admin, child=fandom, parent=character
    )
    uncanonical = tag("Some Fandom", TagType.FANDOM)
    assert "canonical" in refused(
        wrangling.tag_link_parent, actor=admin, child=character, parent=uncanonical
    )
    wrangling.tag_unlink_parent(actor=admin, child=character, parent=fandom)
    assert not character.parents.exists()


def test_relationships_know_their_characters(admin):
    mira = tag("Mira Salt", TagType.CHARACTER, canonical=True)
    jonah = tag("Jonah Reed", TagType.CHARACTER, canonical=True)
    ship = tag("Mira Salt/Jonah Reed", TagType.RELATIONSHIP)
    assert set(ship.parents.values_list("pk", flat=True)) == {mira.pk, jonah.pk}
    friends = tag("jonah reed & mira salt", TagType.RELATIONSHIP)
    assert friends.parents.count() == 2


def test_wrangler_renames_only_case_and_accents_admin_freely(admin):
    cafe = tag("cafe au")
    wrangling.tag_rename(actor=admin, tag=cafe, new_name="Café AU", free_rename=False)
    cafe.refresh_from_db()
    assert cafe.name == "Café AU" and cafe.search_name == "cafe au"
    assert "capitalisation or accents" in refused(
        wrangling.tag_rename, actor=admin, tag=cafe, new_name="Coffee Shop AU", free_rename=False
    )
    wrangling.tag_rename(actor=admin, tag=cafe, new_name="Coffee Shop AU", free_rename=True)
    other = tag("Tea Shop AU")
    assert "already exists" in refused(
        wrangling.tag_rename, actor=admin, tag=other, new_name="coffee shop au", free_rename=True
    )
    assert "cannot use" in refused(
        wrangling.tag_rename, actor=admin, tag=other, new_name="Tea {Shop}", free_rename=True
    )
    assert "at most 150" in refused(
        wrangling.tag_rename, actor=admin, tag=other, new_name="x" * 151, free_rename=True
    )


def test_fixed_tags_cannot_be_wrangled(admin):
    explicit = Tag.objects.get(name="Explicit")
    assert "fixed" in refused(wrangling.tag_decanonicalize, actor=admin, tag=explicit)


def test_unwrangleable_only_for_unwrangled_tags(admin):
    vague = tag("this is a whole sentence of a tag")
    wrangling.tag_set_unwrangleable(actor=admin, tag=vague, unwrangleable=True)
    vague.refresh_from_db()
    assert vague.unwrangleable
    assert "already wrangled" in refused(
        wrangling.tag_set_unwrangleable,
        actor=admin,
        tag=tag("Angst", canonical=True),
        unwrangleable=True,
    )


def test_unsorted_tag_can_be_sorted(admin):
    unsorted = Tag.objects.create(name="Imported Thing", type=TagType.UNSORTED)
    wrangling.tag_change_type(actor=admin, tag=unsorted, new_type=TagType.CHARACTER)
    unsorted.refresh_from_db()
    assert unsorted.type == TagType.CHARACTER
    assert "choose" in refused(
        wrangling.tag_change_type, actor=admin, tag=unsorted, new_type=TagType.RATING
    )


def test_wrangler_assignment_needs_a_canonical_fandom(admin):
    wrangler = make_user()
    fandom = tag("Skyward Guild", TagType.FANDOM, canonical=True)
    wrangling.wrangler_assign(actor=admin, user=wrangler, fandom=fandom)
    assert wrangler.wrangling_assignments.get().fandom == fandom
    with pytest.raises(ValidationError):
        wrangling.wrangler_assign(actor=admin, user=wrangler, fandom=tag("Angst"))
    wrangling.wrangler_unassign(actor=admin, user=wrangler, fandom=fandom)
    assert not wrangler.wrangling_assignments.exists()
