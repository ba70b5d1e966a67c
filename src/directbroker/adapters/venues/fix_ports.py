"""What the venue link's FIX applications need of a FIX transport, and nothing more.

The transport (``adapters.fix``) calls an application's ``on_logon`` / ``on_message`` /
``on_logout`` with its session id; the application answers through a :data:`Send`, which
the composition root builds over the transport (see ``fix_bridge``). ``Send`` reports back
through ``done`` whether the message reached the session's store (then the session itself
delivers it, by resend if need be) or never did (the session was not logged on), so an
application can tell what it must send again.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence

from directbroker.protocols.fix.message import Field

SessionKey = Hashable
"""A FIX session as the transport names it (only compared and hashed here)."""

Done = Callable[[bool], None]
"""Told once, from any thread: ``True`` when the message is stored by the session (it will
be delivered), ``False`` when it was not sent at all."""

Send = Callable[[SessionKey, str, Sequence[Field], Done | None], None]
"""``send(session, msg_type, body, done)``: queue an application message; never blocks."""
