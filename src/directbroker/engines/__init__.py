"""Deterministic business engines: matching, OMS, risk, router, ledger, portfolio, market data.

Owns: the rules. Every engine is plain synchronous Python shaped as
``handle(command, ts_ns) -> list[Event]`` and implements :class:`directbroker.engines.core.Core`.
May import: ``directbroker.domain`` and the standard library. Never I/O, clocks, randomness,
threads or asyncio; engines do not import each other.
"""
