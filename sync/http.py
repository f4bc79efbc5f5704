"""The one HTTP session factory for all network code.

requests has no session-wide timeout, no total deadline (a server trickling one byte per second
never trips the read timeout) and no size cap. This session adds all three by streaming every
body and counting it (after decompression, so a gzip bomb stops at the cap), trusts the OS
certificate store (truststore: corporate TLS inspection works), takes proxies from the
environment (or policy), follows at most a few redirects, and says who it is.
"""

from __future__ import annotations

import ssl
import time
from typing import Any

import requests
import urllib3
from requests.adapters import HTTPAdapter

from sync.errors import SyncError, transient

CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 20.0
DEADLINE_S = 60.0
MAX_BODY_BYTES = 8 * 1024 * 1024
MAX_REDIRECTS = 5


class ResponseTooLarge(requests.RequestException):
    """The body grew past the session's cap; reading stopped there."""


class DeadlineExceeded(requests.Timeout):
    """The whole exchange took longer than the session's deadline (e.g. a trickling server)."""


class _TrustStoreAdapter(HTTPAdapter):
    """Verifies TLS against the operating system's trust store (corporate roots included)."""

    def __init__(self, ssl_context: ssl.SSLContext) -> None:
        self._ssl_context = ssl_context
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["ssl_context"] = self._ssl_context
        super().init_poolmanager(*args, **kwargs)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        proxy_kwargs["ssl_context"] = self._ssl_context
        return super().proxy_manager_for(proxy, **proxy_kwargs)


class InflowSession(requests.Session):
    """A requests.Session with timeouts, a total deadline and a body size cap on every request."""

    def __init__(
        self,
        *,
        user_agent: str,
        timeout: tuple[float, float] = (CONNECT_TIMEOUT_S, READ_TIMEOUT_S),
        deadline: float = DEADLINE_S,
        max_body_bytes: int = MAX_BODY_BYTES,
        proxies: dict[str, str] | None = None,
        use_os_trust_store: bool = True,
    ) -> None:
        super().__init__()
        self.headers["User-Agent"] = user_agent
        self.timeout = timeout
        self.deadline = deadline
        self.max_body_bytes = max_body_bytes
        self.max_redirects = MAX_REDIRECTS
        if proxies:
            self.proxies.update(proxies)
        if use_os_trust_store:
            import truststore

            adapter = _TrustStoreAdapter(truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT))
            self.mount("https://", adapter)

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", self.timeout)
        deadline = time.monotonic() + float(kwargs.pop("deadline", self.deadline))
        kwargs["stream"] = True
        response = super().request(method, url, *args, **kwargs)
        try:
            self._read_body(response, deadline)
        finally:
            response.close()
        return response

    def _read_body(self, response: requests.Response, deadline: float) -> None:
        try:
            self._read_chunks(response, deadline)
        except requests.RequestException:
            raise  # ours (too large, too slow): already says what happened
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            # A body cut off mid-answer, a broken gzip stream, a reset connection.
            raise requests.exceptions.ChunkedEncodingError(
                f"the answer from {host_of(response.url)} was cut off ({type(exc).__name__})"
            ) from exc

    def _read_chunks(self, response: requests.Response, deadline: float) -> None:
        chunks: list[bytes] = []
        size = 0
        while chunk := response.raw.read1(65536, decode_content=True):  # what has arrived, not a full 64 KiB
            size += len(chunk)
            if size > self.max_body_bytes:
                cap = self.max_body_bytes // 1048576
                raise ResponseTooLarge(f"the answer from {host_of(response.url)} is larger than {cap} MiB")
            if time.monotonic() > deadline:
                raise DeadlineExceeded(f"{host_of(response.url)} took too long to answer")
            chunks.append(chunk)
        response._content = b"".join(chunks)  # what .content/.text/.json() read
        response._content_consumed = True  # type: ignore[attr-defined]  # requests' own flag


def new_session(user_agent: str, **options: Any) -> InflowSession:
    """The factory every connector gets its session from."""
    return InflowSession(user_agent=user_agent, **options)


def host_of(url: str | None, fallback: str = "the server") -> str:
    """The host a URL names, for messages ("cannot reach <host>"); `fallback` when it names none."""
    from urllib.parse import urlsplit

    return urlsplit(url or "").hostname or fallback


def network_error(exc: requests.RequestException, url: str) -> SyncError:
    """A transport failure, classified (always transient) with a message naming the host."""
    host = host_of(url)
    if isinstance(exc, requests.exceptions.SSLError):
        return transient(f"TLS failure talking to {host}: the certificate is not trusted or the handshake failed")
    if isinstance(exc, ResponseTooLarge | DeadlineExceeded):
        return transient(str(exc))
    if isinstance(exc, requests.exceptions.TooManyRedirects):
        return transient(f"{host} redirects in a loop")
    if isinstance(exc, requests.Timeout):
        return transient(f"{host} did not answer in time")
    if isinstance(exc, requests.ConnectionError):
        text = str(exc)
        if "Name or service not known" in text or "nodename nor servname" in text or "getaddrinfo" in text:
            return transient(f"cannot find the server {host} (DNS lookup failed)")
        if "Connection refused" in text:
            return transient(f"{host} refused the connection (is the server running?)")
        return transient(f"cannot reach {host}: {type(exc).__name__}")
    return transient(f"network problem with {host}: {exc}")


def retry_after_seconds(response: requests.Response) -> float | None:
    """The Retry-After header in seconds (delta-seconds or an HTTP date), if any."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
