"""The trading-on-behalf family's port: the Trading API's own ports, reused as they are.

Trading on behalf of an account is the Trading API with a caller scoped to that one account
(a staff member acting for it), so this family needs exactly what the Trading API needs plus
the preference store (watchlists, configurations) and, to refuse accounts that were never
opened here, the accounts port.
"""

from __future__ import annotations

from dataclasses import dataclass

from directbroker.adapters.http.broker.accounts_port import AccountsPort
from directbroker.adapters.http.ports import Ports
from directbroker.adapters.http.prefs import PreferencesStore


@dataclass(frozen=True, slots=True)
class OnBehalfPorts:
    """The Trading API's ports and preferences, shared with it (one book, one store)."""

    ports: Ports
    prefs: PreferencesStore
    accounts: AccountsPort | None = None
