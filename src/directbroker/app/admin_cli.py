"""``directbroker admin``: the firm's staff operations from the command line, over HTTP.

It talks to a running server's Broker API (``/v1/firm``) with a staff key: ``--key
KEY_ID:SECRET``, or the ``admin.key`` in ``--data-dir``. The server's address is ``--url``, or
the one the server wrote to ``DIR/api.url`` when it started. Output is for people by default
and JSON with ``--json``; a refusal prints the server's code and message and exits 1.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

DEFAULT_URL = "http://127.0.0.1:8470"
TIMEOUT_S = 30.0


class AdminError(Exception):
    """The command could not be carried out (the message says why)."""


def _credential(args: argparse.Namespace) -> str:
    if args.key:
        return str(args.key).strip()
    path = Path(args.data_dir) / "admin.key"
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise AdminError(f"cannot read the staff key {path}: {exc.strerror}") from exc


def _base_url(args: argparse.Namespace) -> str:
    if args.url:
        return str(args.url).rstrip("/")
    written = Path(args.data_dir) / "api.url"
    if written.exists():
        return written.read_text(encoding="utf-8").strip().rstrip("/")
    return DEFAULT_URL


def call(
    url: str, credential: str, method: str, path: str, body: dict[str, Any] | None = None
) -> Any:
    """One Broker API request; the decoded JSON answer, or :class:`AdminError`."""
    token = base64.b64encode(credential.encode("utf-8")).decode("ascii")
    data = json.dumps(body).encode("utf-8") if body is not None else None
    request = urllib.request.Request(url + path, data=data, method=method)
    request.add_header("Authorization", f"Basic {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as answer:
            return json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        try:
            problem = json.loads(error.read())
            text = f"{error.code} (code {problem['code']}): {problem['message']}"
        except (ValueError, KeyError, TypeError):
            text = f"{error.code} {error.reason}"
        raise AdminError(text) from None
    except urllib.error.URLError as error:
        raise AdminError(f"cannot reach {url}: {error.reason}") from None


def _quote(text: str) -> str:
    return urllib.parse.quote(text, safe="")


def _request(args: argparse.Namespace) -> tuple[str, str, dict[str, Any] | None]:
    """The (method, path, body) the chosen subcommand asks for."""
    group, action = args.group, getattr(args, "action", None)
    if group == "whoami":
        return "GET", "/v1/firm/whoami", None
    if group == "keys":
        if action == "list":
            return "GET", "/v1/firm/keys" + ("?include_revoked=true" if args.all else ""), None
        if action == "issue":
            body = {"user_id": args.user, "roles": args.role, "accounts": args.account or [],
                    "groups": args.group_id or []}  # fmt: skip
            return "POST", "/v1/firm/keys", body
        query = f"?reason={_quote(args.reason)}" if args.reason else ""
        return "DELETE", f"/v1/firm/keys/{_quote(args.key_id)}{query}", None
    if group == "limits":
        path = f"/v1/firm/accounts/{_quote(args.account)}/limits" if args.account else (
            "/v1/firm/limits"
        )  # fmt: skip
        if action == "show":
            return "GET", path, None
        body = {}
        for item in args.set:
            name, sep, value = item.partition("=")
            if not sep or not value.isdigit():
                raise AdminError(f"--set takes NAME=WHOLE_NUMBER, not {item!r}")
            body[name] = int(value)
        return "PUT", path, body
    if group == "kill":
        if action == "list":
            return "GET", "/v1/firm/kill-switches", None
        body = {"scope": args.scope, "target": args.target or "",
                "engaged": action == "engage", "reason": args.reason or ""}  # fmt: skip
        return "PUT", "/v1/firm/kill-switch", body
    if group in ("restricted", "etb"):
        base = "/v1/firm/restricted" if group == "restricted" else "/v1/firm/easy-to-borrow"
        if action == "list":
            return "GET", base, None
        if action == "add":
            body_: dict[str, Any] | None = {"reason": args.reason or ""}
            return "PUT", f"{base}/{_quote(args.symbol)}", body_ if group == "restricted" else None
        return "DELETE", f"{base}/{_quote(args.symbol)}", None
    if group == "locates":
        if action == "list":
            return "GET", "/v1/firm/locates", None
        body = {"account": args.account, "symbol": args.symbol, "quantity": args.quantity}
        if args.locate_id:
            body["locate_id"] = args.locate_id
        return "POST", "/v1/firm/locates", body
    if group == "accounts":
        return _accounts_request(args, action)
    if group in ("groups", "managers"):
        return _desk_request(args, action)
    if group == "margin":
        if action == "list":
            return "GET", "/v1/firm/house-margin", None
        return "PUT", f"/v1/firm/house-margin/{_quote(args.symbol)}", {
            "maintenance_bps": args.bps
        }  # fmt: skip
    raise AdminError(f"unknown command {group} {action or ''}")


def _accounts_request(
    args: argparse.Namespace, action: str | None
) -> tuple[str, str, dict[str, Any] | None]:
    """Accounts as the Broker API keeps them: list, show, review an application, close."""
    if action == "list":
        query = {"status": args.status, "query": args.query}
        pairs = {name: value for name, value in query.items() if value}
        return "GET", "/v1/accounts" + ("?" + urllib.parse.urlencode(pairs) if pairs else ""), None
    path = f"/v1/accounts/{_quote(args.account_id)}"
    if action == "show":
        return "GET", path, None
    if action == "close":
        return "POST", f"{path}/actions/close", None
    body = {"decision": args.decision, "reason": args.reason or ""}
    return "POST", f"/v1/firm/accounts/{_quote(args.account_id)}/review", body


def _desk_request(
    args: argparse.Namespace, action: str | None
) -> tuple[str, str, dict[str, Any] | None]:
    """Account groups (``/v1/groups``) and portfolio managers' keys (keys bound to groups)."""
    if args.group == "managers":
        if action == "list":
            return "GET", "/v1/firm/keys", None
        body = {"user_id": args.user, "roles": ["portfolio_manager"], "accounts": [],
                "groups": args.group_id}  # fmt: skip
        return "POST", "/v1/firm/keys", body
    if action == "list":
        return "GET", "/v1/groups", None
    path = f"/v1/groups/{_quote(args.group_id)}"
    if action == "show":
        return "GET", path, None
    if action == "create":
        return "POST", "/v1/groups", {
            "id": args.group_id, "name": args.name, "accounts": args.account
        }  # fmt: skip
    return "PUT", path, {"accounts": args.account}


