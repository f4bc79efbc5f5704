"""Slack through the Web API with a bot token: post, edit, delete, read threads and the channel."""

from sync.connectors.slack.connector import CONNECTOR, SlackConnector

__all__ = ["CONNECTOR", "SlackConnector"]
