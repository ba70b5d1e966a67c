"""The one FIX application an acceptor runs: each session to the application of its kind.

A client session is either order entry (:class:`~directbroker.app.fix_orders.FixOrderEntry`)
or drop copy (:class:`~directbroker.app.fix_dropcopy.FixDropCopy`); the transport sees one
object with ``on_logon``, ``on_message`` and ``on_logout`` and sends through the ``send``
callable both were given. A session the gateway was not configured with gets nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from directbroker.adapters.fix.terms import SessionKind, SessionTerms
from directbroker.adapters.http.blocks_port import BlocksPort
from directbroker.adapters.http.ports import TradingPort
from directbroker.app.fix_dropcopy import Deliver, DropCopyStore, EveryAccount, FixDropCopy
from directbroker.app.fix_orders import FixOrderEntry, Send
from directbroker.protocols.fix.effects import ApplicationMessage


class FixGateway:
    """Routes each session's events to its order entry or drop copy application."""

    def __init__(
        self,
        trading: TradingPort,
        sessions: Sequence[SessionTerms],
        send: Send,
        now_ns: Callable[[], int],
        store: DropCopyStore,
        *,
        deliver: Deliver | None = None,
        blocks: BlocksPort | None = None,
        every_account: EveryAccount | None = None,
    ) -> None:
        """``deliver`` (when given) is how the drop copy sends a fill: it completes once the
        session stored the report, so a fill is recorded as sent only after that. ``blocks``
        (when given) lets order entry sessions with groups place block orders;
        ``every_account`` lists the accounts an all-accounts drop copy catches up over."""
        self.order_entry = FixOrderEntry(trading, sessions, send, now_ns, blocks=blocks)
        self.drop_copy = FixDropCopy(
            trading, sessions, send, store, deliver=deliver, every_account=every_account
        )
        self._kinds = {terms.session_id: terms.kind for terms in sessions}

    def _of(self, session_id: str) -> FixOrderEntry | FixDropCopy | None:
        kind = self._kinds.get(session_id)
        if kind is None:
            return None
        return self.order_entry if kind is SessionKind.ORDER_ENTRY else self.drop_copy

    def on_logon(self, session_id: str) -> None:
        """A session logged on."""
        application = self._of(session_id)
        if application is not None:
            application.on_logon(session_id)

    def on_message(self, session_id: str, message: ApplicationMessage) -> None:
        """An application message arrived in sequence."""
        application = self._of(session_id)
        if application is not None:
            application.on_message(session_id, message)

    def on_logout(self, session_id: str) -> None:
        """A session logged out or was disconnected."""
        application = self._of(session_id)
        if application is not None:
            application.on_logout(session_id)

    async def close(self) -> None:
        """Stop both applications' tasks."""
        await self.order_entry.close()
        await self.drop_copy.close()
