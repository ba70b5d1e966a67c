"""The spine every core runs on: sequencer, journal, snapshots, replay and recovery.

Owns: stamping inputs with sequence and time, durable group commit, idempotency, start-up.
May import: ``directbroker.domain``, ``directbroker.engines``, ``directbroker.protocols``.
Concrete storage lives in ``directbroker.adapters``; the runtime sees only ports.
"""
