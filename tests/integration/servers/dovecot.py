"""A real Dovecot IMAP server (Debian's dovecot-imapd) on loopback: config in a temp folder, a static
passdb (every user, one password), Maildir under the folder; mail is delivered into that Maildir.

Runs as root too (CI): the login process as `dovenull`, mail as `nobody`, as Dovecot requires.
"""

from __future__ import annotations

import contextlib
import mailbox
import os
import shutil
import socket
import time
from pathlib import Path

from . import START_TIMEOUT, ServerNotInstalledError, ServerProcess, ServerStartError, log_tail

PASSWORD = "s3cret"
USER = "ada@example.org"

_CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal}
default_login_user = {login}
mail_location = maildir:{root}/mail/%u
mail_uid = {mail_user}
mail_gid = {mail_group}
first_valid_uid = 1
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid={mail_user} gid={mail_group} home={root}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


def _free_port_in(low: int, high: int) -> int:
    """A free loopback port in this suite's range (other suites use other ranges)."""
    for port in range(low, high):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise ServerStartError(f"no free port from {low} to {high}")


class _Process(ServerProcess):
    """Ready when the IMAP port accepts a connection and greets."""

    port = 0

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), 2) as probe:
                if probe.recv(64).startswith(b"* OK"):
                    return
            time.sleep(0.05)
        raise ServerStartError(f"dovecot did not greet on {self.port}; {self.log}:\n{log_tail(self.log)}")


class Dovecot:
    def __init__(self, root: Path, port: int) -> None:
        self.root = root
        self.port = port
        self._process = _Process(
            "dovecot", ["dovecot", "-F", "-c", root / "dovecot.conf"], cwd=root, log=root / "stdout.log", ready_url=""
        )
        self._process.port = port

    @classmethod
    def create(cls, root: Path) -> Dovecot:
        if shutil.which("dovecot") is None:
            raise ServerNotInstalledError("dovecot is not installed (Debian dovecot-imapd: bash scripts/bootstrap.sh)")
        port = _free_port_in(25100, 25999)
        root.chmod(0o755)
        (root / "mail").mkdir()
        as_root = os.geteuid() == 0
        user = os.environ.get("USER", "") or "nobody"
        config = _CONFIG.format(
            root=root, port=port, password=PASSWORD, internal="dovecot" if as_root else user,
            login="dovenull" if as_root else user, mail_user="nobody" if as_root else user,
            mail_group="nogroup" if as_root else user,
        )  # fmt: skip
        (root / "dovecot.conf").write_text(config)
        server = cls(root, port)
        server._own(root / "mail")
        server.start()
        return server

    def start(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            (self.root / "run" / "master.pid").unlink()
        self._process.start()

    def stop(self) -> None:
        self._process.stop()

    def close(self) -> None:
        self.stop()

    def deliver(self, raw: bytes, user: str = USER) -> None:
        """Put a mail into the user's INBOX (what a delivery agent does)."""
        folder = self.root / "mail" / user
        mailbox.Maildir(folder, create=True).add(raw)
        self._own(folder)

    def count(self, user: str = USER) -> int:
        return len(mailbox.Maildir(self.root / "mail" / user, create=True))

    def _own(self, path: Path) -> None:
        if os.geteuid() != 0:
            return
        import pwd

        nobody = pwd.getpwnam("nobody")
        for place in [path, *path.rglob("*")]:
            os.chown(place, nobody.pw_uid, nobody.pw_gid)
