"""Turn a file into a `ParsedWork`: AO3 HTML and EPUB downloads, plain text, Markdown.

Parsers only read; they never touch the database. HTML fragments are kept as found and
sanitised when the work is saved (works.actions), like anything an author types.

Text and Markdown files may start with a header of `Key: value` lines, ended by a blank line
(see README, "Importing works"); a line `# Title` starts a chapter.
"""

import datetime
import html
import posixpath
import re
from dataclasses import dataclass, field

import lxml.etree
import lxml.html

from fanworks.core.sanitize import MAX_NESTING_DEPTH, nesting_depth
from fanworks.importers.models import SourceFormat
from fanworks.importers.safety import ImportRefused, decode_text, open_zip, read_member
from fanworks.works.languages import LANGUAGES
from fanworks.works.models import RelationType


@dataclass
class ParsedChapter:
    content: str
    title: str = ""
    summary: str = ""
    notes: str = ""
    endnotes: str = ""


@dataclass
class Reference:
    """A related work the file names: its address, title and creator, and how it relates."""

    url: str
    title: str = ""
    creator: str = ""
    relation: str = RelationType.INSPIRED_BY


@dataclass
class ParsedWork:
    title: str
    source_format: str
    creators: list[str] = field(default_factory=list)
    rating: str = ""
    warnings: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    fandoms: list[str] = field(default_factory=list)
    relationships: list[str] = field(default_factory=list)
    characters: list[str] = field(default_factory=list)
    freeforms: list[str] = field(default_factory=list)
    language: str = "en"
    summary: str = ""
    notes: str = ""
    endnotes: str = ""
    published: datetime.date | None = None
    updated: datetime.date | None = None
    original_url: str = ""
    chapters: list[ParsedChapter] = field(default_factory=list)
    parents: list[Reference] = field(default_factory=list)  # "Inspired by …"
    children: list[Reference] = field(default_factory=list)  # "Works inspired by this one"


_LANGUAGE_BY_NAME = {name.casefold(): code for code, name in LANGUAGES}
_LANGUAGE_BY_NAME.update({code.casefold(): code for code, _ in LANGUAGES})
# AO3 labels its tag rows in the singular or plural; both map to one field.
_TAG_FIELDS = {
    "rating": "rating",
    "ratings": "rating",
    "archive warning": "warnings",
    "archive warnings": "warnings",
    "warning": "warnings",
    "warnings": "warnings",
    "category": "categories",
    "categories": "categories",
    "fandom": "fandoms",
    "fandoms": "fandoms",
    "relationship": "relationships",
    "relationships": "relationships",
    "character": "characters",
    "characters": "characters",
    "additional tags": "freeforms",
    "additional tag": "freeforms",
    "freeform": "freeforms",
    "freeforms": "freeforms",
    "tags": "freeforms",
}
_RELATION_PHRASES = [(str(label).casefold(), value) for value, label in RelationType.choices]
_DATE = re.compile(r"(Published|Updated|Completed):\s*(\d{4}-\d{2}-\d{2})")


def language_code(name: str) -> str:
    return _LANGUAGE_BY_NAME.get(name.strip().casefold(), "en")


def _date(text: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text.strip())
    except ValueError:
        return None


def _split_names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


# ---------------------------------------------------------------------------------------------
# AO3 HTML (and the XHTML inside AO3's EPUBs)


def _text(element: lxml.html.HtmlElement | None) -> str:
    return " ".join(element.text_content().split()) if element is not None else ""


def _inner_html(element: lxml.html.HtmlElement | None) -> str:
    """The element's children as HTML, without the element itself."""
    if element is None:
        return ""
    parts = [html.escape(element.text or "", quote=False)]
    for child in element:
        parts.append(lxml.html.tostring(child, encoding="unicode"))
    return "".join(parts).strip()


def _labelled_blockquote(scope: lxml.html.HtmlElement, labels: set[str]) -> str:
    """The blockquote.userstuff right after a `<p>` whose text is one of `labels`."""
    for paragraph in scope.findall("p"):
        if _text(paragraph).rstrip(":").casefold() in labels:
            following = paragraph.getnext()
            if following is not None and following.tag == "blockquote":
                return _inner_html(following)
    return ""


def _relation_of(text: str) -> str:
    lowered = text.casefold()
    for phrase, value in _RELATION_PHRASES:
        if phrase in lowered:
            return value
    return RelationType.INSPIRED_BY


def _names_a_relation(text: str) -> bool:
    lowered = text.casefold()
    return any(phrase in lowered for phrase, _ in _RELATION_PHRASES)


