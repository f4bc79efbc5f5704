"""The shared helpers connectors use to cut a long body and to read their own posts back."""

from __future__ import annotations

import re

from sync.formatting import cut_at_word, strip_rendering

HEADING = re.compile(r"^(Resource|Tip|Question): ")


def test_cut_at_word_ends_at_a_word_and_adds_the_pointer() -> None:
    assert cut_at_word("alpha beta gamma", 12, "(more)") == "alpha beta\n\n(more)"
    assert cut_at_word("x" * 500, 300, "…") == "x" * 300 + "\n\n…"  # no space near: a hard cut


def test_strip_rendering_drops_heading_tags_and_link_only() -> None:
    text = "Tip: Rebase\n\nKeep history clean.\n\nhttps://git.example\n\n#git #flow"
    parts = text.split("\n\n")
    assert strip_rendering(parts, "https://git.example", ("git", "flow"), HEADING) == "Keep history clean."
    assert strip_rendering(parts, None, (), HEADING) == "Keep history clean.\n\nhttps://git.example\n\n#git #flow"
    linked = ["Tip: x", "body", "[https://a.example](https://a.example)"]
    assert strip_rendering(linked, "https://a.example", (), HEADING) == "body\n\n[https://a.example](https://a.example)"
    assert strip_rendering(linked, "https://a.example", (), HEADING, markdown_link=True) == "body"
