"""API keys as facts of the broker core: issue and revoke, checked in full, with who did it.

Owns: the registry of every key ever issued (live or revoked, so an id is never reused), its
snapshot form, and the rules a key must satisfy (known roles, accounts for customers, groups
for portfolio managers, a named actor). Secrets never reach it: keys carry a salt and a digest.
May import: ``directbroker.domain`` and the standard library.
"""

from directbroker.engines.access.registry import ACCESS_COMMANDS, AccessRegistry, KeyFact

__all__ = ["ACCESS_COMMANDS", "AccessRegistry", "KeyFact"]
