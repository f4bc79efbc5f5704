"""Microsoft sign-in, shared by every Microsoft Graph target (one module, no per-connector copy): device
code once, then silent tokens from a cache. The scopes default to the Teams channel ones.

The target's secret is MSAL's serialized token cache (JSON holding the refresh token). It is made by
`start_device_sign_in(target, http).wait()` (the person opens microsoft.com/devicelogin and enters the
code) and stored in the keyring. Afterwards every token comes silently from that cache; when MSAL
refreshes tokens the cache changes, and `TokenSource.changed_cache()` hands the new serialization
back so that it can be stored again (see `updated_secret` in sync.connectors.teams_graph.connector).

MSAL contacts the authority (tenant discovery) when its client is built, so the client is built on
first use, never when a connector is constructed. All HTTP goes through the Inflow session.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import requests

from sync.connector import Target
from sync.errors import SyncError, auth, permanent, transient
from sync.http import host_of, network_error

if TYPE_CHECKING:  # msal costs ~100 ms at import: only when a token is really needed
    import msal  # type: ignore[import-untyped]  # msal ships no type hints

DEFAULT_AUTHORITY = "https://login.microsoftonline.com"
SCOPES = ("ChannelMessage.Send", "ChannelMessage.Read.All")
"""Asked for at sign-in: post, and read channel messages, replies and the delta feed."""
WRITE_SCOPES = ("ChannelMessage.ReadWrite",)
"""Only for edit and retract (PATCH, softDelete); asked for silently when needed (admin consent)."""
_AUTH_ERRORS = frozenset(
    {"invalid_grant", "interaction_required", "login_required", "consent_required", "invalid_client",
     "unauthorized_client", "no_account", "invalid_scope", "expired_token", "access_denied"}
)  # fmt: skip


def authority_of(target: Target) -> str:
    base = (target.get("authority").strip() or DEFAULT_AUTHORITY).rstrip("/")
    return f"{base}/{target.get('tenant').strip()}"


def sign_in_hint(target: Target) -> str:
    return f"Sign in again: inflow target signin {target.name}"


def _first_line(text: object) -> str:
    line = str(text or "").strip().split("\n", 1)[0].strip()
    return line[:300]


def classify_msal_error(result: dict[str, Any], target: Target, *, write: bool = False) -> SyncError:
    """An MSAL error result (`{"error", "error_description", "error_codes", "suberror"}`) as a SyncError."""
    error = str(result.get("error") or "")
    detail = _first_line(result.get("error_description")) or error or "no details"
    raw_codes = result.get("error_codes")
    codes: list[Any] = raw_codes if isinstance(raw_codes, list) else []
    consent = result.get("suberror") == "consent_required" or error == "consent_required" or 65001 in codes
    if consent and write:
        return permanent(
            "Editing or removing a Teams message needs the ChannelMessage.ReadWrite permission with admin "
            f"consent for this app registration: {detail}"
        )
    if error in ("temporarily_unavailable", "server_error", "slow_down"):
        return transient(f"Microsoft sign-in is unavailable right now: {detail}")
    if error in _AUTH_ERRORS or consent:
        return auth(f"{sign_in_hint(target)} (Microsoft sign-in: {detail})")
    return auth(f"{sign_in_hint(target)} (Microsoft sign-in answered {error or 'an error'}: {detail})")


def build_application(
    target: Target, http: requests.Session, cache: msal.SerializableTokenCache
) -> msal.PublicClientApplication:
    """The MSAL client (this contacts the authority: tenant discovery)."""
    import msal

    authority = authority_of(target)
    client_id = target.get("client_id").strip()
    if not client_id or not target.get("tenant").strip():
        raise permanent("A Teams (Graph) target needs its tenant and client_id: check the target's settings")
    if not authority.startswith("https://"):
        raise permanent(f"The sign-in authority {authority!r} must start with https://")
    try:
        return msal.PublicClientApplication(
            client_id, authority=authority, token_cache=cache, http_client=http, instance_discovery=False
        )
    except requests.RequestException as exc:
        raise network_error(exc, authority) from exc
    except ValueError as exc:
        if "HTTP status: 4" in f"{exc} {exc.__context__}":  # msal re-raises the discovery's ValueError
            raise auth(
                f"Microsoft sign-in does not know the tenant {target.get('tenant')!r}: check the target's "
                f"tenant setting ({_first_line(exc)})"
            ) from exc
        raise transient(f"{_host(authority)} answered the sign-in discovery with something unusable") from exc


def _host(url: str) -> str:
    return host_of(url, "the sign-in server")


class TokenSource:
    """Access tokens for one target, silently from the serialized cache (the target's secret)."""

    def __init__(self, target: Target, secret: str | None, http: requests.Session) -> None:
        self._target = target
        self._secret = secret
        self._http = http
        self._app: msal.PublicClientApplication | None = None
        self._cache: msal.SerializableTokenCache | None = None
        self._account: dict[str, Any] | None = None

    def token(self, scopes: tuple[str, ...] = SCOPES, *, force_refresh: bool = False) -> str:
        """An access token for `scopes` (refreshed through the cache's refresh token when needed)."""
        app, account = self._client()
        write = scopes == WRITE_SCOPES
        try:
            result = app.acquire_token_silent_with_error(list(scopes), account, force_refresh=force_refresh)
        except requests.RequestException as exc:
            raise network_error(exc, authority_of(self._target)) from exc
        except ValueError as exc:  # a token endpoint answering HTML or broken JSON
            raise transient(f"{_host(authority_of(self._target))} answered the token request unusably") from exc
        if not result:
            raise auth(f"{sign_in_hint(self._target)} (no usable sign-in is saved)")
        if "access_token" not in result:
            raise classify_msal_error(result, self._target, write=write)
        return str(result["access_token"])

    def user_id(self) -> str | None:
        """The signed-in user's object id (Graph's `from.user.id` on their messages)."""
        self._client()
        value = self._account.get("local_account_id") if self._account else None
        return value if isinstance(value, str) else None

    def username(self) -> str:
        self._client()
        return str((self._account or {}).get("username") or "the saved account")

    def changed_cache(self) -> str | None:
        """The cache serialized again if MSAL changed it (new tokens) since the last call, else None."""
        if self._cache is not None and self._cache.has_state_changed:
            return str(self._cache.serialize())
        return None

    def _client(self) -> tuple[msal.PublicClientApplication, dict[str, Any]]:
        if self._app is not None and self._account is not None:
            return self._app, self._account
        if not self._secret:
            raise auth(f"{sign_in_hint(self._target)} (this Teams target has no saved sign-in)")
        import msal

        cache = msal.SerializableTokenCache()
        app = build_application(self._target, self._http, cache)
        try:
            cache.deserialize(self._secret)
        except (ValueError, TypeError, AttributeError) as exc:
            raise auth(f"{sign_in_hint(self._target)} (the saved sign-in is unreadable)") from exc
        accounts = app.get_accounts()
        if not accounts:
            raise auth(f"{sign_in_hint(self._target)} (the saved sign-in holds no account)")
        self._app, self._cache, self._account = app, cache, accounts[0]
        return app, accounts[0]


class DeviceSignIn:
    """One device-code sign-in in progress: show `message`, then `wait()` for the person."""

    def __init__(self, target: Target, app: msal.PublicClientApplication, cache: Any, flow: dict[str, Any]) -> None:
        self._target = target
        self._app = app
        self._cache = cache
        self._flow = flow
        self.message: str = str(flow.get("message") or "")
        self.account: str = ""
        """The signed-in user's name (preferred_username), set by a successful wait()."""

    def wait(self, timeout: float | None = None) -> str:
        """Poll until the person has signed in; returns the serialized token cache to store as the secret."""
        deadline = time.time() + (timeout if timeout is not None else float("inf"))
        flow = self._flow
        try:
            result = self._app.acquire_token_by_device_flow(
                flow, exit_condition=lambda f: time.time() > min(deadline, float(f.get("expires_at", 0)))
            )
        except requests.RequestException as exc:
            raise network_error(exc, authority_of(self._target)) from exc
        except ValueError as exc:
            raise transient(f"{_host(authority_of(self._target))} answered the sign-in unusably") from exc
        if "access_token" not in result:
            if result.get("error") in ("authorization_pending", "slow_down", "expired_token"):
                raise auth("The sign-in was not completed in time: run the sign-in again")
            if result.get("error") == "authorization_declined":
                raise auth("The sign-in was declined")
            raise classify_msal_error(result, self._target)
        claims = result.get("id_token_claims") or {}
        self.account = str(claims.get("preferred_username") or claims.get("name") or "your account")
        return str(self._cache.serialize())


def start_device_sign_in(target: Target, http: requests.Session) -> DeviceSignIn:
    """Start a device-code sign-in for a `teams-graph` target (a fresh cache: one account)."""
    import msal

    cache = msal.SerializableTokenCache()
    app = build_application(target, http, cache)
    try:
        flow = app.initiate_device_flow(scopes=list(SCOPES))
    except requests.RequestException as exc:
        raise network_error(exc, authority_of(target)) from exc
    except ValueError as exc:
        raise transient(f"{_host(authority_of(target))} answered the device-code request unusably") from exc
    if "user_code" not in flow:
        if flow.get("error") in ("invalid_client", "unauthorized_client"):
            raise permanent(
                f"Microsoft sign-in refused the app registration {target.get('client_id')!r}: check the "
                "client_id and that 'Allow public client flows' is enabled for it "
                f"({_first_line(flow.get('error_description'))})"
            )
        raise classify_msal_error(flow, target)
    return DeviceSignIn(target, app, cache, flow)
