"""Logging: a rotating file always; with --json-logging, one JSON object per line on stderr too."""

from __future__ import annotations

import json
import logging
import logging.handlers
import sys
from pathlib import Path

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    """One JSON object per record (what end-to-end tests and log shippers parse)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "created": record.created,
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def setup_logging(log_file: Path, *, level: str = "info", json_to_stderr: bool = False) -> None:
    """Configure the root logger; a log folder that cannot be written only loses the file log."""
    root = logging.getLogger()
    root.setLevel(level.upper())
    for handler in list(root.handlers):
        root.removeHandler(handler)
    try:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        file_handler = logging.handlers.RotatingFileHandler(
            log_file, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
        )
        file_handler.setFormatter(logging.Formatter(LOG_FORMAT))
        root.addHandler(file_handler)
    except OSError as exc:
        print(f"inflow: cannot write the log file {log_file}: {exc.strerror}", file=sys.stderr)
    if json_to_stderr:
        stream = logging.StreamHandler(sys.stderr)
        stream.setFormatter(JsonFormatter())
        root.addHandler(stream)
