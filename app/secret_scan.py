"""Before anything is shared: does the text contain a secret (API key, token, private key, password)?

detect-secrets' detectors (AWS, GitHub, GitLab, Slack, Stripe, OpenAI, JWT, private keys, passwords in
URLs, `password = ...` assignments, ...). Its high-entropy detectors are left out: on prose they
flag ordinary words. Imported lazily (~110 ms).
"""

from __future__ import annotations

from dataclasses import dataclass

_EXCLUDED = {"Base64HighEntropyString", "HexHighEntropyString"}


@dataclass(frozen=True, slots=True)
class Finding:
    field: str
    line: int
    kind: str

    def describe(self) -> str:
        """`GitHub Token in the note, line 3` / `AWS Access Key in the title`."""
        where = f"in the {self.field}" + (f", line {self.line}" if self.field == "note" else "")
        return f"{self.kind} {where}"


def scan_moment(title: str, note: str, link: str) -> list[Finding]:
    """Every likely secret in what would be shared, by field."""
    return scan_fields({"title": title, "note": note, "link": link})


def scan_fields(fields: dict[str, str]) -> list[Finding]:
    """Every likely secret in the fields (lines counted within each field)."""
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.core.scan import scan_line
    from detect_secrets.settings import transient_settings

    mapping: dict[str, type] = get_mapping_from_secret_type_to_class()
    names = [plugin.__name__ for plugin in mapping.values()]
    plugins = [{"name": name} for name in names if name not in _EXCLUDED]
    findings: list[Finding] = []
    with transient_settings({"plugins_used": plugins}):
        for field, text in fields.items():
            for number, line in enumerate(text.splitlines(), 1):
                for kind in dict.fromkeys(str(secret.type) for secret in scan_line(line)):
                    findings.append(Finding(field, number, kind))
    return findings
