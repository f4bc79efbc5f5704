"""Which target kinds exist and which connector speaks each (imported only when used)."""

from __future__ import annotations

import importlib

from sync.connector import ConnectorFactory

_MODULES = {
    "matrix": "sync.connectors.matrix",
    "xapi": "sync.connectors.xapi",
    "webhook": "sync.connectors.webhook",
}


def kinds() -> list[str]:
    """Every target kind this Inflow can share to."""
    return list(_MODULES)


def connector_for(kind: str) -> ConnectorFactory:
    """The connector class for a kind (KeyError for an unknown kind)."""
    module = importlib.import_module(_MODULES[kind])
    factory: ConnectorFactory = module.CONNECTOR
    return factory
