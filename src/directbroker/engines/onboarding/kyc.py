"""The KYC record's canonical form: nested maps, lists and scalars as MessagePack bytes.

Canonical means the same record always packs to the same bytes (map keys sorted at every
level), so journals, snapshots and state hashes do not depend on the order a client sent
fields in. Only text, booleans, integers, None, lists and string-keyed maps are allowed:
numbers with fractions arrive as decimal text from the edge, never as binary floats.
"""

from __future__ import annotations

from typing import Any

import msgpack

Record = dict[str, Any]

MAX_KYC_BYTES = 64 * 1024
"""Larger than any real application; a bigger one is refused rather than journaled."""


class KycFormError(ValueError):
    """The bytes are not a KYC record of the allowed shape."""


def _canonical(value: object, depth: int = 0) -> object:
    if depth > 8:
        raise KycFormError("the record is nested too deeply")
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        if not -(2**63) <= value < 2**63:
            raise KycFormError("an integer is out of range")
        return value
    if isinstance(value, list | tuple):
        return [_canonical(item, depth + 1) for item in value]
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise KycFormError("map keys must be text")
        return {key: _canonical(value[key], depth + 1) for key in sorted(value)}
    raise KycFormError(f"unsupported value of type {type(value).__name__}")


def pack_kyc(record: Record) -> bytes:
    """The record's canonical bytes (:class:`KycFormError` for a value of another kind)."""
    data: bytes = msgpack.packb(_canonical(record), use_bin_type=True)
    return data


def unpack_kyc(data: object) -> Record:
    """The record in ``data`` (:class:`KycFormError` for anything else)."""
    if not isinstance(data, bytes) or len(data) > MAX_KYC_BYTES:
        raise KycFormError("the record must be at most 64 KiB of bytes")
    try:
        value = msgpack.unpackb(data, raw=False, strict_map_key=True)
    except (ValueError, msgpack.ExtraData, msgpack.FormatError, msgpack.StackError) as exc:
        raise KycFormError(f"not a record: {exc}") from None
    if not isinstance(value, dict):
        raise KycFormError("the record must be a map")
    canonical = _canonical(value)
    assert isinstance(canonical, dict)
    return canonical


def merge_kyc(current: Record, changes: Record) -> Record:
    """``changes`` over ``current``: sections merge field by field (Alpaca's PATCH); a
    field set to None is removed; lists and scalars are replaced whole."""
    merged = dict(current)
    for key, value in changes.items():
        old = merged.get(key)
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(old, dict):
            merged[key] = merge_kyc(old, value)
        else:
            merged[key] = value
    return merged


def text_at(record: Record, section: str, field: str) -> str:
    """A text field of a section, stripped ('' when absent or not text)."""
    part = record.get(section)
    if not isinstance(part, dict):
        return ""
    value = part.get(field)
    return value.strip() if isinstance(value, str) else ""
