"""`inflow target add email` takes the connector's declared keys, and `target test` signs in over SMTP."""

from __future__ import annotations

from tests.cli.conftest import Run
from tests.unit.sync.test_email import _Server, smtp_server

__all__ = ["smtp_server"]


def test_add_and_test_an_email_target(inflow: Run, smtp_server: _Server) -> None:
    port = str(smtp_server.server_address[1])
    sets = ["address=learning@example.org", "smtp_host=127.0.0.1", f"smtp_port={port}", "security=plain",
            "username=ada@example.org"]  # fmt: skip
    added = inflow("target", "add", "email", "--name", "team", *[a for s in sets for a in ("--set", s)])
    assert added.returncode == 0, added.stderr
    tested = inflow("target", "test", "team", env={"INFLOW_SECRET_TEAM": "s3cret"})
    assert tested.returncode == 0, tested.stderr
    assert "Signed in to 127.0.0.1 as ada@example.org" in tested.stdout
    refused = inflow("target", "test", "team", env={"INFLOW_SECRET_TEAM": "wrong"})
    assert refused.returncode == 1 and "sign in again" in refused.stderr
