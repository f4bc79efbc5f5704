"""The session factory's guarantees against a local server: size cap, deadline, cut-off bodies."""

from __future__ import annotations

import gzip
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from sync.http import DeadlineExceeded, ResponseTooLarge, network_error, new_session, retry_after_seconds


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/big":
            self.send_response(200)
            self.end_headers()
            for _ in range(200):
                self.wfile.write(b"x" * 65536)  # 12.5 MiB
        elif self.path == "/bomb":
            payload = gzip.compress(b"\0" * (64 * 1024 * 1024))  # 64 MiB that compresses to ~64 KiB
            self.send_response(200)
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        elif self.path == "/trickle":
            self.send_response(200)
            self.end_headers()
            for _ in range(60):  # one byte every 0.1 s: never trips a read timeout
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.1)
        elif self.path == "/cut":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"only part")
        elif self.path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.end_headers()
        else:
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'{"ok": true}')


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_normal_answer_reads_whole(base: str) -> None:
    with new_session("t") as http:
        assert http.get(f"{base}/ok").json() == {"ok": True}


def test_a_body_over_the_cap_stops_while_streaming(base: str) -> None:
    with new_session("t", max_body_bytes=1024 * 1024) as http, pytest.raises(ResponseTooLarge):
        http.get(f"{base}/big")


def test_a_gzip_bomb_stops_at_the_cap_after_decompression(base: str) -> None:
    with new_session("t", max_body_bytes=1024 * 1024) as http, pytest.raises(ResponseTooLarge):
        http.get(f"{base}/bomb")


def test_a_trickling_server_hits_the_total_deadline(base: str) -> None:
    started = time.monotonic()
    with new_session("t", deadline=1.0) as http, pytest.raises(DeadlineExceeded):
        http.get(f"{base}/trickle")
    assert time.monotonic() - started < 5  # cut at the deadline, well before the 6 s trickle ends


def test_a_cut_off_body_is_a_requests_error(base: str) -> None:
    with new_session("t") as http, pytest.raises(requests.RequestException) as caught:
        http.get(f"{base}/cut")
    assert "cut off" in str(caught.value) or "IncompleteRead" in str(caught.value)


def test_a_redirect_loop_is_a_clear_transient_error(base: str) -> None:
    with new_session("t") as http, pytest.raises(requests.TooManyRedirects) as caught:
        http.get(f"{base}/loop")
    assert "redirects in a loop" in network_error(caught.value, f"{base}/loop").message


def test_retry_after_reads_seconds_and_dates() -> None:
    response = requests.Response()
    response.headers["Retry-After"] = "7"
    assert retry_after_seconds(response) == 7
    response.headers["Retry-After"] = "Wed, 21 Oct 2015 07:28:00 GMT"
    assert retry_after_seconds(response) == 0
    response.headers["Retry-After"] = "soon"
    assert retry_after_seconds(response) is None


def test_dns_failure_names_the_host() -> None:
    with new_session("t") as http, pytest.raises(requests.ConnectionError) as caught:
        http.get("http://no-such-host.invalid/")
    assert "DNS" in network_error(caught.value, "http://no-such-host.invalid/").message


def _self_signed(tmp: Path) -> tuple[Path, Path]:
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256())
    )  # fmt: skip
    cert_path, key_path = tmp / "cert.pem", tmp / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def test_an_untrusted_certificate_is_a_tls_failure_naming_the_host(tmp_path: Path) -> None:
    import ssl

    cert, key = _self_signed(tmp_path)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"https://127.0.0.1:{server.server_address[1]}/ok"
    try:
        with new_session("t") as http, pytest.raises(requests.exceptions.SSLError) as caught:
            http.get(url)
        assert network_error(caught.value, url).message.startswith("TLS failure talking to 127.0.0.1")
    finally:
        server.shutdown()
        server.server_close()


def _failure_of(handle: Callable[[socket.socket], None]) -> str:
    """network_error's message for a request to a one-shot server that accepts and then does `handle`."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/x"

        def serve() -> None:
            connection, _ = listener.accept()
            connection.recv(65536)
            handle(connection)
            connection.close()

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        with new_session("t") as http, pytest.raises(requests.RequestException) as caught:
            http.get(url)
        thread.join(5)
    return network_error(caught.value, url).message


def test_a_reset_or_a_non_http_answer_says_the_server_broke_off() -> None:
    def reset(connection: socket.socket) -> None:
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    def tls_alert(connection: socket.socket) -> None:
        connection.sendall(b"\x15\x03\x03\x00\x02\x02\x28")

    for handle in (reset, tls_alert):
        assert _failure_of(handle) == "127.0.0.1 broke off the connection without an answer"


def test_a_body_cut_off_says_so_once() -> None:
    def cut(connection: socket.socket) -> None:
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nonly part")

    assert _failure_of(cut) == "the answer from 127.0.0.1 was cut off on the way"
