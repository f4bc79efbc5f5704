"""`inflow target add --help` lists every registered kind with its label (read from the registry, so
the list cannot go stale), without loading the registry for other commands; and the docs that list
kinds on one line list them all."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from sync.registry import connector_for, kinds
from tests.cli.conftest import ROOT, Run


def test_target_add_help_lists_every_kind_with_its_label(inflow: Run) -> None:
    done = inflow("target", "add", "--help")
    assert done.returncode == 0, done.stderr
    text = " ".join(done.stdout.split())  # as wrapped for the terminal
    for kind in kinds():
        assert f"{kind}: {connector_for(kind).label}" in text, kind


def test_building_the_parser_does_not_load_the_registry() -> None:
    probe = "import sys, app.cli; app.cli.build_parser(); print('sync.registry' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.strip() == "False"


def test_a_line_of_the_docs_that_names_several_kinds_names_them_all() -> None:
    names = set(kinds())
    for doc in (ROOT / "README.md", *sorted(Path(ROOT, "docs").glob("*.md"))):
        for number, line in enumerate(doc.read_text().splitlines(), 1):
            named = set(re.findall(r"`([a-z-]+)`", line)) & names
            assert len(named) < 2 or named == names, f"{doc.name}:{number} lists only {sorted(named)}"
