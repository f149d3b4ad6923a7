"""The download formats, behind one function: `render(file, fmt) -> bytes`.

HTML and EPUB are built here in Python; PDF, MOBI and AZW3 are converted from the EPUB by
calibre's `ebook-convert` and offered only when it is on PATH.
"""

import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

from django.template.loader import render_to_string
from ebooklib import epub
from lxml import etree

from fanworks.downloads import xhtml
from fanworks.downloads.content import WorkFile

BUILT_IN = ("html", "epub")
CONVERTED = ("azw3", "mobi", "pdf")
# The order of AO3's download menu.
ALL_FORMATS = ("azw3", "epub", "mobi", "pdf", "html")
CONVERTER = "ebook-convert"
CONVERT_TIMEOUT_SECONDS = 120
CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "epub": "application/epub+zip",
    "pdf": "application/pdf",
    "mobi": "application/x-mobipocket-ebook",
    "azw3": "application/vnd.amazon.ebook",
}

EPUB_CSS = """
body { font-family: serif; line-height: 1.4; }
.toc-heading { display: none; }
.meta dt { font-weight: bold; }
blockquote.userstuff { margin: 0.5em 0 1em 1.5em; }
.message { font-style: italic; }
"""


class ConversionFailed(Exception):
    """The converter ran but made no file (it failed or took too long)."""


def _converter_environment() -> dict[str, str]:
    """calibre renders PDFs with Qt WebEngine (Chromium): with no display it needs Qt's
    offscreen platform, and Chromium refuses to run as root inside its sandbox (containers
    often run the archive as root), so there, and only there, the sandbox is switched off.
    What it renders is our own EPUB of sanitised HTML."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        flags = env.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
        env["QTWEBENGINE_CHROMIUM_FLAGS"] = f"{flags} --no-sandbox".strip()
    return env


class FormatUnavailable(Exception):
    """The format is unknown or its converter is not installed."""


def converter_path() -> str | None:
    return shutil.which(CONVERTER)


def available_formats() -> list[str]:
    """The formats this installation can build, in AO3's menu order."""
    converter = converter_path() is not None
    return [fmt for fmt in ALL_FORMATS if fmt in BUILT_IN or converter]


def render_html(file: WorkFile) -> bytes:
    context = {
        "file": file,
        "multi_chapter": len(file.chapters) > 1,
        "words": f"{file.words:,}",
    }
    return render_to_string("downloads/work.html", context).encode()


def _parts(file: WorkFile) -> list[tuple[str, str, list[etree._Element]]]:
    """The HTML download cut into the book's documents: (file name, TOC title, elements)."""
    root = xhtml.parse(render_html(file).decode())
    body = root.find("body")
    assert body is not None
    preface = body.get_element_by_id("preface")
    chapters = body.get_element_by_id("chapters")
    afterword = body.get_element_by_id("afterword")
    parts: list[tuple[str, str, list[etree._Element]]] = [("preface.xhtml", "Preface", [preface])]
    if len(file.chapters) > 1:
        groups: list[list[etree._Element]] = []
        for child in chapters:
            if "group" in (child.get("class") or "").split():
                groups.append([])
            if groups:
                groups[-1].append(child)
        for chapter, group in zip(file.chapters, groups, strict=True):
            wrapper = etree.Element(
                "div", {"id": f"chapter-{chapter.number}", "class": "userstuff"}
            )
            wrapper.extend(group)
            parts.append((f"chapter_{chapter.number}.xhtml", chapter.heading, [wrapper]))
    else:
        parts.append(("chapter_1.xhtml", file.title, [chapters]))
    parts.append(("afterword.xhtml", "Afterword", [afterword]))
    return parts


def _plain(fragment: str) -> str:
    if not fragment.strip():
        return ""
    return " ".join(xhtml.parse(fragment).text_content().split())


def render_epub(file: WorkFile) -> bytes:
    parts = _parts(file)
    where: dict[str, str] = {}
    for name, _title, elements in parts:
        for element in elements:
            for node in element.iter():
                if isinstance(node.tag, str) and node.get("id"):
                    where[node.get("id")] = name

    def fix_fragment(fragment: str) -> str | None:
        return f"{where[fragment]}#{fragment}" if fragment in where else None

    book = epub.EpubBook()
    # A stable identifier per work and archive, so readers see a new version, not a new book.
    book.set_identifier(f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, file.url)}")
    book.set_title(file.title)
    book.set_language(file.language)
    for creator in file.creators or []:
        book.add_author(creator.text)
    if not file.creators:
        book.add_author("Anonymous")
    book.add_metadata("DC", "publisher", file.site_name)
    book.add_metadata("DC", "source", file.url)
    summary = _plain(file.summary_html)
    if summary:
        book.add_metadata("DC", "description", summary)
    for subject in file.subjects:
        book.add_metadata("DC", "subject", subject)
    for index, (number, series) in enumerate(file.series, start=1):
        ident = f"series-{index}"
        book.add_metadata(
            None, "meta", series.text, {"property": "belongs-to-collection", "id": ident}
        )
        book.add_metadata(
            None, "meta", "series", {"refines": f"#{ident}", "property": "collection-type"}
        )
        book.add_metadata(
            None, "meta", str(number), {"refines": f"#{ident}", "property": "group-position"}
        )
    style = epub.EpubItem(
        uid="style", file_name="style.css", media_type="text/css", content=EPUB_CSS.encode()
    )
    book.add_item(style)
    documents = []
    for name, title, elements in parts:
        body = "".join(_cleaned(element, fix_fragment) for element in elements)
        document = epub.EpubHtml(title=title, file_name=name, lang=file.language)
        document.content = f"<html><head></head><body>{body}</body></html>"
        document.add_item(style)
        book.add_item(document)
        documents.append(document)
    book.toc = [
        epub.Link(doc.file_name, doc.title, doc.file_name.split(".")[0]) for doc in documents
    ]
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = ["nav", *documents]
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "work.epub"
        epub.write_epub(str(target), book, {"epub3_pages": False})
        return target.read_bytes()


def _cleaned(element: etree._Element, fix_fragment: object) -> str:
    xhtml.clean_tree(element, fix_fragment)  # type: ignore[arg-type]
    return xhtml.to_xhtml(element)


def render_converted(file: WorkFile, fmt: str) -> bytes:
    """PDF, MOBI or AZW3 from the EPUB, by calibre's ebook-convert."""
    converter = converter_path()
    if converter is None:
        raise FormatUnavailable(fmt)
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "work.epub"
        target = Path(folder) / f"work.{fmt}"
        source.write_bytes(render_epub(file))
        command = [converter, str(source), str(target)]
        if fmt == "pdf":
            command += ["--pdf-page-margin-left", "36", "--pdf-page-margin-right", "36"]
        try:
            subprocess.run(  # noqa: S603 - a fixed program and our own file names
                command,
                check=True,
                capture_output=True,
                timeout=CONVERT_TIMEOUT_SECONDS,
                env=_converter_environment(),
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
            raise ConversionFailed(fmt) from error
        if not target.exists():
            raise ConversionFailed(fmt)
        return target.read_bytes()


def render(file: WorkFile, fmt: str) -> bytes:
    """The work as a file in `fmt` (one of `available_formats()`)."""
    if fmt == "html":
        return render_html(file)
    if fmt == "epub":
        return render_epub(file)
    if fmt in CONVERTED:
        return render_converted(file, fmt)
    raise FormatUnavailable(fmt)
