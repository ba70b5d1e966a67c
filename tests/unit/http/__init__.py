"""Unit tests of the client API edge: parsing, shapes, ids, keys and rate limits."""
