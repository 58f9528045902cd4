"""Logging filters: a refused request (403) is a line in the log, not a traceback — it is the
access rules working, and a trace per refusal would bury real errors."""

from __future__ import annotations

import logging


class NoTraceForRefusals(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True
