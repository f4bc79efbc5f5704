"""Slack incoming webhook: push only (the secret is the webhook URL)."""

from sync.connectors.slack_webhook.connector import CONNECTOR, SlackWebhookConnector

__all__ = ["CONNECTOR", "SlackWebhookConnector"]
