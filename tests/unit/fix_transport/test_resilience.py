"""One misbehaving connection ends itself only: oversized and malformed messages, silent and
slow clients, logon floods and clients that never read leave the other sessions working."""

from __future__ import annotations

import asyncio
import socket

from directbroker.adapters.fix import SessionUnavailable, TransportLimits
from directbroker.testing.fix_transport import FixClient, until
from tests.unit.fix_transport.harness import ALPHA, BRAVO, Harness, acceptor


async def _still_working(h: Harness, client: FixClient, tag: str) -> None:
    """The logged-on session still carries messages both ways."""
    before = len(h.app.messages)
    await client.send("D", [(11, tag)])
    await until(lambda: len(h.app.messages) == before + 1)
    assert h.app.messages[-1][1].message.get(11) == tag
    await h.registry.send(ALPHA, "8", [(17, tag)])
    while (message := await client.read()) is not None:
        if message.get(17) == tag:
            return
    raise AssertionError("the session stopped")


def test_a_ten_megabyte_message_drops_its_connection_and_nothing_else() -> None:
    async def main() -> None:
        async with acceptor() as h:
            alpha = await h.logged_on(ALPHA)
            bravo = await h.logged_on(BRAVO)
            huge = bravo.message("D", [(58, "x" * 10_000_000)])
            bravo.writer.write(huge)
            assert await bravo.closed()
            await until(lambda: h.registry.live(BRAVO) is None)
            assert h.app.messages == []  # the message was never read, let alone handed on
            await _still_working(h, alpha, "after-the-big-one")
            stranger = await h.client(BRAVO)  # and as a first message, before any logon
            stranger.writer.write(stranger.message("A", [(58, "x" * 10_000_000)]))
            assert await stranger.closed()
            assert len(h.sessions.built) == 2  # no session was built for it
            again = await h.logged_on(BRAVO)  # the acceptor still accepts
            await again.close()
            await alpha.close()

    asyncio.run(main())


def _text_of_size(client: FixClient, size: int) -> str:
    """A Text (58) that makes the client's next message exactly ``size`` bytes long."""
    seq = client.next_out
    text = ""
    while len(client.message("D", [(58, text)])) < size:
        client.next_out = seq
        text += "y"
    client.next_out = seq
    return text


def test_a_message_at_the_limit_is_read_and_one_byte_over_it_is_not() -> None:
    async def main() -> None:
        limits = TransportLimits(max_message_bytes=4_096)
        async with acceptor(limits=limits) as h:
            alpha = await h.logged_on(ALPHA)
            fits, over = _text_of_size(alpha, 4_096), _text_of_size(alpha, 4_097)
            await alpha.send("D", [(58, fits)])
            await until(lambda: len(h.app.messages) == 1)
            await alpha.send("D", [(58, over)])
            assert await alpha.closed()
            assert len(h.app.messages) == 1

    asyncio.run(main())


def test_garbage_is_dropped_and_the_acceptor_goes_on() -> None:
    async def main() -> None:
        async with acceptor() as h:
            alpha = await h.logged_on(ALPHA)
            for junk in (
                b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
                b"8=FIX.4.4\x019=abc\x0135=A\x01",
                b"8=FIX.4.4\x019=5\x0135=A\x01XXXXXXXXXXXXXXXXXX",
                b"8=FIX.4.4\x01" + b"9" * 100,
            ):
                reader, writer = await asyncio.open_connection("127.0.0.1", h.port)
                writer.write(junk)
                other = FixClient(reader, writer, alpha.session_id)
                assert await other.closed()
            await _still_working(h, alpha, "after-the-junk")
            assert h.acceptor.refused == 4
            await alpha.close()

    asyncio.run(main())


def test_a_client_that_never_completes_its_logon_is_dropped() -> None:
    async def main() -> None:
        limits = TransportLimits(logon_timeout_s=0.3)
        async with acceptor(limits=limits) as h:
            alpha = await h.logged_on(ALPHA)
            reader, writer = await asyncio.open_connection("127.0.0.1", h.port)
            slow = FixClient(reader, writer, alpha.session_id)
            writer.write(b"8=FIX.4")  # and then nothing: a slowloris
            silent = await FixClient.connect(h.port, alpha.session_id)  # sends nothing at all
            assert await slow.closed()
            assert await silent.closed()
            assert h.acceptor.unauthenticated == 0
            # The logged-on session outlived the timeout and still works.
            await _still_working(h, alpha, "after-the-slow-ones")
            await alpha.close()

    asyncio.run(main())


def test_a_logon_flood_is_refused_at_the_door_and_logged_on_sessions_go_on() -> None:
    async def main() -> None:
        limits = TransportLimits(max_unauthenticated=3)
        async with acceptor(limits=limits) as h:
            alpha = await h.logged_on(ALPHA)
            waiting = [await FixClient.connect(h.port, alpha.session_id) for _ in range(3)]
            await until(lambda: h.acceptor.unauthenticated == 3)
            flood = [await FixClient.connect(h.port, alpha.session_id) for _ in range(10)]
            for client in flood:
                assert await client.closed()
            assert h.acceptor.refused == 10
            await _still_working(h, alpha, "during-the-flood")
            for client in waiting:
                await client.close()
            await until(lambda: h.acceptor.unauthenticated == 0)
            bravo = await h.logged_on(BRAVO)  # room again once the flood is gone
            await bravo.close()
            await alpha.close()

    asyncio.run(main())


def test_a_client_that_never_reads_is_dropped_and_the_others_go_on() -> None:
    async def main() -> None:
        limits = TransportLimits(write_buffer_bytes=16_384, write_timeout_s=0.3)
        async with acceptor(limits=limits) as h:
            alpha = await h.logged_on(ALPHA)
            bravo = await h.logged_on(BRAVO)
            sock = bravo.writer.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4_096)
            bravo.reader._transport.pause_reading()  # type: ignore[attr-defined]
            await until(lambda: h.registry.live(BRAVO) is not None and len(h.app.logons) == 2)
            sent = 0
            try:
                while h.registry.live(BRAVO) is not None and sent < 5_000:
                    await h.registry.send(BRAVO, "8", [(58, "z" * 8_192)])
                    sent += 1
            except SessionUnavailable:
                pass
            await until(lambda: h.registry.live(BRAVO) is None)
            assert BRAVO in h.app.logouts
            assert sent < 5_000
            await _still_working(h, alpha, "after-the-deaf-one")
            await bravo.close()
            await alpha.close()

    asyncio.run(main())
