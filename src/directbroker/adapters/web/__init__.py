"""The web screens: browser sessions, the login, and the pages and assets the server serves.

Owns: sessions kept in server memory behind an HttpOnly cookie, CSRF tokens, one-click login
tickets, the middleware that lets a signed-in browser use the same Trading API, Broker API and
streams as every other client (it presents the session's key exactly as an API client would,
so authorisation stays in one place), and the static pages (trader, portfolio manager,
operations) with their scripts, served without any build step.
May import: ``directbroker.adapters.http`` (the API's context and errors), Starlette and
FastAPI. Never the engines or the runtime: the screens read what the APIs publish.
"""

from directbroker.adapters.web.mount import mount_web
from directbroker.adapters.web.sessions import WebSession, WebSessions

__all__ = ["WebSession", "WebSessions", "mount_web"]
