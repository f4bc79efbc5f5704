"""Trims the PyInstaller Analysis of Inflow (used by build.spec; no import of the app itself).

What goes, and why that is safe:
- Qt plugins other than the ones in KEEP_PLUGINS. Inflow draws its widgets with the raster engine on
  X11 (`xcb`) and natively on Wayland (`wayland`, with the xdg-shell integration every desktop compositor
  offers and the client-side decorations Qt draws where the compositor draws none: `bradient`, and
  `adwaita`, Qt's default on GNOME; raster windows use shared memory, so no wayland-egl or other graphics
  integration), runs headless self-tests on `offscreen`, renders SVG icons (`iconengines/libqsvgicon`,
  `imageformats/libqsvg`; PNG is built into QtGui) and keeps dead keys / IBus input working in its text
  fields (`platforminputcontexts`). Gone: the other Wayland shells (ivi, wl-shell, fullscreen, qt-shell)
  and the compositor-side plugins, the gtk3 and xdg-desktop-portal platform themes (gtk3 alone drags ~45
  host libraries; Qt's generic theme remains), eglfs/linuxfb/vnc, GL integrations (no OpenGL anywhere
  in the app), tls and networkinformation (the only networking in Qt is a QLocalServer), sqldrivers
  (storage uses Python's sqlite3), print support, QML tooling and other image formats (Markdown images
  are rendered as links, never loaded).
- Qt translations: the UI is English only.
- Every shared library that nothing kept links against any more (found with the same `ldd` analysis
  PyInstaller uses): the Qt libraries those plugins dragged in (QtWaylandCompositor, QtOpenGL, ...) and
  their host libraries. libpython is always kept (the bootloader loads it with dlopen).
- SYMLINK entries whose target was removed, so the bundle holds no dangling symbolic links.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable, Iterable

Entry = tuple[str, str, str]  # (destination name, source path, typecode): a PyInstaller TOC entry
Imports = Callable[[str], Iterable[tuple[str, str | None]]]  # like PyInstaller's bindepend.get_imports

QT_DIR = "PySide6/Qt/"
PLUGINS_DIR = QT_DIR + "plugins/"
TRANSLATIONS_DIR = QT_DIR + "translations/"

KEEP_PLUGINS: dict[str, frozenset[str]] = {
    "platforms": frozenset({"libqxcb.so", "libqwayland.so", "libqoffscreen.so", "libqminimal.so"}),
    "wayland-shell-integration": frozenset({"libxdg-shell.so"}),
    "wayland-decoration-client": frozenset({"libbradient.so", "libadwaita.so"}),
    "iconengines": frozenset({"libqsvgicon.so"}),
    "imageformats": frozenset({"libqsvg.so"}),
    "platforminputcontexts": frozenset(
        {"libcomposeplatforminputcontextplugin.so", "libibusplatforminputcontextplugin.so"}
    ),
}

# Python modules nothing in Inflow imports at run time (the PySide6 ones are not imported by the app,
# but PyInstaller's Qt hooks would otherwise pull some of them in through library links).
EXCLUDED_MODULES = [
    "tkinter",
    "_tkinter",
    "unittest",
    "pydoc",
    "doctest",
    "pdb",
    "idlelib",
    "lib2to3",
    "test",
    "setuptools",
    "pkg_resources",
    "pip",
    "distutils",
    "pytest",  # a guard: a collected test module must never drag pytest and pygments in
    "_pytest",
    # lxml's extensions that nothing imports (trafilatura, justext, lxml_html_clean use etree, html,
    # sax): objectify alone is 2.9 MB.
    "lxml.objectify",
    "lxml.html.diff",
    "lxml.html._difflib",
    *(
        f"PySide6.{name}"
        for name in (
            "QtConcurrent",
            "QtDBus",
            "QtDesigner",
            "QtHelp",
            "QtLabsStyleKit",
            "QtOpenGL",
            "QtOpenGLWidgets",
            "QtPrintSupport",
            "QtQml",
            "QtQmlFeatures",
            "QtQuick",
            "QtQuickControls2",
            "QtQuickTest",
            "QtQuickWidgets",
            "QtSql",
            "QtSvg",
            "QtSvgWidgets",
            "QtTest",
            "QtUiTools",
            "QtXml",
        )
    ),
]


def _dest(entry: Entry) -> str:
    return entry[0].replace(os.sep, "/")


BABEL_LOCALES_DIR = "babel/locale-data/"
KEEP_BABEL_LOCALES = frozenset({"root.dat", "en.dat"})
"""babel (through trafilatura -> courlan) is only asked about a page's language when a language filter
is set, which Inflow never does; its 32 MB of locale data stay out except the root and English ones."""


def wanted_plugin_or_data(dest: str) -> bool:
    """False for Qt plugins outside KEEP_PLUGINS, Qt translations and babel's other locales; True else."""
    if dest.startswith(TRANSLATIONS_DIR):
        return False
    if dest.startswith(BABEL_LOCALES_DIR):
        return dest[len(BABEL_LOCALES_DIR) :] in KEEP_BABEL_LOCALES
    if dest.startswith(PLUGINS_DIR):
        kind, _, name = dest[len(PLUGINS_DIR) :].partition("/")
        return name in KEEP_PLUGINS.get(kind, frozenset())
    return True


