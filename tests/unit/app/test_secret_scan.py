from __future__ import annotations

import pytest

from app.secret_scan import scan_moment


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