def _references(scope: lxml.html.HtmlElement, *, relations_only: bool = False) -> list[Reference]:
    """Each `<li>` (or the `<dd>` itself) as "<a>work</a> by <a>creator</a>". With
    `relations_only` (the preface's associations, which also hold "For X." gift lines), only
    items that say how they relate ("Inspired by", "A translation of", ...)."""
    found = []
    items = scope.findall(".//li") or [scope]
    for item in items:
        links = item.findall(".//a")
        if not links or not links[0].get("href"):
            continue
        if relations_only and not _names_a_relation(_text(item)):
            continue
        creator = ", ".join(_text(link) for link in links[1:]) or "Anonymous"
        found.append(
            Reference(
                url=links[0].get("href", "").strip(),
                title=_text(links[0]) or "Untitled",
                creator=creator,
                relation=_relation_of(_text(item)),
            )
        )
    return found


def _tags_block(work: ParsedWork, dl: lxml.html.HtmlElement) -> None:
    for dt in dl.findall("dt"):
        label = _text(dt).rstrip(":").strip().casefold()
        dd = dt.getnext()
        if dd is None or dd.tag != "dd":
            continue
        name = _TAG_FIELDS.get(label)
        if name == "rating":
            work.rating = _text(dd)
        elif name:
            links = dd.findall(".//a")
            values = [_text(link) for link in links] if links else _split_names(_text(dd))
            getattr(work, name).extend(value for value in values if value)
        elif label == "language":
            work.language = language_code(_text(dd))
        elif label == "stats":
            for kind, value in _DATE.findall(_text(dd)):
                if kind == "Published":
                    work.published = _date(value)
                else:
                    work.updated = _date(value)


def _chapters(container: lxml.html.HtmlElement, work_title: str) -> list[ParsedChapter]:
    chapters: list[ParsedChapter] = []
    current: ParsedChapter | None = None
    for child in container:
        classes = set((child.get("class") or "").split())
        if child.tag == "div" and {"meta", "group"} <= classes:
            heading = child.find(".//h2")
            title = _text(heading)
            # "Chapter 3: The Title" keeps only the title; "Chapter 3" alone has none.
            match = re.match(r"^Chapter\s+\d+\s*(?::\s*(.*))?$", title)
            current = ParsedChapter(
                content="",
                title=(match.group(1) or "") if match else title,
                summary=_labelled_blockquote(child, {"chapter summary", "summary"}),
                notes=_labelled_blockquote(child, {"chapter notes", "notes"}),
            )
            chapters.append(current)
        elif child.tag == "div" and "userstuff" in classes:
            if current is None or current.content:
                current = ParsedChapter(content="")
                chapters.append(current)
            current.content = _inner_html(child)
        elif (
            child.tag == "div"
            and (child.get("id") or "").startswith("endnotes")
            and current is not None
        ):
            current.endnotes = _labelled_blockquote(child, {"chapter end notes", "end notes"})
    if not chapters:
        # A one-shot may hold its text straight inside #chapters.
        content = _inner_html(container)
        if content:
            chapters.append(ParsedChapter(content=content))
    for chapter in chapters:
        if chapter.title == work_title and len(chapters) == 1:
            chapter.title = ""
    return [chapter for chapter in chapters if chapter.content.strip()]


def parse_ao3_html(text: str, label: str, source_format: str = SourceFormat.HTML) -> ParsedWork:
    if nesting_depth(text) > MAX_NESTING_DEPTH:
        raise ImportRefused(f"{label}: the HTML is nested more than {MAX_NESTING_DEPTH} deep.")
    try:
        document = lxml.html.document_fromstring(text)
    except (lxml.etree.ParserError, ValueError):
        raise ImportRefused(f"{label}: the HTML could not be read.") from None
    preface = document.find(".//div[@id='preface']")
    container = document.find(".//div[@id='chapters']")
    if preface is None or container is None:
        raise ImportRefused(
            f"{label} is not an AO3 download: it has no preface and chapters "
            '(<div id="preface"> and <div id="chapters">).'
        )
    title_element = preface.find(".//h1")
    title = _text(title_element)
    if not title:
        raise ImportRefused(f"{label}: the preface names no title (<h1>).")
    work = ParsedWork(title=title, source_format=source_format)
    message_links = preface.findall(".//p[@class='message']//a")
    if len(message_links) >= 2:
        work.original_url = (message_links[1].get("href") or "").strip()
    byline = preface.find(".//div[@class='byline']")
    if byline is not None:
        work.creators = [_text(a) for a in byline.findall(".//a") if _text(a)]
        if not work.creators:
            work.creators = _split_names(re.sub(r"^by\s+", "", _text(byline)))
    tags = preface.find(".//dl[@class='tags']")
    if tags is not None:
        _tags_block(work, tags)
    scope = title_element.getparent() if title_element is not None else preface
    work.summary = _labelled_blockquote(scope, {"summary"})
    work.notes = _labelled_blockquote(scope, {"notes"})
    for listing in scope.findall("ul"):
        work.parents.extend(_references(listing, relations_only=True))
    work.chapters = _chapters(container, title)
    if not work.chapters:
        raise ImportRefused(f"{label} has no chapter text.")
    afterword = document.find(".//div[@id='afterword']")
    if afterword is not None:
        endnotes = afterword.find(".//div[@id='endnotes']")
        if endnotes is not None:
            work.endnotes = _labelled_blockquote(endnotes, {"end notes"})
        for dt in afterword.findall(".//dt"):
            if "inspired by this one" in _text(dt).casefold():
                dd = dt.getnext()
                if dd is not None:
                    for reference in _references(dd):
                        reference.relation = RelationType.INSPIRED_BY
                        work.children.append(reference)
    return work


