"""Microsoft Teams through Microsoft Graph, signed in as the person (device code)."""

from sync.connectors.teams_graph.connector import CONNECTOR, TeamsGraphConnector

__all__ = ["CONNECTOR", "TeamsGraphConnector"]
