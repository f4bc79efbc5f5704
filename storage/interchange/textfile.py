"""Reading an import file as text: in chunks (constant memory), UTF-8 when all of it is, else cp1252."""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path

from storage.interchange.items import ImportFormatError

READ_CHUNK = 1 << 16


class TextFile:
    """A file read as text in chunks: UTF-8 (a BOM skipped) when all of it is UTF-8, else cp1252.
    `head` is its first chunk (to tell the format), `progress()` how much was read."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self.name = path.name
        self._read = 0
        try:
            self.size = path.stat().st_size
            self.encoding = _sniff_encoding(path)
            with path.open("rb") as handle:
                raw = handle.read(READ_CHUNK)
        except OSError as exc:
            raise ImportFormatError(f"cannot read {path}: {exc.strerror or exc}") from exc
        self.head = raw.decode(self.encoding, errors="replace")

    def progress(self) -> float:
        """How much of the file was read, 0..1."""
        return min(self._read / self.size, 1.0) if self.size else 1.0

    def chunks(self) -> Iterator[str]:
        decoder = codecs.getincrementaldecoder(self.encoding)(errors="replace")
        try:
            with self._path.open("rb") as handle:
                while raw := handle.read(READ_CHUNK):
                    self._read += len(raw)
                    yield decoder.decode(raw)
        except OSError as exc:
            raise ImportFormatError(f"cannot read {self._path}: {exc.strerror or exc}") from exc
        yield decoder.decode(b"", final=True)


def _sniff_encoding(path: Path) -> str:
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        try:
            while raw := handle.read(READ_CHUNK):
                decoder.decode(raw)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8-sig"
