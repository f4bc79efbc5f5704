from __future__ import annotations

import pytest

from storage.links import link_problem
from storage.models import Draft, DraftError, Kind, TextTooLongError, validate_draft


@pytest.mark.parametrize(
    "link", ["https://example.org/a", "HTTP://EXAMPLE.ORG", "example.org/page", "https://bob@host.example/x"]
)
def test_web_links_and_links_without_a_scheme_are_kept(link: str) -> None:
    assert link_problem(link) is None
    assert validate_draft(Draft(kind=Kind.RESOURCE, url=link)).url == link


@pytest.mark.parametrize(
    ("link", "scheme"),
    [
        ("javascript:alert(1)", "javascript"),
        (" JaVa\tScript:alert(1)", "javascript"),  # what a browser would still run
        ("\x01javascript:alert(1)", "javascript"),
        ("vbscript:msgbox", "vbscript"),
        ("data:text/html,<script>x</script>", "data"),
        ("file:///home/me/notes.txt", "file"),
        ("ftp://old.example/file", "ftp"),
        ("mailto:team@example.org", "mailto"),
    ],
)
def test_other_schemes_are_refused_with_a_reason(link: str, scheme: str) -> None:
    expected = f"Only web links (http:// or https://) can be saved, not {scheme}: links."
    assert link_problem(link) == expected
    with pytest.raises(DraftError, match="Only web links"):
        validate_draft(Draft(kind=Kind.RESOURCE, title="x", url=link))


@pytest.mark.parametrize("link", ["localhost:8080/admin", "C:\\\\notes\\\\a.txt"])
def test_a_host_or_a_drive_without_a_scheme_asks_for_one(link: str) -> None:
    assert link_problem(link) == "Write the link with http:// or https:// in front (only web links can be saved)."


def test_too_much_text_is_its_own_error_and_claims_no_draft() -> None:
    with pytest.raises(TextTooLongError) as caught:
        validate_draft(Draft(kind=Kind.TIP, body="x" * (1024 * 1024 + 1)))
    assert "limit is 1 MiB" in str(caught.value) and "draft" not in str(caught.value)
