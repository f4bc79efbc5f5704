"""Matrix: moments in a room, thread replies, the room's timeline as the feed."""

from sync.connectors.matrix.connector import CONNECTOR, MatrixConnector

__all__ = ["CONNECTOR", "MatrixConnector"]
