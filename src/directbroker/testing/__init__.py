"""Fakes and fixtures shipped for tests, ours and our users'.

May import: everything except ``directbroker.app``.
"""
