"""The markup AO3 clients (FanFicFare, ao3-api, ao3-py) parse, pinned item by item.

The clients match exact class strings ("rating tags", not "tags rating") and rely on the order
of elements, so each test names the element by its exact class attribute (XPath @class=...).
tests/clients runs the real clients; these tests say which piece broke when one of them fails.
"""

import re
from typing import Any

import pytest
from django.test import Client
from lxml import html as lxml_html

from fanworks.core.testing import make_user, make_work
from fanworks.works import actions
from fanworks.works.actions import ChapterData
from fanworks.works.models import Work

pytestmark = pytest.mark.django_db


def page(client: Client, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return lxml_html.fromstring(response.content)


def one(tree: Any, xpath: str) -> Any:
    found = tree.xpath(xpath)
    assert len(found) == 1, (xpath, len(found))
    return found[0]


# AO3's classes come first and in AO3's order; our own styling class may follow them.
META = "//dl[starts-with(@class, 'work meta group')]"


def text(element: Any) -> str:
    return " ".join(element.text_content().split())


@pytest.fixture
def chaptered() -> Work:
    author = make_user("keeper_one")
    work = make_work(
        author,
        title="The Long Tide",
        rating="Teen And Up Audiences",
        categories=["F/M"],
        relationships=["Mira/Oren"],
        characters=["Mira", "Oren"],
        freeforms=["Slow Burn"],
        summary="Two keepers.",
        notes="Head notes.",
        endnotes="Work end notes.",
        expected_chapters=3,
        new_series_title="Keepers",
        chapter_title="First Storm",
    )
    actions.chapter_create(
        work=work,
        data=ChapterData(title="Second Storm", content="<p>Second chapter text.</p>"),
        post=True,
    )
    return Work.objects.get(pk=work.pk)


def test_meta_block_lists_tag_types_in_ao3_order_with_exact_classes(client, chaptered):
    tree = page(client, f"/works/{chaptered.pk}?view_full_work=true")
    meta = one(tree, META)
    classes = [dd.get("class") for dd in meta.xpath("./dd")]
    tag_classes = [c for c in classes if c.endswith(" tags")]
    assert tag_classes == [
        "rating tags",
        "warning tags",
        "category tags",
        "fandom tags",
        "relationship tags",
        "character tags",
        "freeform tags",
    ]
    # Each tag list is ul.commas > li > a.tag, and the stats come after the tags.
    assert meta.xpath("./dd[@class='character tags']/ul[@class='commas']/li/a[@class='tag']/text()")
    assert classes.index("language") > classes.index("freeform tags")
    assert classes.index("stats") > classes.index("series")
    assert one(meta, "./dd[@class='language']").get("lang") == "en"


def test_stats_are_plain_pairs_with_iso_dates_and_chapter_counts(client, chaptered):
    tree = page(client, f"/works/{chaptered.pk}?view_full_work=true")
    stats = one(tree, f"{META}/dd[@class='stats']/dl[@class='stats']")
    pairs = {dd.get("class"): text(dd) for dd in stats.xpath("./dd")}
    labels = [text(dt) for dt in stats.xpath("./dt")]
    assert {"Published:", "Updated:", "Words:", "Chapters:", "Hits:"} <= set(labels)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", pairs["published"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", pairs["status"])
    assert pairs["chapters"] == "2/3"
    assert pairs["words"] == f"{Work.objects.get(pk=chaptered.pk).word_count:,}"
    assert "hits" in pairs


def test_series_position_reads_part_n_of_with_a_series_link(client, chaptered):
    tree = page(client, f"/works/{chaptered.pk}?view_full_work=true")
    position = one(tree, "//dd[@class='series']/span[@class='series']/span[@class='position']")
    link = one(position, "./a")
    assert text(position).startswith("Part 1 of")
    assert re.fullmatch(r"/series/\d+", link.get("href")) and text(link) == "Keepers"


def test_preface_has_title_byline_then_summary_before_notes(client, chaptered):
    tree = page(client, f"/works/{chaptered.pk}/chapters/{chaptered.chapters.first().pk}")
    preface = one(tree, "//div[@id='workskin']/div[@class='preface group']")
    assert text(one(preface, "./h2[@class='title heading']")) == "The Long Tide"
    byline = one(preface, "./h3[@class='byline heading']")
    authors = byline.xpath(".//a[@rel='author']")
    assert [a.get("href") for a in authors] == ["/users/keeper_one/pseuds/keeper_one"]
    assert text(byline) == "keeper_one"
    modules = [div.get("class") for div in preface.xpath("./div")]
    assert modules.index("summary module") < modules.index("notes module")
    summary = one(preface, "./div[@class='summary module']/blockquote[@class='userstuff']")
    assert text(summary) == "Two keepers."
    # The summary is the page's first userstuff blockquote: FanFicFare reads the first one.
    assert text(tree.xpath("//blockquote[@class='userstuff']")[0]) == "Two keepers."


