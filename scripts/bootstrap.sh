# Sourced by scripts/run.sh and scripts/test.sh: installs what is missing, and nothing more.
#   ensure_debian_packages PKG...   (apt-get as root, or through sudo)
#   ensure_venv EXTRAS              (.venv with the project installed, pinned by constraints.txt)
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
venv="$repo_root/.venv"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

deb_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

ensure_debian_packages() {
  local missing=()
  for pkg in "$@"; do
    deb_installed "$pkg" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing Debian packages: ${missing[*]}"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "need root (or sudo) to install: ${missing[*]}" >&2; return 1; }
    sudo="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  # Some packages bring a daemon along (mediawiki pulls in apache2): none may start. A policy-rc.d that
  # denies every start, for the install only (as Debian's container images ship one); with systemd a
  # daemon installed here is also disabled, so that it does not start at the next boot either.
  local policy=/usr/sbin/policy-rc.d added="" status=0 had_apache=0
  deb_installed apache2 && had_apache=1
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null && $sudo chmod 755 "$policy" && added=1
  fi
  $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
    status=$?
  [ -z "$added" ] || $sudo rm -f "$policy"
  if [ "$had_apache" = 0 ] && deb_installed apache2 && [ -d /run/systemd/system ]; then
    $sudo systemctl disable --now apache2 >/dev/null 2>&1 || true
  fi
  return $status
}

# Python 3.11+ (Debian 12 ships 3.11); the venv module needs Debian's python3-venv there.
pick_python() {
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  echo "Inflow needs Python 3.11 or newer" >&2
  return 1
}

ensure_venv() {
  local extras="$1" python stamp wanted
  python=$(pick_python)
  if [ ! -x "$venv/bin/python" ]; then
    if ! "$python" -c 'import ensurepip, venv' 2>/dev/null; then
      ensure_debian_packages python3-venv
    fi
    say "creating the virtualenv in .venv"
    "$python" -m venv "$venv"
  fi
  stamp="$venv/.inflow-installed"
  wanted="$extras $(cat "$repo_root/pyproject.toml" "$repo_root/constraints.txt" | sha256sum | cut -c1-16)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
    say "installing Python packages into .venv"
    "$venv/bin/python" -m pip install -q --upgrade pip >/dev/null
    PIP_CONSTRAINT="$repo_root/constraints.txt" \
      "$venv/bin/python" -m pip install -q -e "$repo_root$extras"
    echo "$wanted" >"$stamp"
  fi
}

# What Qt's xcb platform plugin and the app need at run time on a bare Debian.
RUNTIME_PACKAGES=(
  libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxcb-image0 libxcb-render-util0 libxcb-xkb1
  libxkbcommon-x11-0 libegl1 libgl1 libfontconfig1 libdbus-1-3 fonts-dejavu-core
)
# What the test suite adds: a virtual desktop (X server, tray, notifications, keyring) and
# PyInstaller's tools (objdump, strip); lintian checks the .deb, python3-venv gives the plain
# `pip install .` test its fresh venv.
# MediaWiki for its real-server tests (served by `php -S`; the apache2 it pulls in never runs).
# wixl and msitools build and read back the MSI authoring check (scripts/packaging/msi.sh).
# weston (headless backend) and the Wayland client libraries run the app under Wayland; dbus gives the
# fake GlobalShortcuts portal its private bus (tests/desktop). dovecot-imapd is the IMAP server of the
# e-mail target's tests (tests/integration/test_email.py).
TEST_PACKAGES=(
  xvfb xdotool trayer dunst gnome-keyring dbus dbus-x11 libnotify-bin x11-utils procps binutils
  mediawiki php8.2-cli php8.2-sqlite3
  wordpress mariadb-server php-mysql
  wixl msitools
  lintian python3-venv
  weston libwayland-client0 libwayland-cursor0 libwayland-egl1 libxkbcommon0
  dovecot-imapd
)
