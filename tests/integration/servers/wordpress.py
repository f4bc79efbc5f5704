"""A real WordPress on 127.0.0.1 for integration tests: Debian's `wordpress` package, MariaDB, `php -S`.

`WordPress.create(d)` starts `mariadbd` with a fresh datadir and a socket in `d` (no TCP), makes a temp
docroot in `d` whose entries are symlinks into /usr/share/wordpress except a generated wp-config.php
(Debian's own reads /etc/wordpress: nothing there is touched), installs the site with PHP's CLI, adds
an author `inflow` and a colleague `colleague`, each with an application password, and the category
`Team`. WP_ENVIRONMENT_TYPE is 'local', so application passwords work over plain http.
"""

from __future__ import annotations

import shutil
import subprocess
import textwrap
from pathlib import Path

from . import ServerNotInstalledError, ServerProcess

WORDPRESS_DIR = Path("/usr/share/wordpress")
DEBIAN_PACKAGES = "wordpress mariadb-server php-mysql"

_CONFIG = """<?php
define('DB_NAME', 'wordpress');
define('DB_USER', 'root');
define('DB_PASSWORD', '');
define('DB_HOST', 'localhost:{socket}');
define('WP_ENVIRONMENT_TYPE', 'local');
define('WP_HOME', '{url}');
define('WP_SITEURL', '{url}');
define('WP_CONTENT_DIR', '{content}');
define('DISABLE_WP_CRON', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
$table_prefix = 'wp_';
if (!defined('ABSPATH')) define('ABSPATH', '{docroot}/');
require_once ABSPATH . 'wp-settings.php';
"""

# The package's files are symlinks: __DIR__ in them is /usr/share/wordpress, so ABSPATH is set first (its
# wp-load.php then reads our wp-config.php); static files are served as they are.
_ROUTER = """<?php
define('ABSPATH', '{docroot}/');
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
$file = ABSPATH . ltrim($path, '/');
if ($path !== '/' && is_file($file)) {{
    if (substr($file, -4) !== '.php') return false;
    require $file;
}} else {{
    require ABSPATH . 'index.php';
}}
"""

_SETUP = """
define('WP_INSTALLING', true);
define('ABSPATH', '{docroot}/');
$_SERVER['HTTP_HOST'] = '127.0.0.1';
require '{docroot}/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
wp_install('Inflow Test Blog', 'admin', 'admin@example.org', true, '', wp_generate_password(16));
update_option('comment_moderation', 0);
update_option('comment_previously_approved', 0);
$out = [];
foreach (['inflow' => 'author', 'colleague' => 'author'] as $name => $role) {{
    $id = wp_insert_user(['user_login' => $name, 'user_pass' => wp_generate_password(16),
                          'user_email' => "$name@example.org", 'role' => $role, 'display_name' => ucfirst($name)]);
    [$password] = WP_Application_Passwords::create_new_application_password($id, ['name' => 'inflow']);
    $out[$name] = ['id' => $id, 'password' => $password];
}}
$out['category'] = wp_insert_term('Team', 'category')['term_id'];
echo json_encode($out);
"""


def _installed() -> None:
    for tool in ("php", "mariadbd", "mariadb-install-db"):
        if shutil.which(tool) is None and not Path(f"/usr/sbin/{tool}").exists():
            raise ServerNotInstalledError(
                f"{tool} is missing (Debian packages {DEBIAN_PACKAGES}): run scripts/bootstrap.sh"
            )
    if not (WORDPRESS_DIR / "wp-settings.php").exists():
        raise ServerNotInstalledError(f"WordPress is not installed (Debian packages {DEBIAN_PACKAGES})")


class WordPress:
    """MariaDB + WordPress on `port`. `users` maps user name to (id, application password)."""

    def __init__(self, data_dir: Path, port: int) -> None:
        self.data_dir = data_dir
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.socket = data_dir / "mysql.sock"
        self.docroot = data_dir / "docroot"
        self.users: dict[str, tuple[int, str]] = {}
        self.category = 0
        self._db_argv = [
            "/usr/sbin/mariadbd", "--no-defaults", f"--datadir={data_dir / 'db'}", f"--socket={self.socket}",
            "--skip-networking", "--user=root", f"--pid-file={data_dir / 'db.pid'}", "--skip-grant-tables",
        ]  # fmt: skip
        self._db: subprocess.Popen[bytes] | None = None
        serve = ["php", "-S", f"127.0.0.1:{port}", "-t", str(self.docroot), str(data_dir / "router.php")]
        self._php = ServerProcess(
            "wordpress", serve, cwd=data_dir,
            log=data_dir / "php.log", ready_url=f"{self.url}/?rest_route=/",
            is_ready=lambda response: response.ok and "namespaces" in response.text,
        )  # fmt: skip

    @classmethod
    def create(cls, data_dir: Path, port: int) -> WordPress:
        _installed()
        server = cls(data_dir, port)
        server._install()
        return server

    def _install(self) -> None:
        import json
        import time

        d = self.data_dir
        subprocess.run(["mariadb-install-db", "--no-defaults", f"--datadir={d / 'db'}", "--user=root",
                        "--auth-root-authentication-method=normal", "--skip-test-db"],
                       check=True, capture_output=True)  # fmt: skip
        with (d / "mariadb.log").open("ab") as log:
            self._db = subprocess.Popen(self._db_argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        for _ in range(300):
            if self.socket.exists():
                break
            time.sleep(0.1)
        subprocess.run(["mariadb", f"--socket={self.socket}", "-e", "CREATE DATABASE wordpress"], check=True)
        self.docroot.mkdir()
        for entry in WORDPRESS_DIR.iterdir():
            if entry.name != "wp-config.php":
                (self.docroot / entry.name).symlink_to(entry)
        content = d / "wp-content"
        shutil.copytree(WORDPRESS_DIR / "wp-content", content, symlinks=True)
        (content / "mu-plugins").mkdir(exist_ok=True)  # tests comment within seconds: no flood check
        (content / "mu-plugins" / "no-flood.php").write_text(
            "<?php add_filter('comment_flood_filter', '__return_false');\n"
        )
        (self.docroot / "wp-config.php").write_text(
            _CONFIG.format(socket=self.socket, url=self.url, content=content, docroot=self.docroot)
        )
        (d / "router.php").write_text(_ROUTER.format(docroot=self.docroot))
        done = subprocess.run(["php", "-r", textwrap.dedent(_SETUP.format(docroot=self.docroot))],
                              capture_output=True, text=True, check=False, cwd=d)  # fmt: skip
        if done.returncode != 0 or "{" not in done.stdout:
            raise RuntimeError(f"WordPress install failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        made = json.loads(done.stdout[done.stdout.index("{") :])
        self.users = {name: (made[name]["id"], made[name]["password"]) for name in ("inflow", "colleague")}
        self.category = int(made["category"])
        self._php.start()

    def stop(self) -> None:
        self._php.stop()
        if self._db is not None:
            self._db.terminate()
            self._db.wait(timeout=30)
            self._db = None
