"""The import rules that keep the layers apart, checked on the source (every import statement, also those
inside functions) and by importing in a fresh interpreter.

* An engine's package is imported only by itself and by the contract's ``open_backend`` (and the
  Solr one by the command line's index command, which loads the corpus straight into it): the rest of
  the library and the web layer never know which engine answers.
* The web layer imports only the contract, the results, the request and the shared nouns.
* The library never imports Flask; the shared nouns load neither Whoosh nor numpy.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
while not (ROOT / "search").is_dir():
    ROOT = ROOT.parent

# What web/ may import from the library: the contract, the results, the request, and the nouns they use.
WEB_MAY_IMPORT = {
    "search.config", "search.errors", "search.article", "search.request", "search.results",
    "search.engines.backend",
    "search.companies.directory",  # company_slug: the company pages' URLs
}
ENGINE_IMPORTERS = {
    "search.engines.whoosh": {"search/engines/backend.py"},
    "search.engines.solr": {"search/engines/backend.py", "search/cli.py"},
}


def imports_of(path: Path) -> list[tuple[int, str]]:
    """Every module ``path`` imports (absolute names; ``from a import b`` gives a.b when b is a module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(parent + ([base] if base else []))
            found.append((node.lineno, base))
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def python_files(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py"))


def is_within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


@pytest.mark.parametrize("engine", sorted(ENGINE_IMPORTERS))
def test_only_the_contract_imports_an_engine(engine):
    own = ROOT / engine.replace(".", "/")
    broken = [f"{path.relative_to(ROOT)}:{line} imports {module}"
              for path in python_files("search", "web")
              if own not in path.parents and str(path.relative_to(ROOT)) not in ENGINE_IMPORTERS[engine]
              for line, module in imports_of(path) if is_within(module, engine)]
    assert broken == []


def test_the_web_layer_imports_only_the_contract_results_and_request():
    broken = []
    for path in python_files("web"):
        for line, module in imports_of(path):
            if is_within(module, "search") and module != "search" and not any(
                    is_within(module, allowed) for allowed in WEB_MAY_IMPORT):
                broken.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert broken == []


def test_the_library_never_imports_flask():
    broken = [f"{path.relative_to(ROOT)}:{line}" for path in python_files("search")
              for line, module in imports_of(path) if is_within(module, "flask") or is_within(module, "web")]
    assert broken == []


def test_the_search_flow_and_the_results_know_no_engine():
    for name in ("search/engines/flow.py", "search/results.py", "search/request.py", "search/article.py"):
        modules = [module for _line, module in imports_of(ROOT / name)]
        assert not [m for m in modules if is_within(m, "numpy") or is_within(m, "search.engines.whoosh")
                    or is_within(m, "search.engines.solr")], name


@pytest.mark.parametrize("module", ["search", "search.ingest.dates", "search.article", "search.request",
                                    "search.results", "search.errors", "search.config", "search.engines.backend",
                                    "web"])
def test_importing_a_shared_module_loads_neither_whoosh_nor_numpy(module):
    probe = (f"import sys; import {module}; "
             "print(sorted(m for m in ('whoosh', 'numpy', 'search.index.build', 'search.engines.solr') "
             "if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]", f"import {module} loaded {loaded.stdout.strip()}"
