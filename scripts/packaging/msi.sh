#!/usr/bin/env bash
# The MSI authoring check on Linux: builds resources/windows/inflow.wxs with wixl (msitools) from a
# stand-in tree that has the Windows bundle's file layout (dist\inflow: inflow.exe, inflow-gui.exe and
# _internal\), into OUTDIR/inflow-<version>-x64-authoring-check.msi (OUTDIR: dist). It is not a release:
# the files in it are placeholders. The real MSI is built with WiX 3 on Windows (.github/workflows/windows.yml).
#   bash scripts/packaging/msi.sh [OUTDIR]
# Needs the Debian packages wixl and msitools (the test command installs them).
set -euo pipefail

repo_root="$(cd "$(dirname "$0")/../.." && pwd)"
out_dir="$(mkdir -p "${1:-$repo_root/dist}" && cd "${1:-$repo_root/dist}" && pwd)"
for tool in wixl wixl-heat msibuild msiinfo python3; do
  command -v "$tool" >/dev/null || {
    echo "msi.sh: $tool is missing (install the Debian packages wixl and msitools)" >&2
    exit 1
  }
done
version="$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' "$repo_root/app/version.py")"
[[ -n "$version" ]] || { echo "msi.sh: no __version__ in app/version.py" >&2; exit 1; }
msi="$out_dir/inflow-$version-x64-authoring-check.msi"

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
# wixl resolves sources relative to the working directory (absolute paths fail), so everything it
# reads is staged: the bundle's layout with placeholder binaries, and the real policy templates.
bundle="$stage/inflow"
mkdir -p "$bundle/_internal/PySide6/plugins/platforms"
for file in inflow.exe inflow-gui.exe _internal/python311.dll _internal/base_library.zip _internal/PySide6/Qt6Core.dll \
  _internal/PySide6/plugins/platforms/qwindows.dll; do
  echo "Inflow $version authoring-check stand-in for $file" >"$bundle/$file"
done
cp -r "$repo_root/resources" "$bundle/_internal/resources"
cp -r "$repo_root/resources/policy" "$stage/policy"

cd "$stage"
find inflow/_internal -type f | LC_ALL=C sort |
  wixl-heat -p inflow/ --directory-ref INSTALLFOLDER --component-group BundleInternal --var var.BundleDir \
    --win64 >internal.wxs
# wixl warns (GLib-GObject-WARNING) about the attributes it does not know: Package/@Platform (it takes
# --arch) and Property/@Secure (wixl_complete.py adds those); anything else is shown.
wixl --arch x64 -D Version="$version" -D BundleDir=inflow -D PolicyDir=policy -D Win64=yes -D Builder=wixl \
  -o "$stage/inflow.msi" "$repo_root/resources/windows/inflow.wxs" internal.wxs 2> >(
  grep -v -e "no property named 'Platform'" -e "no property named 'Secure'" -e '^$' >&2
)
python3 "$repo_root/scripts/packaging/wixl_complete.py" "$repo_root/resources/windows/inflow.wxs" "$stage/inflow.msi"
mv "$stage/inflow.msi" "$msi"
echo "$msi"
