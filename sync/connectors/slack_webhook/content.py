"""What a Slack webhook posts: the bot connector's message (the same mrkdwn text and Block Kit)."""

from __future__ import annotations

from sync.connectors.slack.content import message

TEST_MESSAGE: dict[str, object] = {"text": "Inflow is connected to this channel (a test message: you can ignore it)."}
"""Posted by `test()` (a webhook has no call that checks without posting)."""

__all__ = ["TEST_MESSAGE", "message"]
