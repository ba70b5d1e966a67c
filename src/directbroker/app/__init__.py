"""Composition root: configuration, wiring of concrete adapters, and the CLI entry points.

May import: everything.
"""
