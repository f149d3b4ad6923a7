from collections import Counter
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db.models import Sum

from fanworks.accounts.models import Pseud, User
from fanworks.analysis.text.wordcount import count_words_in_html
from fanworks.core.management.commands.demo import Command
from fanworks.core.sanitize import sanitize_html
from fanworks.core.testing import make_work
from fanworks.demo.plan import plan_work
from fanworks.demo.world import DEMO_EMAIL_DOMAIN, World, work_key
from fanworks.engagement.models import HitDay, Kudos
from fanworks.tags.models import CATEGORIES, RATINGS, WARNINGS, Tag, TagType
from fanworks.works.models import Chapter, Creatorship, Work, WorkTag, sortable_name, sortable_title

SMALL = 40


def run_demo_command(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def demo_archive(db):
    output = run_demo_command("--works", str(SMALL))
    return output


def tag_names(work: Work, tag_type: str) -> list[str]:
    return [wt.tag.name for wt in work.work_tags.all() if wt.tag.type == tag_type]


def test_creates_works_with_valid_metadata(demo_archive):
    works = list(Work.objects.prefetch_related("work_tags__tag", "chapters", "creatorships"))
    assert len(works) == SMALL
    now = datetime.now(UTC)
    for work in works:
        assert work.title.strip()
        assert len(tag_names(work, TagType.RATING)) == 1
        assert tag_names(work, TagType.RATING)[0] in RATINGS
        warnings = tag_names(work, TagType.WARNING)
        assert warnings and set(warnings) <= set(WARNINGS)
        assert set(tag_names(work, TagType.CATEGORY)) <= set(CATEGORIES)
        assert tag_names(work, TagType.FANDOM)
        assert tag_names(work, TagType.CHARACTER)
        assert work.creatorships.all()
        # Sort keys as the posting form would set them.
        assert work.title_sort_key == sortable_title(work.title)
        first = min(work.creatorships.all(), key=lambda c: (c.position, c.pk))
        assert work.creator_sort_key == sortable_name(first.pseud.name)

        chapters = sorted(work.chapters.all(), key=lambda chapter: chapter.position)
        assert [c.position for c in chapters] == list(range(1, len(chapters) + 1))
        posted = [c for c in chapters if c.posted]
        assert work.posted_chapter_count == len(posted)
        counted = posted if work.posted else chapters
        assert work.word_count == sum(c.word_count for c in counted)
        assert work.expected_chapters is None or work.expected_chapters >= len(chapters)
        if not work.posted:
            assert not posted
            assert work.first_posted_at is None and work.revised_at is None
            continue
        assert posted
        assert work.first_posted_at is not None and work.revised_at is not None
        assert work.first_posted_at <= work.revised_at <= now
        assert work.created_at <= work.first_posted_at
        dates = [c.published_at for c in posted if c.published_at is not None]
        assert len(dates) == len(posted)
        assert dates == sorted(dates)
        assert dates[0] == work.first_posted_at
        assert max(dates) <= work.revised_at
        for chapter in chapters:
            assert chapter.published_at is None or chapter.published_at <= now
            assert (chapter.published_at is None) == (not chapter.posted)


def test_small_archive_still_shows_every_kind_of_work(demo_archive):
    rows = WorkTag.objects.values_list("tag__type", "tag__name")
    used = {(tag_type, name) for tag_type, name in rows}
    for rating in RATINGS:
        assert (TagType.RATING, rating) in used
    for warning in WARNINGS:
        assert (TagType.WARNING, warning) in used
    works = Work.objects.all()
    assert works.filter(posted=False).exists()
    assert works.filter(restricted=True).exists()
    assert works.filter(posted=True, expected_chapters__isnull=True).exists()
    assert works.exclude(language="en").exists()
    assert works.filter(posted_chapter_count__gt=1).exists()
    wips = [w for w in works if w.posted and not w.is_complete]
    assert wips
    assert Chapter.objects.filter(posted=False, work__posted=True).exists()
    assert works.filter(notes_html__contains="<p>").exists()
    assert Creatorship.objects.values("work").distinct().count() < Creatorship.objects.count()


def test_prose_is_generated_sanitised_and_counted(demo_archive):
    chapters = list(Chapter.objects.all())
    assert chapters
    for chapter in chapters:
        assert chapter.content.strip()
        assert "{" not in chapter.content and "[" not in chapter.content
        assert chapter.content_html == sanitize_html(chapter.content).html
        assert chapter.content_html.startswith("<p>")
        assert chapter.word_count == count_words_in_html(chapter.content_html) > 0
        assert chapter.notes_html == (sanitize_html(chapter.notes).html if chapter.notes else "")
    for work in Work.objects.all():
        for name in ("summary", "notes", "endnotes"):
            raw, html = getattr(work, name), getattr(work, f"{name}_html")
            assert html == (sanitize_html(raw).html if raw.strip() else "")
    long_chapters = [c for c in chapters if c.word_count >= 1000]
    assert long_chapters, "some chapters should run to a thousand words or more"


def test_users_pseuds_and_tags_look_like_an_archive(demo_archive):
    demo_users = User.objects.filter(email__endswith="@" + DEMO_EMAIL_DOMAIN)
    assert demo_users.count() > 10
    for user in demo_users:
        default = Pseud.objects.get(user=user, is_default=True)
        assert default.name == user.username
        user.full_clean(exclude=["password"])
    assert Pseud.objects.filter(is_default=False).exists()
    for tag in Tag.objects.filter(type=TagType.RELATIONSHIP):
        assert "/" in tag.name or " & " in tag.name
    for tag in Tag.objects.exclude(synonym_of=None):
        assert tag.synonym_of is not None
        assert tag.synonym_of.canonical and tag.synonym_of.type == tag.type
    assert Tag.objects.filter(type=TagType.FANDOM, canonical=True).count() >= 5


def test_demo_login_and_password_are_printed(db, monkeypatch):
    monkeypatch.setenv("FANWORKS_DEMO_PASSWORD", "a-demo-password-77")
    output = run_demo_command("--works", "10")
    assert "demo" in output and "a-demo-password-77" in output
    assert authenticate(username="demo", password="a-demo-password-77") is not None
    demo = User.objects.get(username="demo")
    assert Work.objects.filter(creatorships__pseud__user=demo).exists()


def test_second_run_creates_nothing_new(demo_archive):
    def counts():
        return [
            model.objects.count()
            for model in (Work, Chapter, User, Pseud, Tag, WorkTag, Creatorship, Kudos)
        ]

    before = counts()
    output = run_demo_command("--works", str(SMALL))
    assert counts() == before
    assert f"{SMALL:,} already there" in output


def test_bigger_run_extends_the_archive_without_changing_it(demo_archive):
    before = dict(Work.objects.values_list("creation_key", "title"))
    run_demo_command("--works", str(SMALL + 10))
    after = dict(Work.objects.values_list("creation_key", "title"))
    assert len(after) == SMALL + 10
    assert {key: after[key] for key in before} == before
    assert work_key(1, SMALL + 9) in after


def test_if_empty_leaves_an_archive_with_works_alone(db):
    make_work(title="Someone's Own Work")
    output = run_demo_command("--if-empty", "--works", "5")
    assert "already has works" in output
    assert Work.objects.count() == 1
    assert not User.objects.filter(username="demo").exists()


def test_if_empty_fills_an_empty_archive(db):
    run_demo_command("--if-empty", "--works", "5")
    assert Work.objects.count() == 5


def test_help_explains_the_options():
    text = Command().create_parser("fanworks", "demo").format_help()
    for option in ("--works", "--seed", "--if-empty", "--batch-size", "FANWORKS_DEMO_PASSWORD"):
        assert option in text


def test_plans_are_deterministic_and_long_tailed():
    now = datetime(2026, 1, 1, tzinfo=UTC)

    def plans(seed, count):
        world = World(seed, now)
        joined = {index: datetime(2020, 1, 1, tzinfo=UTC) for index in range(-1, 1000)}
        return [plan_work(world, index, joined) for index in range(count)]

    first, again, other = plans(1, 20), plans(1, 20), plans(2, 20)
    assert [(p.title, p.chapters[0].content) for p in first] == [
        (p.title, p.chapters[0].content) for p in again
    ]
    assert [p.title for p in first] != [p.title for p in other]

    fandoms = Counter(
        spec.name for plan in plans(1, 600) for spec in plan.tags if spec.type == TagType.FANDOM
    )
    counts = sorted(fandoms.values(), reverse=True)
    assert len(counts) >= 10
    assert counts[0] > 4 * counts[len(counts) // 2]


def test_works_after_a_flush_removed_the_closed_tags(db):
    Tag.objects.all().delete()
    run_demo_command("--works", "8")
    assert Work.objects.count() == 8
    assert Tag.objects.filter(type=TagType.RATING).count() == len(RATINGS)


def test_someone_elses_demo_account_is_left_alone(db):
    User.objects.create_user(username="demo", email="someone@example.org", password="x")
    output = run_demo_command("--works", "10")
    assert "already exists and is not a demo account" in output
    assert Work.objects.count() == 10
    assert User.objects.get(username="demo").email == "someone@example.org"
    assert not Work.objects.filter(creatorships__pseud__user__username="demo").exists()


def test_tag_graph_and_filter_rows_are_what_wrangling_would_give(demo_archive):
    from fanworks.tags.filters import filters_for_works
    from fanworks.tags.models import MetaTagging, ParentLink, TagWord, WorkFilter
    from fanworks.tags.queries import work_ids_filtered_by
    from fanworks.tags.search import fold

    work_ids = list(Work.objects.values_list("pk", flat=True))
    stored: dict[int, dict[int, bool]] = {pk: {} for pk in work_ids}
    for work_id, tag_id, inherited in WorkFilter.objects.values_list(
        "work_id", "tag_id", "inherited"
    ):
        stored[work_id][tag_id] = inherited
    assert stored == filters_for_works(work_ids)

    for tag in Tag.objects.all():
        assert tag.search_name == fold(tag.name)
    assert TagWord.objects.filter(tag__type=TagType.FANDOM).exists()
    fandom = Tag.objects.filter(type=TagType.FANDOM, canonical=True).order_by("-work_tags").first()
    assert fandom is not None
    assert work_ids_filtered_by(fandom).exists()
    assert ParentLink.objects.filter(child=fandom, parent__type=TagType.MEDIA).exists()
    for relationship in Tag.objects.filter(type=TagType.RELATIONSHIP, canonical=True):
        parent_types = set(
            ParentLink.objects.filter(child=relationship).values_list("parent__type", flat=True)
        )
        assert parent_types == {TagType.FANDOM, TagType.CHARACTER}
    for character in Tag.objects.filter(type=TagType.CHARACTER):
        assert ParentLink.objects.filter(child=character, parent__type=TagType.FANDOM).exists()
    assert (
        MetaTagging.objects.exists()
        or not WorkTag.objects.filter(tag__name__startswith="Alternate Universe - ").exists()
    )


def test_pairings_written_the_other_way_round_are_synonyms():
    world = World(1, datetime(2026, 11, 1, tzinfo=UTC))
    checked = 0
    for fandom in (world.fandom(index) for index in range(12)):
        for relationship, reordered in zip(
            fandom.relationship_specs, fandom.reordered_relationship_specs, strict=True
        ):
            if reordered is not None:
                first, second = relationship.name.split("/")
                assert reordered.name == f"{second}/{first}"
                assert reordered.synonym_of is relationship and not reordered.canonical
                checked += 1
    assert checked > 0


@pytest.mark.django_db
def test_demo_works_reach_the_search_outbox():
    from fanworks.search.models import SearchOutbox

    call_command("demo", "--works", "5", stdout=StringIO())
    # Bookmark and series rows (work_id empty) bring in the demo's bookmarks.
    queued = SearchOutbox.objects.exclude(work_id=None).values_list("work_id", flat=True)
    assert set(queued) == set(Work.objects.values_list("pk", flat=True))


def test_kudos_and_hits_are_long_tailed_and_obey_the_kudos_rules(demo_archive):
    works = list(Work.objects.all())
    per_work = Counter(Kudos.objects.values_list("work_id", flat=True))
    for work in works:
        assert work.kudos_count == per_work.get(work.pk, 0)
        if not work.posted:
            assert work.kudos_count == 0 and work.hit_count == 0
        else:
            assert work.hit_count >= work.kudos_count
            recent = HitDay.objects.filter(work=work).aggregate(total=Sum("hits"))["total"]
            assert (recent or 0) <= work.hit_count
    # Never from a creator of the work, never a guest on a restricted work.
    creators = set(Creatorship.objects.values_list("work_id", "pseud__user_id"))
    for work_id, user_id in Kudos.objects.filter(user__isnull=False).values_list(
        "work_id", "user_id"
    ):
        assert (work_id, user_id) not in creators
    assert not Kudos.objects.filter(user__isnull=True, work__restricted=True).exists()
    counts = sorted(per_work.values())
    assert counts and Kudos.objects.filter(user__isnull=True).exists()
    assert counts[-1] >= 3 * counts[len(counts) // 2]  # a few popular works, many quiet ones
    assert HitDay.objects.exists()  # the creators' charts have something to show
