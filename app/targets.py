"""Targets in config.toml: `[targets.NAME]` tables with a `kind` and that kind's keys.

Kinds and keys are the connectors' own (sync.registry), so Settings, config and CLI agree.
Every kind also takes `allow_insecure_http`: the test-lab opt-out from the rule that credentials and
data never go over plain http:// to another computer (void when `permit_insecure_http` is false).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

from sync.connector import Target, secret_is_url
from sync.registry import connector_for, is_public, kinds, target_urls
from sync.urls import is_plain_http_to_another_computer, origin_of

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
INSECURE_HTTP_KEY = "allow_insecure_http"
COMMON_KEYS = (INSECURE_HTTP_KEY,)
"""Settings every kind takes besides its connector's keys."""


def main_target_refusal(target: Target) -> str:
    """Why this target cannot be the main one (empty: it can): a public target is never a default."""
    if not is_public(target.kind):
        return ""
    return (
        f"'{target.name}' is public ({connector_for(target.kind).label}): anyone can read what is shared there, "
        "so it is never the main target; choose it per moment in the capture window instead"
    )


def validate_target(
    name: str, kind: str, settings: dict[str, str], *, secret: str | None = None, permit_insecure_http: bool = True
) -> list[str]:
    """Problems with a target definition, written for a person (empty: fine). `secret` is checked
    too where it is the URL (webhook kinds); `permit_insecure_http` is the global setting."""
    problems = _definition_problems(name, kind, settings)
    if problems or kind not in kinds():
        return problems
    return plain_http_problems(Target(name, kind, settings), secret, permit_insecure_http=permit_insecure_http)


def opts_into_plain_http(settings: Mapping[str, str]) -> bool:
    """The target's own opt-out (`allow_insecure_http = true`), before the global setting."""
    return settings.get(INSECURE_HTTP_KEY, "").strip().lower() == "true"


def plain_http_problems(target: Target, secret: str | None = None, *, permit_insecure_http: bool = True) -> list[str]:
    """Each URL of the target that would send credentials or data over plain http:// to another computer."""
    if permit_insecure_http and opts_into_plain_http(target.settings):
        return []
    if permit_insecure_http:
        hint = f"for a test lab, set {INSECURE_HTTP_KEY}=true on the target"
    else:
        hint = f"{INSECURE_HTTP_KEY} is switched off here (permit_insecure_http = false)"
    problems = []
    for key, url in target_urls(target, secret):
        if is_plain_http_to_another_computer(url):
            what = f"its URL (the secret) to {origin_of(url)[1]}" if key == "secret" else f"'{key}' {url}"
            problems.append(
                f"target '{target.name}': {what} is plain http://, so your token and data would cross the "
                f"network unencrypted; use https:// ({hint})"
            )
    return problems


def plain_http_allowance(
    targets: Callable[[], Iterable[Target]], permit: Callable[[], bool], secret_for: Callable[[Target], str | None]
) -> Callable[[str], bool]:
    """For the HTTP session: whether a plain http:// URL belongs to a target that opted out (same
    origin as one of its URLs) while the global setting permits it. Asked only for such URLs."""

    def allowed(url: str) -> bool:
        if not permit():
            return False
        wanted = origin_of(url)
        for target in targets():
            if not opts_into_plain_http(target.settings) or target.kind not in kinds():
                continue
            secret = secret_for(target) if secret_is_url(connector_for(target.kind)) else None
            if any(origin_of(own) == wanted for _key, own in target_urls(target, secret)):
                return True
        return False

    return allowed


def _definition_problems(name: str, kind: str, settings: dict[str, str]) -> list[str]:
    problems: list[str] = []
    if not NAME_PATTERN.match(name):
        problems.append(f"target name '{name}' must be letters, digits, '-' or '_' (at most 64)")
    if kind not in kinds():
        return [*problems, f"target '{name}': unknown kind '{kind}' (known: {', '.join(kinds())})"]
    keys = {key.name: key for key in connector_for(kind).keys}
    for key in keys.values():
        if key.required and not settings.get(key.name, "").strip():
            problems.append(f"target '{name}' ({kind}) needs '{key.name}' ({key.label})")
    for given in settings:
        if given not in keys and given not in COMMON_KEYS:
            known = ", ".join([*keys, *COMMON_KEYS])
            problems.append(f"target '{name}' ({kind}) has no setting '{given}' (known: {known})")
    opt_out = settings.get(INSECURE_HTTP_KEY)
    if opt_out is not None and opt_out.strip().lower() not in ("true", "false"):
        problems.append(f"target '{name}': {INSECURE_HTTP_KEY} must be true or false, not '{opt_out}'")
    url = settings.get("url", "")
    if url and not re.match(r"^https?://[^\s/]+", url):
        problems.append(f"target '{name}': url must start with http:// or https://, not '{url}'")
    return problems


def parse_targets(table: object, *, permit_insecure_http: bool = True) -> tuple[list[Target], list[str]]:
    """The valid targets from the `[targets]` table, and what was wrong with the others. A target
    on plain http:// is kept (its queue stays) and reported: the session refuses to send to it."""
    if not isinstance(table, dict):
        return [], ["'targets' must be a table of [targets.NAME] sections"]
    targets: list[Target] = []
    problems: list[str] = []
    for name, section in table.items():
        if not isinstance(section, dict):
            problems.append(f"target '{name}' must be a [targets.{name}] section")
            continue
        kind = str(section.get("kind", ""))
        settings = {str(k): str(v) for k, v in section.items() if k != "kind"}
        found = _definition_problems(str(name), kind, settings)
        if found:
            problems += [f"{p} (target ignored)" for p in found]
            continue
        target = Target(str(name), kind, settings)
        insecure = plain_http_problems(target, permit_insecure_http=permit_insecure_http)
        problems += [f"{p} (nothing is sent to it until then; what it has queued is kept)" for p in insecure]
        targets.append(target)
    return targets, problems
