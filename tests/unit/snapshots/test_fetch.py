"""fetch_page against a loopback server: the fetching rules and the hostile transports."""

from __future__ import annotations

import codecs
import ssl
import threading
import time

import pytest
import trustme

from sync.errors import ErrorKind, SyncError
from sync.http import InflowSession
from sync.snapshots.fetch import SnapshotPolicy, detect_charset, fetch_page, sniff_content_type

from .conftest import BIG_BYTES, USER_AGENT, PageServer, serving

MB = 1024 * 1024


def failure(session: InflowSession, url: str, **kwargs: object) -> SyncError:
    with pytest.raises(SyncError) as caught:
        fetch_page(session, url, **kwargs)  # type: ignore[arg-type]
    return caught.value


# ---------------------------------------------------------------------------------------------- the basics
def test_a_page_is_fetched_with_the_polite_user_agent(server: PageServer, session: InflowSession) -> None:
    fetched = fetch_page(session, f"{server.base}/article.html")
    assert fetched.content_type == "text/html"
    assert fetched.charset == "utf-8"
    assert b"write-ahead log" in fetched.body
    assert server.hits[0].user_agent == USER_AGENT


def test_redirects_are_followed_and_the_final_url_kept(server: PageServer, session: InflowSession) -> None:
    fetched = fetch_page(session, f"{server.base}/redirect?to=/notes.txt")
    assert fetched.final_url == f"{server.base}/notes.txt"
    assert fetched.content_type == "text/plain"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("report.pdf?type=application/octet-stream", "application/pdf"),
        ("report.pdf?type=", "application/pdf"),
        ("article.html?type=", "text/html"),
        ("images/crumb.png?type=text/plain", "image/png"),
        ("images/placeholder.gif?type=binary/octet-stream", "image/gif"),
        ("notes.txt?type=", "text/plain"),
        ("article.html?type=text/plain", "text/plain"),  # a specific header is trusted
    ],
)
def test_the_content_type_is_sniffed_when_the_header_is_missing_or_generic(
    server: PageServer, session: InflowSession, query: str, expected: str
) -> None:
    assert fetch_page(session, f"{server.base}/{query}").content_type == expected


