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
    line: int
    kind: str

    def describe(self) -> str:
        return f"{self.kind} on line {self.line}"


def scan_text(*texts: str) -> list[Finding]:
    """Every likely secret in the texts (lines are counted across them, in order)."""
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.core.scan import scan_line
    from detect_secrets.settings import transient_settings

    mapping: dict[str, type] = get_mapping_from_secret_type_to_class()
    names = [plugin.__name__ for plugin in mapping.values()]
    plugins = [{"name": name} for name in names if name not in _EXCLUDED]
    findings: list[Finding] = []
    seen: set[tuple[int, str]] = set()
    line_number = 0
    with transient_settings({"plugins_used": plugins}):
        for text in texts:
            for line in text.splitlines():
                line_number += 1
                for secret in scan_line(line):
                    key = (line_number, str(secret.type))
                    if key not in seen:
                        seen.add(key)
                        findings.append(Finding(line_number, str(secret.type)))
    return findings
