#!/usr/bin/env bash
# One command per package, each written to OUTDIR (default dist/):
#   bash scripts/package.sh deb [OUTDIR]   Debian/Ubuntu .deb (built and tested here)
#   bash scripts/package.sh msi [OUTDIR]   the MSI authoring check here; the release MSI is built on Windows
#   bash scripts/package.sh mac [OUTDIR]   Inflow.app in a .pkg (on macOS)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
kind="${1:-}"
case "$kind" in
  deb | msi | mac) shift; exec bash "$here/packaging/$kind.sh" "$@" ;;
  *) echo "usage: bash scripts/package.sh deb|msi|mac [OUTDIR]" >&2; exit 2 ;;
esac
