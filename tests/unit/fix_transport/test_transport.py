"""Two firms' transports, one accepting and one initiating, on SQLite stores in their data
directories: they log on, carry messages both ways, and after both restart resume their
sequence numbers where they left them."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from directbroker.adapters.fix import FixTransport, SessionID
from directbroker.testing.fix_transport import (
    RecordingApplication,
    ScriptedSessions,
    transport_pair,
    until,
)

FIRM = SessionID("FIX.4.4", "DBRK", "ALPHACAP")  # the firm accepts
CLIENT = SessionID("FIX.4.4", "ALPHACAP", "DBRK")  # the client initiates


@dataclass
class _Side:
    transport: FixTransport
    app: RecordingApplication
    sessions: ScriptedSessions


async def _pair(tmp_path: Path) -> tuple[_Side, _Side]:
    firm_sessions, client_sessions = ScriptedSessions(), ScriptedSessions()
    pair = await transport_pair(tmp_path, FIRM, CLIENT, firm_sessions, client_sessions)
    return (
        _Side(pair.firm, pair.firm_app, firm_sessions),
        _Side(pair.client, pair.client_app, client_sessions),
    )


def test_two_transports_talk_and_resume_their_numbers_after_a_restart(tmp_path: Path) -> None:
    async def main() -> None:
        firm, client = await _pair(tmp_path)
        await until(lambda: bool(firm.app.logons) and bool(client.app.logons))
        await client.transport.send(CLIENT, "D", [(11, "order-1")])
        await until(lambda: len(firm.app.messages) == 1)
        await firm.transport.send(FIRM, "8", [(11, "order-1"), (39, "0")])
        await until(lambda: len(client.app.messages) == 1)
        firm_numbers = firm.sessions.built[0].state
        client_numbers = client.sessions.built[0].state
        assert firm_numbers.next_sender_seq == client_numbers.next_target_seq == 3
        assert client_numbers.next_sender_seq == firm_numbers.next_target_seq == 3
        await client.transport.close()
        await firm.transport.close()

        firm, client = await _pair(tmp_path)
        await until(lambda: bool(firm.app.logons) and bool(client.app.logons))
        assert firm.sessions.built[0].initial_state == firm_numbers
        assert client.sessions.built[0].initial_state == client_numbers
        await client.transport.close()
        await firm.transport.close()

    asyncio.run(main())
