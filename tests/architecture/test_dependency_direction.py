"""The layering in DESIGN.md, enforced: dependencies point inward and the core stays pure.

``app -> adapters -> runtime -> engines/protocols -> domain``. Domain and engines import no I/O,
clock, randomness, threads or asyncio; engines do not import each other.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE_ROOT = Path(__file__).resolve().parents[2] / "src" / "directbroker"

LAYERS_ALLOWED: dict[str, set[str]] = {
    "domain": {"domain"},
    "engines": {"domain", "engines"},
    "protocols": {"domain", "protocols"},
    "runtime": {"domain", "engines", "protocols", "runtime"},
    "sim": {"domain", "engines", "protocols", "sim"},
    "backoffice": {"domain", "engines", "protocols", "runtime", "backoffice"},
    "adapters": {"domain", "engines", "protocols", "runtime", "adapters", "sim", "backoffice"},
    "testing": {
        "domain",
        "engines",
        "protocols",
        "runtime",
        "adapters",
        "sim",
        "backoffice",
        "testing",
    },
}

IMPURE_MODULES = {
    "asyncio",
    "datetime",
    "os",
    "pathlib",
    "random",
    "secrets",
    "select",
    "selectors",
    "socket",
    "sqlite3",
    "subprocess",
    "threading",
    "time",
    "uuid",
    "io",
    "multiprocessing",
    "concurrent",
    "psycopg",
    "nats",
    "urllib",
    "http",
    "shutil",
    "tempfile",
    "signal",
}

PURE_LAYERS = {"domain", "engines"}

COMPOSING_ENGINES = {
    "broker": {"oms", "risk", "ledger", "access", "funding", "onboarding", "portfolio"}
}
"""The broker core is the one engine built from others (one writer over OMS, risk and ledger,
see docs/adr/0006; account groups and block allocation, docs/adr/0023); the router reaches it
only through the OMS's routing protocol."""

DOMAIN_THIRD_PARTY_ALLOWED: set[str] = set()
ENGINE_THIRD_PARTY_ALLOWED = {"msgpack"}
STDLIB = {
    "__future__",
    "abc",
    "bisect",
    "copy",
    "collections",
    "dataclasses",
    "decimal",
    "enum",
    "functools",
    "hashlib",
    "heapq",
    "itertools",
    "math",
    "operator",
    "struct",
    "types",
    "typing",
    "fractions",
}


def _python_files() -> Iterator[Path]:
    yield from sorted(PACKAGE_ROOT.rglob("*.py"))


def _layer_of(path: Path) -> str | None:
    relative = path.relative_to(PACKAGE_ROOT)
    return relative.parts[0] if len(relative.parts) > 1 else None


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module


def _violations() -> list[str]:
    problems: list[str] = []
    for path in _python_files():
        layer = _layer_of(path)
        if layer is None or layer not in LAYERS_ALLOWED:
            continue
        where = path.relative_to(PACKAGE_ROOT)
        for line, module in _imports(path):
            top = module.split(".")[0]
            if top == "directbroker":
                parts = module.split(".")
                target = parts[1] if len(parts) > 1 else ""
                if not target:
                    continue  # the package root holds only the version
                if target not in LAYERS_ALLOWED[layer]:
                    problems.append(f"{where}:{line} {layer} must not import {module}")
                if layer == "engines" and target == "engines" and len(parts) > 2:
                    own = where.parts[1].removesuffix(".py")
                    allowed = COMPOSING_ENGINES.get(own, set()) | {"core", own}
                    if parts[2] not in allowed:
                        problems.append(f"{where}:{line} engines must not import each other")
                continue
            if layer in PURE_LAYERS:
                if top in IMPURE_MODULES:
                    problems.append(f"{where}:{line} {layer} must stay pure: imports {module}")
                allowed_third_party = (
                    DOMAIN_THIRD_PARTY_ALLOWED if layer == "domain" else ENGINE_THIRD_PARTY_ALLOWED
                )
                if top not in STDLIB and top not in allowed_third_party:
                    problems.append(f"{where}:{line} {layer} imports unexpected module {module}")
    return problems


def test_dependencies_point_inward_and_core_is_pure() -> None:
    assert _violations() == []


def test_every_subpackage_says_what_it_owns() -> None:
    missing = [
        str(init.relative_to(PACKAGE_ROOT))
        for init in PACKAGE_ROOT.rglob("__init__.py")
        if ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) is None
    ]
    assert missing == []


@pytest.mark.parametrize(
    ("layer", "module", "expected"),
    [
        ("domain", "time", "must stay pure"),
        ("engines", "random", "must stay pure"),
        ("engines", "asyncio", "must stay pure"),
        ("engines", "directbroker.adapters.storage", "must not import"),
        ("runtime", "directbroker.app.cli", "must not import"),
        ("engines", "directbroker.engines.ledger", "must not import each other"),
        ("engines", "directbroker.engines.router", "must not import each other"),
    ],
)
def test_the_checker_catches_violations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layer: str, module: str, expected: str
) -> None:
    fake_root = tmp_path / "directbroker"
    (fake_root / layer / "sub").mkdir(parents=True)
    (fake_root / layer / "sub" / "bad.py").write_text(f"import {module}\n", encoding="utf-8")
    monkeypatch.setattr(f"{__name__}.PACKAGE_ROOT", fake_root)
    assert any(expected in problem for problem in _violations())
