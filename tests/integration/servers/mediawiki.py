"""A real MediaWiki on 127.0.0.1 for integration tests: Debian's `mediawiki` package, SQLite, `php -S`.

`MediaWiki.create(d)` runs install.php into `d` (the database and LocalSettings.php live there; nothing
under /etc or /var/lib is touched: MW_CONFIG_FILE points at our LocalSettings.php), adds three accounts
with bot passwords, and serves /usr/share/mediawiki with PHP's built-in server (apache2, which the
package pulls in, never runs).

Accounts (log in with `<name>@inflow` and the account's 32-character bot password):
- `admin`: the installer's sysop (exempt from rate limits), for colleagues' edits in tests;
- `bot`: in the `bot` group, grants basic, editpage, createeditmovepage, highvolume (no rate limits);
- `user`: a normal account, grants basic, editpage, createeditmovepage, and `$wgRateLimits['edit']['user']`
  = 3 edits per 60 s, so that `ratelimited` is reachable in seconds (use it for that test only).
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from . import HTTP_TIMEOUT, ServerNotInstalledError, ServerProcess, ServerRequestError, check, free_port

MEDIAWIKI_DIR = Path("/usr/share/mediawiki")
DEBIAN_PACKAGES = "mediawiki php8.2-cli php8.2-sqlite3"
#: Edits a normal (non-bot, non-sysop) account may make per minute on the test wiki.
USER_EDITS_PER_MINUTE = 3

_SETTINGS = f"""
# ---- added by tests/integration/servers/mediawiki.py
$wgMainCacheType = CACHE_DB;      # the rate limiter and sessions need a real cache (the installer chose none)
$wgSessionCacheType = CACHE_DB;
$wgRateLimits['edit']['user'] = [ {USER_EDITS_PER_MINUTE}, 60 ];
$wgGroupPermissions['bot']['noratelimit'] = true;
$wgEnableBotPasswords = true;
$wgShowExceptionDetails = true;
$wgJobRunRate = 0;
$wgDiff3 = '/usr/bin/diff3';      # three-way merges: edit conflicts only where edits really overlap
$wgEnableEmail = false;
"""


@dataclass(frozen=True)
class Account:
    """A wiki user and its bot password (`login` is what action=login takes)."""

    name: str
    login: str
    password: str


def _installed() -> None:
    php = shutil.which("php")
    if not (MEDIAWIKI_DIR / "maintenance" / "install.php").exists() or php is None:
        raise ServerNotInstalledError(
            f"MediaWiki is not installed (Debian packages {DEBIAN_PACKAGES}): run the tests with "
            "`bash scripts/test.sh` (it installs them)"
        )
    modules = subprocess.run([php, "-m"], capture_output=True, text=True, check=False).stdout
    if "pdo_sqlite" not in modules.lower():
        raise ServerNotInstalledError(
            "PHP has no SQLite driver (Debian package php8.2-sqlite3): run the tests with `bash scripts/test.sh`"
        )


class MediaWiki:
    """A running MediaWiki. Made by `MediaWiki.create`; `stop()` and `start()` keep port and data."""

    def __init__(self, data_dir: Path, port: int) -> None:
        self.data_dir = data_dir
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        #: What the connector's `url` setting takes.
        self.api_url = f"{self.base_url}/api.php"
        self.log = data_dir / "php.log"
        self.settings = data_dir / "LocalSettings.php"
        self.env = {**os.environ, "MW_CONFIG_FILE": str(self.settings)}
        self.admin = Account("Admin", "Admin@inflow", secrets.token_hex(16))
        self.bot = Account("InflowBot", "InflowBot@inflow", secrets.token_hex(16))
        self.user = Account("Colleague", "Colleague@inflow", secrets.token_hex(16))
        self._sessions: dict[str, requests.Session] = {}
        self._process = ServerProcess(
            "mediawiki",
            ["php", "-S", f"127.0.0.1:{port}", "-t", str(MEDIAWIKI_DIR)],
            cwd=data_dir,
            log=self.log,
            env=self.env,
            ready_url=f"{self.api_url}?action=query&meta=siteinfo&format=json",
            is_ready=lambda response: response.ok and "generator" in response.text,
        )

    @classmethod
    def create(cls, data_dir: Path) -> MediaWiki:
        """Install a fresh wiki into `data_dir` (which must exist), add the accounts, start it on a free port."""
        _installed()
        server = cls(data_dir, free_port())
        server._install()
        server.start()
        return server

    # ------------------------------------------------------------------ process

    def start(self) -> None:
        """Serve the wiki (same port, same data) and wait until api.php answers."""
        self._process.start()

    @property
    def running(self) -> bool:
        return self._process.running

    def stop(self) -> None:
        """Stop PHP's server: SIGTERM (then SIGKILL) to its process group. Idempotent."""
        self._process.stop()
        self._sessions.clear()

    def close(self) -> None:
        self.stop()

    def _maintenance(self, script: str, *args: str) -> None:
        argv = ["php", str(MEDIAWIKI_DIR / "maintenance" / script), *args]
        done = subprocess.run(argv, cwd=self.data_dir, env=self.env, capture_output=True, text=True, check=False)
        with self.log.open("a") as log:
            log.write(f"$ {' '.join(argv[:3])} ...\n{done.stdout}{done.stderr}\n")
        if done.returncode != 0:
            raise RuntimeError(f"{script} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")

    def _install(self) -> None:
        d = str(self.data_dir)
        self._maintenance(
            "install.php", "--dbtype", "sqlite", "--dbpath", d, "--confpath", d, "--server", self.base_url,
            "--scriptpath", "", "--lang", "en", "--pass", secrets.token_hex(12), "Inflow Test Wiki", self.admin.name,
        )  # fmt: skip
        with self.settings.open("a") as settings:
            settings.write(_SETTINGS)
        self._maintenance("createAndPromote.php", "--bot", self.bot.name, secrets.token_hex(12))
        self._maintenance("createAndPromote.php", self.user.name, secrets.token_hex(12))
        everything = "basic,editpage,createeditmovepage,highvolume,protect,editprotected,delete"
        for account, grants in (
            (self.admin, everything),
            (self.bot, "basic,editpage,createeditmovepage,highvolume"),
            (self.user, "basic,editpage,createeditmovepage"),
        ):
            self._maintenance("createBotPassword.php", "--appid", "inflow", "--grants", grants, account.name,
                              account.password)  # fmt: skip

    # ------------------------------------------------------------------ the API, as one of the accounts

    def session(self, account: Account) -> requests.Session:
        """A requests session logged in as `account` (kept for the server's lifetime)."""
        if account.login in self._sessions:
            return self._sessions[account.login]
        http = requests.Session()
        token = self.api(http, "GET", action="query", meta="tokens", type="login")["query"]["tokens"]["logintoken"]
        answer = self.api(http, "POST", action="login", lgname=account.login, lgpassword=account.password,
                          lgtoken=token)  # fmt: skip
        if answer["login"]["result"] != "Success":
            raise RuntimeError(f"login as {account.login} failed: {answer}")
        self._sessions[account.login] = http
        return http

    def api(self, http: requests.Session, method: str, **params: Any) -> dict[str, Any]:
        """One action API request; ServerRequestError when it answers with an error."""
        fields = {**params, "format": "json", "formatversion": "2"}
        if "token" in fields:
            fields["token"] = fields.pop("token")  # last
        if method == "GET":
            response = http.get(self.api_url, params=fields, timeout=HTTP_TIMEOUT)
        else:
            response = http.post(self.api_url, data=fields, timeout=HTTP_TIMEOUT)
        result: dict[str, Any] = check(response).json()
        if "error" in result:
            raise ServerRequestError(response)
        return result

    def edit(self, account: Account, title: str, **fields: Any) -> dict[str, Any]:
        """action=edit of `title` as `account` (fields: text, appendtext, section, sectiontitle, summary,
        basetimestamp...); returns the `edit` object."""
        http = self.session(account)
        token = self.api(http, "GET", action="query", meta="tokens")["query"]["tokens"]["csrftoken"]
        edit: dict[str, Any] = self.api(http, "POST", action="edit", title=title, **fields, token=token)["edit"]
        return edit

    def wikitext(self, title: str) -> str:
        """The current wikitext of `title` ('' when the page does not exist)."""
        answer = self.api(
            self.session(self.admin), "GET", action="query", prop="revisions", titles=title,
            rvprop="content", rvslots="main",
        )  # fmt: skip
        page = answer["query"]["pages"][0]
        if page.get("missing"):
            return ""
        content: str = page["revisions"][0]["slots"]["main"]["content"]
        return content

    def sections(self, title: str) -> list[dict[str, Any]]:
        """action=parse's sections of `title` (index, line, anchor, byteoffset...)."""
        answer = self.api(self.session(self.admin), "GET", action="parse", page=title, prop="sections")
        sections: list[dict[str, Any]] = answer["parse"]["sections"]
        return sections

    def protect(self, title: str) -> None:
        """Protect `title` so that only administrators may edit (or create) it."""
        http = self.session(self.admin)
        token = self.api(http, "GET", action="query", meta="tokens")["query"]["tokens"]["csrftoken"]
        protections = "edit=sysop" if self.wikitext(title) else "create=sysop"
        self.api(http, "POST", action="protect", title=title, protections=protections, token=token)
