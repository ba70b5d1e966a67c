"""The FIX engine's sessions (as serve builds them) behind the real transport: two firms over
TCP on SQLite stores log on, trade an order and its report both ways, and after both restart
the sequence numbers resume where they left off."""

from __future__ import annotations

import asyncio
from pathlib import Path

from directbroker.adapters.fix import FixTransport, SessionID, SessionSettings
from directbroker.adapters.fix.ports import SessionLike
from directbroker.app.fix_service import session_factory
from directbroker.protocols.fix.effects import SequenceState
from directbroker.testing.fix_transport import RecordingApplication, transport_pair, until

FIRM = SessionID("FIX.4.4", "DBRK", "ALPHACAP")
CLIENT = SessionID("FIX.4.4", "ALPHACAP", "DBRK")
ORDER = [(11, "order-1"), (54, "1"), (55, "IBM"), (38, "100"), (40, "1"), (60, "20261207-15:00:00")]
REPORT = [
    (37, "O-1"),
    (11, "order-1"),
    (17, "E-1"),
    (150, "0"),
    (39, "0"),
    (55, "IBM"),
    (54, "1"),
    (151, "100"),
    (14, "0"),
    (6, "0"),
]


def test_the_session_factory_is_what_the_transport_expects() -> None:
    session: SessionLike = session_factory(SessionSettings(FIRM), SequenceState(5, 7))
    assert session.timer(0).outgoing == []


async def _pair(
    tmp_path: Path,
) -> tuple[FixTransport, RecordingApplication, FixTransport, RecordingApplication]:
    pair = await transport_pair(tmp_path, FIRM, CLIENT, session_factory, session_factory)
    return pair.firm, pair.firm_app, pair.client, pair.client_app


def test_two_firms_trade_and_resume_their_numbers(tmp_path: Path) -> None:
    async def main() -> None:
        firm, firm_app, client, client_app = await _pair(tmp_path)
        await until(lambda: bool(firm_app.logons) and bool(client_app.logons))
        await client.send(CLIENT, "D", ORDER)
        await until(lambda: len(firm_app.messages) == 1)
        order = firm_app.messages[0][1].message
        assert (order.msg_type, order.get(11), order.get(34)) == ("D", "order-1", "2")
        await firm.send(FIRM, "8", REPORT)
        await until(lambda: len(client_app.messages) == 1)
        assert client_app.messages[0][1].message.get(37) == "O-1"
        await client.close()
        await firm.close()

        firm, firm_app, client, client_app = await _pair(tmp_path)
        await until(lambda: bool(firm_app.logons) and bool(client_app.logons))
        await client.send(CLIENT, "D", [(11, "order-2"), *ORDER[1:]])
        await until(lambda: len(firm_app.messages) == 1)
        # Logon 1, order 2 in the first run; logon 3, order 4 now: the numbers went on.
        assert firm_app.messages[0][1].message.get(34) == "4"
        await client.close()
        await firm.close()

    asyncio.run(main())
