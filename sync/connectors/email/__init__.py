"""E-mail (SMTP submission, IMAP): a moment as a mail to a team address, replies and list mail read back."""

from sync.connectors.email.connector import CONNECTOR, EmailConnector

__all__ = ["CONNECTOR", "EmailConnector"]