# ---------------------------------------------------------------------------------------------
# AO3 EPUB: calibre split the HTML download into XHTML files; join them in reading order.

_CONTAINER_NS = {"c": "urn:oasis:names:tc:opendocument:xmlns:container"}
_OPF_NS = {"opf": "http://www.idpf.org/2007/opf"}


def _xml(data: bytes, label: str) -> lxml.etree._Element:
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        return lxml.etree.fromstring(data, parser)
    except lxml.etree.XMLSyntaxError as error:
        raise ImportRefused(f"{label}: broken XML ({error}).") from None


def parse_ao3_epub(data: bytes, label: str) -> ParsedWork:
    archive = open_zip(data, label)
    container = _xml(read_member(archive, "META-INF/container.xml", label), label)
    rootfile = container.find(".//c:rootfile", _CONTAINER_NS)
    opf_path = rootfile.get("full-path") if rootfile is not None else None
    if not opf_path:
        raise ImportRefused(f"{label}: the EPUB names no package file.")
    opf = _xml(read_member(archive, opf_path, label), label)
    base = posixpath.dirname(opf_path)
    manifest = {
        item.get("id"): item.get("href", "")
        for item in opf.findall(".//opf:manifest/opf:item", _OPF_NS)
    }
    bodies = []
    for itemref in opf.findall(".//opf:spine/opf:itemref", _OPF_NS):
        href = manifest.get(itemref.get("idref"))
        if not href:
            continue
        path = posixpath.normpath(posixpath.join(base, href.split("#")[0]))
        page = decode_text(read_member(archive, path, label), f"{label}: {path}", html=True)
        body = re.search(r"<body[^>]*>(.*)</body>", page, re.S | re.I)
        bodies.append(body.group(1) if body else "")
    if not bodies:
        raise ImportRefused(f"{label}: the EPUB has no pages in its reading order.")
    # calibre splits the one big page at each chapter; the three divs may be cut in pieces,
    # so join the pages and let the HTML parser close what was split.
    joined = "".join(bodies)
    if 'id="preface"' not in joined and "id='preface'" not in joined:
        raise ImportRefused(f"{label} is not an AO3 EPUB: it has no preface.")
    page = f"<html><body>{joined}</body></html>"
    if 'id="chapters"' not in joined and "id='chapters'" not in joined:
        page = _gather_chapters(page, label)
    return parse_ao3_html(page, label, source_format=SourceFormat.EPUB)


def _gather_chapters(page: str, label: str) -> str:
    """An EPUB with one document per chapter and no `#chapters` around them (this archive's
    own downloads wrap each chapter in a `div#chapter-N`): put the chapters' contents back in
    one `div#chapters` after the preface, as the HTML download has them."""
    if nesting_depth(page) > MAX_NESTING_DEPTH:
        raise ImportRefused(f"{label}: the HTML is nested more than {MAX_NESTING_DEPTH} deep.")
    try:
        document = lxml.html.document_fromstring(page)
    except (lxml.etree.ParserError, ValueError):
        raise ImportRefused(f"{label}: the HTML could not be read.") from None
    body = document.body
    chapters = lxml.html.Element("div", id="chapters")
    for element in list(body):
        if element.get("id") in ("preface", "afterword"):
            continue
        body.remove(element)
        if (element.get("id") or "").startswith("chapter-"):
            chapters.extend(list(element))
        else:
            chapters.append(element)
    preface = body.find("div[@id='preface']")
    body.insert(body.index(preface) + 1 if preface is not None else 0, chapters)
    return lxml.html.tostring(document, encoding="unicode")


# ---------------------------------------------------------------------------------------------
# Plain text and Markdown

_HEADER_LINE = re.compile(r"^([A-Za-z][A-Za-z ]{0,30}):\s*(.*)$")
_HEADER_FIELDS = {
    "title": "title",
    "creator": "creators",
    "creators": "creators",
    "author": "creators",
    "authors": "creators",
    "summary": "summary",
    "notes": "notes",
    "end notes": "endnotes",
    "language": "language",
    "published": "published",
    "updated": "updated",
    "url": "original_url",
    "original url": "original_url",
    "inspired by": "parents",
    **_TAG_FIELDS,
}


