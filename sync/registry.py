"""Which target kinds exist and which connector speaks each (imported only when used)."""

from __future__ import annotations

import importlib

from sync.connector import ConnectorFactory, Target, secret_is_url

_MODULES = {
    "matrix": "sync.connectors.matrix",
    "xapi": "sync.connectors.xapi",
    "webhook": "sync.connectors.webhook",
    "slack": "sync.connectors.slack",
    "slack-webhook": "sync.connectors.slack_webhook",
    "teams-workflow": "sync.connectors.teams_workflow",
    "teams-graph": "sync.connectors.teams_graph",
    "mattermost": "sync.connectors.mattermost",
    "discourse": "sync.connectors.discourse",
    "mediawiki": "sync.connectors.mediawiki",
    "confluence": "sync.connectors.confluence",
    "mastodon": "sync.connectors.mastodon",
    "wordpress": "sync.connectors.wordpress",
    "email": "sync.connectors.email",
}


def kinds() -> list[str]:
    """Every target kind this Inflow can share to (those whose connector is installed)."""
    import importlib.util

    return [kind for kind, module in _MODULES.items() if importlib.util.find_spec(module) is not None]


def connector_for(kind: str) -> ConnectorFactory:
    """The connector class for a kind (KeyError for an unknown kind)."""
    module = importlib.import_module(_MODULES[kind])
    factory: ConnectorFactory = module.CONNECTOR
    return factory


def is_public(kind: str) -> bool:
    """What is shared with this kind can be read by anyone (its connector says `public = True`)."""
    return kind in _MODULES and bool(getattr(connector_for(kind), "public", False))


def target_urls(target: Target, secret: str | None = None) -> list[tuple[str, str]]:
    """(setting name, URL) for every URL the target sends to: its URL keys (TargetKey.url), and the
    secret where the kind's secret is the URL (webhook kinds; named 'secret')."""
    factory = connector_for(target.kind)
    found = [(key.name, target.get(key.name).strip()) for key in factory.keys if key.url]
    if secret and secret_is_url(factory):
        found.append(("secret", secret.strip()))
    return [(name, url) for name, url in found if url]
