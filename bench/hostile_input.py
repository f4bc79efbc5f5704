"""Hostile input (issue 14, part 3): Hypothesis throws what comes from outside at Inflow's entry points.

Each surface pairs a strategy with a probe that runs one input through the real entry point (the CLI's
`main` in this process for captures, imports and config files; the policy reader; the snapshot
extractor). A case passes when it ends in success or in one clear line (exit 1 or 2, `inflow: ...`, or
a SyncError with a message), within TIME_LIMIT_S; anything else (an exception escaping, a traceback or
several lines on stderr, a hang, executable HTML in a snapshot) is a defect, counted with its first
example. Prints a table; `--examples N` per surface, `--seed S`, `--surface NAME` (repeatable).

    .venv/bin/python -m bench.hostile_input --examples 1000 --seed 14
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import resource
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from sync.registry import kinds as kinds_of_connector

TIME_LIMIT_S = 20.0  # per case; the largest inputs are a few MiB
MIB = 1024 * 1024

# ------------------------------------------------------------------------------------------- strategies

NASTY = [
    "\x00", "\ufeff", "\u202e", "\u200b", "\r\n", "\x1b[31m", "\x7f", "\udcff", "\ud800", "𝕏", "e\u0301",
    "javascript:alert(1)", "<script>alert(1)</script>", "' OR 1=1 --", '"', "\\", "%00", "../../etc/passwd",
    "NEAR(", '"unclosed', "*", "AND OR NOT", "#", "-", "", " ", "\t",
]  # fmt: skip
any_char = st.characters(blacklist_categories=())  # lone surrogates included
text = st.one_of(
    st.text(any_char, max_size=200),
    st.lists(st.sampled_from(NASTY) | st.text(any_char, max_size=8), max_size=20).map("".join),
    st.tuples(st.sampled_from(["A", "é", "\x00", "𝕏", "ab "]), st.integers(0, 300_000)).map(lambda p: p[0] * p[1]),
)
argv_text = text.map(lambda s: s.replace("\x00", ""))  # a command line cannot hold NUL
invalid_utf8 = st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xc0\xaf", b"\xfe\xfe"])
raw_bytes = st.one_of(
    st.binary(max_size=500),
    text.map(lambda s: s.encode("utf-8", "surrogatepass")),
    st.lists(invalid_utf8 | st.binary(max_size=6) | text.map(lambda s: s.encode("utf-8", "replace")), max_size=30).map(
        b"".join
    ),
    st.sampled_from([b"\x00" * MIB, b"A" * (MIB + 17), "é".encode() * (MIB // 2 + 3), b"\xff" * MIB]),
)
host = st.sampled_from([
    "example.org", "bücher.de", "xn--bcher-kva.de", "localhost", "127.0.0.1", "[::1]", "0x7f.1", "a" * 300,
    "exa mple.org", "", "user:pa ss@host", "例え.テスト", "host:99999", "[::ffff:127.0.0.1]", "...",
])  # fmt: skip
url = st.one_of(
    st.tuples(
        st.sampled_from(["http", "https", "javascript", "data", "file", "ftp", "mailto", "HtTpS", "", "inflow-tag"]),
        st.sampled_from(["://", ":", ":///", "//"]),
        host,
        st.text(any_char, max_size=40),
    ).map("".join),
    st.integers(1, 12_000).map(lambda n: "https://example.org/" + "a" * n),
    text,
)
tags = st.lists(argv_text, max_size=6)

kinds = st.sampled_from(["tip", "tip", "resource", "resource", "question", "question", "TIP", "", "x"])
json_leaf = st.none() | st.booleans() | st.integers() | st.floats() | text
json_value = st.recursive(
    json_leaf, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4)
)
snapshot_dict = st.fixed_dictionaries(
    {},
    optional={
        "html": text, "text": text, "final_url": url, "content_type": json_value, "title": json_value,
        "assets": json_value | st.lists(st.dictionaries(st.sampled_from(["name", "data", "media_type"]), json_value)),
        "fetched_at": json_value,
    },
)  # fmt: skip
file_dict = st.fixed_dictionaries(
    {"data": json_value | text | st.binary(max_size=64).map(lambda b: __import__("base64").b64encode(b).decode())},
    optional={"name": json_value, "media_type": json_value, "text": json_value},
)
entry = st.fixed_dictionaries(
    {},
    optional={
        "kind": kinds | json_value, "title": json_value, "body": json_value, "url": url | json_value,
        "tags": tags | json_value, "created_at": json_value, "updated_at": json_value, "id": json_value,
        "visibility": json_value, "origin": json_value, "author": json_value, "answered_at": json_value,
        "snapshot": snapshot_dict | json_value, "file": file_dict | json_value,
    },
)  # fmt: skip


def _json_document(entries: list[Any], cut: int | None) -> bytes:
    doc = json.dumps({"format": "inflow-export", "version": 1, "moments": entries}, ensure_ascii=False)
    data = doc.encode("utf-8", "surrogatepass")
    return data[:cut] if cut is not None else data


json_import = st.one_of(
    st.builds(_json_document, st.lists(entry | json_value, max_size=8), st.none() | st.integers(0, 400)),
    st.integers(1, 200_000).map(lambda n: b'{"format": "inflow-export", "moments": [' + b"[" * n + b"]" * n + b"]}"),
    st.integers(1, 200_000).map(
        lambda n: b'{"format": "inflow-export", "moments": [' + b'{"title": "x"},' * n + b"1]}"
    ),
    raw_bytes.map(lambda b: b'{"format": "inflow-export", "moments": [' + b),
)
bookmark_fragment = st.one_of(
    st.sampled_from(["<DL><p>", "</DL><p>", "<DT>", "<p>", "</A>", "</H3>", "<HR>", "<!--", "-->", "<![CDATA["]),
    st.tuples(argv_text).map(lambda t: f"<DT><H3 ADD_DATE=1>{t[0]}</H3>"),
    st.tuples(url, st.text(any_char, max_size=12), argv_text, argv_text).map(
        lambda p: f'<DT><A HREF="{p[0]}" ADD_DATE="{p[1]}" TAGS="{p[2]}">{p[3]}</A>'
    ),
    text,
)
BOOKMARKS_HEAD = "<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<TITLE>Bookmarks</TITLE>\n<H1>Bookmarks</H1>\n"
bookmarks_import = st.one_of(
    st.lists(bookmark_fragment, max_size=30).map(
        lambda f: (BOOKMARKS_HEAD + "".join(f)).encode("utf-8", "surrogatepass")
    ),
    st.integers(1, 100_000).map(lambda n: (BOOKMARKS_HEAD + "<DL><p><DT><H3>f</H3>" * n).encode()),
    st.integers(1, 60_000).map(lambda n: (BOOKMARKS_HEAD + '<DT><A HREF="https://e.org/">x</A>' * n).encode()),
    raw_bytes.map(lambda b: BOOKMARKS_HEAD.encode() + b),
)
front_matter_line = st.tuples(
    st.sampled_from(["kind", "title", "url", "tags", "created", "id", "file", "file_media_type", "file_text", "x"]),
    json_value.map(lambda v: json.dumps(v, ensure_ascii=False)) | argv_text,
).map(lambda p: f"{p[0]}: {p[1]}")
markdown_import = st.tuples(st.lists(front_matter_line, max_size=8), text, st.booleans()).map(
    lambda p: ('---\nkind: "tip"\n' + "\n".join(p[0]) + ("\n---\n" if p[2] else "\n") + p[1]).encode(
        "utf-8", "surrogatepass"
    )
)
toml_line = st.one_of(
    st.sampled_from(["[targets.x]", "[[targets]]", "[general]", "hotkey = ", 'kind = "matrix"', "a.b.c = 1", "= 1"]),
    st.tuples(st.sampled_from(["hotkey", "share_by_default", "snapshots", "kind", "url", "x", '"k"']), json_value).map(
        lambda p: f"{p[0]} = {json.dumps(p[1], ensure_ascii=False)}"
    ),
    text,
)
toml_file = st.one_of(
    st.lists(toml_line, max_size=12).map(lambda lines: "\n".join(lines).encode("utf-8", "surrogatepass")),
    raw_bytes,
    st.integers(1, 50_000).map(lambda n: b"a = " + b"[" * n + b"]" * n),
)
MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 9 9]/Contents 4 0 R>>endobj\n"
    b"4 0 obj<</Length 21>>stream\nBT (Hello) Tj ET\nendstream endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
HOSTILE_HTML = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt&#58;alert(1)">x</a>', "<svg onload=alert(1)>", '<iframe src="https://e.org">',
    "<style>body{background:url(https://e.org)}</style>", '<object data="x.swf">', "<p>text</p>" * 40,
    '<meta http-equiv="refresh" content="0;url=https://e.org">', "<form action=https://e.org><input>",
    '<base href="https://evil.org/">', "<math><mi xlink:href=javascript:alert(1)>x</mi></math>", "<div>" * 3000,
]  # fmt: skip
snapshot_body = st.one_of(
    st.tuples(st.just("text/html"), st.lists(st.sampled_from(HOSTILE_HTML) | text, max_size=20).map("".join)),
    st.tuples(st.sampled_from(["text/html", "text/plain", "application/json", "image/png", "application/pdf"]), text),
    st.tuples(
        st.just("application/pdf"),
        st.tuples(st.integers(0, len(MINIMAL_PDF)), st.binary(max_size=40)).map(
            lambda p: MINIMAL_PDF[: p[0]] + p[1] + MINIMAL_PDF[p[0] + len(p[1]) :]
        ),
    ),
)

# ------------------------------------------------------------------------------------------------ probes


class DefectError(Exception):
    """A case that broke a promise (the message says which)."""


class _HangError(BaseException):
    """Raised by the alarm: a BaseException, so that no `except Exception` in the code under test hides it."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    def alarm(_signum: int, _frame: FrameType | None) -> None:
        raise _HangError

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_cli(argv: list[str], stdin: bytes = b"") -> tuple[int, str, str]:
    """`inflow ARGV` in this process: the exit code, stdout and stderr. An exception escaping is a defect."""
    from app import cli

    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin))
    sys.stdout, sys.stderr = out, err
    try:
        code = cli.main(argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except Exception as exc:  # what would reach the person as a traceback
        raise DefectError(f"traceback: {type(exc).__name__}: {str(exc)[:120]}") from exc
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
    return code, out.getvalue(), err.getvalue()


def judge_cli(code: int, err: str) -> str:
    """'ok' or 'clear'; raises DefectError for anything a person should not see."""
    if "Traceback" in err:
        raise DefectError(f"traceback on stderr: {err.strip().splitlines()[-1][:120]}")
    if code == 0:
        return "ok"
    lines = [line for line in err.splitlines() if line.strip()]
    if code == 2 and lines and lines[-1].startswith(("inflow: ", "usage: ", "inflow ")):
        return "clear"  # argparse: the usage line, then one error line
    if code == 1 and len(lines) == 1 and lines[0].startswith("inflow: "):
        return "clear"
    raise DefectError(f"exit {code} with {len(lines)} stderr lines: {err.strip()[:120]!r}")


@dataclass
class Sandbox:
    """One base folder per surface (an isolated library, config and logs)."""

    root: Path

    @property
    def base(self) -> str:
        return str(self.root / "base")

    def cli(self, *args: str, stdin: bytes = b"") -> str:
        code, _out, err = run_cli(["--basedir", self.base, *args], stdin)
        return judge_cli(code, err)

    def file(self, name: str, data: bytes) -> Path:
        path = self.root / "in" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path


def probe_capture(box: Sandbox, case: tuple[bytes, str, str, list[str], str | None]) -> str:
    body, kind, title, tag_list, link = case
    args = ["capture", "--kind", kind, "--title", title]
    for tag in tag_list:
        args += ["--tag", tag]
    if link is not None:
        args += ["--url", link.replace("\x00", "")]
    return box.cli(*args, stdin=body)


def probe_search(box: Sandbox, query: str) -> str:
    return box.cli("search", query, "--json")


def probe_url(_box: Sandbox, value: str) -> str:
    from app.context_urls import find_url, not_a_link, plausible_url

    found = find_url(value)
    if found is not None and not found.lower().startswith(("http://", "https://")):
        raise DefectError(f"find_url offered a non-web link: {found[:80]!r}")
    plausible_url(value)
    reason = not_a_link(value)
    return "ok" if reason is None else "clear"


context_case = st.tuples(
    text, text, st.none() | text, st.none() | text, st.sampled_from(["tip", "resource", "question"])
)


def as_qt_text(value: str) -> str:
    """Text as a Qt field hands it over (a UTF-16 QString: a lone surrogate cannot cross, it is replaced)."""
    return value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def probe_context(box: Sandbox, case: tuple[str, str, str | None, str | None, str]) -> str:
    """Selection, clipboard, window title and program as a desktop reader reports them (cleaned and capped
    by app.context), admitted by the prefill gate; a title typed into the window; kept as the crash-safe
    draft, read back, and stored as the capture window would."""
    from app.context import _context as desktop_context  # what every desktop reader's text goes through
    from app.context_prefill import PrefillGate
    from app.drafts import load_draft, save_draft
    from storage.db import open_database
    from storage.models import Draft, DraftError, Kind
    from storage.moments import add_moment

    selection, clipboard, window, program, kind = case
    gate = PrefillGate(clock=lambda: 100.0)
    gate.changed("selection")
    gate.changed("clipboard")
    context = gate.admit(desktop_context(selection, clipboard, window, program))
    draft = Draft(
        kind=Kind(kind), title=as_qt_text(selection)[:300], body=context.selection or context.clipboard,
        url=context.url, source_app=context.app_name, source_window=context.window_title,
    )  # fmt: skip
    path = box.root / "draft.json"
    try:
        save_draft(path, draft)
        kept = load_draft(path)
        box.root.mkdir(exist_ok=True)
        add_moment(open_database(box.root / "context.db"), kept or draft)
    except DraftError as exc:
        return "clear" if str(exc).strip() else "defect"
    except Exception as exc:
        raise DefectError(f"context: {type(exc).__name__}: {str(exc)[:120]}") from exc
    return "ok"


def probe_import(suffix: str) -> Callable[[Sandbox, bytes], str]:
    def probe(box: Sandbox, data: bytes) -> str:
        return box.cli("import", str(box.file(f"import{suffix}", data)))

    return probe


def probe_config(box: Sandbox, data: bytes) -> str:
    box.file("unused", b"")
    config = Path(box.base) / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_bytes(data)
    try:
        return box.cli("doctor", "--json")
    finally:
        config.unlink()


def probe_policy(box: Sandbox, data: bytes) -> str:
    from app.config import load_config
    from app.paths import resolve_paths
    from app.policy.linux_files import read_policy_files
    from app.policy.report import describe, policy_report, settings_report

    root = box.root / "policy"
    (root / "policy.d").mkdir(parents=True, exist_ok=True)
    (root / "policy.toml").write_bytes(data)
    (root / "recommended.toml").write_bytes(data[::-1])
    reading = read_policy_files(root, owner_uid=os.getuid())
    try:
        config = load_config(resolve_paths(box.base), policy=reading)
        describe({"settings": settings_report(config), "policy": policy_report(config)})
    except Exception as exc:
        raise DefectError(f"policy: {type(exc).__name__}: {str(exc)[:120]}") from exc
    return "clear" if reading.problems else "ok"


_EXECUTABLE = re.compile(r"<\s*(script|iframe|object|embed|form|base|meta|style)\b|\son\w+\s*=|javascript:", re.I)


def probe_snapshot(_box: Sandbox, case: tuple[str, str | bytes]) -> str:
    from sync.errors import SyncError
    from sync.snapshots.extract import extract
    from sync.snapshots.fetch import Fetched

    content_type, body = case
    data = body if isinstance(body, bytes) else body.encode("utf-8", "surrogatepass")
    try:
        content = extract(Fetched("https://example.org/page", content_type, None, data), fetch_image=None)
    except SyncError as exc:
        if not str(exc).strip():
            raise DefectError("SyncError without a message") from exc
        return "clear"
    except Exception as exc:
        raise DefectError(f"snapshot: {type(exc).__name__}: {str(exc)[:120]}") from exc
    if _EXECUTABLE.search(content.html):
        raise DefectError(f"executable HTML kept: {_EXECUTABLE.search(content.html)!r}")
    return "ok"


def _keys_the_connectors_read() -> list[str]:
    """Every key the connectors look up in a response (`.get("k")`, `["k"]`): hostile bodies use them."""
    found: set[str] = set()
    for path in (Path(__file__).resolve().parents[1] / "sync" / "connectors").rglob("*.py"):
        found.update(re.findall(r"""(?:\.get\(|\[)["']([A-Za-z_][\w.-]{0,40})["']""", path.read_text("utf-8")))
    return sorted(found)


RESPONSE_KEYS = _keys_the_connectors_read()
shaped = st.recursive(
    json_leaf | st.sampled_from(["", "0", "-1", "https://example.org/x", "!r:localhost", "$e", "2026-01-01T00:00:00Z"]),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(RESPONSE_KEYS) | text, inner, max_size=6)
    ),
    max_leaves=30,
)
OPERATIONS = ("test", "send", "edit", "retract", "fetch_replies", "fetch_feed")
connector_case = st.tuples(
    st.sampled_from(kinds_of_connector()),
    st.sampled_from(OPERATIONS),
    st.sampled_from([200, 200, 200, 201, 204, 400, 401, 403, 404, 409, 410, 429, 500, 503]),
    st.sampled_from(["application/json", "application/json; charset=utf-8", "text/html", "text/plain", ""]),
    st.one_of(
        shaped.map(lambda v: json.dumps(v, ensure_ascii=False).encode("utf-8", "surrogatepass")),
        raw_bytes.filter(lambda b: len(b) < 4096),
        st.integers(1, 5000).map(lambda n: b"[" * n + b"]" * n),
    ),
)