def _markdown_inline(text: str) -> str:
    text = html.escape(text, quote=False)
    text = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"<em>\1</em>", text)
    text = re.sub(r"(?<![\w_])_(?!\s)(.+?)(?<!\s)_(?![\w_])", r"<em>\1</em>", text)
    return text


def _body_html(text: str, markdown: bool) -> str:
    """Paragraphs at blank lines, line breaks at single newlines; Markdown adds **bold**,
    *italics* and `---` rules. Everything else is shown as written (escaped)."""
    paragraphs = []
    for chunk in re.split(r"\n[ \t]*\n", text.strip()):
        chunk = chunk.strip()
        if not chunk:
            continue
        if markdown and re.fullmatch(r"(\* *){3,}|(- *){3,}|(_ *){3,}", chunk):
            paragraphs.append("<hr />")
            continue
        lines = [
            _markdown_inline(line) if markdown else html.escape(line, quote=False)
            for line in chunk.splitlines()
        ]
        paragraphs.append("<p>" + "<br />\n".join(lines) + "</p>")
    return "\n".join(paragraphs)


def parse_text(text: str, label: str, *, markdown: bool) -> ParsedWork:
    source = SourceFormat.MARKDOWN if markdown else SourceFormat.TEXT
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    header: dict[str, str] = {}
    first = _HEADER_LINE.match(lines[0]) if lines else None
    if first and first.group(1).strip().casefold() in _HEADER_FIELDS:
        while lines and lines[0].strip():
            match = _HEADER_LINE.match(lines.pop(0))
            if match is None:
                raise ImportRefused(
                    f"{label}: the header ends at a blank line; every header line must look "
                    "like 'Key: value'."
                )
            key = match.group(1).strip().casefold()
            if key in _HEADER_FIELDS:
                name = _HEADER_FIELDS[key]
                header[name] = (
                    f"{header[name]}, {match.group(2)}" if name in header else match.group(2)
                )
    work = ParsedWork(title=header.get("title", "").strip(), source_format=source)
    for name in ("warnings", "categories", "fandoms", "relationships", "characters", "freeforms"):
        getattr(work, name).extend(_split_names(header.get(name, "")))
    work.creators = _split_names(header.get("creators", ""))
    work.rating = header.get("rating", "").strip()
    work.language = language_code(header.get("language", "en"))
    work.summary = html.escape(header.get("summary", "").strip(), quote=False)
    work.notes = html.escape(header.get("notes", "").strip(), quote=False)
    work.endnotes = html.escape(header.get("endnotes", "").strip(), quote=False)
    work.published = _date(header.get("published", ""))
    work.updated = _date(header.get("updated", ""))
    work.original_url = header.get("original_url", "").strip()
    for url in _split_names(header.get("parents", "")):
        work.parents.append(Reference(url=url, title=url, creator="Unknown"))
    chapters: list[tuple[str, list[str]]] = [("", [])]
    for line in lines:
        heading = re.match(r"^#\s+(.+?)\s*#*\s*$", line)
        if heading:
            chapters.append((heading.group(1).strip(), []))
        else:
            chapters[-1][1].append(line)
    for title, body in chapters:
        content = _body_html("\n".join(body), markdown)
        if content:
            work.chapters.append(ParsedChapter(content=content, title=title))
    if not work.title:
        # Without a header, the first chapter heading or the file's name titles the work.
        named = [title for title, _ in chapters if title]
        stem = posixpath.basename(label).rsplit(".", 1)[0]
        work.title = (named[0] if len(named) == 1 else stem) or "Untitled"
        if len(named) == 1 and work.chapters and work.chapters[0].title == work.title:
            work.chapters[0].title = ""
    if not work.chapters:
        raise ImportRefused(f"{label} has no text after its header.")
    return work


# ---------------------------------------------------------------------------------------------


def parse_file(name: str, data: bytes) -> ParsedWork:
    """Choose the parser by the file's name (and, for HTML, its content)."""
    lowered = name.lower()
    if lowered.endswith(".epub"):
        return parse_ao3_epub(data, name)
    if lowered.endswith((".html", ".htm", ".xhtml")):
        return parse_ao3_html(decode_text(data, name, html=True), name)
    if lowered.endswith((".md", ".markdown")):
        return parse_text(decode_text(data, name), name, markdown=True)
    if lowered.endswith(".txt"):
        return parse_text(decode_text(data, name), name, markdown=False)
    raise ImportRefused(
        f"{name}: unknown kind of file; use .html, .epub, .txt or .md (or a .zip of them)."
    )


IMPORTABLE_SUFFIXES = (".html", ".htm", ".xhtml", ".epub", ".txt", ".md", ".markdown")
