"""`inflow target add wordpress` takes the connector's declared keys, and `target test` signs in to a real site."""

from __future__ import annotations

from tests.cli.conftest import Run
from tests.integration.servers.wordpress import WordPress
from tests.integration.test_wordpress import wordpress

__all__ = ["wordpress"]


def test_add_and_test_a_wordpress_target(inflow: Run, wordpress: WordPress) -> None:
    sets = [f"url={wordpress.url}", "username=inflow", "category=Team", "status=publish"]
    added = inflow("target", "add", "wordpress", "--name", "blog", *[a for s in sets for a in ("--set", s)])
    assert added.returncode == 0, added.stderr
    tested = inflow("target", "test", "blog", env={"INFLOW_SECRET_BLOG": wordpress.users["inflow"][1]})
    assert tested.returncode == 0, tested.stderr
    assert "Signed in to 127.0.0.1 as Inflow; posts go in the category 'Team' as publish" in tested.stdout
    refused = inflow("target", "test", "blog", env={"INFLOW_SECRET_BLOG": "abcd efgh ijkl mnop qrst uvwx"})
    assert refused.returncode == 1 and "sign in again" in refused.stderr.lower()
