"""Lean constructors for the venue's frozen event dataclasses.

Events dominate the cost of matching, and a frozen dataclass's generated ``__init__`` sets every
field through ``object.__setattr__`` by name. These constructors build the very same objects
(same class, equal to one built normally) by calling each slot's descriptor directly, which is
about 40% cheaper. They take every field positionally in declaration order; fields added later
with defaults get their default, so appending a field to an event never breaks the engine.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

from directbroker.domain.messages import Event

E = TypeVar("E", bound=Event)


def fast_constructor(cls: type[E]) -> Callable[..., E]:
    """A function ``build(*fields) -> cls`` equivalent to ``cls(*fields)`` for slotted events."""
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    names = [f.name for f in fields]
    params = []
    for index, field in enumerate(fields):
        if field.default is not dataclasses.MISSING:
            params.append(f"{field.name}=_D[{index}]")
        elif field.default_factory is not dataclasses.MISSING:
            raise TypeError(f"{cls.__name__}.{field.name}: default factories are not supported")
        else:
            params.append(field.name)
    setters = ", ".join(f"_s{i}=_S[{i}]" for i in range(len(names)))
    body = "".join(f"    _s{i}(e, {name})\n" for i, name in enumerate(names))
    source = (
        f"def build({', '.join(params)}, *, _new=_new, _cls=_cls, {setters}):\n"
        f"    e = _new(_cls)\n{body}    return e\n"
    )
    namespace: dict[str, Any] = {
        "_new": object.__new__,
        "_cls": cls,
        "_S": [cls.__dict__[name].__set__ for name in names],
        "_D": [f.default for f in fields],
    }
    exec(source, namespace)  # generated once per class at import; no input reaches it
    build: Callable[..., E] = namespace["build"]
    return build
