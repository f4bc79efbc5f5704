#!/usr/bin/env bash
# Installs what is missing, then starts Inflow (extra arguments go to `inflow`).
source "$(dirname "$0")/bootstrap.sh"
ensure_debian_packages "${RUNTIME_PACKAGES[@]}"
ensure_venv ""
exec "$venv/bin/inflow" "$@"
