"""The one HTTP session factory for all network code.

requests has no session-wide timeout, no total deadline (a server trickling one byte per second
never trips the read timeout) and no size cap. This session adds all three by streaming every
body and counting it (after decompression, so a gzip bomb stops at the cap), trusts the OS
certificate store (truststore: corporate TLS inspection works), takes proxies from the
environment (or policy), follows at most a few redirects, and says who it is.

It also guards what leaves the machine, for every connector at once: a redirect to another origin
(scheme, host, port) is not followed when the request carries a credential (Authorization, API-key,
token, signature or cookie headers) or data (a body, or any method but GET/HEAD), and such a request
never goes over plain http:// to a host that is not this computer, unless `plain_http_allowed` says
that URL is a test lab's (the target's documented opt-out).
"""

from __future__ import annotations

import json
import re
import ssl
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter

from sync.errors import SyncError, auth, permanent, transient
from sync.urls import is_plain_http_to_another_computer, origin_of

CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 20.0
DEADLINE_S = 60.0
MAX_BODY_BYTES = 8 * 1024 * 1024
MAX_REDIRECTS = 5


class ResponseTooLarge(requests.RequestException):
    """The body grew past the session's cap; reading stopped there."""


class DeadlineExceeded(requests.Timeout):
    """The whole exchange took longer than the session's deadline (e.g. a trickling server)."""


class CrossOriginRedirect(requests.RequestException):
    """A redirect to another origin that was not followed: the request carried credentials or data."""


class PlainHttpRefused(requests.RequestException):
    """A request with credentials or data to a non-loopback host over plain http://, not sent."""


#: Header names that carry a credential: Authorization, Cookie, Api-Key/Api-Username/User-Api-Key,
#: X-*-Token, webhook-signature / X-*-Signature, X-Auth-*, session and secret headers.
_CREDENTIAL_HEADER = re.compile(
    r"authorization|cookie|token|secret|signature|password|session|api-?key|api-?user|(^|-)auth(-|$)", re.IGNORECASE
)
_SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def carries_credentials_or_data(request: requests.PreparedRequest, *, cookies: bool = True) -> bool:
    """True when the request has a credential header, a body, or a method that changes something.
    `cookies=False` ignores the Cookie header (a site's own cookies, e.g. an offline copy's page)."""
    if (request.method or "GET").upper() not in _SAFE_METHODS or request.body:
        return True
    names = [name for name in request.headers if cookies or name.lower() != "cookie"]
    return any(_CREDENTIAL_HEADER.search(name) for name in names)


def _origin_label(url: str, other: str) -> str:
    """The host for a message; with scheme and port when the host alone does not tell them apart."""
    if host_of(url) != host_of(other):
        return host_of(url)
    scheme, host, port = origin_of(url)
    return f"{scheme}://{host}:{port}"


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
        plain_http_allowed: Callable[[str], bool] | None = None,
    ) -> None:
        super().__init__()
        self.plain_http_allowed = plain_http_allowed or (lambda _url: False)
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

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        """Every hop goes through here (redirects included): refuse plain http:// with credentials or data."""
        url = request.url or ""
        refused = is_plain_http_to_another_computer(url) and carries_credentials_or_data(request, cookies=False)
        if refused and not self.plain_http_allowed(url):
            raise PlainHttpRefused(
                f"Inflow does not send your credentials or data to {host_of(url)} over plain http:// "
                "(anyone on the network could read them): use https:// in the target's URL",
                request=request,
            )
        return super().send(request, **kwargs)

    def rebuild_auth(self, prepared_request: requests.PreparedRequest, response: requests.Response) -> None:
        """Called by requests before each redirect hop is sent: a hop to another origin is refused
        when the request carried credentials or data (requests itself strips only Authorization,
        and only when the host changes; 307/308 re-send the body)."""
        old, new = response.request.url or "", prepared_request.url or ""
        if origin_of(old) != origin_of(new) and (
            carries_credentials_or_data(response.request) or "Cookie" in prepared_request.headers
        ):
            raise CrossOriginRedirect(
                f"{_origin_label(old, new)} redirected to {_origin_label(new, old)}; Inflow does not send your "
                "credentials or data there: check the target's URL",
                request=response.request,
                response=response,
            )
        super().rebuild_auth(prepared_request, response)  # type: ignore[no-untyped-call]

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
    return urlsplit(url or "").hostname or fallback


