"""Concrete I/O: storage (SQLite, PostgreSQL), buses, venue links, client protocols.

May import: everything inward (runtime, engines, protocols, domain) and third-party I/O libraries.
"""
