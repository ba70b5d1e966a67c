"""The venue matching engine: one deterministic engine per simulated exchange or ECN.

Owns: limit order books with strict price-time priority, order types and crosses of a venue,
maker-taker fees, and the venue's order-level feed.
May import: ``directbroker.domain``, ``directbroker.engines.core`` and the standard library.
"""
