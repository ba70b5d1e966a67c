"""The ABA routing transit number check: nine digits, a Federal Reserve prefix, and the
3-7-1 weighted checksum every US bank's routing number satisfies (so a typo is caught before a
transfer bounces days later)."""

from __future__ import annotations

_WEIGHTS = (3, 7, 1, 3, 7, 1, 3, 7, 1)


def _valid_prefix(prefix: int) -> bool:
    """01-12 (Federal Reserve districts), 21-32 (thrifts), 61-72 (electronic), 80 (traveller's
    cheques); 00 (the US government's own) is not a customer's bank."""
    return 1 <= prefix <= 12 or 21 <= prefix <= 32 or 61 <= prefix <= 72 or prefix == 80


def is_valid_routing_number(text: object) -> bool:
    """Whether ``text`` is a well-formed ABA routing number."""
    if type(text) is not str or len(text) != 9 or not text.isascii() or not text.isdigit():
        return False
    if not _valid_prefix(int(text[:2])):
        return False
    return sum(w * int(d) for w, d in zip(_WEIGHTS, text, strict=True)) % 10 == 0
