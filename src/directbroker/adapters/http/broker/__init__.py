"""The Broker API: Alpaca's Broker API v1 (``/v1/...``) for the firm, plus ``/v1/firm``.

Owns: HTTP Basic authentication with staff keys and their roles (:mod:`.auth`), the Broker API
error shape (:mod:`.errors`), the ports each family is built against (:mod:`.ports` and one
``<family>_port.py`` per family), one router per family (``<family>_routes.py``), and
:func:`mount_broker_api`, which puts the families whose ports are bound onto an app.
May import what :mod:`directbroker.adapters.http` may import, and that package's ports, errors
and rate limiter. Never the engines or the runtime.
"""

from directbroker.adapters.http.broker.app import mount_broker_api
from directbroker.adapters.http.broker.auth import StaffPrincipal, basic_auth_header, staff
from directbroker.adapters.http.broker.errors import BrokerApiError
from directbroker.adapters.http.broker.ports import BrokerPorts

__all__ = [
    "BrokerApiError",
    "BrokerPorts",
    "StaffPrincipal",
    "basic_auth_header",
    "mount_broker_api",
    "staff",
]
