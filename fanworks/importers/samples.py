# ruff: noqa: E501  (the sample download is one long template, kept readable as markup)
"""AO3-layout downloads for tests and the import benchmark (our own markup, written from the
layout described in the client contract, not AO3's templates)."""

import html
import io
import zipfile
from dataclasses import dataclass, field

PROSE = (
    "The lanterns along the harbour wall flickered as Mira counted the ships coming home. "
    "None of them carried the flag she was waiting for, and the tide was already turning."
)


@dataclass
class Sample:
    title: str = "Harbour Lights"
    url: str = "https://archiveofourown.org/works/1001"
    creators: list[str] = field(default_factory=lambda: ["tidewriter"])
    fandoms: list[str] = field(default_factory=lambda: ["Tidewater Chronicles"])
    relationships: list[str] = field(default_factory=lambda: ["Mira/Jonah"])
    characters: list[str] = field(default_factory=lambda: ["Mira", "Jonah"])
    freeforms: list[str] = field(default_factory=lambda: ["Slow Burn"])
    rating: str = "Teen And Up Audiences"
    warnings: list[str] = field(default_factory=lambda: ["No Archive Warnings Apply"])
    categories: list[str] = field(default_factory=lambda: ["F/M"])
    summary: str = "<p>Mira waits for a ship.</p>"
    notes: str = "<p>Written for the harbour exchange.</p>"
    endnotes: str = "<p>Thanks for reading!</p>"
    published: str = "2024-01-02"
    updated: str = "2024-02-03"
    chapters: list[tuple[str, str]] = field(
        default_factory=lambda: [("The Tide", f"<p>{PROSE}</p>"), ("", f"<p>{PROSE} Again.</p>")]
    )
    inspired_by: list[tuple[str, str, str]] = field(default_factory=list)  # url, title, by
    inspired: list[tuple[str, str, str]] = field(default_factory=list)


def _links(names: list[str], kind: str) -> str:
    return ", ".join(
        f'<a rel="tag" href="https://archiveofourown.org/tags/{html.escape(n)}/works">'
        f"{html.escape(n)}</a>"
        for n in names
    )


def ao3_html(sample: Sample) -> str:
    e = html.escape
    rows = [
        ("Rating", [sample.rating]),
        ("Archive Warning", sample.warnings),
        ("Category", sample.categories),
        ("Fandom", sample.fandoms),
        ("Relationship", sample.relationships),
        ("Characters", sample.characters),
        ("Additional Tags", sample.freeforms),
    ]
    tags = "".join(f"<dt>{label}:</dt><dd>{_links(names, label)}</dd>" for label, names in rows)
    chapter_count = len(sample.chapters)
    byline = ", ".join(
        f'<a rel="author" href="https://archiveofourown.org/users/{e(c)}/pseuds/{e(c)}">{e(c)}</a>'
        for c in sample.creators
    )
    parents = "".join(
        f'<li>Inspired by <a href="{e(u)}">{e(t)}</a> by <a href="#">{e(b)}</a></li>'
        for u, t, b in sample.inspired_by
    )
    chapters = []
    for number, (title, text) in enumerate(sample.chapters, start=1):
        heading = f"Chapter {number}" + (f": {e(title)}" if title else "")
        chapters.append(
            f'<div class="meta group"><h2 class="heading">{heading}</h2></div>'
            f'<div class="userstuff">{text}</div>'
        )
    inspired = "".join(
        f'<li><a href="{e(u)}">{e(t)}</a> by <a href="#">{e(b)}</a></li>'
        for u, t, b in sample.inspired
    )
    afterword_dl = (
        f"<dl><dt>Works inspired by this one</dt><dd><ul>{inspired}</ul></dd></dl>"
        if inspired
        else ""
    )
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
<html xmlns="http://www.w3.org/1999/xhtml"><head><meta charset="UTF-8"/>
<title>{e(sample.title)} - {e(", ".join(sample.creators))}</title></head><body>
<div id="preface"><h2 class="toc-heading">Preface</h2>
<p class="message"><b>{e(sample.title)}</b><br/>Posted originally on the <a href="https://archiveofourown.org/">Archive of Our Own</a> at <a href="{e(sample.url)}">{e(sample.url)}</a>.</p>
<div class="meta"><dl class="tags">{tags}<dt>Language:</dt><dd>English</dd>
<dt>Stats:</dt><dd>Published: {sample.published} Updated: {sample.updated} Words: 1,234 Chapters: {chapter_count}/{chapter_count}</dd></dl>
<h1>{e(sample.title)}</h1><div class="byline">by {byline}</div>
<p>Summary</p><blockquote class="userstuff">{sample.summary}</blockquote>
<p>Notes</p><blockquote class="userstuff">{sample.notes}</blockquote>
{f"<ul>{parents}</ul>" if parents else ""}</div></div>
<div id="chapters" class="userstuff">{"".join(chapters)}</div>
<div id="afterword"><h2 class="toc-heading">Afterword</h2><div class="meta">
<div id="endnotes"><p>End Notes</p><blockquote class="userstuff">{sample.endnotes}</blockquote></div>{afterword_dl}</div>
<p class="message">Please <a href="{e(sample.url)}/comments/new">drop by the Archive and comment</a> to let the creator know if you enjoyed their work!</p></div>
</body></html>"""


def ao3_epub(sample: Sample) -> bytes:
    """An EPUB laid out as calibre splits AO3's download: preface, chapters, afterword."""
    page = ao3_html(sample)
    body = page.split("<body>", 1)[1].split("</body>", 1)[0]
    preface, rest = body.split('<div id="chapters"', 1)
    chapters, afterword = ('<div id="chapters"' + rest).split('<div id="afterword">', 1)
    parts = [preface, chapters, '<div id="afterword">' + afterword]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        archive.writestr(
            "META-INF/container.xml",
            '<?xml version="1.0"?><container version="1.0" '
            'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
            '<rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
            "</rootfiles></container>",
        )
        items = "".join(
            f'<item id="p{i}" href="text/part{i}.xhtml" media-type="application/xhtml+xml"/>'
            for i in range(len(parts))
        )
        spine = "".join(f'<itemref idref="p{i}"/>' for i in range(len(parts)))
        archive.writestr(
            "OEBPS/content.opf",
            '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0">'
            f"<metadata/><manifest>{items}</manifest><spine>{spine}</spine></package>",
        )
        for i, part in enumerate(parts):
            archive.writestr(
                f"OEBPS/text/part{i}.xhtml",
                '<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml">'
                f"<head><title>part</title></head><body>{part}</body></html>",
            )
    return buffer.getvalue()
