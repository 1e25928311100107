"""The URL walk: every route of the project, asked for by each kind of visitor.

tests/config/test_walk.py runs it over the project's URL configuration (ROOT_URLCONF),
so a route an app adds, the template's or your own, is walked without being listed.
Each route is built into a URL with real values and requested (GET, over HTTPS) by:

- an anonymous visitor: a page must send them to its login page, an API view must
  answer 401, unless the view is public on purpose: marked `login_not_required` (an
  API view: AllowAny among its permission_classes) and saying why, in its docstring
  (settings.PUBLIC_LIBRARY_VIEWS, by URL name, for a library's view);
- another user, signed in, holding no permission: an object of someone else is a 404
  (403 where a permission decides), a view that names a permission
  (`permission_required`) is a 403;
- the owner: the objects are theirs and they hold the permissions the views name, so
  their answer proves the object was real (no 404, no 403, no error).

The admin is asked by a signed-in user who is not staff and by staff without any
permission (neither may see a model's data), and by a superuser (who may).

Route parameters get their values, in this order, from:

1. PARAMETERS, by route name and parameter: `{"notes:share": {"token": make_token}}`,
   each a function of the walk (`walk.owned(Note)` gives a note of the owner's, and
   tells the walk that others must get 404);
2. the view's model (a class-based view's `model` or `queryset`, Django's or DRF's):
   its pk or slug parameter is an object of the owner's, made by that model's factory
   in FACTORIES: `{"notes.Note": lambda owner: Note.objects.create(owner=owner)}`;
3. the admin's own: a row of the model the admin page is for, where there is one (the
   admin checks staff and permissions before it looks at an id);
4. a placeholder the route accepts ("walk", 1): public views only, since a signed-in
   view with a parameter the walk cannot tie to an owner is a problem in itself.

An app adds its factories and parameters in tests/<app>/walk.py (FACTORIES and
PARAMETERS, as above); the walk imports that module for every installed app that has
one, so the template's files never need to know your app.
"""

import importlib
import inspect
import secrets
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.options import ModelAdmin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RoutePattern
from django.utils.regex_helper import normalize

PROJECT_DIR = Path(__file__).resolve().parent.parent
# What an app's tests/<app>/walk.py may define.
Factory = Callable[[Any], Model]
ParameterValue = Callable[["Walk"], object]
# Values tried, in order, for a parameter nothing else gives a value (public views only).
PLACEHOLDERS = ("walk", "1", str(uuid.UUID(int=1)))
NOT_ASKED = "—"


def view_class(view: Callable[..., Any]) -> type | None:
    """The class behind a class-based view's function (Django's as_view(), DRF's too)."""
    return getattr(view, "view_class", None) or getattr(view, "cls", None)


def app_walk_modules() -> Iterator[Any]:
    """tests/<app>/walk.py of every installed app that has one."""
    for app_config in apps.get_app_configs():
        if (PROJECT_DIR / "tests" / app_config.label / "walk.py").is_file():
            yield importlib.import_module(f"tests.{app_config.label}.walk")


@cache
def api_framework() -> tuple[tuple[type, ...], tuple[type, ...]]:
    """(API view classes, the permission that makes one public), from the apps' walk
    modules (tests/api/walk.py names REST framework's): such views refuse anonymous
    requests with 401 themselves, and are public when their permissions say so."""
    modules = list(app_walk_modules())
    return (
        tuple(module.API_VIEW_CLASS for module in modules if hasattr(module, "API_VIEW_CLASS")),
        tuple(module.API_PUBLIC_PERMISSION for module in modules
              if hasattr(module, "API_PUBLIC_PERMISSION")),
    )  # fmt: skip


def project_packages() -> set[str]:
    """The project's own top-level packages: its apps, config and tests."""
    return {path.parent.name for path in PROJECT_DIR.glob("*/__init__.py")}


