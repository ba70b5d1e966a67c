"""Wire formats and protocol state machines, free of sockets and clocks.

Owns: the message codec used by journals and buses, and (later) the FIX codec and session.
May import: ``directbroker.domain`` and the standard library, plus pure codec libraries (msgpack).
"""
