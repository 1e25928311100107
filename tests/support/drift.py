"""Compare what a rendered project's code reads with what the docs say it reads.

Sources of truth, read from the code itself:
- environment variables: `env.<parser>("NAME")`, `env("NAME")`, `"NAME" in env`,
  `os.environ["NAME"]`, `os.environ.get("NAME")`, `os.getenv("NAME")` in the project's
  Python (its own tests excluded), and `$NAME` / `${NAME...}` in `bin/` scripts;
- settings: every upper-case name assigned at module level in config/settings.py and
  in the settings module an optional part keeps in its own app (api/settings.py).
They are compared with docs/environment.md, docs/settings.md, app.json and .env.example.
A docs section or table row marked "only with the `NAME` answer" counts only when the
render answered NAME with yes.
"""

import ast
import json
import re
from pathlib import Path

import yaml

HEROKU_SET = frozenset(
    {"DATABASE_URL", "PORT", "WEB_CONCURRENCY", "HEROKU_APP_DEFAULT_DOMAIN_NAME"}
)
ENV_READERS = {"str", "bool", "int", "float", "list", "json", "url", "db_url", "email_url",
               "cache_url", "path", "dict", "tuple"}  # fmt: skip
SHELL_VARIABLE = re.compile(r"\$\{?([A-Z][A-Z0-9_]+)")
SHELL_BUILTINS = {"PATH", "HOME", "PWD"}
TABLE_NAME = re.compile(r"^\|\s*([^|]+?)\s*\|", re.MULTILINE)
BACKTICKED = re.compile(r"`([A-Z][A-Z0-9_]+)`")
ONLY_WITH_ANSWER = re.compile(r"only with the `(\w+)` answer")


def _string(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _is_os_environ(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "environ"


def _is_env(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id == "env"


def _is_database_url_config(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "config"
        and isinstance(node.value, ast.Name)
        and node.value.id == "dj_database_url"
    )


def variable_read_by(node: ast.AST) -> str | None:
    """The variable name this expression reads from the environment, if it reads one."""
    if isinstance(node, ast.Call) and node.args:
        func, name = node.func, _string(node.args[0])
        if _is_env(func):
            return name
        if isinstance(func, ast.Attribute):
            if _is_env(func.value) and func.attr in ENV_READERS:
                return name
            if isinstance(func.value, ast.Name) and func.value.id == "os" and func.attr == "getenv":
                return name
            if _is_os_environ(func.value) and func.attr == "get":
                return name
    if isinstance(node, ast.Call) and _is_database_url_config(node.func):
        # dj_database_url.config() reads DATABASE_URL, or the variable its env= names.
        named = [_string(keyword.value) for keyword in node.keywords if keyword.arg == "env"]
        return named[0] if named else "DATABASE_URL"
    if isinstance(node, ast.Subscript) and _is_os_environ(node.value):
        return _string(node.slice)
    if isinstance(node, ast.Compare) and isinstance(node.ops[0], ast.In):
        container = node.comparators[0]
        if _is_env(container) or _is_os_environ(container):
            return _string(node.left)
    return None


def env_vars_read_by_code(project: Path) -> set[str]:
    names: set[str] = set()
    for path in project.rglob("*.py"):
        relative = path.relative_to(project)
        if relative.parts[0] in {"tests", ".venv"} or "migrations" in relative.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if name := variable_read_by(node):
                names.add(name)
    for script in (project / "bin").glob("*"):
        names |= set(SHELL_VARIABLE.findall(script.read_text())) - SHELL_BUILTINS
    return names


def settings_modules(project: Path) -> list[Path]:
    """config/settings.py and each optional part's own settings module."""
    parts = sorted(project.glob("*/settings.py"))
    return [path for path in parts if path.parent.name not in {"tests"}]


def settings_defined_by_code(project: Path) -> set[str]:
    names: set[str] = set()
    for path in settings_modules(project):
        names |= upper_case_assignments(ast.parse(path.read_text()))
    return names


def upper_case_assignments(module: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(module):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Name) and target.id.isupper():
                names.add(target.id)
    return names


def names_in_first_column(markdown: str, answers: dict[str, object] | None = None) -> set[str]:
    """Upper-case names in backticks in the first column of every table.

    With `answers`, sections and rows marked "only with the `NAME` answer" count only
    when NAME was answered yes.
    """
    if answers is not None:
        markdown = for_answers(markdown, answers)
    names: set[str] = set()
    for cell in TABLE_NAME.findall(markdown):
        names |= set(BACKTICKED.findall(cell))
    return names


def for_answers(markdown: str, answers: dict[str, object]) -> str:
    """The markdown without the sections and lines that belong to answers said no to."""

    def kept(text: str) -> bool:
        return all(answers.get(name, False) for name in ONLY_WITH_ANSWER.findall(text))

    sections = re.split(r"(?m)^(?=## )", markdown)
    text = "".join(section for section in sections if kept(section.partition("\n")[0]))
    return "\n".join(line for line in text.splitlines() if kept(line))


def env_example_names(text: str) -> set[str]:
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", text, re.MULTILINE))


def find_drift(project: Path, docs: Path) -> list[str]:
    """Every disagreement between code and docs, as sentences; empty when in step."""
    problems: list[str] = []

    def compare(label: str, documented: set[str], expected: set[str]) -> None:
        for name in sorted(expected - documented):
            problems.append(f"{name} is read by the code but missing from {label}")
        for name in sorted(documented - expected):
            problems.append(f"{name} is in {label} but the code does not read it")

    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    code_vars = env_vars_read_by_code(project)
    heroku_set = code_vars & HEROKU_SET
    environment_page = (docs / "environment.md").read_text()
    by_you, _, by_heroku = environment_page.partition("## Set by Heroku")
    compare(
        "docs/environment.md (set by you)",
        names_in_first_column(by_you, answers),
        code_vars - heroku_set,
    )
    compare(
        "docs/environment.md (set by Heroku)",
        names_in_first_column(by_heroku, answers),
        heroku_set,
    )
    app_env = set(json.loads((project / "app.json").read_text())["env"])
    compare("app.json", app_env, code_vars - heroku_set)
    example = env_example_names((project / ".env.example").read_text())
    compare(".env.example", example - {"DATABASE_URL"}, code_vars - heroku_set)
    compare(
        "docs/settings.md",
        names_in_first_column((docs / "settings.md").read_text(), answers),
        settings_defined_by_code(project) | {"DJANGO_ENV"},
    )
    return problems
