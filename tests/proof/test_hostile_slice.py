"""The hostile-input campaign's fixed-seed slice (bench/hostile_input.py): every surface, 40 cases each,
no defect; then one regression test per defect the campaign found."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bench.hostile_input import SURFACES, DefectError, Sandbox, judge_cli, probe_policy, run_cli, run_surface

SLICE_EXAMPLES = 40


@pytest.mark.timeout(120)
@pytest.mark.parametrize("surface", SURFACES, ids=lambda s: s.name)
def test_surface_survives_hostile_input(surface: object) -> None:
    tally = run_surface(surface, SLICE_EXAMPLES, seed_value=14)  # type: ignore[arg-type]
    assert tally.cases >= SLICE_EXAMPLES // 2
    assert tally.defects == {}, "\n".join(f"{k}\n  e.g. {v}" for k, v in tally.defects.items())


def test_the_judge_refuses_a_traceback_and_a_message_of_several_lines() -> None:
    assert judge_cli(0, "") == "ok"
    assert judge_cli(1, "inflow: that is not a bookmarks file\n") == "clear"
    with pytest.raises(DefectError):
        judge_cli(1, 'Traceback (most recent call last):\n  File "x"\nValueError: x\n')
    with pytest.raises(DefectError):
        judge_cli(1, "inflow: one\ninflow: two\n")
    with pytest.raises(DefectError):
        judge_cli(1, "")


# ------------------------------------------------------------------------------ defects found, regressions


def _import(tmp_path: Path, name: str, data: bytes) -> tuple[int, str]:
    path = tmp_path / name
    path.write_bytes(data)
    code, _out, err = run_cli(["--basedir", str(tmp_path / "base"), "import", str(path)])
    return code, err


def test_a_deeply_nested_json_export_is_refused_in_one_line(tmp_path: Path) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    code, err = _import(tmp_path, "deep.json", b'{"format": "inflow-export", "moments": [' + deep + b"]}")
    assert code == 1
    assert err.strip() == "inflow: deep.json: this Inflow export is nested too deeply (at moment #1)"


def test_a_markdown_file_with_an_unknown_kind_is_refused_in_one_line(tmp_path: Path) -> None:
    code, err = _import(tmp_path, "note.md", b'---\nkind: "0"\ntitle: "x"\n---\nbody\n')
    assert code == 1
    assert err.strip() == "inflow: note.md: unknown kind '0' (tip, resource or question)"


def test_an_unknown_kind_in_a_json_export_skips_that_moment_with_a_short_reason(tmp_path: Path) -> None:
    from storage.interchange.json_format import parse_inflow_json

    source = parse_inflow_json({"moments": [{"kind": "x" * 100_000}, {"kind": "tip", "title": "kept"}]})
    assert [item.title for item in source.items] == ["kept"]
    assert source.problems == [f"moment #1: unknown kind '{'x' * 40}' (tip, resource or question)"]


def test_a_deeply_nested_config_file_falls_back_to_defaults(tmp_path: Path) -> None:
    config = tmp_path / "base" / "config" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_bytes(b"a = " + b"[" * 50_000 + b"]" * 50_000)
    code, out, err = run_cli(["--basedir", str(tmp_path / "base"), "doctor"])
    assert (code, "Traceback" in err) == (0, False)
    assert "not valid TOML" in out + err


def test_a_deeply_nested_policy_file_is_ignored_and_reported(tmp_path: Path) -> None:
    assert probe_policy(Sandbox(tmp_path), b"a = " + b"[" * 50_000 + b"]" * 50_000) == "clear"
    from app.policy.linux_files import read_policy_files

    reading = read_policy_files(tmp_path / "policy", owner_uid=os.getuid())
    assert any("policy.toml: not valid TOML" in problem for problem in reading.problems)


def test_saving_a_setting_keeps_an_invalid_config_file_aside(tmp_path: Path) -> None:
    from app.config import load_config, save_settings
    from app.paths import resolve_paths

    paths = resolve_paths(str(tmp_path / "base"))
    paths.config_file.parent.mkdir(parents=True)
    broken = b'hotkey = "Ctrl+Alt+K"\n[targets.team\nkind = "matrix"\n'  # a typo: the table is not closed
    paths.config_file.write_bytes(broken)
    assert any("not valid TOML" in problem for problem in load_config(paths).problems)
    save_settings(paths, {"hotkey": "Ctrl+Alt+L"})
    assert load_config(paths).values["hotkey"] == "Ctrl+Alt+L"
    kept = list(paths.config_file.parent.glob("config.toml.invalid-*"))
    assert [path.read_bytes() for path in kept] == [broken]  # what the person wrote is not lost


def test_a_link_with_an_unbalanced_bracket_is_refused_in_one_line(tmp_path: Path) -> None:
    code, _out, err = run_cli(["--basedir", str(tmp_path / "base"), "capture", "--url", "https://host]/x", "hi"])
    assert code == 2
    assert "is not a web link" in err
    assert "Traceback" not in err


def test_a_pasted_page_of_words_searches_in_bounded_time(tmp_path: Path) -> None:
    from storage.search import MAX_PHRASES, parse_query

    expression, _terms = parse_query("ab " * 100_000 + " ".join(f"w{i}" for i in range(1000)))
    assert expression is not None
    assert expression.count(" AND ") == MAX_PHRASES - 1


@pytest.mark.parametrize("body_size", [(1 << 20) + (1 << 18), 3 << 20])  # read whole once / cut off by the cap
def test_a_moment_bigger_than_any_export_holds_is_refused_before_it_fills_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body_size: int
) -> None:
    import sqlite3

    from storage.interchange import json_format

    monkeypatch.setattr(json_format, "MAX_ENTRY_CHARS", 1 << 20)  # 1 MiB here; 128 MiB in use
    first = b'{"kind": "tip", "title": "kept only with the rest", "body": "x"}'
    huge = b'{"kind": "tip", "title": "huge", "body": "' + b"a" * body_size + b'"}'
    document = b'{"format": "inflow-export", "moments": [' + first + b", " + huge + b"]}"
    code, err = _import(tmp_path, "bomb.json", document)
    assert code == 1
    assert err.strip() == (
        "inflow: bomb.json: moment #2 of this Inflow export is over 1 MiB, more than an export holds for one "
        "moment; nothing was imported"
    )
    with sqlite3.connect(tmp_path / "base" / "data" / "inflow.db") as db:
        assert db.execute("SELECT count(*) FROM moments").fetchone() == (0,)


def test_a_markdown_file_above_the_limit_is_refused_without_being_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from storage.interchange import markdown_format

    monkeypatch.setattr(markdown_format, "MAX_MARKDOWN_BYTES", 1 << 20)
    code, err = _import(tmp_path, "big.md", b'---\nkind: "tip"\ntitle: "x"\n---\n' + b"word " * (1 << 19))
    assert code == 1
    assert err.strip() == (
        "inflow: big.md: 3 MiB is too big for an Inflow Markdown file (the limit is 1 MiB); it was not read"
    )
