"""Execution-quality sums survive a snapshot however large they grow: a long-lived firm's
share-weighted fill times pass 64 bits, which msgpack cannot carry as integers."""

from __future__ import annotations

import msgpack

from directbroker.engines.router.stats import ExecutionStats, StatsBook


def test_sums_past_64_bits_round_trip_through_msgpack() -> None:
    book = StatsBook()
    book.on_fill("NSDQ", "SMART", True, 2_000_000, 20_000, 0, 23_400 * 10**9, (None, None))
    stats = book.venue("NSDQ")
    stats.fill_time_ns_shares *= 10**6  # months of large resting orders
    assert stats.fill_time_ns_shares >= 1 << 63
    plain = msgpack.unpackb(msgpack.packb(book.to_plain(), use_bin_type=True), raw=False)
    again = StatsBook.from_plain(plain)
    assert again.venue("NSDQ") == stats
    assert again.venue("NSDQ").average_fill_ns == stats.average_fill_ns


def test_ordinary_sums_stay_integers() -> None:
    assert ExecutionStats(orders=3, fees=-(1 << 63)).to_plain()[0] == 3
    assert ExecutionStats(fees=-(1 << 63)).to_plain()[-1] == -(1 << 63)
    assert ExecutionStats(fees=1 << 63).to_plain()[-1] == str(1 << 63)
