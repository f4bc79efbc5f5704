"""Microsoft Teams through a Workflows webhook: push only (the secret is the flow URL)."""

from sync.connectors.teams_workflow.connector import CONNECTOR, TeamsWorkflowConnector

__all__ = ["CONNECTOR", "TeamsWorkflowConnector"]