def test_chaptered_work_redirects_to_its_first_chapter(client, chaptered):
    first = chaptered.chapters.order_by("position").first()
    response = client.get(f"/works/{chaptered.pk}")
    assert response.status_code == 302
    assert response["Location"] == f"/works/{chaptered.pk}/chapters/{first.pk}"


def test_chapter_view_links_to_the_entire_work_and_full_view_back_by_chapter(client, chaptered):
    first = chaptered.chapters.order_by("position").first()
    chapter_tree = page(client, f"/works/{chaptered.pk}/chapters/{first.pk}")
    nav = one(chapter_tree, "//ul[@class='work navigation actions']")
    entire = one(nav, "./li[@class='chapter entire']/a")
    assert entire.get("href") == f"/works/{chaptered.pk}?view_full_work=true"
    full_tree = page(client, f"/works/{chaptered.pk}?view_full_work=true")
    one(full_tree, "//ul[@class='work navigation actions']/li[@class='chapter bychapter']")


def test_full_view_has_one_div_per_chapter_with_titled_links_and_notes(client, chaptered):
    tree = page(client, f"/works/{chaptered.pk}?view_full_work=true")
    chapters = one(tree, "//div[@id='chapters'][@role='article']")
    blocks = chapters.xpath("./div[@class='chapter']")
    assert [b.get("id") for b in blocks] == ["chapter-1", "chapter-2"]
    ids = list(chaptered.chapters.order_by("position").values_list("pk", flat=True))
    for number, (block, chapter_id) in enumerate(zip(blocks, ids, strict=True), start=1):
        title = one(block, "./div[@class='chapter preface group']/h3[@class='title']")
        link = one(title, "./a")
        assert link.get("href") == f"/works/{chaptered.pk}/chapters/{chapter_id}"
        assert text(link) == f"Chapter {number}"
        body = one(block, "./div[@class='userstuff module'][@role='article']")
        one(body, "./h3[@class='landmark heading'][@id='work']")
    assert "Second chapter text." in text(blocks[1])
    endnotes = one(
        tree,
        "//div[@class='afterword preface group']/div[@id='work_endnotes']"
        "[@class='end notes module']/blockquote[@class='userstuff']",
    )
    assert text(endnotes) == "Work end notes."


def test_work_end_notes_are_on_the_last_chapter_only(client, chaptered):
    first, last = chaptered.chapters.order_by("position")
    first_tree = page(client, f"/works/{chaptered.pk}/chapters/{first.pk}")
    last_tree = page(client, f"/works/{chaptered.pk}/chapters/{last.pk}")
    assert not first_tree.xpath("//div[@id='work_endnotes']")
    one(last_tree, "//div[@id='work_endnotes']")


def test_navigate_lists_chapters_with_dates_and_no_chrome_work_links_first(client, chaptered):
    tree = page(client, f"/works/{chaptered.pk}/navigate")
    links = [a.get("href") for a in tree.xpath("//a[@href]")]
    work_links = [h for h in links if re.fullmatch(r"/works/\d+", h)]
    pseud_links = [h for h in links if re.fullmatch(r"/users/\w+/pseuds/.+", h)]
    assert work_links[0] == f"/works/{chaptered.pk}"  # FanFicFare takes the first as the title
    assert set(pseud_links) == {"/users/keeper_one/pseuds/keeper_one"}
    items = tree.xpath("//ol[@class='chapter index group']/li")
    assert len(items) == 2
    for item in items:
        link = one(item, "./a")
        assert re.fullmatch(rf"/works/{chaptered.pk}/chapters/\d+", link.get("href"))
        date = one(item, "./span[@class='datetime']")
        assert re.fullmatch(r"\(\d{4}-\d\d-\d\d\)", text(date))


def test_chapter_by_id_reaches_the_chapter_with_a_link_to_the_whole_work(client, chaptered):
    first = chaptered.chapters.order_by("position").first()
    response = client.get(f"/chapters/{first.pk}?view_adult=true", follow=True)
    assert response.status_code == 200
    tree = lxml_html.fromstring(response.content)
    entire = one(tree, "//li[@class='chapter entire']/a")
    assert f"/works/{chaptered.pk}" in entire.get("href")


def test_adult_notice_uses_ao3s_sentence_and_continue_link(client):
    work = make_work(rating="Explicit")
    tree = page(client, f"/works/{work.pk}")
    caution = one(tree, "//p[@class='caution notice']")
    assert "This work could have adult content. If you continue, you have agreed" in text(caution)
    proceed = [a for a in tree.xpath("//a") if text(a) == "Yes, Continue"]
    assert len(proceed) == 1 and "view_adult=true" in proceed[0].get("href")
    # ?view_adult=true shows the work and sets the cookie, so later pages skip the notice.
    response = client.get(f"/works/{work.pk}?view_adult=true")
    assert response.status_code == 200 and response.cookies["view_adult"].value == "true"
    assert "caution notice" not in client.get(f"/works/{work.pk}").content.decode()


