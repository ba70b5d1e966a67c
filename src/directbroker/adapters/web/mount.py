"""Adds the web screens to the API's app: the session middleware, the routes, the assets."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from directbroker.adapters.http.context import ApiContext
from directbroker.adapters.web.middleware import WebSessionMiddleware
from directbroker.adapters.web.pages import STATIC, web_router
from directbroker.adapters.web.sessions import WebSessions


def mount_web(app: FastAPI, sessions: WebSessions | None = None) -> WebSessions:
    """Serve the screens under ``/ui`` from the app ``create_app`` built (its context holds
    the key directory and rate limits); returns the session store (for one-click tickets)."""
    context: ApiContext = app.state.context
    store = sessions or WebSessions()
    app.add_middleware(WebSessionMiddleware, sessions=store)
    app.include_router(web_router(context, store))
    app.mount("/ui/static", StaticFiles(directory=STATIC), name="ui-static")
    app.state.web_sessions = store
    return store
