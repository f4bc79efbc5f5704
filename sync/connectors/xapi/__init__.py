"""xAPI 1.0.3: each shared moment as a statement in a Learning Record Store (push only)."""

from sync.connectors.xapi.connector import CONNECTOR, XapiConnector
from sync.connectors.xapi.content import tracked_activities

__all__ = ["CONNECTOR", "XapiConnector", "tracked_activities"]