def test_restricted_work_sends_guests_to_the_login_wall(client):
    work = make_work(restricted=True)
    response = client.get(f"/works/{work.pk}")
    assert response.status_code == 302
    assert response["Location"].startswith("/users/login?restricted=true&return_to=")
    tree = page(client, response["Location"])
    one(tree, "//div[@id='main'][contains(concat(' ', @class, ' '), ' sessions-new ')]")
    assert "This work is only available to registered users of the Archive." in text(tree)
    one(tree, "//form[@id='new_user']//input[@name='authenticity_token']")


def test_restricted_work_shows_the_restricted_image_to_members(client):
    author = make_user()
    work = make_work(author, restricted=True)
    client.force_login(make_user())
    tree = page(client, f"/works/{work.pk}")
    image = one(tree, "//h2[@class='title heading']/img")
    assert image.get("alt") == "(Restricted)" and image.get("title") == "Restricted"


def test_work_page_names_its_view_and_carries_a_csrf_meta_tag(client, chaptered):
    tree = page(client, f"/works/{chaptered.pk}?view_full_work=true")
    main = one(tree, "//div[@id='main']")
    assert {"works-show", "region"} <= set(main.get("class").split())
    assert one(tree, "//meta[@name='csrf-token']").get("content")


def test_listing_blurb_has_ao3s_header_tags_summary_and_stats(client, chaptered):
    tree = page(client, "/works")
    blurb = one(tree, f"//li[@id='work_{chaptered.pk}'][@role='article']")
    assert set(blurb.get("class").split()) >= {"work", "blurb"}
    header = one(blurb, "./div[contains(concat(' ', @class, ' '), ' header ')]")
    title = one(header, "./h4[contains(concat(' ', @class, ' '), ' heading ')]/a[1]")
    assert title.get("href") == f"/works/{chaptered.pk}" and text(title) == "The Long Tide"
    one(header, "./h4//a[@rel='author']")
    assert header.xpath("./h5[contains(@class, 'fandoms')]//a[@class='tag']")
    required = one(header, "./ul[contains(@class, 'required-tags')]")
    # The badges' text is the full name (ao3-api reads it); the symbol is only drawn by CSS.
    badges = {span.get("class").split()[0]: text(span) for span in required.xpath("./li/span")}
    assert badges == {
        "rating": "Teen And Up Audiences",
        "warnings": "No Archive Warnings Apply",
        "category": "F/M",
        "complete-no": "Work in Progress",
    }
    assert re.fullmatch(r"\d\d? \w{3} \d{4}", text(one(header, "./p[@class='datetime']")))
    tags = one(blurb, "./ul[contains(@class, 'tags')][contains(@class, 'commas')]")
    assert tags.xpath("./li[@class='relationships']/a[@class='tag']")
    assert tags.xpath("./li[@class='freeforms']/a[@class='tag']")
    one(blurb, "./blockquote[contains(@class, 'summary')][contains(@class, 'userstuff')]")
    one(blurb, "./ul[contains(@class, 'series')]")
    stats = one(blurb, "./dl[@class='stats']")
    assert text(one(stats, "./dd[@class='chapters']")) == "2/3"
    one(stats, "./dd[@class='words']")


def test_user_works_page_heading_counts_works(client, chaptered):
    tree = page(client, "/users/keeper_one/works")
    main = one(
        tree, "//div[@id='main'][contains(@class, 'works-index')][contains(@class, 'region')]"
    )
    heading = text(main.xpath(".//h2")[0])
    assert heading.split()[4] == "1" or re.search(r"\b1 Work", heading), heading
    one(tree, "//ol[contains(@class, 'work')][contains(@class, 'index')]")


def test_pseud_and_tag_pages_list_the_work_as_a_blurb(client, chaptered):
    for url in ("/users/keeper_one/pseuds/keeper_one", "/tags/Slow Burn/works"):
        tree = page(client, url)
        assert tree.xpath(f"//li[@id='work_{chaptered.pk}'][@role='article']"), url


def test_series_page_reads_as_ao3s(client, chaptered):
    series_id = chaptered.series_works.get().series_id
    tree = page(client, f"/series/{series_id}")
    main = one(tree, "//div[@id='main'][contains(@class, 'series-show')]")
    assert text(one(main, ".//h2[contains(@class, 'heading')]")) == "Keepers"
    stats = one(tree, "//dl[contains(@class, 'series')]//dl[@class='stats']")
    assert re.search(r"Complete:\s*(Yes|No)", stats.text_content())
    links = tree.xpath("//h4[contains(@class, 'heading')]/a[1]")
    assert [a.get("href") for a in links] == [f"/works/{chaptered.pk}"]