def _is_shared_library(entry: Entry) -> bool:
    """A plain shared library (a candidate for removal when unreachable), not a module or plugin."""
    dest = _dest(entry)
    name = posixpath.basename(dest)
    if entry[2] != "BINARY" or dest.startswith(PLUGINS_DIR):
        return False
    if name.startswith("libpython"):
        return False  # loaded by the bootloader with dlopen: never "linked"
    return ".so" in name


def prune_binaries(binaries: list[Entry], get_imports: Imports) -> tuple[list[Entry], list[Entry]]:
    """(kept, removed): unwanted plugins out, then every shared library nothing kept links against."""
    kept_first = [entry for entry in binaries if wanted_plugin_or_data(_dest(entry))]
    removed = [entry for entry in binaries if not wanted_plugin_or_data(_dest(entry))]

    candidates = {os.path.realpath(e[1]): e for e in kept_first if _is_shared_library(e)}
    roots = [e for e in kept_first if e[2] != "SYMLINK" and not _is_shared_library(e)]
    reachable: set[str] = set()
    pending = [os.path.realpath(e[1]) for e in roots]
    while pending:
        path = pending.pop()
        for _name, resolved in get_imports(path):
            if resolved is None:
                continue
            real = os.path.realpath(resolved)
            if real in candidates and real not in reachable:
                reachable.add(real)
                pending.append(real)

    kept = []
    for entry in kept_first:
        if _is_shared_library(entry) and os.path.realpath(entry[1]) not in reachable:
            removed.append(entry)
        else:
            kept.append(entry)
    return kept, removed


def _link_target(entry: Entry) -> str:
    return posixpath.normpath(posixpath.join(posixpath.dirname(_dest(entry)), entry[1]))


def drop_dangling_symlinks(binaries: list[Entry], datas: list[Entry]) -> tuple[list[Entry], list[Entry], list[Entry]]:
    """(binaries, datas, removed): SYMLINK entries (src = target relative to the link) whose target is
    no longer in the bundle are removed, repeatedly (a link may point at a link)."""
    removed: list[Entry] = []
    while True:
        present = {_dest(e) for e in (*binaries, *datas)}
        gone = {e for e in (*binaries, *datas) if e[2] == "SYMLINK" and _link_target(e) not in present}
        if not gone:
            return binaries, datas, removed
        removed += sorted(gone)
        binaries = [e for e in binaries if e not in gone]
        datas = [e for e in datas if e not in gone]


def prune_datas(datas: list[Entry]) -> tuple[list[Entry], list[Entry]]:
    """(kept, removed) for data files: Qt translations and plugin files out."""
    kept = [e for e in datas if wanted_plugin_or_data(_dest(e))]
    removed = [e for e in datas if not wanted_plugin_or_data(_dest(e))]
    return kept, removed


def report(removed: Iterable[Entry]) -> str:
    """One line per removed entry with its size, largest first, and the total (for the build log)."""
    sized = []
    for dest, src, typecode in removed:
        size = os.path.getsize(src) if typecode != "SYMLINK" and os.path.isfile(src) else 0
        sized.append((size, dest))
    sized.sort(reverse=True)
    lines = [f"{size / 1048576:8.2f} MiB  {dest}" for size, dest in sized]
    lines.append(f"{sum(s for s, _ in sized) / 1048576:8.2f} MiB  total removed ({len(sized)} entries)")
    return "\n".join(lines)
