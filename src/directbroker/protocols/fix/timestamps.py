"""UTCTimestamp text to and from nanoseconds since the epoch, without reading any clock."""

from __future__ import annotations

import calendar
import re
import time

_TIMESTAMP = re.compile(r"(\d{4})(\d{2})(\d{2})-(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?\Z")

_last_second = -1
_last_prefix = ""
_parsed_prefix = ""
_parsed_seconds = 0


def format_timestamp(now_ns: int) -> str:
    """``now_ns`` as ``YYYYMMDD-HH:MM:SS.sss`` (UTC, milliseconds)."""
    global _last_second, _last_prefix  # noqa: PLW0603 - a one-entry cache on the hot path
    seconds, rest = divmod(now_ns, 1_000_000_000)
    if seconds != _last_second:
        _last_prefix = time.strftime("%Y%m%d-%H:%M:%S", time.gmtime(seconds))
        _last_second = seconds
    return f"{_last_prefix}.{rest // 1_000_000:03d}"


def parse_timestamp(text: str | None) -> int | None:
    """A UTCTimestamp as nanoseconds since the epoch, or ``None`` when it is not one."""
    if text is None:
        return None
    match = _TIMESTAMP.match(text)
    if match is None:
        return None
    fraction = match.group(7) or ""
    nanos = int(fraction.ljust(9, "0")) if fraction else 0
    global _parsed_prefix, _parsed_seconds  # a one-entry cache on the hot path
    prefix = text[:17]
    if prefix == _parsed_prefix:
        return _parsed_seconds * 1_000_000_000 + nanos
    year, month, day, hour, minute, second = (int(part) for part in match.group(1, 2, 3, 4, 5, 6))
    if not (1 <= month <= 12 and 1 <= day <= 31 and hour <= 23 and minute <= 59 and second <= 60):
        return None
    try:
        seconds = calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))
    except (ValueError, OverflowError):
        return None
    _parsed_prefix, _parsed_seconds = prefix, seconds
    return seconds * 1_000_000_000 + nanos
