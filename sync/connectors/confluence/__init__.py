"""Confluence Cloud: a page per moment (or tips on a team page), comments as replies."""

from sync.connectors.confluence.connector import CONNECTOR, ConfluenceConnector

__all__ = ["CONNECTOR", "ConfluenceConnector"]
