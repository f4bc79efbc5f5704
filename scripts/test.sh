#!/usr/bin/env bash
# Installs what is missing, then runs the whole test suite (lint, types, layers, unit, UI, X11,
# end-to-end, frozen bundle) inside a private virtual desktop. Extra arguments go to pytest.
source "$(dirname "$0")/bootstrap.sh"
ensure_debian_packages "${RUNTIME_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
ensure_venv "[dev]"
source "$(dirname "$0")/servers.sh" && ensure_test_servers
cd "$repo_root"
# --durations: the slowest tests are named at the end of every run (the suite must stay well under 15 min)
exec "$repo_root/scripts/with-desktop.sh" "$venv/bin/python" -m pytest --durations=12 "$@"
