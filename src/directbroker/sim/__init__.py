"""Market simulation: seeded agents that give the simulated venues live order flow.

May import: ``directbroker.domain`` and ``directbroker.engines`` (randomness comes from a seeded
``random.Random`` passed in, so a simulation is reproducible).
"""
