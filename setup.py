"""Build hook for the opt-in compiled matching engine (docs/adr/0009).

Everything about the package is in pyproject.toml; this file only adds extension modules, and only
when asked. A plain ``pip install .`` (or ``-e .``) builds pure Python. With
``DIRECTBROKER_COMPILE=1`` the hot modules of the fast matching engine, listed once in
``src/directbroker/engines/matching/compiled_modules.py``, are also compiled with mypyc; Python
then imports each compiled module in preference to the ``.py`` file beside it.
"""

from __future__ import annotations

import os
import runpy
from pathlib import Path

from setuptools import Extension, setup  # type: ignore[import-untyped]

LISTING = Path("src/directbroker/engines/matching/compiled_modules.py")


def compiled_extensions() -> list[Extension]:
    """The mypyc extensions to build, or none unless ``DIRECTBROKER_COMPILE=1``."""
    if os.environ.get("DIRECTBROKER_COMPILE") != "1":
        return []
    from mypyc.build import mypycify  # only the opt-in build needs mypy

    listing = runpy.run_path(str(LISTING))
    paths = [f"src/{name.replace('.', '/')}.py" for name in listing["COMPILED_MODULES"]]
    # mypyc type-checks with [tool.mypy] from pyproject.toml, found in the working directory.
    extensions: list[Extension] = mypycify(paths, group_name=listing["GROUP_NAME"])
    return extensions


setup(ext_modules=compiled_extensions())
