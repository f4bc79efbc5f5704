"""A real Ralph (xAPI LRS) on 127.0.0.1 for integration tests.

The fs backend (one JSON-lines file in the data dir, no database) with basic auth from an auth file,
served by uvicorn (in `ralph_asgi`, with its APPEND fix of the fs backend). One user with every scope is created before
the first start.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import requests

from . import HTTP_TIMEOUT, ServerProcess, check, free_port, log_tail, server_python

XAPI_VERSION = "1.0.3"


class Ralph:
    """A running Ralph LRS. Made by `Ralph.create`; `stop()` and `start()` keep port and statements."""

    username = "inflow-test"
    password = "inflow-test-password"
    agent_mbox = "mailto:inflow-test@example.org"

    def __init__(self, data_dir: Path, port: int) -> None:
        self.data_dir = data_dir
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        #: The xAPI base: statements are at f"{endpoint}/statements".
        self.endpoint = f"{self.base_url}/xAPI"
        self.log = data_dir / "ralph.log"
        self.statements_dir = data_dir / "lrs"
        python = server_python("ralph")
        self._python = python
        self._env = {key: value for key, value in os.environ.items() if not key.startswith("RALPH_")}
        self._env.update(
            {
                "RALPH_APP_DIR": str(data_dir / "app"),
                "RALPH_AUTH_FILE": str(data_dir / "auth.json"),
                "RALPH_RUNSERVER_BACKEND": "fs",
                "RALPH_RUNSERVER_AUTH_BACKENDS": "basic",
                "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(self.statements_dir),
                "RALPH_BACKENDS__DATA__FS__DEFAULT_DIRECTORY_PATH": str(self.statements_dir),
            }
        )
        self._http = requests.Session()
        self._process = ServerProcess(
            "ralph",
            [python, "-P", Path(__file__).with_name("ralph_asgi.py"), "127.0.0.1", str(port)],
            cwd=data_dir,
            log=self.log,
            env=self._env,
            ready_url=f"{self.base_url}/__heartbeat__",
        )

    @classmethod
    def create(cls, data_dir: Path) -> Ralph:
        """Configure a fresh LRS in `data_dir` (which must exist), add the user, start on a free port."""
        server = cls(data_dir, free_port())
        for path in (data_dir / "app", server.statements_dir):
            path.mkdir(parents=True, exist_ok=True)
        server._add_user()
        server.start()
        return server

    def _add_user(self) -> None:
        # bcrypt: ~1.3 s. The server caches the auth file, so users are added before it starts.
        argv = [
            str(self._python),
            "-m",
            "ralph",
            "auth",
            "-u",
            self.username,
            "-p",
            self.password,
            "-s",
            "all",
            "-M",
            self.agent_mbox,
            "-N",
            "Inflow Test",
            "-w",
        ]
        with self.log.open("ab") as log:
            result = subprocess.run(
                argv,
                cwd=self.data_dir,
                env=self._env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=60,
                check=False,
            )
        if result.returncode != 0:
            raise RuntimeError(f"`ralph auth` failed ({result.returncode}); {self.log}:\n{log_tail(self.log)}")

    # ------------------------------------------------------------------ process

    def start(self) -> None:
        """Start the LRS (same port, same statements) and wait until GET /__heartbeat__ answers."""
        self._process.start()

    @property
    def running(self) -> bool:
        """Whether the LRS process is up (started and not stopped)."""
        return self._process.running

    def stop(self) -> None:
        """Stop the LRS: SIGTERM (then SIGKILL) to its process group. Idempotent."""
        self._process.stop()

    def close(self) -> None:
        """Stop the LRS and release the HTTP session (the fixture's teardown)."""
        self.stop()
        self._http.close()

    # ------------------------------------------------------------------ reading back

    @property
    def auth(self) -> tuple[str, str]:
        """The fixture user's basic-auth credentials, as `requests` takes them."""
        return (self.username, self.password)

    def statements(self, auth: tuple[str, str] | None = None) -> list[dict[str, Any]]:
        """Every stored statement (GET <endpoint>/statements, following `more`), as the LRS returns them."""
        headers = {"X-Experience-API-Version": XAPI_VERSION}
        url: str | None = f"{self.endpoint}/statements"
        found: list[dict[str, Any]] = []
        while url is not None:
            response = check(self._http.get(url, auth=auth or self.auth, headers=headers, timeout=HTTP_TIMEOUT))
            page: dict[str, Any] = response.json()
            found.extend(page["statements"])
            more = page.get("more")
            # Ralph offers one extra, empty page when the total is a multiple of the page size.
            url = urljoin(f"{self.base_url}/", more) if more and page["statements"] else None
        return found
