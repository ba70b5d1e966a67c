"""The OMS's state: every order and child it knows, the indexes the hot paths need, and the
snapshot that round-trips all of it.

Indexes whose order decides the order of events (working orders, held stops per symbol) are
written to the snapshot as they are, not rebuilt, so a restored core emits exactly what the
original would have.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from directbroker.domain.order_status import LegRole, OrderClass
from directbroker.engines.oms.codec import from_plain, to_plain
from directbroker.engines.oms.model import Child, Parent


class OmsBook:
    """Parents, children, working-order and trigger indexes."""

    def __init__(self) -> None:
        self.parents: dict[str, Parent] = {}
        self.children: dict[str, Child] = {}
        self.open_ids: dict[str, None] = {}
        """Non-terminal parents, in the order they became open."""
        self.open_by_account: dict[str, dict[str, Parent]] = {}
        self.held: dict[str, dict[str, None]] = {}
        """Untriggered, working stops by symbol, in the order they started waiting."""
        self.groups: dict[str, list[str]] = {}

    # --- indexes -------------------------------------------------------------------------

    def add(self, parent: Parent) -> None:
        """A new, open order."""
        self.parents[parent.order_id] = parent
        self.open_ids[parent.order_id] = None
        self.open_by_account.setdefault(parent.account, {})[parent.order_id] = parent
        if parent.group_id:
            self.groups.setdefault(parent.group_id, []).append(parent.order_id)

    def close(self, parent: Parent) -> None:
        """The order reached a terminal status."""
        self.open_ids.pop(parent.order_id, None)
        orders = self.open_by_account.get(parent.account)
        if orders is not None:
            orders.pop(parent.order_id, None)
            if not orders:
                del self.open_by_account[parent.account]
        self.unhold(parent)

    def hold(self, parent: Parent) -> None:
        """Watch the tape for this stop."""
        self.held.setdefault(parent.symbol, {})[parent.order_id] = None

    def unhold(self, parent: Parent) -> None:
        """Stop watching the tape for this order."""
        waiting = self.held.get(parent.symbol)
        if waiting is not None and parent.order_id in waiting:
            del waiting[parent.order_id]
            if not waiting:
                del self.held[parent.symbol]

    # --- queries -------------------------------------------------------------------------

    def open_orders(self, account: str) -> Iterator[Parent]:
        """The account's orders that are not done."""
        return iter(self.open_by_account.get(account, {}).values())

    def live_children(self, parent: Parent) -> list[Child]:
        """Children the venues may still execute."""
        children = self.children
        return [c for c in (children[i] for i in parent.children) if c.live]

    def siblings(self, parent: Parent) -> list[Parent]:
        """The orders that are one-cancels-other with ``parent``."""
        oco_leg = parent.order_class is OrderClass.BRACKET and parent.role is not LegRole.PRIMARY
        if not oco_leg and parent.order_class is not OrderClass.OCO:
            return []
        members = self.groups.get(parent.group_id, [])
        found = [self.parents[m] for m in members if m != parent.order_id]
        if parent.order_class is OrderClass.BRACKET:
            found = [p for p in found if p.role is not LegRole.PRIMARY]
        return found

    def legs(self, primary: Parent) -> list[Parent]:
        """The contingent legs waiting on a bracket or OTO primary."""
        if primary.role is not LegRole.PRIMARY or primary.order_class not in (
            OrderClass.BRACKET,
            OrderClass.OTO,
        ):
            return []
        members = self.groups.get(primary.group_id, [])
        return [self.parents[m] for m in members if m != primary.order_id]

    # --- snapshot ------------------------------------------------------------------------

    def to_plain(self) -> list[Any]:
        """Canonical plain form: records in creation order, ordered indexes as they are."""
        return [
            [to_plain(p) for p in self.parents.values()],
            [to_plain(c) for c in self.children.values()],
            list(self.open_ids),
            [[symbol, list(ids)] for symbol, ids in sorted(self.held.items())],
        ]

    @classmethod
    def from_plain(cls, plain: list[Any]) -> OmsBook:
        """Rebuild from :meth:`to_plain`."""
        parents, children, open_ids, held = plain
        book = cls()
        for record in parents:
            parent = from_plain(Parent, record)
            book.parents[parent.order_id] = parent
            if parent.group_id:
                book.groups.setdefault(parent.group_id, []).append(parent.order_id)
        for record in children:
            child = from_plain(Child, record)
            book.children[child.child_id] = child
        for order_id in open_ids:
            parent = book.parents[order_id]
            book.open_ids[order_id] = None
            book.open_by_account.setdefault(parent.account, {})[order_id] = parent
        book.held = {symbol: dict.fromkeys(ids) for symbol, ids in held}
        return book