def status(response: Any) -> str:
    """A response as the table shows it: 302 says where it sends the visitor."""
    if response.status_code in (301, 302, 303, 307, 308):
        return f"{response.status_code} → {urlsplit(response['Location']).path}"
    return str(response.status_code)


@dataclass(frozen=True)
class Route:
    """One URL pattern of the URL configuration, with the includes that lead to it."""

    patterns: tuple[Any, ...]  # the RoutePattern/RegexPattern of each level
    namespaces: tuple[str, ...]
    name: str | None  # "notes:detail", with its namespaces
    view: Callable[..., Any]

    @property
    def text(self) -> str:
        """The pattern as written: "notes/<int:pk>/", prefixes included."""
        return "/" + "".join(str(p).removeprefix("^").removesuffix("$") for p in self.patterns)

    @property
    def cls(self) -> type | None:
        return view_class(self.view)

    @property
    def is_admin(self) -> bool:
        return admin.site.name in self.namespaces

    @property
    def model_admin(self) -> ModelAdmin[Any] | None:
        # A ModelAdmin's own URLs carry it; its extra views are its bound methods, wrapped.
        code: Any = self.view
        while code is not None:
            found = getattr(code, "model_admin", None) or getattr(code, "__self__", None)
            if isinstance(found, ModelAdmin):
                return found
            code = getattr(code, "__wrapped__", None)
        return None

    @property
    def is_api(self) -> bool:
        return self.cls is not None and issubclass(self.cls, api_framework()[0])

    @property
    def kind(self) -> str:
        return "admin" if self.is_admin else "API" if self.is_api else "page"

    @property
    def is_public(self) -> bool:
        """Marked public: login_not_required (a class carries it on dispatch); for an API
        view, which is never under LoginRequiredMiddleware, its permission classes."""
        if self.is_api:
            public_permissions = api_framework()[1]
            return any(
                issubclass(permission, public_permissions)
                for permission in getattr(self.cls, "permission_classes", ())
                if isinstance(permission, type)
            )
        return not getattr(self.view, "login_required", True)

    @property
    def is_own(self) -> bool:
        """The view is the project's own code, not a library's."""
        code = self.cls or inspect.unwrap(self.view)
        return code.__module__.split(".")[0] in project_packages()

    @property
    def public_reason(self) -> str | None:
        """Why the view is public: its own docstring, or the library list's entry."""
        if not self.is_own:
            return settings.PUBLIC_LIBRARY_VIEWS.get(self.name or "")
        if self.cls is not None:
            doc = self.cls.__dict__.get("__doc__")
        else:
            doc = inspect.unwrap(self.view).__doc__
        return inspect.cleandoc(doc) if doc and doc.strip() else None

    @property
    def permission_required(self) -> tuple[str, ...]:
        """The permissions the view names (PermissionRequiredMixin, DRF's alike)."""
        named = getattr(self.cls, "permission_required", None)
        if not named:
            return ()
        return (named,) if isinstance(named, str) else tuple(named)

    @property
    def model(self) -> type[Model] | None:
        if self.is_admin:
            model_admin = self.model_admin
            return model_admin.model if model_admin is not None else None
        model = getattr(self.cls, "model", None)
        queryset = getattr(self.cls, "queryset", None)
        return model or getattr(queryset, "model", None)

    def object_parameters(self) -> dict[str, str]:
        """URL parameter -> the model's attribute it carries (pk, slug...)."""
        cls = self.cls
        if cls is None:
            return {}
        lookup = getattr(cls, "lookup_field", None)
        if lookup is not None:  # DRF's generic views
            return {getattr(cls, "lookup_url_kwarg", None) or lookup: lookup}
        found = {}
        if hasattr(cls, "pk_url_kwarg"):
            found[cls.pk_url_kwarg] = "pk"
        if hasattr(cls, "slug_url_kwarg"):
            found[cls.slug_url_kwarg] = getattr(cls, "slug_field", "slug")
        return found

    def parameters(self) -> list[str]:
        names = []
        for pattern in self.patterns:
            for name in normalize(pattern.regex.pattern)[0][1]:
                names.append(name)
        return names

    def build(self, values: dict[str, object]) -> str:
        """The URL with these values; the walk checks it resolves back to this route."""
        parts = []
        for pattern in self.patterns:
            text, names = normalize(pattern.regex.pattern)[0]
            converters = pattern.converters if isinstance(pattern, RoutePattern) else {}
            parts.append(
                text
                % {
                    name: converters[name].to_url(values[name])
                    if name in converters
                    else str(values[name])
                    for name in names
                }
            )
        return "/" + "".join(parts)

    def leads_here(self, url: str) -> bool:
        try:
            match = resolve(url)
        except Resolver404:
            return False
        return match.func == self.view


