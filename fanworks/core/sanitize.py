"""The one place user HTML becomes safe HTML.

Creators write HTML or plain text; we keep their raw input and store what `sanitize_html`
returns together with `SANITIZER_VERSION`, so a stricter allowlist can re-clean old rows later.
The allowlist follows AO3's: no `style`, no `svg`/`math`, no script-like content, `rel=nofollow`
on every link.
"""

import re
from dataclasses import dataclass

import nh3

# Bump when the allowlist or the paragraph maker changes; rows with an older version get
# re-sanitised from their raw input.
SANITIZER_VERSION = 1

# Blink stops nesting elements at this depth, and nh3's time grows badly with depth (4 s at
# 40,000 nested divs), so deeper input is refused before it reaches the sanitiser.
MAX_NESTING_DEPTH = 512

ALLOWED_TAGS = {
    "a", "abbr", "acronym", "address", "b", "big", "blockquote", "br", "caption", "center",
    "cite", "code", "col", "colgroup", "details", "figcaption", "figure", "dd", "del", "dfn",
    "div", "dl", "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd",
    "li", "ol", "p", "pre", "q", "rp", "rt", "ruby", "s", "samp", "small", "span", "strike",
    "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr",
    "tt", "u", "ul", "var",
}  # fmt: skip

ALLOWED_ATTRIBUTES = {
    "*": {"align", "dir", "lang", "title"},
    "a": {"href", "name"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "col": {"span", "width"},
    "colgroup": {"span", "width"},
    "details": {"open"},
    "hr": {"align", "width"},
    "img": {"align", "alt", "border", "height", "src", "width"},
    "ol": {"start", "type"},
    "table": {"border", "summary", "width"},
    "td": {"abbr", "axis", "colspan", "height", "rowspan", "width"},
    "th": {"abbr", "axis", "colspan", "height", "rowspan", "scope", "width"},
    "ul": {"type"},
}

# Their content is dropped too, not just the tags.
REMOVED_WITH_CONTENT = {
    "script", "style", "iframe", "math", "noembed", "noframes", "noscript", "plaintext", "svg",
    "xmp", "object", "embed", "template", "textarea", "select", "title",
}  # fmt: skip

LINK_SCHEMES = {"http", "https", "ftp", "mailto"}

# Elements that never hold children, or whose end tag is optional so an author may leave
# them open (`<p>one<p>two`); neither makes a document deeper.
_VOID_OR_SELF_CLOSING = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "option", "rp", "rt",
    "thead", "tbody", "tfoot", "colgroup", "caption",
}  # fmt: skip

_TAG_PATTERN = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)[^>]*?(/?)>")

_BLOCK_START = re.compile(
    r"^\s*<(p|div|blockquote|h[1-6]|ul|ol|dl|table|pre|hr|center|details|figure|address)\b",
    re.IGNORECASE,
)
_ONLY_TAGS = re.compile(r"^\s*(</?[A-Za-z][^>]*>\s*)+$")
_PARAGRAPH_BREAK = re.compile(r"\r?\n[ \t]*\r?\n")


class NestingTooDeep(ValueError):
    """Raised for HTML nested deeper than MAX_NESTING_DEPTH."""


@dataclass(frozen=True)
class Sanitized:
    html: str
    version: int


def nesting_depth(raw: str, *, stop_after: int = MAX_NESTING_DEPTH) -> int:
    """Return how deeply elements nest, counting only elements that need an end tag.

    A single linear scan; it stops as soon as the depth passes `stop_after`, so hostile input
    costs no more than the prefix it takes to prove the point.
    """
    depth = deepest = 0
    for match in _TAG_PATTERN.finditer(raw):
        closing, name, self_closing = match.group(1), match.group(2).lower(), match.group(3)
        if name in _VOID_OR_SELF_CLOSING or self_closing:
            continue
        if closing:
            depth = max(depth - 1, 0)
        else:
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > stop_after:
                    return deepest
    return deepest


def add_paragraphs(raw: str) -> str:
    """Turn blank-line-separated text into paragraphs and single newlines into line breaks.

    Chunks that already start with a block element, or hold only tags, are left alone so that
    authors who write their own HTML get it back as written.
    """
    if "\n" not in raw:
        stripped = raw.strip()
        if not stripped or _BLOCK_START.match(stripped) or _ONLY_TAGS.match(stripped):
            return raw
        return f"<p>{stripped}</p>"
    if re.search(r"<pre\b", raw, re.IGNORECASE):
        # Preformatted text must keep its newlines; only wrap what is outside <pre>.
        return raw
    pieces = []
    for chunk in _PARAGRAPH_BREAK.split(raw.strip()):
        chunk = chunk.strip()
        if not chunk:
            continue
        if _BLOCK_START.match(chunk) or _ONLY_TAGS.match(chunk):
            pieces.append(chunk)
        else:
            pieces.append("<p>" + re.sub(r"\r?\n", "<br />\n", chunk) + "</p>")
    return "\n".join(pieces)


def _filter_attribute(element: str, attribute: str, value: str) -> str | None:
    # Images load without a click, so only absolute web URLs may be their source.
    if element == "img" and attribute == "src":
        scheme = value.strip().split(":", 1)[0].lower() if ":" in value else ""
        return value if scheme in {"http", "https"} else None
    return value


_CLEANER = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    clean_content_tags=REMOVED_WITH_CONTENT,
    url_schemes=LINK_SCHEMES,
    link_rel="nofollow noopener noreferrer",
    attribute_filter=_filter_attribute,
    strip_comments=True,
)


def sanitize_html(raw: str, *, paragraphs: bool = True) -> Sanitized:
    """Return the safe HTML for an author's input.

    Raises NestingTooDeep before any parsing when the input nests deeper than allowed.
    """
    if nesting_depth(raw) > MAX_NESTING_DEPTH:
        raise NestingTooDeep(
            f"HTML is nested more than {MAX_NESTING_DEPTH} levels deep; please simplify it."
        )
    source = add_paragraphs(raw) if paragraphs else raw
    return Sanitized(html=_CLEANER.clean(source).strip(), version=SANITIZER_VERSION)