def _managers_only(result: Any) -> Any:
    """The keys that manage account groups (``managers list``)."""
    return [key for key in result if "portfolio_manager" in key.get("roles", ())]


def _human(result: Any) -> str:
    """A readable rendering: one line per item, ``name: value`` pairs."""
    if isinstance(result, list):
        if not result:
            return "(none)"
        return "\n".join(_line(item) for item in result)
    if isinstance(result, dict):
        return "\n".join(f"{key}: {_value(value)}" for key, value in result.items())
    return str(result)


def _value(value: Any) -> str:
    if isinstance(value, list):
        return ",".join(str(item) for item in value) or "-"
    return "-" if value is None else str(value)


def _line(item: Any) -> str:
    if isinstance(item, dict):
        return "  ".join(f"{key}={_value(value)}" for key, value in item.items())
    return str(item)


def _run(args: argparse.Namespace) -> int:
    try:
        method, path, body = _request(args)
        result = call(_base_url(args), _credential(args), method, path, body)
        if args.group == "managers" and getattr(args, "action", None) == "list":
            result = _managers_only(result)
    except AdminError as error:
        sys.stderr.write(f"directbroker admin: {error}\n")
        return 1
    if args.json:
        sys.stdout.write(json.dumps(result, indent=2, sort_keys=True) + "\n")
    else:
        if isinstance(result, dict) and "secret" in result:
            sys.stdout.write(
                f"{result['key_id']}:{result['secret']}\n(the secret is shown once: keep it now)\n"
            )
        sys.stdout.write(_human(result) + "\n")
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``directbroker admin``."""
    parser = subparsers.add_parser(
        "admin",
        help="the firm's staff operations on a running server (accounts, keys, limits, lists...)",
        description=(
            "Staff operations over the Broker API of a running server, with a staff key "
            "(--key KEY_ID:SECRET or DIR/admin.key)."
        ),
    )
    parser.add_argument("--data-dir", default="var/firm", help="where admin.key and api.url are")
    parser.add_argument("--key", default=None, help="a staff credential KEY_ID:SECRET")
    parser.add_argument("--url", default=None, help="the server (default: DIR/api.url)")
    parser.add_argument("--json", action="store_true", help="print the server's JSON answer")
    parser.set_defaults(handler=_run)
    groups = parser.add_subparsers(dest="group", required=True)

    groups.add_parser("whoami", help="the staff key in use and its roles")

    keys = groups.add_parser("keys", help="API keys").add_subparsers(dest="action", required=True)
    listing = keys.add_parser("list", help="live keys")
    listing.add_argument("--all", action="store_true", help="revoked keys too")
    issue = keys.add_parser("issue", help="issue a key (the secret is printed once)")
    issue.add_argument("--user", required=True, help="who the key is for")
    issue.add_argument("--role", action="append", required=True, help="a role (repeatable)")
    issue.add_argument("--account", action="append", help="an account (repeatable)")
    issue.add_argument("--group", dest="group_id", action="append", help="an account group")
    revoke = keys.add_parser("revoke", help="revoke a key")
    revoke.add_argument("key_id")
    revoke.add_argument("--reason", default="")

    limits = groups.add_parser("limits", help="risk limits").add_subparsers(
        dest="action", required=True
    )
    show = limits.add_parser("show", help="the firm's (or an account's) limits")
    show.add_argument("--account", default=None)
    change = limits.add_parser("set", help="change limits: --set max_order_quantity=5000 ...")
    change.add_argument("--account", default=None)
    change.add_argument("--set", action="append", required=True, metavar="NAME=VALUE")

    kill = groups.add_parser("kill", help="kill switches").add_subparsers(
        dest="action", required=True
    )
    kill.add_parser("list", help="engaged kill switches")
    for name in ("engage", "release"):
        switch = kill.add_parser(name, help=f"{name} a kill switch")
        switch.add_argument("--scope", choices=("firm", "account", "symbol"), required=True)
        switch.add_argument("--target", default="", help="the account or symbol")
        switch.add_argument("--reason", default="")

    for group, what in (("restricted", "the restricted list"), ("etb", "easy-to-borrow list")):
        lists = groups.add_parser(group, help=what).add_subparsers(dest="action", required=True)
        lists.add_parser("list", help=f"show {what}")
        add = lists.add_parser("add", help="add a symbol")
        add.add_argument("symbol")
        add.add_argument("--reason", default="")
        lists.add_parser("remove", help="remove a symbol").add_argument("symbol")

    locates = groups.add_parser("locates", help="locates for short sales").add_subparsers(
        dest="action", required=True
    )
    locates.add_parser("list", help="today's locates")
    locate = locates.add_parser("add", help="record a locate")
    locate.add_argument("--account", required=True)
    locate.add_argument("--symbol", required=True)
    locate.add_argument("--quantity", type=int, required=True)
    locate.add_argument("--id", dest="locate_id", default=None)

    accounts = groups.add_parser("accounts", help="customer accounts").add_subparsers(
        dest="action", required=True
    )
    listing = accounts.add_parser("list", help="accounts, newest first")
    listing.add_argument("--status", default=None, help="e.g. APPROVAL_PENDING, ACTIVE")
    listing.add_argument("--query", default=None, help="name, email or account number")
    accounts.add_parser("show", help="one account").add_argument("account_id")
    review = accounts.add_parser("review", help="approve or reject a pending application")
    review.add_argument("account_id")
    review.add_argument("decision", choices=("approve", "reject"))
    review.add_argument("--reason", default="")
    accounts.add_parser("close", help="close an empty account").add_argument("account_id")

    desk = groups.add_parser("groups", help="account groups").add_subparsers(
        dest="action", required=True
    )
    desk.add_parser("list", help="every account group")
    desk.add_parser("show", help="one group").add_argument("group_id")
    create = desk.add_parser("create", help="create a group of accounts (in allocation order)")
    create.add_argument("group_id")
    create.add_argument("--name", default="")
    create.add_argument("--account", action="append", required=True, help="repeatable")
    members = desk.add_parser("set", help="replace a group's accounts")
    members.add_argument("group_id")
    members.add_argument("--account", action="append", required=True, help="repeatable")
    managers = groups.add_parser("managers", help="portfolio managers' keys").add_subparsers(
        dest="action", required=True
    )
    managers.add_parser("list", help="live keys that manage account groups")
    manager = managers.add_parser("issue", help="a manager's key for groups (secret shown once)")
    manager.add_argument("--user", required=True, help="who the key is for")
    manager.add_argument("--group", dest="group_id", action="append", required=True,
                         help="an account group it manages (repeatable)")  # fmt: skip

    margin = groups.add_parser("margin", help="house margin").add_subparsers(
        dest="action", required=True
    )
    margin.add_parser("list", help="house maintenance requirements")
    setting = margin.add_parser("set", help="set a symbol's requirement (0 removes it)")
    setting.add_argument("symbol")
    setting.add_argument("bps", type=int, help="basis points, 0..10000")