def routes(
    entries: list[Any] | None = None,
    patterns: tuple[Any, ...] = (),
    namespaces: tuple[str, ...] = (),
) -> Iterator[Route]:
    """Every route of the URL configuration, includes followed."""
    for entry in get_resolver().url_patterns if entries is None else entries:
        if isinstance(entry, URLResolver):
            inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from routes(entry.url_patterns, (*patterns, entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = ":".join((*namespaces, entry.name)) if entry.name else None
            yield Route((*patterns, entry.pattern), namespaces, name, entry.callback)


@dataclass
class Row:
    """What the walk saw of one route, and what was wrong with it."""

    route: Route
    url: str = ""
    anonymous: str = NOT_ASKED
    other: str = NOT_ASKED
    without_permission: str = NOT_ASKED
    owner: str = NOT_ASKED
    problems: list[str] = field(default_factory=list)

    def problem(self, text: str) -> None:
        self.problems.append(f"{self.route.text} ({self.route.name or 'no name'}): {text}")


@dataclass
class Walk:
    """One walk of every route; `rows` and `problems` hold what it found."""

    factories: dict[str, Factory] = field(default_factory=dict)
    parameters: dict[str, dict[str, ParameterValue]] = field(default_factory=dict)
    rows: list[Row] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    made: dict[type[Model], Model] = field(default_factory=dict)
    owned_here: bool = False

    def __post_init__(self) -> None:
        for module in app_walk_modules():
            self.factories = {**getattr(module, "FACTORIES", {}), **self.factories}
            self.parameters = {**getattr(module, "PARAMETERS", {}), **self.parameters}
        user_model = get_user_model()
        self.owner = user_model.objects.create_user(email="owner@walk.example")
        self.other = user_model.objects.create_user(email="other@walk.example")
        self.staff = user_model.objects.create_user(email="staff@walk.example", is_staff=True)
        self.superuser = user_model.objects.create_superuser(email="super@walk.example")

    # --- Values for parameters ---------------------------------------------------------

    def owned(self, model: type[Model]) -> Model:
        """An object of `model` that belongs to the owner, made once by its factory."""
        if model not in self.made:
            factory = self.factories.get(model._meta.label)
            if factory is None:
                raise LookupError(
                    f"the walk needs a {model._meta.label} of the owner's: add a factory to "
                    f'FACTORIES in tests/{model._meta.app_label}/walk.py, e.g. "{model._meta.label}'
                    '": lambda owner: Model.objects.create(owner=owner, ...)'
                )
            self.made[model] = factory(self.owner)
        self.owned_here = True
        return self.made[model]

    def admin_row(self, model: type[Model] | None) -> object:
        """A row the admin page is for, if the table has one; else an id of none."""
        row = model._default_manager.order_by("pk").first() if model is not None else None
        return row.pk if row is not None else 0

    def values(self, route: Route, row: Row) -> dict[str, object] | None:
        """Values for the route's parameters, or None (with a problem) when it has none."""
        self.owned_here = False
        given = self.parameters.get(route.name or "", {})
        objects = route.object_parameters()
        values: dict[str, object] = {}
        guessed: list[str] = []
        for name in route.parameters():
            if name in given:
                values[name] = given[name](self)
            elif name in objects and route.model is not None and not route.is_admin:
                try:
                    values[name] = getattr(self.owned(route.model), objects[name])
                except LookupError as error:
                    row.problem(str(error))
                    return None
            elif route.is_admin:
                values[name] = self.admin_value(route, name)
            else:
                guessed.append(name)
        if guessed and not route.is_public:
            row.problem(
                f"the walk cannot tell whose object {', '.join(guessed)} names: give the "
                "view a model (a class-based view) or give the walk a value in PARAMETERS "
                "in tests/<app>/walk.py (walk.owned(Model) for an object of the owner's)"
            )
            return None
        for attempt in ({**values, **dict.fromkeys(guessed, p)} for p in PLACEHOLDERS):
            if route.leads_here(route.build(attempt)):
                return attempt
        row.problem(
            "the walk could not build a URL that leads to this route: give it values in "
            "PARAMETERS in tests/<app>/walk.py"
        )
        return None

    def admin_value(self, route: Route, name: str) -> object:
        if name == "app_label":
            return next(iter(admin.site._registry))._meta.app_label
        if route.name == f"{admin.site.name}:view_on_site":
            user_type = ContentType.objects.get_for_model(self.owner)
            return user_type.pk if name == "content_type_id" else self.owner.pk
        if name in ("object_id", "id", "pk"):
            return self.admin_row(route.model)
        return PLACEHOLDERS[0]

    # --- Visitors ----------------------------------------------------------------------

    def client(self, user: Any | None, *, admin_session: bool = False) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
            confirmed_just_now(client, user, admin_session=admin_session)
        return client

    def grant_named_permissions(self, every: list[Route]) -> None:
        """The owner holds every permission a view names; no one else holds any."""
        for route in every:
            for name in route.permission_required:
                app_label, _, codename = name.partition(".")
                self.owner.user_permissions.add(
                    Permission.objects.get(content_type__app_label=app_label, codename=codename)
                )

    # --- The walk ------------------------------------------------------------------------

    def run(self) -> "Walk":
        every = list(routes())
        self.grant_named_permissions(every)
        visitors = {
            "anonymous": self.client(None),
            "other": self.client(self.other),
            "owner": self.client(self.owner),
            "staff": self.client(self.staff, admin_session=True),
            "superuser": self.client(self.superuser, admin_session=True),
        }
        for route in every:
            row = Row(route)
            self.rows.append(row)
            values = self.values(route, row)
            if values is not None:
                row.url = route.build(values)
                self.check(route, row, visitors, owned=self.owned_here)
            self.problems.extend(row.problems)
        self.check_library_list()
        return self

    def check(self, route: Route, row: Row, visitors: dict[str, Client], *, owned: bool) -> None:
        def get(visitor: str) -> Any:
            response = visitors[visitor].get(row.url, secure=True)
            if response.status_code >= 500:
                row.problem(f"answers {response.status_code} to the {visitor}")
            return response

        anonymous = get("anonymous")
        row.anonymous = status(anonymous)
        if route.is_public:
            row.anonymous += " public"
            if route.public_reason is None:
                where = (
                    "in the view's docstring"
                    if route.is_own
                    else f"in settings.PUBLIC_LIBRARY_VIEWS under {route.name!r}"
                )
                row.problem(f"is marked login_not_required but says nowhere why: say it {where}")
            return
        if route.is_api:
            if anonymous.status_code != 401:
                row.problem(
                    f"is open: answers {anonymous.status_code} to an anonymous request, not "
                    "401, and is not marked public (AllowAny) with a reason"
                )
        elif not self.sends_to_login(route, anonymous):
            row.problem(
                f"is open: answers {status(anonymous)} to an anonymous visitor, and is not "
                "marked public with a reason"
            )
        if route.is_admin:
            self.check_admin(route, row, get)
            return
        permission = route.permission_required
        if owned or permission:
            other = get("other")
            if owned:
                row.other = status(other)
                if other.status_code not in ({404, 403} if permission else {404}):
                    row.problem(
                        f"shows another user's object: answers {status(other)} to a signed-in "
                        "user who does not own it (expected 404)"
                    )
            if permission:
                row.without_permission = status(other)
                if other.status_code != 403 and not (owned and other.status_code == 404):
                    row.problem(
                        f"names the permission {', '.join(permission)} but answers "
                        f"{status(other)} to a user without it (expected 403)"
                    )
            owner = get("owner")
            row.owner = status(owner)
            if owner.status_code in (403, 404):
                row.problem(
                    f"refuses the owner ({status(owner)}): the walk's object or permission is "
                    "not what the view expects, so it proves nothing"
                )

    def check_admin(self, route: Route, row: Row, get: Callable[[str], Any]) -> None:
        other = get("other")
        row.other = status(other)
        if other.status_code == 200:
            row.problem("opens to a signed-in user who is not staff")
        superuser = get("superuser")
        row.owner = status(superuser)
        if route.name == f"{admin.site.name}:index" and superuser.status_code != 200:
            row.problem(
                f"answers {status(superuser)} to a superuser: the walk's admin session "
                "(confirmed_just_now) is not what the admin expects"
            )
        if route.model_admin is None:
            return
        staff = get("staff")
        row.without_permission = status(staff)
        if staff.status_code == 200:
            row.problem("shows a model's data to staff without any permission on it")

    def sends_to_login(self, route: Route, response: Any) -> bool:
        login_url = getattr(route.view, "login_url", None) or settings.LOGIN_URL
        return bool(
            response.status_code == 302
            and urlsplit(response["Location"]).path == resolve_url(login_url)
        )

    def check_library_list(self) -> None:
        """Every entry of PUBLIC_LIBRARY_VIEWS names a public library view that is routed."""
        public = {row.route.name for row in self.rows if row.route.is_public}
        for name in sorted(set(settings.PUBLIC_LIBRARY_VIEWS) - public):
            self.problems.append(
                f"settings.PUBLIC_LIBRARY_VIEWS lists {name!r}, which names no public view of a "
                "library: remove the entry"
            )

    # --- The table ---------------------------------------------------------------------

    def table(self) -> str:
        """One line per route: URL, kind, anonymous, other user, without permission, owner."""
        head = ("URL", "kind", "anonymous", "other user", "without permission", "owner / super")
        lines = [head] + [
            (row.url or row.route.text, row.route.kind, row.anonymous, row.other,
             row.without_permission, row.owner)
            for row in self.rows
        ]  # fmt: skip
        widths = [max(len(line[column]) for line in lines) for column in range(len(head))]
        return "\n".join(
            "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
            for line in lines
        )


def confirmed_just_now(client: Client, user: Any, *, admin_session: bool = False) -> None:
    """Make the client's session one that has just confirmed who it is.

    The one place the walk knows how the accounts app checks a session
    (django-allauth's record of how it signed in): the password (the walk's users get
    one) given again a moment ago, so the views that ask for it first (changing the
    email or a second factor, ending sessions, the data export) show the walk what they
    guard; with `admin_session`, an authenticator app and its code too, as the admin
    requires (accounts/admin_site.py).
    """
    from allauth.account.internal.flows.login import record_authentication
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.test import RequestFactory

    if not user.has_usable_password():  # allauth asks a password-less account for a passkey
        user.set_password(secrets.token_urlsafe(16))
        user.save(update_fields=["password"])
        client.force_login(user)  # a new password ends the old session
    request = RequestFactory().get("/")
    request.session = client.session
    request.user = user
    record_authentication(request, user, "password", email=user.email, reauthenticated=True)
    if admin_session:
        TOTP.activate(user, generate_totp_secret())
        record_authentication(request, user, "mfa", type="totp")
    request.session.save()
