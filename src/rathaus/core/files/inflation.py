"""PDF decompression bombs: the compressed streams of a PDF inflated with a bounded decompressor.

A PDF of a few hundred kilobytes can hold a FlateDecode stream of zeros that inflates to a
gigabyte; whatever opens it later (a preview, a merged e-file, the clerk's reader) would fill
its memory. :func:`pdf_inflates_too_far` reads every stream in the file's bytes (also those of
object streams and of objects no reference reaches), inflates it piece by piece through its
Flate layers, counts the output and drops it, and stops as soon as the sum of all streams
exceeds :data:`PDF_MAX_INFLATED_BYTES`. Nothing is inflated in full.
"""

from __future__ import annotations

import mmap
import re
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

CHUNK_BYTES = 64 * 1024
# All Flate-compressed streams of one file together may inflate to this much (a scanned page
# inflates to a few MB).
PDF_MAX_INFLATED_BYTES = 256 * 1024 * 1024
_PDF_MAX_FLATE_LAYERS = 4
_PDF_STREAM = re.compile(rb"(?<![A-Za-z])stream(?:\r\n|\n|\r)")
_PDF_FILTER = re.compile(rb"/Filter\s*(\[[^\]]*\]|/[^\s/<>\[\]()%{}]+)")
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")


def _zlib_header(head: bytes) -> bool:
    return len(head) >= 2 and head[0] & 0x0F == 8 and (head[0] << 8 | head[1]) % 31 == 0


class _Broken(Exception):
    """A layer's data is not valid deflate data (from this point on)."""


def _inflate(chunks: Iterable[bytes], wbits: int) -> Iterator[bytes]:
    """Inflate piece by piece, at most CHUNK_BYTES at a time; stop at the end of the data."""
    decompressor = zlib.decompressobj(wbits)
    for chunk in chunks:
        data = chunk
        while data and not decompressor.eof:
            try:
                piece = decompressor.decompress(data, CHUNK_BYTES)
            except zlib.error:
                raise _Broken from None
            if piece:
                yield piece
            data = decompressor.unconsumed_tail
        if decompressor.eof:
            return


def _counted(pieces: Iterator[bytes], tallies: list[int], index: int) -> Iterator[bytes]:
    for piece in pieces:
        tallies[index] += len(piece)
        yield piece


def _flate_filters(dictionary: bytes) -> int:
    """How many FlateDecode filters the stream's dictionary names first (0 if none or unclear)."""
    found = _PDF_FILTER.search(dictionary)
    if found is None:
        return 0
    names = [
        _PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), name)
        for name in re.findall(rb"/([^\s/\[\]]+)", found.group(1))
    ]
    count = 0
    for name in names:
        if name not in {b"FlateDecode", b"Fl"}:
            break
        count += 1
    return count


def _inflated_bytes(raw: bytes, flate_filters: int, budget: int) -> int:
    """What one stream inflates to through its Flate layers, counted up to just over `budget`.

    The layers are those the dictionary names (raw deflate data without a zlib header too, which
    readers accept); where it names none that can be read here (an indirect filter array), each
    layer whose data starts with a zlib header. The largest output of any layer counts: a layer
    that breaks off leaves the rest of what it read to be counted, as lenient readers would use.
    """
    current: Iterator[bytes] = (raw[i : i + CHUNK_BYTES] for i in range(0, len(raw), CHUNK_BYTES))
    feeds: list[Iterator[bytes]] = []  # what each layer reads
    tallies: list[int] = []  # what each layer gave so far
    while len(feeds) < _PDF_MAX_FLATE_LAYERS:
        try:
            first = next(current, b"")
        except _Broken:  # the last layer added is no deflate data: count what it read instead
            current = feeds.pop()  # the output of the layer before it
            tallies.pop()
            break
        if not first:
            break
        current = _chain(first, current)
        header = _zlib_header(first)
        if not (len(feeds) < flate_filters if flate_filters else header):
            break
        feeds.append(current)
        tallies.append(0)
        wbits = zlib.MAX_WBITS if header else -zlib.MAX_WBITS
        current = _counted(_inflate(current, wbits), tallies, len(tallies) - 1)
    level = len(feeds)
    while level:
        try:
            for _piece in current:
                if max(tallies) > budget:
                    return max(tallies)
            break
        except _Broken:
            level -= 1  # count on what the broken layer did not read
            if not level:
                break
            current = feeds[level]
    return max(tallies, default=0)


def _chain(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    yield from rest


def pdf_inflates_too_far(path: Path) -> bool:
    """True when the file's compressed streams together inflate beyond PDF_MAX_INFLATED_BYTES.

    Every stream in the file's bytes counts (also those of object streams and of objects no
    reference reaches), inflated in small pieces that are counted and dropped.
    """
    budget = PDF_MAX_INFLATED_BYTES
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        position = 0
        while match := _PDF_STREAM.search(data, position):
            end = data.find(b"endstream", match.end())
            if end < 0:
                end = len(data)
            head = data[max(0, match.start() - 4096) : match.start()]
            dictionary = head[head.rfind(b"obj") + 1 :]
            budget -= _inflated_bytes(data[match.end() : end], _flate_filters(dictionary), budget)
            if budget < 0:
                return True
            position = end + 1
    return False
