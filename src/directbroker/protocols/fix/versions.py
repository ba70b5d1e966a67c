"""The FIX versions we speak, by BeginString."""

from __future__ import annotations

from directbroker.protocols.fix.dictionary import Dictionary
from directbroker.protocols.fix.fix42 import FIX42
from directbroker.protocols.fix.fix44 import FIX44

DICTIONARIES: dict[str, Dictionary] = {FIX42.begin_string: FIX42, FIX44.begin_string: FIX44}


def dictionary_for(begin_string: str) -> Dictionary:
    """The dictionary for ``begin_string`` (``FIX.4.2`` or ``FIX.4.4``); ``KeyError`` if unknown."""
    return DICTIONARIES[begin_string]
