"""Base classes for commands (imperative: what someone asks for) and events (past tense: what
happened). Every concrete message registers itself by class name so journals and wire codecs can
name it; the name is the stable type tag, so a message class is never renamed once released.
"""

from __future__ import annotations

from typing import ClassVar

_REGISTRY: dict[str, type[Message]] = {}


class Message:
    """A frozen dataclass that can be journaled. Subclasses are registered on definition."""

    __slots__ = ()
    type_tag: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__name__ in ("Command", "Event") or cls.__name__.startswith("_"):
            return
        existing = _REGISTRY.get(cls.__name__)
        if existing is not None and existing.__module__ != cls.__module__:
            raise TypeError(f"message type tag {cls.__name__!r} is already taken")
        cls.type_tag = cls.__name__
        _REGISTRY[cls.__name__] = cls


class Command(Message):
    """An input to a core: something a client or a peer asks it to do."""

    __slots__ = ()


class Event(Message):
    """An output of a core: a fact about a state change that already happened."""

    __slots__ = ()


def message_types() -> dict[str, type[Message]]:
    """Every registered message class by type tag (a copy: callers cannot change the registry)."""
    return dict(_REGISTRY)
