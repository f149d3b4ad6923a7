"""Limits that keep hostile files out: sizes, zip bombs, unsafe names, encodings.

Every check raises `ImportRefused` with a sentence a person can act on; nothing is written
before these checks pass.
"""

import codecs
import re
import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO

# One work file: AO3's longest works are a few megabytes of HTML.
MAX_FILE_BYTES = 10 * 1024 * 1024
# A zip (or EPUB) may hold at most this many entries and this much once unpacked, and no entry
# may unpack to more than this many times its packed size (text packs ~5-10x; bombs ~1000x).
MAX_ZIP_MEMBERS = 2_000
MAX_ZIP_TOTAL_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100


class ImportRefused(ValueError):
    """The file can't be imported; the message says why."""


@dataclass
class Member:
    name: str
    data: bytes


def read_bounded(stream: IO[bytes], label: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """At most `limit` bytes: reads one more to tell a large file, whatever it claims."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise ImportRefused(f"{label} is larger than {limit // (1024 * 1024)} MB.")
    return data


def _unsafe_name(name: str) -> bool:
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or "\x00" in name:
        return True
    return ".." in PurePosixPath(name.replace("\\", "/")).parts


def open_zip(data: bytes, label: str) -> zipfile.ZipFile:
    """A zip whose listing passed every check; reading members goes through `read_member`."""
    import io

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise ImportRefused(f"{label} is not a readable zip file.") from None
    infos = archive.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        raise ImportRefused(f"{label} holds more than {MAX_ZIP_MEMBERS:,} files.")
    total = 0
    for info in infos:
        if _unsafe_name(info.filename):
            raise ImportRefused(
                f"{label} contains an unsafe path ({info.filename!r}): absolute paths and '..' "
                "are refused."
            )
        if stat.S_ISLNK(info.external_attr >> 16):
            raise ImportRefused(f"{label} contains a symbolic link ({info.filename!r}).")
        total += info.file_size
        if total > MAX_ZIP_TOTAL_BYTES:
            raise ImportRefused(
                f"{label} would unpack to more than {MAX_ZIP_TOTAL_BYTES // (1024 * 1024)} MB."
            )
        if info.file_size > 1024 * 1024 and info.file_size > MAX_COMPRESSION_RATIO * max(
            info.compress_size, 1
        ):
            raise ImportRefused(
                f"{label}: {info.filename!r} is compressed suspiciously well (a zip bomb?)."
            )
    return archive


def read_member(archive: zipfile.ZipFile, name: str, label: str) -> bytes:
    """One entry, read with a cap whatever its header says (headers can lie)."""
    try:
        with archive.open(name) as stream:
            return read_bounded(stream, f"{label}: {name}")
    except KeyError:
        raise ImportRefused(f"{label} has no {name!r}.") from None
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as error:
        raise ImportRefused(f"{label}: {name!r} can't be unpacked ({error}).") from None


def zip_members(data: bytes, label: str) -> Iterator[Member]:
    """The files of a zip of works, in name order, each checked as it is read."""
    archive = open_zip(data, label)
    read_total = 0
    for info in sorted(archive.infolist(), key=lambda entry: entry.filename):
        if info.is_dir():
            continue
        content = read_member(archive, info.filename, label)
        read_total += len(content)
        if read_total > MAX_ZIP_TOTAL_BYTES:
            raise ImportRefused(f"{label} unpacks to more than it declared.")
        yield Member(name=info.filename, data=content)


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]{1,40})""", re.I)


def decode_text(data: bytes, label: str, *, html: bool = False) -> str:
    """UTF-8 (with or without a byte-order mark), UTF-16 with its mark, or for HTML the
    charset its <meta> declares; anything else is refused rather than guessed at."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise ImportRefused(f"{label} is not valid UTF-16 text.") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        declared = _META_CHARSET.search(data[:4096]) if html else None
        if declared:
            try:
                codec = codecs.lookup(declared.group(1).decode("ascii")).name
                if codec != "utf-8":
                    return data.decode(codec)
            except (LookupError, UnicodeDecodeError):
                pass
        raise ImportRefused(
            f"{label} is not UTF-8 text (byte {error.start:,} is not valid); "
            "please save it as UTF-8 and try again."
        ) from None
