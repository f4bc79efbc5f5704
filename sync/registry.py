"""Which target kinds exist and which connector speaks each (imported only when used)."""

from __future__ import annotations

import importlib

from sync.connector import ConnectorFactory

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
