"""Compact, schema-aware encoding of domain messages with MessagePack.

A message becomes ``[type_tag, field1, field2, ...]`` in declaration order. Enums travel as their
stable values (reject codes as their numbers). Decoding tolerates messages written before a field
with a default was appended, so journals survive additive schema changes.
"""

from __future__ import annotations

import dataclasses
import operator
import types
import typing
from collections.abc import Callable
from enum import Enum
from typing import Any

import msgpack

from directbroker.domain.messages import Message, message_types
from directbroker.domain.rejects import RejectCode


class CodecError(ValueError):
    """Bytes that do not decode to a known message."""


_Encoder = Callable[[Any], Any]
_Decoder = Callable[[Any], Any]


def _identity(value: Any) -> Any:
    return value


def _enum_codecs(enum_type: type[Enum]) -> tuple[_Encoder, _Decoder]:
    if enum_type is RejectCode:
        return (lambda v: v.number), RejectCode.from_number
    # A dict lookup is several times faster than calling the enum class, and replay decodes
    # millions of these.
    by_value = {member.value: member for member in enum_type}
    return (lambda v: v.value), by_value.__getitem__


def _optional(encode: _Encoder, decode: _Decoder) -> tuple[_Encoder, _Decoder]:
    return (
        lambda v: None if v is None else encode(v),
        lambda v: None if v is None else decode(v),
    )


def _codecs_for(annotation: Any) -> tuple[_Encoder, _Decoder]:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            encode, decode = _codecs_for(args[0])
            if encode is _identity and decode is _identity:
                return _identity, _identity
            return _optional(encode, decode)
        return _identity, _identity
    if origin is tuple:
        (item,) = typing.get_args(annotation)[:1]
        encode, decode = _codecs_for(item)
        return (lambda v: [encode(x) for x in v]), (lambda v: tuple(decode(x) for x in v))
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return _enum_codecs(annotation)
    return _identity, _identity


class _Schema:
    """How to turn one message class into a list and back, with the per-field conversions
    precomputed so the common case (most fields plain ints and strings) does no per-field work."""

    __slots__ = ("cls", "decoders", "defaults", "get_fields", "size", "special")

    def __init__(self, cls: type[Message]) -> None:
        hints = typing.get_type_hints(cls)
        fields = dataclasses.fields(cls)  # type: ignore[arg-type]
        self.cls = cls
        pairs = [_codecs_for(hints[f.name]) for f in fields]
        self.size = len(fields)
        names = [f.name for f in fields]
        getter = operator.attrgetter(*names) if names else None
        if len(names) == 1:
            single = operator.attrgetter(names[0])
            self.get_fields: Callable[[Any], tuple[Any, ...]] = lambda m: (single(m),)
        elif getter is not None:
            self.get_fields = getter
        else:
            self.get_fields = lambda m: ()
        self.special = [
            (index, enc, dec)
            for index, (enc, dec) in enumerate(pairs)
            if enc is not _identity or dec is not _identity
        ]
        self.decoders = [dec for _, dec in pairs]
        self.defaults = [
            f.default if f.default is not dataclasses.MISSING else dataclasses.MISSING
            for f in fields
        ]


_SCHEMAS: dict[str, _Schema] = {}


def _schema(tag: str) -> _Schema:
    schema = _SCHEMAS.get(tag)
    if schema is None:
        cls = message_types().get(tag)
        if cls is None:
            raise CodecError(f"unknown message type {tag!r}")
        schema = _SCHEMAS[tag] = _Schema(cls)
    return schema


def to_plain(message: Message) -> list[Any]:
    """The message as a msgpack-ready list: type tag first, then fields in order."""
    schema = _schema(message.type_tag)
    plain = [message.type_tag, *schema.get_fields(message)]
    for index, encode_field, _ in schema.special:
        plain[index + 1] = encode_field(plain[index + 1])
    return plain


def from_plain(plain: Any) -> Message:
    """Rebuild a message from :func:`to_plain` output, refusing anything that does not fit."""
    if not isinstance(plain, list | tuple) or not plain or not isinstance(plain[0], str):
        raise CodecError("a message is a list starting with its type tag")
    schema = _schema(plain[0])
    args = list(plain[1:])
    given = len(args)
    if given > schema.size:
        raise CodecError(f"{plain[0]}: too many fields")
    for index in range(given, schema.size):
        default = schema.defaults[index]
        if default is dataclasses.MISSING:
            raise CodecError(f"{plain[0]}: missing field {index}")
        args.append(default)
    for index, _, decode_field in schema.special:
        if index < given:
            try:
                args[index] = decode_field(args[index])
            except (ValueError, KeyError, TypeError) as exc:
                raise CodecError(f"{plain[0]}: field {index}: {exc!r}") from exc
    return schema.cls(*args)


_BIG_INT = 1
"""msgpack extension type for integers beyond 64 bits (only ever seen in bad input that a core
must journal and then reject, so it lives on the slow path)."""


def _widen(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        if -(2**63) <= value < 2**64:
            return value
        return msgpack.ExtType(_BIG_INT, str(value).encode("ascii"))
    if isinstance(value, list):
        return [_widen(item) for item in value]
    return value


def _ext_hook(code: int, data: bytes) -> Any:
    if code == _BIG_INT:
        return int(data.decode("ascii"))
    raise CodecError(f"unknown extension type {code}")


def _pack(plain: Any) -> bytes:
    try:
        data: bytes = msgpack.packb(plain, use_bin_type=True)
    except OverflowError:
        data = msgpack.packb(_widen(plain), use_bin_type=True)
    return data


def _unpack(data: bytes) -> Any:
    try:
        return msgpack.unpackb(data, raw=False, strict_map_key=True, ext_hook=_ext_hook)
    except (msgpack.ExtraData, msgpack.FormatError, msgpack.StackError, ValueError) as exc:
        raise CodecError(f"not a message: {exc}") from exc


def encode(message: Message) -> bytes:
    """Serialise one message."""
    return _pack(to_plain(message))


def decode(data: bytes) -> Message:
    """Deserialise one message written by :func:`encode`."""
    return from_plain(_unpack(data))


def encode_many(messages: typing.Iterable[Message]) -> bytes:
    """Serialise a batch (for example, the events one input produced) as one blob."""
    return _pack([to_plain(m) for m in messages])


def decode_many(data: bytes) -> list[Message]:
    """Deserialise a batch written by :func:`encode_many`."""
    plain = _unpack(data)
    if not isinstance(plain, list):
        raise CodecError("a message batch is a list")
    return [from_plain(item) for item in plain]
