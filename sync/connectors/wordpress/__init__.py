"""WordPress (REST API wp/v2): posts in a category, edit, trash, comments as answers, the category as feed."""

from sync.connectors.wordpress.connector import CONNECTOR, WordPressConnector

__all__ = ["CONNECTOR", "WordPressConnector"]
