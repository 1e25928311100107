"""The app's own host on Heroku, before anyone has told the app what it is.

Heroku serves every app at a default domain: `<app name>-<12 hex digits>.herokuapp.com`
for apps created since 2023, `<app name>.herokuapp.com` before. The digits are known
only to Heroku and, with dyno metadata enabled (heroku labs:enable
runtime-dyno-metadata), to the app as HEROKU_APP_DEFAULT_DOMAIN_NAME. A review app or a
Heroku Button deploy has no dyno metadata, but it does have its name (HEROKU_APP_NAME,
which app.json requires: Heroku fills it in for review apps, the Button's form asks for
it). `HerokuAppHost` is the ALLOWED_HOSTS entry that accepts exactly that app's default
domain in either form, so the new app answers there from its first request and on no
other host: not another app's, nor a look-alike such as
`<name>-<digits>.herokuapp.com.evil.example`.
"""

import re

# Heroku app names: 3 to 30 lowercase letters, digits and dashes, starting with a letter.
HEROKU_APP_NAME_PATTERN = re.compile(r"[a-z][a-z0-9-]{2,29}")


class HerokuAppHost(str):
    """An ALLOWED_HOSTS entry equal to the app's default domain on Heroku, in either form.

    Django compares each entry with the request's host, lowercased and without its port
    (django.http.request.validate_host): an entry that is neither '*' nor starts with a
    dot must equal the host. This entry is a string (the older form of the domain) whose
    equality is the full pattern, so that comparison accepts the newer form too.
    """

    pattern: re.Pattern[str]

    def __new__(cls, app_name: str) -> "HerokuAppHost":
        host = super().__new__(cls, f"{app_name}.herokuapp.com")
        host.pattern = re.compile(rf"{re.escape(app_name)}(-[0-9a-f]{{12}})?\.herokuapp\.com")
        return host

    def lower(self) -> "HerokuAppHost":
        return self  # Django lowercases each entry before comparing: keep the pattern

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and self.pattern.fullmatch(other) is not None

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = str.__hash__
