#!/usr/bin/env bash
# Run a command inside a private, throw-away desktop session: Xvfb, a session D-Bus, a notification
# daemon (dunst), an XEmbed system tray (trayer) and an unlocked keyring (gnome-keyring). Everything
# lives in a temporary HOME/XDG tree and is stopped when the command ends.
#   scripts/with-desktop.sh CMD [ARGS...]
set -euo pipefail

session=$(mktemp -d /tmp/inflow-session.XXXXXX)
pids=()
cleanup() {
  local rc=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$session"
  exit "$rc"
}
trap cleanup EXIT INT TERM

export HOME="$session/home" XDG_CONFIG_HOME="$session/home/.config" XDG_DATA_HOME="$session/home/.local/share"
export XDG_CACHE_HOME="$session/home/.cache" XDG_STATE_HOME="$session/home/.local/state"
export XDG_RUNTIME_DIR="$session/run"
mkdir -p "$HOME" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME" "$XDG_STATE_HOME" "$XDG_RUNTIME_DIR"
chmod 0700 "$XDG_RUNTIME_DIR"

# A free display number: the first without a lock file.
display=90
while [ -e "/tmp/.X${display}-lock" ] || [ -e "/tmp/.X11-unix/X${display}" ]; do display=$((display + 1)); done
Xvfb ":$display" -screen 0 1280x800x24 -nolisten tcp -noreset >"$session/xvfb.log" 2>&1 &
pids+=($!)
export DISPLAY=":$display"
for _ in $(seq 100); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.05; done
xdpyinfo >/dev/null 2>&1 || { echo "with-desktop: Xvfb did not start:" >&2; cat "$session/xvfb.log" >&2; exit 1; }

dbus-daemon --session --fork --address="unix:path=$XDG_RUNTIME_DIR/bus" --print-pid >"$session/dbus.pid"
pids+=("$(cat "$session/dbus.pid")")
export DBUS_SESSION_BUS_ADDRESS="unix:path=$XDG_RUNTIME_DIR/bus"

dunst >"$session/dunst.log" 2>&1 &
pids+=($!)
trayer --edge bottom --align right --widthtype request --height 24 >"$session/trayer.log" 2>&1 &
pids+=($!)
# The tray is ready once trayer is a client of the display (it owns _NET_SYSTEM_TRAY_S0 right after).
for _ in $(seq 100); do xlsclients 2>/dev/null | grep -q trayer && break; sleep 0.05; done
sleep 0.1

# gnome-keyring: unlock a fresh login keyring with a throw-away password.
eval "$(echo -n inflow-test | gnome-keyring-daemon --unlock --components=secrets --daemonize 2>/dev/null)" || true
keyring_pid=$(pgrep -u "$(id -u)" -n gnome-keyring-d || true)
[ -n "$keyring_pid" ] && pids+=("$keyring_pid")

export INFLOW_TEST_SESSION=1
set +e
"$@"
