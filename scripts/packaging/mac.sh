#!/usr/bin/env bash
# macOS: Inflow.app (build.spec's macOS block) wrapped in OUTDIR/inflow-<version>-<arch>.pkg (OUTDIR: dist),
# a component package that installs /Applications/Inflow.app, for Jamf or any MDM. Runs on macOS only.
#   bash scripts/packaging/mac.sh [OUTDIR]
# Optional signing: INFLOW_CODESIGN_IDENTITY ("Developer ID Application: ...") signs the app with the
# hardened runtime, INFLOW_PKG_SIGN_IDENTITY ("Developer ID Installer: ...") signs the .pkg. Notarizing
# (xcrun notarytool submit --wait, then xcrun stapler staple) needs Apple credentials: docs/ADMIN.md.
set -euo pipefail

repo_root="$(cd "$(dirname "$0")/../.." && pwd)"
[[ "$(uname -s)" == Darwin ]] || { echo "mac.sh: builds on macOS only (pkgbuild, iconutil)" >&2; exit 1; }
out_dir="$(mkdir -p "${1:-$repo_root/dist}" && cd "${1:-$repo_root/dist}" && pwd)"
version="$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' "$repo_root/app/version.py")"
bundle_id="$(sed -n 's/^BUNDLE_ID = "\(.*\)"$/\1/p' "$repo_root/app/identity.py")"
[[ -n "$version" && -n "$bundle_id" ]] || { echo "mac.sh: no version or bundle id found" >&2; exit 1; }
pyinstaller="${PYINSTALLER:-$repo_root/.venv/bin/pyinstaller}"

cd "$repo_root"
"$pyinstaller" --noconfirm build.spec
app="$repo_root/dist/Inflow.app"
[[ -d "$app" ]] || { echo "mac.sh: PyInstaller made no $app" >&2; exit 1; }
if [[ -n "${INFLOW_CODESIGN_IDENTITY:-}" ]]; then
  codesign --force --deep --options runtime --timestamp --sign "$INFLOW_CODESIGN_IDENTITY" "$app"
fi

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/root"
ditto "$app" "$stage/root/Inflow.app"
# Not relocatable: the installer writes /Applications/Inflow.app, never into a copy the person moved elsewhere.
pkgbuild --analyze --root "$stage/root" "$stage/component.plist"
plutil -replace 0.BundleIsRelocatable -bool NO "$stage/component.plist"
pkg="$out_dir/inflow-$version-$(uname -m).pkg"
sign=()
[[ -n "${INFLOW_PKG_SIGN_IDENTITY:-}" ]] && sign=(--sign "$INFLOW_PKG_SIGN_IDENTITY")
pkgbuild --root "$stage/root" --component-plist "$stage/component.plist" --install-location /Applications \
  --identifier "$bundle_id.pkg" --version "$version" ${sign[@]+"${sign[@]}"} "$pkg"  # bash 3.2: empty array
echo "$pkg"
