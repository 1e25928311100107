"""The project's layout: imports flow one way between its apps, and no module imports
itself back through another.

    security <- background <- media <- privacy <- users <- accounts <- pages
             <- the optional parts' apps

An app imports only the apps to its left, never one to its right or beside it. The
optional parts' apps follow in the order config/parts.py lists them; an app of your own
sits at the right end. Every app may import config.project (the rendered answers, plain
data); config and the tests import anything. Imports are read from the code itself
(ast): every import statement of every module, those inside functions included.
README, "Project layout", says what each app is for.
"""

import ast
from collections.abc import Iterator
from pathlib import Path

from config import parts
from tests.conftest import PROJECT_DIR

# Lowest first: an app may import the apps in earlier layers, and its own modules.
LAYERS = [
    {"security"},
    {"background"},
    {"media"},
    {"privacy"},
    {"users"},
    {"accounts"},
    {"pages"},
    *({app} for app in parts.APPS),
]
# Modules of config that any app may import: the rendered answers, plain data.
SHARED = {"config.project"}
# Not apps: they sit above every app and may import anything.
TOP = {"config", "tests"}


def packages(root: Path) -> set[str]:
    """The project's top-level Python packages (the apps, config and tests)."""
    return {path.parent.name for path in root.glob("*/__init__.py")}


def modules(root: Path) -> Iterator[tuple[str, Path]]:
    """(dotted name, path) of every module in the project's packages."""
    for package in sorted(packages(root)):
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            yield ".".join(parts), path


def imports(path: Path) -> Iterator[tuple[int, str]]:
    """(line, dotted name) of everything a module imports; `from a import b` gives a.b."""
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                yield node.lineno, f"{node.module}.{alias.name}"


def rank(app: str) -> int:
    return next((i for i, layer in enumerate(LAYERS) if app in layer), len(LAYERS))


def wrong_way_imports(root: Path) -> list[str]:
    """Each import that flows the wrong way, as 'path:line: app imports target (why)'."""
    ours = packages(root)
    problems = []
    for name, path in modules(root):
        app = name.split(".")[0]
        if app in TOP:
            continue
        for line, imported in imports(path):
            target = imported.split(".")[0]
            if target not in ours or target == app:
                continue
            if target in TOP:
                if not any(imported == m or imported.startswith(f"{m}.") for m in SHARED):
                    problems.append(f"{path.relative_to(root)}:{line}: {app} imports {imported}")
            elif rank(target) >= rank(app):
                where = "beside" if rank(target) == rank(app) else "above"
                problems.append(
                    f"{path.relative_to(root)}:{line}: {app} imports {target}, "
                    f"which sits {where} it"
                )
    return problems


def import_cycles(root: Path) -> list[list[str]]:
    """Chains of the project's modules (tests aside) that import their way back to the first."""
    names = {name: path for name, path in modules(root) if not name.startswith("tests")}
    graph = {
        name: sorted(
            {
                module
                for _, imported in imports(path)
                for module in (imported, imported.rpartition(".")[0])
                if module in names and module != name
            }
        )
        for name, path in names.items()
    }
    cycles, done = [], set()

    def visit(name: str, chain: list[str]) -> None:
        if name in chain:
            cycles.append([*chain[chain.index(name) :], name])
            return
        if name in done:
            return
        for imported in graph[name]:
            visit(imported, [*chain, name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])
    return cycles


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_imports_between_apps_flow_one_way():
    assert wrong_way_imports(PROJECT_DIR) == []


def test_no_module_imports_itself_back():
    assert import_cycles(PROJECT_DIR) == []


def test_an_upward_import_is_caught(tmp_path):
    """The rule fails where it should: security reaching up into users, even in a function."""
    project = write(
        tmp_path,
        {
            "security/__init__.py": "",
            "security/log.py": "def mask(a):\n    from users.models import normalize_email\n",
            "users/__init__.py": "",
            "users/models.py": "from security import log\n",
            "pages/__init__.py": "",
            "pages/views.py": "from config import project\nfrom config.settings import DEBUG\n",
            "config/__init__.py": "",
            "config/project.py": "",
        },
    )

    assert wrong_way_imports(project) == [
        "pages/views.py:2: pages imports config.settings.DEBUG",
        "security/log.py:2: security imports users, which sits above it",
    ]


def test_an_import_cycle_is_caught(tmp_path):
    project = write(
        tmp_path,
        {
            "media/__init__.py": "",
            "media/storage.py": "from media.uploads import content_headers\n",
            "media/uploads.py": "def check():\n    from media.storage import accepts\n",
        },
    )

    assert import_cycles(project) == [["media.storage", "media.uploads", "media.storage"]]
