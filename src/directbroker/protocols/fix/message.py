"""A parsed FIX message: tag/value pairs in wire order.

The order is kept because FIX gives it meaning (the header first, repeating groups by
position); lookups by tag are the common case, so the first occurrence of each tag is indexed
once, lazily.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

SOH = b"\x01"

Field = tuple[int, str]
"""One field: its tag and its value as text (FIX values are ASCII; data fields are latin-1)."""


@dataclass(frozen=True, slots=True)
class FixMessage:
    """One FIX message: every field in wire order, header, body and trailer alike."""

    fields: tuple[Field, ...]
    _index: dict[int, str] = field(default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def of(cls, fields: Iterable[Field]) -> FixMessage:
        """A message from any iterable of fields."""
        return cls(tuple(fields))

    def get(self, tag: int) -> str | None:
        """The value of the first occurrence of ``tag``, or ``None``."""
        index = self._index
        if not index and self.fields:
            for key, value in reversed(self.fields):
                index[key] = value
        return index.get(tag)

    def require(self, tag: int) -> str:
        """The value of ``tag``; ``KeyError`` when absent."""
        value = self.get(tag)
        if value is None:
            raise KeyError(tag)
        return value

    def all(self, tag: int) -> list[str]:
        """Every value of ``tag``, in wire order (repeating groups)."""
        return [value for key, value in self.fields if key == tag]

    @property
    def msg_type(self) -> str:
        """MsgType (35)."""
        return self.get(35) or ""

    def body(self) -> Sequence[Field]:
        """The fields that are neither standard header nor trailer (see ``dictionary``)."""
        from directbroker.protocols.fix.tags import HEADER_TAGS, TRAILER_TAGS

        return [f for f in self.fields if f[0] not in HEADER_TAGS and f[0] not in TRAILER_TAGS]
