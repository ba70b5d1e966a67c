"""The identifiers Alpaca's API exposes, derived from ours without any lookup table.

Alpaca's SDK insists that order, asset, account and execution ids are UUIDs. The edge assigns
every order it accepts a random (version 4) UUID, so those pass through unchanged. A bracket's
legs are named ``<parent>.tp`` and ``<parent>.sl`` by the core; their API ids are the parent's
UUID with the version nibble set to 8 (take-profit) or 9 (stop-loss), which maps back to the
leg's id with no state to keep or lose. Other ids (assets, accounts, executions, orders that
came in over FIX) get stable name-based (version 5) UUIDs.
"""

from __future__ import annotations

import uuid

_NAMESPACE = uuid.UUID("6f1d7c1e-3d7a-4b0e-9a51-4c2e0b8d9f10")
_LEG_NIBBLES = {".tp": "8", ".sl": "9"}
_LEG_SUFFIXES = {nibble: suffix for suffix, nibble in _LEG_NIBBLES.items()}
_VERSION_INDEX = 14
"""Position of the version nibble in the canonical 36-character text."""


def is_uuid(text: str) -> bool:
    """Whether ``text`` is a UUID in canonical lower-case form."""
    try:
        return str(uuid.UUID(text)) == text
    except ValueError:
        return False


def stable_uuid(kind: str, name: str) -> str:
    """A name-based UUID for something that has no UUID of its own."""
    return str(uuid.uuid5(_NAMESPACE, f"{kind}:{name}"))


def api_order_id(order_id: str) -> str:
    """The UUID a client sees for a core order id."""
    if is_uuid(order_id):
        return order_id
    parent, dot, _ = order_id.rpartition(".")
    nibble = _LEG_NIBBLES.get(order_id[len(parent) :]) if dot else None
    if nibble is not None and is_uuid(parent) and parent[_VERSION_INDEX] == "4":
        return parent[:_VERSION_INDEX] + nibble + parent[_VERSION_INDEX + 1 :]
    return stable_uuid("order", order_id)


def core_order_id(api_id: str) -> str:
    """The core order id for an id a client sent (the inverse of :func:`api_order_id`)."""
    text = api_id.strip().lower()
    if not is_uuid(text):
        return api_id
    suffix = _LEG_SUFFIXES.get(text[_VERSION_INDEX])
    if suffix is None:
        return text
    return text[:_VERSION_INDEX] + "4" + text[_VERSION_INDEX + 1 :] + suffix


def new_order_id() -> str:
    """A fresh order id for an order the edge accepts."""
    return str(uuid.uuid4())


def asset_id(symbol: str) -> str:
    """The asset UUID for a symbol."""
    return stable_uuid("asset", symbol)


def account_id(account: str) -> str:
    """The account UUID for an account number (accounts opened through the Broker API are
    already named by their UUID)."""
    return account if is_uuid(account) else stable_uuid("account", account)


def execution_id(execution: str) -> str:
    """The UUID for a venue or broker execution id."""
    return execution if is_uuid(execution) else stable_uuid("execution", execution)