def network_error(exc: requests.RequestException, url: str) -> SyncError:
    """A transport failure, classified with a message naming the host: transient, except a refused
    cross-origin redirect (permanent: the URL needs fixing) and refused plain http:// (auth: the
    target pauses, its queue is kept, until its URL is fixed)."""
    host = host_of(url)
    if isinstance(exc, CrossOriginRedirect):
        return permanent(str(exc))
    if isinstance(exc, PlainHttpRefused):
        return auth(str(exc))
    if isinstance(exc, requests.exceptions.SSLError):
        return transient(f"TLS failure talking to {host}: the certificate is not trusted or the handshake failed")
    if isinstance(exc, ResponseTooLarge | DeadlineExceeded):
        return transient(str(exc))
    if isinstance(exc, requests.exceptions.TooManyRedirects):
        return transient(f"{host} redirects in a loop")
    if isinstance(exc, requests.Timeout):
        return transient(f"{host} did not answer in time")
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return transient(f"the answer from {host} was cut off on the way")
    if isinstance(exc, requests.ConnectionError):
        text = str(exc)
        if "Connection aborted" in text:  # reset, closed, or bytes that are not HTTP: after connecting
            return transient(f"{host} broke off the connection without an answer")
        if "Name or service not known" in text or "nodename nor servname" in text or "getaddrinfo" in text:
            return transient(f"cannot find the server {host} (DNS lookup failed)")
        if "Connection refused" in text:
            return transient(f"{host} refused the connection (is the server running?)")
        return transient(f"cannot reach {host}: {type(exc).__name__}")
    return transient(f"network problem with {host}: {exc}")


NetworkError = Callable[[requests.RequestException, str], SyncError]
"""How a connector words a transport failure (default: network_error)."""
T = TypeVar("T")


def exchange(
    http: requests.Session, method: str, url: str, *, network: NetworkError = network_error, **options: Any
) -> requests.Response:
    """One request through the connector's session; a transport failure raised as a classified SyncError
    (`network`, by default network_error), a body cut off mid-read (a session that streams it raw) as
    transient. The response is the connector's to read: any status, any body."""
    try:
        return http.request(method, url, **options)
    except requests.RequestException as exc:
        raise network(exc, url) from exc
    except urllib3.exceptions.HTTPError as exc:
        raise transient(f"the connection to {host_of(url)} broke off while it answered") from exc


def call(
    http: requests.Session,
    method: str,
    url: str,
    answer: Callable[[requests.Response], T],
    *,
    network: NetworkError = network_error,
    **options: Any,
) -> T:
    """exchange(), then `answer` (the backend's decode-and-classify hook: the payload, or raise)."""
    return answer(exchange(http, method, url, network=network, **options))


def dig(value: Any, *keys: str) -> Any:
    """`value[k1][k2]...` of a decoded JSON answer, None where a level is missing or not an object."""
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _html_page(_raw: bytes) -> str:
    return "answered with an HTML page instead of JSON (a proxy?)"


def decode_json(
    response: requests.Response, *, html_page: Callable[[bytes], str] = _html_page
) -> tuple[dict[str, Any] | None, str]:
    """The body as a JSON object, or None and what is wrong with it (phrased to follow the host name);
    `html_page` words an HTML answer (a backend may name the page's title or its own hint)."""
    raw = response.content or b""
    if not raw.strip():
        return None, "answered with an empty body instead of JSON"
    content_type = response.headers.get("Content-Type", "").lower()
    if "html" in content_type or raw.lstrip()[:1] == b"<":
        return None, html_page(raw)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None, "answered with text that is not valid UTF-8 instead of JSON"
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None, "answered with broken JSON (cut off on the way?)"
    if not isinstance(value, dict):
        return None, f"answered with JSON of an unexpected shape (a {type(value).__name__}, not an object)"
    return value, ""


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
