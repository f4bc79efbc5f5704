"""Mattermost (REST API v4): moments in a channel, threads, the channel as the feed."""

from sync.connectors.mattermost.connector import CONNECTOR, MattermostConnector

__all__ = ["CONNECTOR", "MattermostConnector"]
