"""Every third-party module our code imports is declared in pyproject.toml (issue 10).

Why: a module that arrives only as a dependency of a dependency works until that dependency
changes its own list; then a plain ``pip install .`` gives a Vigie that fails at import (as
trafilatura did when ``lxml.html.clean`` became the separate ``lxml_html_clean``). The real
install is checked by tests/install/test_plain_install.py; this test names the culprit at once.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OURS = {"monitor", "spiders", "storage"}


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    return {normalize(re.split(r"[\s<>=!~;\[]", d, maxsplit=1)[0]) for d in project["dependencies"]}


def imported_modules() -> dict[str, str]:
    """Top-level third-party module name → first file importing it."""
    found: dict[str, str] = {}
    for package in sorted(OURS):
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    if top not in OURS and top not in sys.stdlib_module_names:
                        found.setdefault(top, str(path.relative_to(ROOT)))
    return found


def test_every_imported_package_is_declared():
    dists = packages_distributions()
    deps = declared()
    modules = imported_modules()
    assert {"scrapy", "trafilatura", "twisted", "yaml"} <= set(modules)  # the scan finds imports
    missing = {
        module: where
        for module, where in modules.items()
        if not {normalize(d) for d in dists.get(module, [module])} & deps
    }
    assert not missing, f"imported but not in [project] dependencies: {missing}"


def test_lxml_html_clean_is_declared_by_its_own_name():
    """trafilatura needs it at import; ``lxml[html_clean]`` is not honoured by pip 23.2."""
    assert "lxml-html-clean" in declared()
