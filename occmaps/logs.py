"""Logging helpers: put the request's path and status into each log record's fields."""

import logging


class RequestFields(logging.Filter):
    """Django's request logger passes the request and status code: add them as plain fields."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if request is not None and not isinstance(request, str):
            record.path = getattr(request, "path", "")
            record.method = getattr(request, "method", "")
            record.request = f"{record.method} {record.path}"
        status = getattr(record, "status_code", None)
        if status is not None:
            record.status = status
        # Tracebacks stay in the log (for us), never in the response (for the visitor).
        return True