class ConnectorProbe:
    """One loopback server whose every answer is the current case's; each connector is pointed at it."""

    def __init__(self) -> None:
        self._answer: tuple[int, dict[str, str], bytes] = (200, {}, b"{}")
        self._server: Any = None
        self._session: Any = None

    def __call__(self, _box: Sandbox, case: tuple[str, str, int, str, bytes]) -> str:
        from sync.connector import OutgoingMoment, Target, secret_is_url
        from sync.errors import NotSupportedError, SyncError
        from sync.registry import connector_for

        kind, operation, status, content_type, body = case
        base = self._start()
        self._answer = (status, {"Content-Type": content_type} if content_type else {}, body)
        factory = connector_for(kind)
        settings = {
            key.name: base + "/api" if key.name == "url" or key.name.endswith("_url") else f"example-{key.name}"
            for key in factory.keys
        }
        secret = base + "/hook" if secret_is_url(factory) else "hostile-secret"
        moment = OutgoingMoment(
            moment_id="0f8b6c1e-1111-2222-3333-444444444444", kind="question", title="t", body="b",
            url="https://example.org/", tags=("x",), created_at="2026-01-01T09:00:00Z", idempotency_key="k-1",
        )  # fmt: skip
        try:
            connector = factory(Target("hostile", kind, settings), secret, self._session, {})
            call: dict[str, Callable[[], object]] = {
                "test": connector.test, "send": lambda: connector.send(moment),
                "edit": lambda: connector.edit(moment, "remote-1"), "retract": lambda: connector.retract("remote-1"),
                "fetch_replies": lambda: connector.fetch_replies("remote-1"),
                "fetch_feed": lambda: connector.fetch_feed(None),
            }  # fmt: skip
            call[operation]()
        except (SyncError, NotSupportedError) as exc:
            if not str(exc).strip():
                raise DefectError(f"{kind}.{operation}: an error without a message") from exc
            return "clear"
        except Exception as exc:
            raise DefectError(f"{kind}.{operation}: {type(exc).__name__}: {str(exc)[:100]}") from exc
        return "ok"

    def _start(self) -> str:
        if self._server is None:
            from sync.http import InflowSession
            from tests.unit.sync.local_server import LocalServer

            self._server = LocalServer(lambda _request, _h: self._answer).__enter__()
            self._session = InflowSession(user_agent="hostile", use_os_trust_store=False, timeout=(2.0, 5.0))
            self._session.trust_env = False
        return str(self._server.url)

    def close(self) -> None:
        if self._server is not None:
            self._server.__exit__(None, None, None)
            self._session.close()
            self._server = self._session = None


