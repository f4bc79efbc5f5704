"""A generic outbound webhook, signed the Standard Webhooks 1.0 way (push only)."""

from sync.connectors.webhook.connector import CONNECTOR, WebhookConnector

__all__ = ["CONNECTOR", "WebhookConnector"]
