"""Trims the ICU data library that Qt links (libicudata.so.NN, 32 MB) to what an English-only app uses.

The library holds one ICU "common data" package (a table of contents, then the items) under the
exported symbol `icudtNN_dat`. The items that go are the locale-specific resource bundles
(`de.res`, `coll/fr_CA.res`, `zone/ja.res`, ...) of every locale except root and English: Inflow's UI
is English only, and ICU falls back to root for any locale it does not find. Everything else stays:
converters, break iterators and dictionaries, normalization, Unicode properties, collation's UCA data,
and the non-locale bundles (supplementalData, zoneinfo64, metaZones, res_index, pool, ...).

The filtered package is written back over the original bytes and the rest of the blob is zeroed, so
the ELF file itself (symbol, size, sections) is unchanged; the zeros cost nothing in a tar.gz or .deb.
No ICU tools are needed: the package format is read and written here.
"""

from __future__ import annotations

import re
import struct
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

_ALIGN = 16
_LOCALE_RES = re.compile(r"^[a-z]{2,3}(_[A-Za-z0-9]+)*\.res$")
_NOT_A_LOCALE = frozenset({"res_index.res"})
KEEP_LOCALES = ("root", "en")
"""Locales whose bundles stay: root (every fallback ends there) and English with its regional variants."""


class IcuDataError(Exception):
    """The library does not hold an ICU common data package this module understands."""


def is_foreign_locale(name: str) -> bool:
    """True for an item that is a resource bundle of a locale other than root or English."""
    base = name.rsplit("/", 1)[-1]
    if base in _NOT_A_LOCALE or not _LOCALE_RES.match(base):
        return False
    locale = base.removesuffix(".res")
    return not any(locale == keep or locale.startswith(keep + "_") for keep in KEEP_LOCALES)


def read_package(blob: bytes) -> tuple[bytes, list[tuple[str, bytes]]]:
    """(header, [(item name, item bytes), ...]) of an ICU common data package."""
    if len(blob) < 16 or blob[2:4] != b"\xda\x27" or blob[12:16] != b"CmnD":
        raise IcuDataError("not an ICU common data package (no CmnD header)")
    header_size = struct.unpack_from("<H", blob, 0)[0]
    toc = blob[header_size:]
    count = struct.unpack_from("<I", toc, 0)[0]
    entries = [struct.unpack_from("<II", toc, 4 + 8 * i) for i in range(count)]
    items = []
    for index, (name_offset, data_offset) in enumerate(entries):
        end = entries[index + 1][1] if index + 1 < count else len(toc)
        name = toc[name_offset : toc.index(b"\0", name_offset)].decode("ascii")
        items.append((name, toc[data_offset:end]))
    return blob[:header_size], items


def write_package(header: bytes, items: Sequence[tuple[str, bytes]]) -> bytes:
    """The package bytes: header, table of contents (names kept in their sorted order), items aligned."""
    toc_size = 4 + 8 * len(items)
    names = b"".join(name.encode("ascii") + b"\0" for name, _ in items)
    offset = toc_size + len(names)
    offset += -(len(header) + offset) % _ALIGN
    name_offset = toc_size
    table, body = [struct.pack("<I", len(items))], []
    for name, data in items:
        table.append(struct.pack("<II", name_offset, offset))
        name_offset += len(name) + 1
        padding = -(len(header) + offset + len(data)) % _ALIGN
        body.append(data + b"\0" * padding)
        offset += len(data) + padding
    head = header + b"".join(table) + names
    return head + b"\xaa" * (-len(head) % _ALIGN) + b"".join(body)  # ICU's own tools pad with 0xaa


def filter_package(blob: bytes, drop: Callable[[str], bool] = is_foreign_locale) -> tuple[bytes, list[str]]:
    """(the package without the items `drop` picks, zero-padded to the original length; dropped names)."""
    header, items = read_package(blob)
    kept = [(name, data) for name, data in items if not drop(name)]
    package = write_package(header, kept)
    if len(package) > len(blob):
        raise IcuDataError("the filtered package is larger than the original")
    return package + b"\0" * (len(blob) - len(package)), [name for name, _ in items if drop(name)]


def data_symbol(library: Path) -> tuple[int, int]:
    """(file offset, size) of the `icudtNN_dat` symbol, read with binutils' readelf."""

    def readelf(*args: str) -> str:
        return subprocess.run(["readelf", "-W", *args, str(library)], capture_output=True, text=True, check=True).stdout

    symbol = re.search(
        r"^\s*\d+:\s+([0-9a-f]+)\s+(0x[0-9a-f]+|\d+)\s+OBJECT.*\sicudt\d+_dat$", readelf("--dyn-syms"), re.M
    )
    if symbol is None:
        raise IcuDataError(f"{library.name}: no icudtNN_dat symbol")
    address, size = int(symbol.group(1), 16), int(symbol.group(2), 0)
    for line in readelf("-S").splitlines():
        fields = re.match(r"^\s*\[\s*\d+\]\s+\S+\s+PROGBITS\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)", line)
        if fields:
            start, offset, length = (int(value, 16) for value in fields.groups())
            if start <= address < start + length:
                return offset + address - start, size
    raise IcuDataError(f"{library.name}: the data symbol is in no section")


def trim_library(source: Path, destination: Path) -> list[str]:
    """Write a copy of the ICU data library with the foreign locales' items removed; their names."""
    offset, size = data_symbol(source)
    data = bytearray(source.read_bytes())
    filtered, dropped = filter_package(bytes(data[offset : offset + size]))
    data[offset : offset + size] = filtered
    destination.parent.mkdir(parents=True, exist_ok=True)
    destination.write_bytes(bytes(data))
    destination.chmod(source.stat().st_mode & 0o777)
    return dropped