@dataclass(frozen=True)
class Surface:
    name: str
    strategy: st.SearchStrategy[Any]
    probe: Callable[[Sandbox, Any], str]


SURFACES = [
    Surface(
        "capture (stdin, title, tags, url)",
        st.tuples(raw_bytes, kinds, argv_text, tags, st.none() | url),
        probe_capture,
    ),
    Surface("search query", argv_text, probe_search),
    Surface("url in copied text", text | url, probe_url),
    Surface("selection, clipboard, window (prefill, draft)", context_case, probe_context),
    Surface("import: Inflow JSON", json_import, probe_import(".json")),
    Surface("import: bookmarks HTML", bookmarks_import, probe_import(".html")),
    Surface("import: Markdown file", markdown_import, probe_import(".md")),
    Surface("import: any bytes", raw_bytes, probe_import(".html")),
    Surface("config.toml", toml_file, probe_config),
    Surface("policy files", toml_file, probe_policy),
    Surface("snapshot HTML/PDF/text", snapshot_body, probe_snapshot),
    Surface("connector responses", connector_case, ConnectorProbe()),
]


# ------------------------------------------------------------------------------------------------ runner


@dataclass
class Tally:
    name: str
    cases: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    defects: dict[str, str] = field(default_factory=dict)  # kind -> first example (repr, cut)
    slowest_s: float = 0.0
    rss_growth_mib: float = 0.0

    @property
    def defect_count(self) -> int:
        return self.outcomes.get("defect", 0)


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_surface(surface: Surface, examples: int, seed_value: int, limit_s: float = TIME_LIMIT_S) -> Tally:
    """Run `examples` cases of one surface; every defect is counted, the first of each kind kept."""
    tally = Tally(surface.name)
    rss_before = _rss_mib()
    with tempfile.TemporaryDirectory(prefix="inflow-hostile-") as folder:
        box = Sandbox(Path(folder))

        @seed(seed_value)
        @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(surface.strategy)
        def one(case: Any) -> None:
            start = time.perf_counter()
            try:
                with time_limit(limit_s):
                    outcome = surface.probe(box, case)
            except DefectError as exc:
                outcome = "defect"
                tally.defects.setdefault(str(exc), repr(case)[:200])
            except _HangError:
                outcome = "defect"
                tally.defects.setdefault(f"hang: over {limit_s:.0f} s", repr(case)[:200])
            except Exception as exc:  # escaped an entry point the probe calls directly
                outcome = "defect"
                tally.defects.setdefault(f"{type(exc).__name__}: {str(exc)[:120]}", repr(case)[:200])
            tally.slowest_s = max(tally.slowest_s, time.perf_counter() - start)
            tally.cases += 1
            tally.outcomes[outcome] = tally.outcomes.get(outcome, 0) + 1

        try:
            one()
        finally:
            close = getattr(surface.probe, "close", None)
            if close is not None:
                close()
    tally.rss_growth_mib = _rss_mib() - rss_before
    return tally


