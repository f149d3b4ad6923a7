"""Sanitised work HTML made into the XHTML an EPUB 3 reader (and epubcheck) accepts.

The sanitiser keeps what AO3 allows, which includes HTML 4 elements and attributes that
HTML5 dropped (`center`, `tt`, `align`…) and images from other sites, which an EPUB may not
fetch. Here they become their HTML5 equivalents, or go, and links are made absolute.
"""

import re
from collections.abc import Callable
from urllib.parse import quote, urlsplit

from lxml import etree, html

from fanworks.downloads.content import absolute

# HTML 4 elements and what they become.
_RENAMED = {"acronym": "abbr", "big": "span", "center": "div", "strike": "s", "tt": "code"}
_GLOBAL_ATTRIBUTES = {"class", "id", "lang", "title", "dir"}
_ATTRIBUTES = {
    "a": {"href"},
    "ol": {"start", "type"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "details": {"open"},
}
# Elements that are only valid inside certain parents; elsewhere they become a div or span.
_PARENTS = {
    "li": ({"ul", "ol"}, "div"),
    "dt": ({"dl"}, "div"),
    "dd": ({"dl"}, "div"),
    "figcaption": ({"figure"}, "div"),
    "summary": ({"details"}, "div"),
    "rt": ({"ruby"}, "span"),
    "rp": ({"ruby"}, "span"),
    "caption": ({"table"}, "div"),
    "colgroup": ({"table"}, "div"),
    "thead": ({"table"}, "div"),
    "tbody": ({"table"}, "div"),
    "tfoot": ({"table"}, "div"),
    "tr": ({"table", "thead", "tbody", "tfoot"}, "div"),
    "td": ({"tr"}, "div"),
    "th": ({"tr"}, "div"),
}
_LANG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
_VALUES = {
    "dir": {"ltr", "rtl", "auto"},
    "scope": {"row", "col", "rowgroup", "colgroup"},
    "type": {"1", "a", "A", "i", "I"},
    "open": {"open", ""},
}
_LINK_SCHEMES = {"http", "https", "mailto", "ftp"}


def _number_ok(value: str) -> bool:
    return value.isascii() and value.isdigit() and 0 < int(value) < 1000


def safe_url(href: str) -> str | None:
    """An absolute, well-formed link target, or None when the link cannot be kept."""
    href = href.strip()
    if href.startswith("/") and not href.startswith("//"):
        href = absolute(href)
    try:
        scheme = urlsplit(href).scheme.lower()
    except ValueError:
        return None
    if scheme not in _LINK_SCHEMES:
        return None
    return quote(href, safe=":/?#[]@!$&'()*+,;=%~")


def _clean_attributes(element: etree._Element, tag: str) -> None:
    allowed = _GLOBAL_ATTRIBUTES | _ATTRIBUTES.get(tag, set())
    for name, value in list(element.attrib.items()):
        keep = name in allowed
        if name == "lang":
            keep = bool(_LANG.match(value))
        elif name in _VALUES and name in allowed:
            keep = value in _VALUES[name]
        elif name in {"start", "colspan", "rowspan"}:
            keep = keep and _number_ok(value)
        if not keep:
            del element.attrib[name]


def _replace_image(element: etree._Element) -> None:
    """EPUB readers may not fetch remote images: the picture becomes a link to it."""
    source = safe_url(element.get("src", ""))
    alt = (element.get("alt") or "").strip()
    label = f"[Image: {alt}]" if alt else "[Image]"
    tail = element.tail
    element.attrib.clear()
    element.tag = "a" if source else "span"
    if source:
        element.set("href", source)
    element.text = label
    element.tail = tail


# Containers whose children must be certain elements; anything else is wrapped in the first.
_CHILDREN = {
    "ul": ("li", {"li"}),
    "ol": ("li", {"li"}),
    "dl": ("dd", {"dt", "dd"}),
    "tr": ("td", {"td", "th"}),
    "table": ("tr", {"caption", "colgroup", "thead", "tbody", "tfoot", "tr"}),
    "thead": ("tr", {"tr"}),
    "tbody": ("tr", {"tr"}),
    "tfoot": ("tr", {"tr"}),
}


def _pair_terms(dl: etree._Element) -> None:
    """HTML5 lists terms then descriptions: a description with no term before it gets an
    empty term, and a term with no description after it an empty description."""
    previous = None
    for child in list(dl):
        if child.tag == "dd" and previous is None:
            child.addprevious(etree.Element("dt"))
        previous = child.tag
    if previous == "dt":
        dl.append(etree.Element("dd"))


def _wrap_strays(container: etree._Element, wrapper: str, allowed: set[str]) -> None:
    """Put text and elements that may not stand directly in `container` into `wrapper`s."""
    if container.text and container.text.strip():
        stray = etree.Element(wrapper)
        stray.text, container.text = container.text, None
        container.insert(0, stray)
    else:
        container.text = None
    for child in list(container):
        if child.tag not in allowed:
            stray = etree.Element(wrapper)
            child.addprevious(stray)
            stray.append(child)  # moves the child (and its tail) inside
        if child.tail is not None and not child.tail.strip():
            child.tail = None
    for child in container:
        if child.tail and child.tail.strip():
            stray = etree.Element(wrapper)
            stray.text, child.tail = child.tail, None
            child.addnext(stray)
    if container.tag == "dl":
        _pair_terms(container)
    if wrapper == "tr":
        for row in container:
            if row.tag == "tr":
                _wrap_strays(row, "td", {"td", "th"})


def clean_tree(root: etree._Element, fix_fragment: Callable[[str], str | None]) -> None:
    """Make `root`'s descendants valid XHTML5 for an EPUB (in place). `fix_fragment` maps
    an in-page link ("#endnotes") to its place in the book, or None to drop it."""
    for element in list(root.iter()):
        if not isinstance(element.tag, str):  # a comment or processing instruction
            parent = element.getparent()
            if parent is not None:
                parent.remove(element)  # the sanitiser already drops comments; never kept
            continue
        tag = element.tag.lower()
        if tag == "img":
            _replace_image(element)
            continue
        if tag in {"col"}:
            element.getparent().remove(element)
            continue
        tag = _RENAMED.get(tag, tag)
        parent = element.getparent()
        rule = _PARENTS.get(tag)
        if rule is not None and (parent is None or parent.tag not in rule[0]):
            tag = rule[1]
        element.tag = tag
        _clean_attributes(element, tag)
        if tag == "a" and "href" in element.attrib:
            href = element.attrib["href"]
            target = fix_fragment(href[1:]) if href.startswith("#") else safe_url(href)
            if target is None:
                del element.attrib["href"]
            else:
                element.attrib["href"] = target
    for element in list(root.iter(*_CHILDREN)):
        wrapper, allowed = _CHILDREN[element.tag]
        _wrap_strays(element, wrapper, allowed)


def parse(document: str) -> etree._Element:
    return html.document_fromstring(document)


def to_xhtml(element: etree._Element) -> str:
    return etree.tostring(element, method="xml", encoding="unicode")
