from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.secret_scan import _scanner, required_strings, scan_fields, scan_moment


@pytest.mark.parametrize(
    ("note", "kind"),
    [
        ("key AKIAIOSFODNN7EXAMPLE here", "AWS Access Key"),
        ('password = "hunter2hunter2"', "Secret Keyword"),
        ("see https://user:pa55word@example.com/x", "Basic Auth Credentials"),
        ("-----BEGIN RSA PRIVATE KEY-----", "Private Key"),
        ("ghp_abcdefghijklmnopqrstuvwxyz0123456789", "GitHub Token"),
        ("xoxb-123456789012-1234567890123-abcdefghijklmnopqrstuvwx", "Slack Token"),
    ],
)
def test_common_secrets_are_found(note: str, kind: str) -> None:
    assert [f.describe() for f in scan_moment("", "intro\n" + note, "")] == [f"{kind} in the note, line 2"]


def test_ordinary_prose_links_and_code_are_not_flagged() -> None:
    note = (
        "Use `git rebase -i HEAD~3` to squash. The OAuth token flow is explained at "
        "https://example.org/docs?page=tokens&lang=en.\nRun: export PATH=$HOME/bin:$PATH"
    )
    assert scan_moment("Rebase and OAuth tokens", note, "https://git-scm.com/docs/git-rebase") == []


def test_the_title_and_link_are_checked_too() -> None:
    findings = scan_moment("AKIAIOSFODNN7EXAMPLE", "", "https://bob:s3cretpw@host.example/")
    assert [f.describe() for f in findings] == ["AWS Access Key in the title", "Basic Auth Credentials in the link"]


def test_tags_are_checked_also_when_lower_cased() -> None:
    findings = scan_moment("", "", "", tags=("ghp_abcdefghijklmnopqrstuvwxyz0123456789", "akiaiosfodnn7example", "git"))
    assert [f.describe() for f in findings] == ["GitHub Token in the tags", "AWS Access Key in the tags"]


def test_the_file_name_is_checked() -> None:
    findings = scan_moment("notes", "", "", file_name="AKIAIOSFODNN7EXAMPLE.txt")
    assert [f.describe() for f in findings] == ["AWS Access Key in the file name"]


def test_any_text_that_leaves_can_be_scanned_by_field() -> None:
    fields = [("digest", "weekly\nghp_abcdefghijklmnopqrstuvwxyz0123456789"), ("feed post", "nothing here")]
    assert [(f.field, f.line, f.kind) for f in scan_fields(fields)] == [("digest", 2, "GitHub Token")]


PROSE = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=60)
EXAMPLES = st.sampled_from(
    [
        "key AKIAIOSFODNN7EXAMPLE", 'password = "hunter2hunter2"', "https://user:pa55word@example.com/x",
        "-----BEGIN RSA PRIVATE KEY-----", "xoxb-123456789012-1234567890123-abcdefghijklmnopqrstuvwx",
        "server at 93.184.216.34", 'api_key: "sk_live_0123456789abcdefghijklmn"',
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig",
    ]
)  # fmt: skip


def _gate_patterns() -> list[re.Pattern[str]]:
    return [pattern for _strings, pattern in _scanner()._gates if pattern is not None]


def _from_gate(draw: st.DrawFn) -> str:
    pattern = draw(st.sampled_from(_gate_patterns()))
    return draw(st.from_regex(pattern, fullmatch=False).filter(lambda s: "\n" not in s))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.data())
def test_the_prefilter_finds_exactly_what_detect_secrets_finds_line_by_line(data: st.DataObject) -> None:
    lines = data.draw(st.lists(st.one_of(PROSE, EXAMPLES, st.composite(_from_gate)()), max_size=8))
    text = "\n".join(lines)
    from detect_secrets.core.scan import scan_line

    scanner = _scanner()
    with scanner.settings():
        expected = [
            (number, kind)
            for number, line in enumerate(text.splitlines(), 1)
            for kind in dict.fromkeys(str(s.type) for s in scan_line(line))
        ]
        assert scanner.scan(text) == expected


@pytest.mark.parametrize("pattern", _gate_patterns(), ids=lambda p: p.pattern[:30])
def test_every_match_of_a_detector_holds_one_of_its_required_strings(pattern: re.Pattern[str]) -> None:
    strings = required_strings(pattern)

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.from_regex(pattern))
    def check(text: str) -> None:
        if strings is not None and pattern.search(text):
            assert any(s in text.casefold() for s in strings), (text, strings)

    check()