def table(tallies: list[Tally]) -> str:
    rows = [
        "| surface | cases | ok | clear message | defects | slowest | peak RSS growth |",
        "|---|---|---|---|---|---|---|",
    ]
    for t in tallies:
        rows.append(
            f"| {t.name} | {t.cases} | {t.outcomes.get('ok', 0)} | {t.outcomes.get('clear', 0)} | {t.defect_count} |"
            f" {t.slowest_s:.2f} s | {t.rss_growth_mib:.0f} MiB |"
        )
    total = sum(t.cases for t in tallies)
    rows.append(f"| **all** | {total} | | | {sum(t.defect_count for t in tallies)} | | |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=1000, help="cases per surface (default 1000)")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--surface", action="append", help="only surfaces whose name contains this")
    args = parser.parse_args(argv)
    chosen = [s for s in SURFACES if not args.surface or any(part in s.name for part in args.surface)]
    tallies = []
    for surface in chosen:
        tally = run_surface(surface, args.examples, args.seed)
        tallies.append(tally)
        print(f"{surface.name}: {tally.cases} cases, {tally.defect_count} defects", file=sys.stderr, flush=True)
        for kind, example in tally.defects.items():
            print(f"  DEFECT {kind}\n    e.g. {example}", file=sys.stderr, flush=True)
    print(table(tallies))
    return 1 if any(t.defect_count for t in tallies) else 0


if __name__ == "__main__":
    sys.exit(main())
