"""Subresource Integrity attributes for the site's own static files, computed once.

django-sri computes the hash from the collected file and caches it, but still looks
the file up in the manifest and on disk and re-renders the attributes on every call
(about 60 µs each, a quarter of a page's time). A dyno's collected files never change
while it runs, so the rendered attributes are cached per path for the process's life.
With USE_SRI off (development, where files change under runserver) it adds nothing.
"""

from functools import cache

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import SafeString
from sri import get_sri_of_static

register = template.Library()


@register.simple_tag
def integrity_attrs(path: str) -> SafeString | str:
    """` integrity="sha384-…" crossorigin="anonymous"` for a static file, or nothing."""
    if not settings.USE_SRI:
        return ""
    return _attributes(path)


@cache
def _attributes(path: str) -> SafeString:
    return format_html(' integrity="{}" crossorigin="anonymous"', get_sri_of_static(path))
