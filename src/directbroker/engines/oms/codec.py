"""Plain (msgpack-ready) forms of the OMS's records, for snapshots.

Each record becomes a list of its fields in declaration order; enums travel as their values and
nested records as lists. Decoding uses the dataclass annotations, so a record type is described
once, by its class.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from enum import Enum
from functools import cache
from typing import Any, TypeVar

_T = TypeVar("_T")


def to_plain(record: object) -> list[Any]:
    """The record's fields as plain values, in declaration order."""
    return [_plain(getattr(record, f.name)) for f in dataclasses.fields(record)]  # type: ignore[arg-type]


def _plain(value: object) -> Any:
    if isinstance(value, Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_plain(value)
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


@cache
def _decoders(cls: type[Any]) -> list[typing.Callable[[Any], Any]]:
    hints = typing.get_type_hints(cls)
    return [_decoder(hints[f.name]) for f in dataclasses.fields(cls)]


def _decoder(annotation: Any) -> typing.Callable[[Any], Any]:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        (inner,) = [a for a in typing.get_args(annotation) if a is not type(None)]
        decode = _decoder(inner)
        return lambda v: None if v is None else decode(v)
    if origin is list:
        (item,) = typing.get_args(annotation)
        decode = _decoder(item)
        return lambda v: [decode(x) for x in v]
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return annotation
    if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
        cls = annotation
        return lambda v: from_plain(cls, v)
    return lambda v: v


def from_plain(cls: type[_T], plain: list[Any]) -> _T:
    """Rebuild a record written by :func:`to_plain`."""
    decoders = _decoders(cls)  # type: ignore[arg-type]
    if len(plain) > len(decoders):
        raise ValueError(f"{cls.__name__}: {len(plain)} fields, expected {len(decoders)}")
    # A record written before fields with defaults were appended keeps those defaults.
    return cls(*(decode(value) for decode, value in zip(decoders, plain, strict=False)))
