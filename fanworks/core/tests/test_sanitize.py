import time

import pytest

from fanworks.core.sanitize import (
    MAX_NESTING_DEPTH,
    SANITIZER_VERSION,
    NestingTooDeep,
    add_paragraphs,
    nesting_depth,
    sanitize_html,
)

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="&#106;avascript:alert(1)">click</a>',
    '<a href="java\tscript:alert(1)">click</a>',
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<iframe src="https://example.org"></iframe>',
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<div onclick="alert(1)">click</div>',
    '<object data="evil.swf"></object>',
    "<body onload=alert(1)>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<img src="javascript:alert(1)">',
    '<img src="data:image/svg+xml,<svg onload=alert(1)>">',
    '<form action="/users/logout"><button>x</button></form>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
]


@pytest.mark.parametrize("payload", HOSTILE)
def test_sanitize_html_removes_script_vectors(payload):
    html = sanitize_html(payload).html.lower()
    assert "<script" not in html
    assert "onerror" not in html and "onclick" not in html and "onload" not in html
    assert "javascript:" not in html
    assert "<iframe" not in html and "<svg" not in html and "<object" not in html
    assert "style=" not in html
    assert "<form" not in html and "<meta" not in html


def test_sanitize_html_keeps_ao3_formatting_and_forces_nofollow():
    result = sanitize_html(
        '<p align="center"><b>Bold</b> <em>em</em> <a href="https://example.org">link</a></p>'
        '<img src="https://example.org/a.png" alt="art">'
    )
    assert '<p align="center"><b>Bold</b> <em>em</em>' in result.html
    assert 'rel="nofollow noopener noreferrer"' in result.html
    assert '<img src="https://example.org/a.png" alt="art">' in result.html
    assert result.version == SANITIZER_VERSION


def test_relative_image_sources_are_dropped_but_relative_links_kept():
    html = sanitize_html('<img src="/users/logout"><a href="/works/1">w</a>').html
    assert "logout" not in html
    assert 'href="/works/1"' in html


def test_plain_text_becomes_paragraphs_and_line_breaks():
    html = sanitize_html("First line\nsecond line\n\nNew paragraph").html
    assert html == "<p>First line<br>\nsecond line</p>\n<p>New paragraph</p>"


def test_author_html_blocks_are_not_wrapped_again():
    assert add_paragraphs("<p>One</p>\n\n<p>Two</p>") == "<p>One</p>\n<p>Two</p>"


def test_deep_nesting_is_refused_before_sanitising_and_quickly():
    hostile = "<div>" * 100_000 + "x" + "</div>" * 100_000
    started = time.perf_counter()
    with pytest.raises(NestingTooDeep):
        sanitize_html(hostile)
    assert time.perf_counter() - started < 0.5


def test_nesting_at_the_limit_is_allowed():
    ok = "<div>" * MAX_NESTING_DEPTH + "x" + "</div>" * MAX_NESTING_DEPTH
    assert nesting_depth(ok) == MAX_NESTING_DEPTH
    assert "x" in sanitize_html(ok).html


def test_unclosed_paragraphs_do_not_count_as_nesting():
    assert nesting_depth("<p>one<p>two<p>three" * 1000) == 0


def test_sanitising_is_idempotent():
    once = sanitize_html("<p>Hello <i>there</i></p><blockquote>q</blockquote>").html
    assert sanitize_html(once).html == once
