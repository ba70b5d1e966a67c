"""FIX over TCP: asyncio transports that carry ``protocols.fix`` sessions over sockets.

Owns: connections, the clock and the message stores that a sans-I/O FIX session needs.
May import: ``directbroker.protocols.fix`` and the standard library.
"""
