"""The mail Inflow sends (multipart text + HTML, a Message-ID made from the outbox id) and what mail read back means.

Followed: RFC 5322 3.6.4 (Message-ID, In-Reply-To, References: `<left@right>`, globally unique), RFC 2047 /
RFC 6532 (non-ASCII headers: `email.policy.SMTP` encodes them), RFC 2046 (multipart/alternative, the plain
part first). Quoted text is trimmed the way mail clients write it: `>` lines, an `On ... wrote:` line and
what follows, a `-- ` signature (RFC 3676 4.3).
"""

from __future__ import annotations

import email
import re
from datetime import datetime
from email import policy
from email.message import EmailMessage, Message
from email.utils import format_datetime, getaddresses, parsedate_to_datetime

from sync.connector import FeedItem, OutgoingMoment, RemoteReply
from sync.formatting import as_html, as_plain_text, heading

MARKER = "inflow"
"""The Message-ID's local part ends in `.inflow`: how our own mails are told apart."""
MOMENT_HEADER = "X-Inflow-Moment"
_MAX_TITLE = 120
_ATTRIBUTION = re.compile(r"^(On .{0,200}wrote:|Am .{0,200}schrieb .{0,80}:|Le .{0,200}a écrit\s?:)\s*$")
_ORIGINAL = re.compile(r"^-{2,}\s*(Original Message|Ursprüngliche Nachricht)\s*-{2,}\s*$", re.IGNORECASE)
_URL = re.compile(r"https?://\S+")


def message_id_for(key: str, address: str) -> str:
    """The Message-ID of the mail for one outbox row: the same key always gives the same id."""
    domain = address.rpartition("@")[2].strip() or "inflow.invalid"
    safe = re.sub(r"[^A-Za-z0-9._-]", "-", key) or "moment"
    return f"<{safe}.{MARKER}@{domain}>"


def is_ours(message_id: str) -> bool:
    return f".{MARKER}@" in message_id


def build_message(moment: OutgoingMoment, *, sender: str, to: str, message_id: str) -> EmailMessage:
    """The mail: subject from the heading, a plain part and an HTML part, our Message-ID and moment id."""
    message = EmailMessage(policy=policy.SMTP)
    message["Subject"] = heading(moment)
    message["From"] = sender
    message["To"] = to
    message["Message-ID"] = message_id
    message[MOMENT_HEADER] = moment.moment_id
    when = _parsed_time(moment.created_at)
    if when is not None:
        message["Date"] = format_datetime(when)
    message.set_content(as_plain_text(moment), cte="quoted-printable")
    message.add_alternative(as_html(moment), subtype="html", cte="quoted-printable")
    return message


def _parsed_time(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def parse(raw: bytes) -> EmailMessage:
    parsed: Message = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def trim_reply(text: str) -> str:
    """The reply's own words: quoted lines, the attribution line and everything after it, and the signature cut."""
    kept: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        stripped = line.strip()
        if line.rstrip("\n") == "-- " or stripped == "--" or _ATTRIBUTION.match(stripped) or _ORIGINAL.match(stripped):
            break
        if stripped.startswith(">"):
            continue
        kept.append(line.rstrip())
    return "\n".join(kept).strip()


def body_text(message: EmailMessage) -> str:
    """The plain text of a mail (its text/plain part, else its HTML as text)."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    content = part.get_content()
    text = content if isinstance(content, str) else ""
    if part.get_content_subtype() == "html":
        from sync.connectors.discourse.content import html_to_text

        text = html_to_text(text)
    return text


def author_of(message: EmailMessage) -> str:
    found = getaddresses([str(message.get("From", ""))])
    name, address = found[0] if found else ("", "")
    return name or address or "someone"


def iso_date(message: EmailMessage) -> str:
    try:
        return parsedate_to_datetime(str(message.get("Date", ""))).isoformat()
    except (TypeError, ValueError):
        return ""


def referenced_ids(message: EmailMessage) -> list[str]:
    """The Message-IDs a mail answers (In-Reply-To, then References)."""
    text = f"{message.get('In-Reply-To', '')} {message.get('References', '')}"
    return re.findall(r"<[^<>\s]+>", text)


def reply_from(message: EmailMessage) -> RemoteReply | None:
    body = trim_reply(body_text(message))
    remote_id = str(message.get("Message-ID", "")).strip()
    if not body or not remote_id:
        return None
    return RemoteReply(remote_id, author_of(message), body, iso_date(message))


def feed_item_from(message: EmailMessage) -> FeedItem | None:
    """A colleague's mail to the list as a FeedItem; a reply to one of ours is an answer, not a feed item."""
    remote_id = str(message.get("Message-ID", "")).strip()
    if not remote_id or any(is_ours(ref) for ref in referenced_ids(message)):
        return None
    ours = is_ours(remote_id)
    title = str(message.get("Subject", "")).strip()[:_MAX_TITLE] or "(no subject)"
    text = trim_reply(body_text(message))
    found = _URL.search(text)
    return FeedItem(
        remote_id=remote_id, author=author_of(message), kind="question" if title.endswith("?") else "tip",
        title=title, body=text, url=found.group(0).rstrip(".,;:!?)>") if found else None, tags=(),
        created_at=iso_date(message), local_id=str(message.get(MOMENT_HEADER, "")) or None if ours else None,
    )  # fmt: skip
