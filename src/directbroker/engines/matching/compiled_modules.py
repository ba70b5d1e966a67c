"""The fast engine's modules that the opt-in build compiles with mypyc (docs/adr/0009).

Only the hot path is listed: command handling, validation, matching, the book and price rules.
Each stays plain typed Python that runs unchanged when it is not compiled. ``setup.py`` reads this
file without importing the package (so it must import nothing), and the compiled-engine test
builds the same list, so the two cannot drift apart.
"""

COMPILED_MODULES = (
    "directbroker.engines.matching.fastevents",
    "directbroker.engines.matching.book",
    "directbroker.engines.matching.pricing",
    "directbroker.engines.matching.validation",
    "directbroker.engines.matching.fast_core",
    "directbroker.engines.matching.engine",
)
"""Dotted module names; each is the file ``src/<name with / for .>.py``."""

GROUP_NAME = "directbroker_matching"
"""mypyc's name for the shared library of the group (``directbroker_matching__mypyc``)."""
