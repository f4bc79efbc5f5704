"""MediaWiki: moments as sections of a team page (questions on its talk page)."""

from sync.connectors.mediawiki.connector import CONNECTOR, MediaWikiConnector

__all__ = ["CONNECTOR", "MediaWikiConnector"]
