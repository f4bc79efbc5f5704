"""Slack incoming webhook: push only. The secret IS the webhook URL (https://hooks.slack.com/services/…), so
this kind has no settings; a local or proxied receiver works the same (any http(s) URL).

Each moment is one POST of `{"text", "blocks"}` (the same mrkdwn and Block Kit as the bot connector, within
Slack's limits). Slack answers 200 `ok`; errors are an HTTP status with a short text code: 400
invalid_payload/invalid_blocks/no_text (permanent: Slack refused this message), 403 action_prohibited /
invalid_token / team_disabled and 404 no_service / no_team (auth: the URL no longer works or posting through
it is forbidden, so the target pauses until someone pastes a new URL), 404 channel_not_found (permanent), 410
channel_is_archived (gone: the target pauses until the channel is back), 429 with Retry-After and 5xx (transient).

No message ts comes back, so the remote id is the outbox row's idempotency key, and nothing can be edited,
retracted or read back.

Duplicates: a webhook has no idempotency key and cannot be searched. When a POST times out after it went
out, Slack may have posted it; the engine retries (a transient failure) and the message can then appear
twice. We accept that rare duplicate rather than risk losing a share; the failure message says so, so the
person knows why. Failures before the request left (DNS, refused connection, TLS) never duplicate.
"""

from __future__ import annotations

from typing import ClassVar

from sync.connector import OutgoingMoment, SendResult
from sync.connectors.slack_webhook.content import TEST_MESSAGE, message
from sync.connectors.slack_webhook.errors import raise_for_answer, webhook_host
from sync.push import SecretUrlTarget


class SlackWebhookConnector(SecretUrlTarget):
    kind: ClassVar[str] = "slack-webhook"
    label: ClassVar[str] = "Slack incoming webhook"
    secret_label: ClassVar[str] = "Webhook URL (https://hooks.slack.com/services/…)"
    cannot_edit = "A Slack webhook cannot change a post: edit it in Slack"
    cannot_retract = "A Slack webhook cannot delete a post: delete it in Slack"
    cannot_reply = "A Slack webhook only posts: answers stay in Slack (use the slack kind to read them)"
    cannot_read = "A Slack webhook only posts: Inflow cannot read the channel through it"
    no_url = "No Slack webhook URL is saved for this target: paste it in Settings"
    bad_url = "The saved Slack webhook URL is not an https:// URL: paste it again from Slack"
    may_have_arrived = "the post may have arrived; if it shows twice, delete one"

    def test(self) -> str:
        """Posts a short visible test message (a webhook has no call that checks without posting)."""
        self._post(TEST_MESSAGE)
        return f"The Slack webhook at {webhook_host(self._url)} accepted a test message"

    def send(self, moment: OutgoingMoment) -> SendResult:
        self._post(message(moment))
        return SendResult(remote_id=moment.idempotency_key)

    def _post(self, body: dict[str, object]) -> None:
        raise_for_answer(self._post_to_url(json=body))


CONNECTOR = SlackWebhookConnector
