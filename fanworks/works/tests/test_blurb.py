# ruff: noqa: E501 - ORIGINAL is the template as it was, long lines and all
"""The work blurb, built in Python (work_tags.work_blurb), against the template it replaced.

ORIGINAL is works/_blurb.html as it was: the markup AO3 clients parse. The Python version must
print exactly the same bytes for every kind of work.
"""

from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.utils.safestring import mark_safe

from fanworks.core.testing import make_user, make_work
from fanworks.works.models import Work
from fanworks.works.queries import with_listing_data
from fanworks.works.templatetags.work_tags import work_blurb

pytestmark = pytest.mark.django_db

ORIGINAL = """{% load work_tags %}{% rating_badge work as rating %}
<li id="work_{{ work.pk }}" class="work blurb group" role="article">
  <div class="header module">
    <h4 class="heading">
      <a href="/works/{{ work.pk }}">{{ work.title }}</a>
      by
      {% for pseud in work|creators %}<a rel="author" href="{{ pseud.get_absolute_url }}">{{ pseud.byline }}</a>{% if not forloop.last %}, {% endif %}{% empty %}Anonymous{% endfor %}
      {% if work.restricted %}<span class="restricted-marker" title="Restricted">(Restricted)</span>{% endif %}
      {% if not work.posted %}<span class="draft-marker">(Draft)</span>{% endif %}
    </h4>
    <h5 class="fandoms heading">
      <span class="landmark">Fandoms:</span>
      {% fandom_links work %}
    </h5>
    <ul class="required-tags" aria-label="Rating, warnings, category and status">
      <li><span class="rating {{ rating.css }}" title="{{ rating.name }}" data-symbol="{{ rating.short }}"><span class="text">{{ rating.name }}</span></span></li>
      <li><span class="warnings {% if work|has_warnings %}warning-yes{% else %}warning-no{% endif %}" title="{% for tag in work|tags_of_type:'warning' %}{{ tag.name }}{% if not forloop.last %}, {% endif %}{% endfor %}" data-symbol="{% if work|has_warnings %}!{% else %}–{% endif %}"><span class="text">{% for tag in work|tags_of_type:'warning' %}{{ tag.name }}{% if not forloop.last %}, {% endif %}{% endfor %}</span></span></li>
      <li><span class="category" title="{% for tag in work|tags_of_type:'category' %}{{ tag.name }}{% if not forloop.last %}, {% endif %}{% empty %}No category{% endfor %}" data-symbol="{% for tag in work|tags_of_type:'category' %}{{ tag.name }}{% if not forloop.last %} {% endif %}{% empty %}–{% endfor %}"><span class="text">{% for tag in work|tags_of_type:'category' %}{{ tag.name }}{% if not forloop.last %}, {% endif %}{% empty %}No category{% endfor %}</span></span></li>
      <li><span class="{% if work.is_complete %}complete-yes{% else %}complete-no{% endif %}" title="{% if work.is_complete %}Complete Work{% else %}Work in Progress{% endif %}" data-symbol="{% if work.is_complete %}✓{% else %}…{% endif %}"><span class="text">{% if work.is_complete %}Complete Work{% else %}Work in Progress{% endif %}</span></span></li>
    </ul>
    <p class="datetime">{% if work.revised_at %}{{ work.revised_at|date:"d M Y" }}{% else %}{{ work.updated_at|date:"d M Y" }}{% endif %}</p>
  </div>
  <h6 class="landmark heading visually-hidden">Tags</h6>
  <ul class="tags commas">
    {% tag_links work "warning" "warnings" %}{% tag_links work "relationship" "relationships" %}{% tag_links work "character" "characters" %}{% tag_links work "freeform" "freeforms" %}
  </ul>
  {% if work.summary_html %}
    <h6 class="landmark heading visually-hidden">Summary</h6>
    <blockquote class="userstuff summary">{{ work.summary_html|safe }}</blockquote>
  {% endif %}
  {% if work.search_snippet %}{% include "search/_snippet.html" with snippet=work.search_snippet %}{% endif %}
  <dl class="stats">
    <dt class="language">Language:</dt><dd class="language" lang="{{ work.language }}">{{ work.get_language_display }}</dd>
    <dt class="words">Words:</dt><dd class="words">{{ work.word_count|thousands }}</dd>
    <dt class="chapters">Chapters:</dt><dd class="chapters">{{ work.chapters_display }}</dd>
    {% if work.comment_count %}<dt class="comments">Comments:</dt><dd class="comments">{{ work.comment_count|thousands }}</dd>{% endif %}
    {% if work.kudos_count %}<dt class="kudos">Kudos:</dt><dd class="kudos">{{ work.kudos_count|thousands }}</dd>{% endif %}
    {% if work.bookmark_count %}<dt class="bookmarks">Bookmarks:</dt><dd class="bookmarks">{{ work.bookmark_count|thousands }}</dd>{% endif %}
    <dt class="hits">Hits:</dt><dd class="hits">{{ work.hit_count|thousands }}</dd>
  </dl>
</li>
"""


def both(work: Work) -> tuple[str, str]:
    return Template(ORIGINAL).render(Context({"work": work})), work_blurb(work) + "\n"


def test_python_blurb_prints_what_the_template_printed():
    user = make_user("blurbwriter")
    plain = make_work(user, title="Plain")
    rich = make_work(
        user,
        title='Tom & Jerry <"quoted"> \'s',
        rating="Explicit",
        warnings=["Major Character Death", "Graphic Depictions Of Violence"],
        categories=["F/M", "Gen"],
        fandoms=["Tidewater Chronicles", "Harbour & Sea"],
        relationships=["Mira/Tomas", "Mira & Tomas"],
        characters=["Mira", 'Tomas "the elder"\'s'],
        freeforms=["Found Family", "Fluff & Angst"],
        summary="<p>A <em>summary</em> &amp; more.</p>",
        restricted=True,
        expected_chapters=1,
    )
    draft = make_work(user, title="Unfinished", post=False, rating="Mature")
    Work.objects.filter(pk=rich.pk).update(
        kudos_count=1234, comment_count=5, bookmark_count=67, hit_count=1_234_567, word_count=98765
    )
    works = list(with_listing_data(Work.objects.filter(pk__in=[plain.pk, rich.pk, draft.pk])))
    assert len(works) == 3
    works[0].search_snippet = SimpleNamespace(  # type: ignore[attr-defined]
        url="/works/1/chapters/2", label="Chapter <1>", html=mark_safe("a <mark>word</mark> here")
    )
    for work in works:
        expected, got = both(work)
        assert got == expected
    shown = "".join(work_blurb(work) for work in works)
    assert "(Restricted)" in shown and "(Draft)" in shown and "search-snippet" in shown
