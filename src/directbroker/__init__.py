"""DirectBroker: a direct-access brokerage platform.

Layers point inward: ``app -> adapters -> runtime -> engines/protocols -> domain``.
"""

__version__ = "0.1.0"
