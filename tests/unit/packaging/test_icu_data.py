"""packaging/icu_data.py: the ICU common data package is read, filtered and written back intact."""

from __future__ import annotations

import importlib.util
import struct
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[3]


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("inflow_icu_data", ROOT / "packaging" / "icu_data.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


icu = _load()
HEADER = struct.pack("<HBB", 32, 0xDA, 0x27) + b"\0" * 8 + b"CmnD" + b"\0" * 16  # 32 bytes, like ICU's


def _item(name: str) -> bytes:
    return f"[{name}]".encode() * 3


NAMES = [
    "icudt73l/coll/de.res", "icudt73l/coll/en_GB.res", "icudt73l/coll/root.res", "icudt73l/coll/ucadata.icu",
    "icudt73l/de.res", "icudt73l/de_AT.res", "icudt73l/en.res", "icudt73l/metaZones.res", "icudt73l/pool.res",
    "icudt73l/res_index.res", "icudt73l/root.res", "icudt73l/sr_Latn_BA.res", "icudt73l/supplementalData.res",
    "icudt73l/zh_Hant.res", "icudt73l/zone/yue.res", "icudt73l/zoneinfo64.res", "icudt73l/cnvalias.icu",
]  # fmt: skip


def test_foreign_locales_go_and_everything_else_stays() -> None:
    dropped = {name for name in NAMES if icu.is_foreign_locale(name)}
    assert dropped == {
        "icudt73l/coll/de.res", "icudt73l/de.res", "icudt73l/de_AT.res", "icudt73l/sr_Latn_BA.res",
        "icudt73l/zh_Hant.res", "icudt73l/zone/yue.res",
    }  # fmt: skip


def test_a_package_round_trips_and_filters_with_aligned_items() -> None:
    items = [(name, _item(name)) for name in NAMES]
    blob = icu.write_package(HEADER, items)
    header, read = icu.read_package(blob)
    assert header == HEADER
    assert [name for name, _ in read] == NAMES  # each item as written, then its padding to 16 bytes
    assert all(data.startswith(_item(name)) and not data[len(_item(name)) :].strip(b"\0") for name, data in read)
    filtered, dropped = icu.filter_package(blob + b"\0" * 64)
    assert len(filtered) == len(blob) + 64  # the same size: the rest is zeros
    _, kept = icu.read_package(filtered)
    assert [name for name, _ in kept] == [n for n in NAMES if n not in set(dropped)]
    assert all(data.startswith(_item(name)) for name, data in kept)
    toc = filtered[len(HEADER) :]
    for index in range(len(kept)):
        data_offset = struct.unpack_from("<I", toc, 4 + 8 * index + 4)[0]
        assert (len(HEADER) + data_offset) % 16 == 0


def test_anything_but_a_common_data_package_is_refused() -> None:
    with pytest.raises(icu.IcuDataError, match="CmnD"):
        icu.read_package(b"\x7fELF" + b"\0" * 60)
