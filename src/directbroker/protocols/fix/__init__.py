"""FIX 4.2 and 4.4: framing, our own data dictionary, validation and the session state machine.

Owns: the wire format of FIX messages and the session layer, free of sockets and clocks (a
session is fed bytes and time and answers with bytes to write, facts to persist and events).
May import: the standard library and ``directbroker.domain``; never adapters or the app.
"""
