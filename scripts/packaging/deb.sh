#!/usr/bin/env bash
# Debian/Ubuntu: OUTDIR/inflow_<version>_amd64.deb (OUTDIR: dist) from the one-folder bundle of build.spec
# (built here into OUTDIR/inflow with the project's PyInstaller, or the bundle INFLOW_BUNDLE names).
# What goes where, and how Depends: is computed: packaging/deb.py.
#   bash scripts/packaging/deb.sh [OUTDIR]
# Needs dpkg-deb, ldd and readelf (Debian's dpkg, libc-bin, binutils) and the project's .venv.
set -euo pipefail

repo_root="$(cd "$(dirname "$0")/../.." && pwd)"
out_dir="$(mkdir -p "${1:-$repo_root/dist}" && cd "${1:-$repo_root/dist}" && pwd)"
python="$repo_root/.venv/bin/python"
[[ -x "$python" ]] || { echo "deb.sh: no .venv (bash scripts/run.sh or scripts/test.sh creates it)" >&2; exit 1; }
for tool in dpkg-deb dpkg ldd readelf; do
  command -v "$tool" >/dev/null || { echo "deb.sh: $tool is missing (Debian packages dpkg, libc-bin, binutils)" >&2; exit 1; }
done

bundle="${INFLOW_BUNDLE:-}"
if [[ -z "$bundle" ]]; then
  bundle="$out_dir/inflow"
  (cd "$repo_root" && "$repo_root/.venv/bin/pyinstaller" --noconfirm --log-level WARN \
    --distpath "$out_dir" --workpath "$repo_root/build" build.spec)
fi
cd "$repo_root"
QT_QPA_PLATFORM=offscreen "$python" packaging/deb.py --bundle "$bundle" --out "$out_dir"
