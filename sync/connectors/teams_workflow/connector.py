"""Microsoft Teams through a Workflows (Power Automate) webhook: push only. The secret IS the flow URL (the
"When a Teams webhook request is received" trigger's URL); this kind has no settings.

Each moment is one POST of the envelope the default "Post to a channel when a webhook request is received"
flow expects (a bare `{"text": ...}` makes it fail):

    {"type": "message", "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive",
     "contentUrl": null, "content": {"type": "AdaptiveCard", "version": "1.2", "body": [TextBlocks...],
     "actions": [{"type": "Action.OpenUrl", ...}]}}]}

TextBlocks: the heading (bolder, medium, wrap), the body in the Markdown subset TextBlocks show (**bold**,
_italic_, [links](url), "- " and "1. " lists), the tags (subtle). Teams rejects cards over ~28 KB, so the
body is cut (with a pointer) to keep the whole envelope under CARD_LIMIT bytes.

Answers: any 2xx is success (202 usual) and is never retried. 400 permanent (the flow rejected the card),
401/403 auth (the URL's signature no longer works, or the flow is off: paste a new URL), 404 permanent (the
flow no longer exists), 429 + Retry-After and 5xx transient; so is the legacy "429 inside a 200" (a 200 whose
text mentions HTTP error 429). No message id comes back: the remote id is the idempotency key. Like any
webhook, a timeout after the POST went out may have posted it: the retry can then duplicate (said in the
failure message); there is nothing to search.
"""

from __future__ import annotations

from typing import Any, ClassVar

from sync.connector import OutgoingMoment, SendResult
from sync.connectors.teams_workflow.content import card_for, encode
from sync.connectors.teams_workflow.errors import raise_for_answer, workflow_host
from sync.push import SecretUrlTarget


class TeamsWorkflowConnector(SecretUrlTarget):
    kind: ClassVar[str] = "teams-workflow"
    label: ClassVar[str] = "Microsoft Teams (Workflows webhook)"
    secret_label: ClassVar[str] = "Workflow URL (of the flow 'Post to a channel when a webhook request is received')"
    cannot_edit = "A Teams workflow cannot change a post: edit it in Teams"
    cannot_retract = "A Teams workflow cannot delete a post: delete it in Teams"
    cannot_reply = "A Teams workflow only posts: answers stay in Teams"
    cannot_read = "A Teams workflow only posts: Inflow cannot read the channel through it"
    no_url = "No Teams workflow URL is saved for this target: paste it in Settings"
    bad_url = "The saved Teams workflow URL is not an https:// URL: copy it again from the flow"
    may_have_arrived = "the card may have arrived; if it shows twice, delete one"

    def test(self) -> str:
        """Posts a small visible test card (a flow URL has no call that checks without posting)."""
        note = OutgoingMoment(
            moment_id="inflow-test", kind="tip", title="Inflow is connected to this channel",
            body="A test message: you can ignore it.", url=None, tags=(), created_at="", idempotency_key="test",
        )  # fmt: skip
        status = self._post(card_for(note))
        return f"The Teams workflow at {workflow_host(self._url)} accepted a test card (HTTP {status})"

    def send(self, moment: OutgoingMoment) -> SendResult:
        self._post(card_for(moment))
        return SendResult(remote_id=moment.idempotency_key)

    def _post(self, envelope: dict[str, Any]) -> int:
        response = self._post_to_url(data=encode(envelope), headers={"Content-Type": "application/json"})
        raise_for_answer(response)
        return response.status_code


CONNECTOR = TeamsWorkflowConnector
