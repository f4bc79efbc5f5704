"""Mastodon (REST API v1): opt-in public posts, edits, deletes, replies from the thread, a hashtag as the feed."""

from sync.connectors.mastodon.connector import CONNECTOR, MastodonConnector

__all__ = ["CONNECTOR", "MastodonConnector"]
