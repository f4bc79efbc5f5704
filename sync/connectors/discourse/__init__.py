"""Discourse: a topic per moment in a category; replies are its posts."""

from sync.connectors.discourse.connector import CONNECTOR, DiscourseConnector

__all__ = ["CONNECTOR", "DiscourseConnector"]
