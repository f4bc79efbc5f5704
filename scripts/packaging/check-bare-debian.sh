#!/usr/bin/env bash
# Proves that a .deb's Depends are complete: installs it with apt into a bare Debian 12 (debootstrap
# --variant=minbase, nothing else), then runs the installed binary's self-test as an unprivileged user,
# on xcb when an X server's socket is given (DISPLAY and /tmp/.X11-unix are passed in), and a capture and
# a search. Needs root, debootstrap and network access to a Debian mirror; takes a few minutes, so it is
# run on demand (not in the test suite).
# Usage: sudo bash scripts/packaging/check-bare-debian.sh dist/inflow_<version>_amd64.deb [ROOTDIR]
set -euo pipefail
deb="$(realpath "${1:?usage: check-bare-debian.sh PACKAGE.deb [ROOTDIR]}")"
root="${2:-$(mktemp -d /tmp/inflow-bare-XXXXXX)}"
[[ -x "$root/usr/bin/apt-get" ]] || debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp "$deb" "$root/tmp/inflow.deb"
mount --bind /proc "$root/proc"
mounted=("$root/proc")
if [[ -n "${DISPLAY:-}" && -d /tmp/.X11-unix ]]; then
  mkdir -p "$root/tmp/.X11-unix" && mount --bind /tmp/.X11-unix "$root/tmp/.X11-unix" && mounted+=("$root/tmp/.X11-unix")
fi
trap 'for m in "${mounted[@]}"; do umount "$m"; done' EXIT
chroot "$root" bash -c "apt-get update -q && apt-get install -y -q /tmp/inflow.deb"
chroot "$root" bash -c "id tester >/dev/null 2>&1 || useradd -m tester"
platform="offscreen"; [[ -n "${DISPLAY:-}" ]] && platform=""
chroot "$root" su tester -c "cd ~ && DISPLAY='${DISPLAY:-}' QT_QPA_PLATFORM='$platform' /usr/bin/inflow --self-test \
  && /usr/bin/inflow capture --title 'bare debian check' 'from a minimal Debian' >/dev/null \
  && /usr/bin/inflow search 'bare debian' | grep -q 'bare debian check' && echo 'bare Debian: installed, self-tested, captured, found'"