def test_sniffing_knows_the_magic_numbers() -> None:
    assert sniff_content_type("", b"\xff\xd8\xff\xe0\x00\x10JFIF") == "image/jpeg"
    assert sniff_content_type("", b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert sniff_content_type("application/octet-stream", b"\xef\xbb\xbf  <!DOCTYPE html><html>") == "text/html"
    assert sniff_content_type("", b"\x00\x01\x02binary") == "application/octet-stream"


@pytest.mark.parametrize(
    ("path", "charset"),
    [
        ("windows-1252.html", "cp1252"),  # <meta http-equiv ... charset=windows-1252>
        ("windows-1252-undeclared.html", "cp1252"),  # guessed by charset-normalizer
        ("windows-1252-undeclared.html?charset=iso-8859-1", "cp1252"),  # latin-1 means windows-1252, as browsers do
        ("windows-1252-undeclared.html?charset=windows-1252", "cp1252"),
    ],
)
def test_the_charset_of_a_non_utf8_page_is_detected(
    server: PageServer, session: InflowSession, path: str, charset: str
) -> None:
    fetched = fetch_page(session, f"{server.base}/{path}")
    assert fetched.charset == charset
    assert "Les cafés de Zürich" in fetched.text
    assert "5,50 €" in fetched.text


def test_charset_order_bom_header_meta_utf8() -> None:
    meta = b'<html><head><meta charset="iso-8859-2"></head><body>\xe9</body></html>'
    assert detect_charset(b"\xef\xbb\xbf<p>x</p>", "windows-1252", html=True) == "utf-8"
    assert detect_charset(meta, "koi8-r", html=True) == codecs.lookup("koi8-r").name
    assert detect_charset(meta, None, html=True) == codecs.lookup("iso-8859-2").name
    assert detect_charset("<p>Grüße</p>".encode(), None, html=True) == "utf-8"
    assert detect_charset(b"<p>plain</p>", "no-such-charset", html=True) == "utf-8"


# ---------------------------------------------------------------------------------------------- policy and schemes
@pytest.mark.parametrize(
    "url", ["ftp://example.org/file.txt", "file:///etc/passwd", "javascript:alert(1)", "about:blank"]
)
def test_only_http_and_https_are_fetched(session: InflowSession, url: str) -> None:
    error = failure(session, url)
    assert error.kind is ErrorKind.PERMANENT
    assert "Only web pages" in error.message


def test_domain_lists_match_the_host_and_its_subdomains_and_deny_wins() -> None:
    policy = SnapshotPolicy(allow_domains=("example.org",), deny_domains=("secret.example.org",))
    policy.check("https://example.org/a")
    policy.check("https://docs.example.org/a")
    for url in ("https://secret.example.org/", "https://a.secret.example.org/", "https://notexample.org/"):
        with pytest.raises(SyncError) as caught:
            policy.check(url)
        assert caught.value.kind is ErrorKind.PERMANENT
    with pytest.raises(SyncError, match="deny list"):
        SnapshotPolicy(deny_domains=("example.org",)).check("https://EXAMPLE.org./x")
    with pytest.raises(SyncError, match="turned off by policy"):
        SnapshotPolicy(enabled=False).check("https://example.org/")


def test_a_denied_domain_or_disabled_policy_makes_no_request(server: PageServer, session: InflowSession) -> None:
    denied = failure(session, f"{server.base}/article.html", policy=SnapshotPolicy(deny_domains=("127.0.0.1",)))
    assert (denied.kind, denied.message) == (
        ErrorKind.PERMANENT,
        "Snapshots of 127.0.0.1 are not allowed by policy (deny list).",
    )
    off = failure(session, f"{server.base}/article.html", policy=SnapshotPolicy(enabled=False))
    assert off.message == "Page snapshots are turned off by policy."
    assert server.hits == []


def test_a_redirect_to_a_denied_domain_is_not_followed(session: InflowSession) -> None:
    with serving("127.0.0.1") as first, serving("127.0.0.2") as second:
        policy = SnapshotPolicy(deny_domains=("127.0.0.2",))
        error = failure(session, f"{first.base}/redirect?to={second.base}/article.html", policy=policy)
        assert "not allowed by policy" in error.message
        assert second.hits == []


def test_a_redirect_to_a_local_file_is_refused(server: PageServer, session: InflowSession) -> None:
    error = failure(session, f"{server.base}/redirect?to=file:///etc/passwd")
    assert error.kind is ErrorKind.PERMANENT


# ---------------------------------------------------------------------------------------------- HTTP errors
def test_a_404_is_permanent_the_page_is_gone(server: PageServer, session: InflowSession) -> None:
    error = failure(session, f"{server.base}/status/404")
    assert (error.kind, error.message) == (ErrorKind.PERMANENT, "The page is gone (404 Not Found).")
    assert failure(session, f"{server.base}/status/410").message == "The page is gone (410 Gone)."


def test_a_500_is_transient(server: PageServer, session: InflowSession) -> None:
    error = failure(session, f"{server.base}/status/500")
    assert error.kind is ErrorKind.TRANSIENT
    assert "500 Internal Server Error" in error.message


def test_a_429_is_transient_and_keeps_retry_after(server: PageServer, session: InflowSession) -> None:
    server.retry_after = "120"
    error = failure(session, f"{server.base}/flaky/once")
    assert error.kind is ErrorKind.TRANSIENT
    assert error.retry_after == 120


@pytest.mark.parametrize("code", [401, 403])
def test_401_and_403_need_a_sign_in(server: PageServer, session: InflowSession, code: int) -> None:
    error = failure(session, f"{server.base}/status/{code}")
    assert error.kind is ErrorKind.PERMANENT
    assert error.message.startswith("The page needs a sign-in")


def test_other_4xx_are_permanent(server: PageServer, session: InflowSession) -> None:
    assert failure(session, f"{server.base}/status/400").kind is ErrorKind.PERMANENT


# ---------------------------------------------------------------------------------------------- hostile transports
def test_a_100_mb_response_stops_at_the_cap_while_streaming(server: PageServer, session: InflowSession) -> None:
    started = time.monotonic()
    error = failure(session, f"{server.base}/big", max_bytes=2 * MB)
    assert (error.kind, error.message) == (ErrorKind.PERMANENT, "The page is larger than the size limit (2 MB).")
    assert server.big_done.wait(5)
    assert server.big_sent < 32 * MB < BIG_BYTES  # the reader hung up: the server could not send the rest
    assert time.monotonic() - started < 5


def test_a_gzip_bomb_stops_at_the_cap_after_decompression(server: PageServer, session: InflowSession) -> None:
    error = failure(session, f"{server.base}/bomb", max_bytes=2 * MB)
    assert error.kind is ErrorKind.PERMANENT
    assert "larger than the size limit" in error.message


def test_an_endless_redirect_chain_stops_after_five_hops(server: PageServer, session: InflowSession) -> None:
    error = failure(session, f"{server.base}/chain/0")
    assert error.kind is ErrorKind.PERMANENT
    assert "redirects more than 5 times" in error.message
    assert len(server.hits) == 6


def test_a_redirect_loop_is_permanent(server: PageServer, session: InflowSession) -> None:
    error = failure(session, f"{server.base}/loop")
    assert (error.kind, error.message) == (
        ErrorKind.PERMANENT,
        "127.0.0.1 redirects in a loop; the page cannot be saved.",
    )


def test_a_server_trickling_a_byte_a_second_is_stopped_by_the_deadline(
    server: PageServer, session: InflowSession
) -> None:
    started = time.monotonic()
    error = failure(session, f"{server.base}/trickle", deadline=1.5)
    assert error.kind is ErrorKind.TRANSIENT
    assert "took too long" in error.message
    assert time.monotonic() - started < 5


def test_a_refused_connection_is_transient(session: InflowSession) -> None:
    with serving() as gone:
        url = f"{gone.base}/article.html"
    error = failure(session, url)
    assert error.kind is ErrorKind.TRANSIENT


def test_a_tls_failure_is_transient_and_says_so(session: InflowSession) -> None:
    ca = trustme.CA()  # a certificate authority nobody trusts
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    server = PageServer("127.0.0.1")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        error = failure(session, f"https://127.0.0.1:{server.server_address[1]}/article.html")
    finally:
        server.shutdown()
        server.server_close()
    assert error.kind is ErrorKind.TRANSIENT
    assert error.message.startswith("TLS failure talking to 127.0.0.1")
