"""Accounts through the router, with the worker running and mail to an SMTP server on loopback.

The default deployment's web and worker dynos (`mail_site`) serve sign-up, verification,
sign-in with a second factor and the admin; the API answer set's (`api_site`) the token
login. Every client is a Visitor on an address of its own in 127.0.0.0/8, so the router
sees each attacker, owner and stranger as the internet would show them to Heroku's.

The attacks of issue 15 run again here, and a copy of the same slug with one safeguard
taken out (patched_slug) shows each measurement would catch its loss.
"""

import json
import re
import statistics
import time
from collections.abc import Iterator

import pytest

from tests.support.accounts import (
    FORM_ENCODINGS,
    Visitor,
    body_text,
    credential_stuffing,
    link_in,
    log_in,
    mails_to,
    password_spraying,
    reset_requests,
    settled_mails,
    statuses,
    token_for,
    token_login,
    token_login_as_a_form,
    totp_code,
    wait_for_mails,
    with_token,
)
from tests.support.deployments import (
    Site,
    create_users,
    mail_dyno_env,
    patched_slug,
    serving_with_worker,
    shell,
)

pytestmark = pytest.mark.slow

PASSWORD = "correct-horse-battery-staple-42"  # noqa: S105 (throwaway accounts)
NEW_PASSWORD = "a-brand-new-passphrase-77"  # noqa: S105
# settings.FAILURE_BUDGETS of the render: 20 wrong passwords per network, 10 per account.
NETWORK_BUDGET, ACCOUNT_BUDGET = 20, 10
ATTEMPTS = 40
SIGNUP_SAMPLES = 15
# Medians of 15: a missing equaliser leaves 100+ ms; a loaded 2-core machine, ~10 ms of noise.
MAX_SIGNUP_GAP_SECONDS = 0.020


def ips(block: int, count: int) -> list[str]:
    """`count` client addresses of their own: 127.<block>.x.y."""
    return [f"127.{block}.{n // 250}.{n % 250 + 1}" for n in range(count)]


def sign_up(visitor: Visitor, address: str, password: str = PASSWORD):
    return visitor.submit(
        "/accounts/signup/", {"email": address, "password1": password, "password2": password}
    )


def admin_path(site: Site) -> str:
    return f"/{site.deployment.answers['admin_url_path']}/"


# --- Sign-up, verification, sign-in ----------------------------------------------------


def test_sign_up_sends_a_link_that_verifies_and_the_account_signs_in(mail_site, smtp_server):
    address = "new-member@example.com"
    visitor = Visitor(mail_site, client_ip="127.0.5.1")

    signed_up = sign_up(visitor, address)
    (message,) = wait_for_mails(smtp_server, address, 1)
    link = link_in(message, r"/accounts/confirm-email/[^/\s]+/")
    assert visitor.get(link).status == 200, "the link opens the confirmation page"
    confirmed = visitor.post(link, {})
    browser = Visitor(mail_site, client_ip="127.0.5.2")
    signed_in = log_in(browser, address, PASSWORD)

    assert (signed_up.status, signed_up.headers["Location"]) == (302, "/accounts/confirm-email/")
    assert "Confirm" in message["Subject"]
    assert confirmed.status == 302
    assert (signed_in.status, signed_in.headers["Location"]) == (302, "/")
    assert browser.signed_in_as() == address


def test_an_unverified_account_signs_in_only_once_verified(mail_site, smtp_server):
    address = "not-yet@example.com"
    sign_up(Visitor(mail_site, client_ip="127.0.5.3"), address)
    browser = Visitor(mail_site, client_ip="127.0.5.4")

    attempt = log_in(browser, address, PASSWORD)

    assert attempt.headers["Location"] == "/accounts/confirm-email/"
    assert browser.signed_in_as() is None


def test_a_taken_address_answers_like_a_new_one_and_mails_its_owner(mail_site, smtp_server):
    owner = "already-here@example.com"
    create_users(mail_site.deployment, [owner], PASSWORD)

    taken = sign_up(Visitor(mail_site, client_ip="127.0.5.5"), owner, "someone-elses-pass-99")
    new = sign_up(Visitor(mail_site, client_ip="127.0.5.6"), "brand-new@example.com")
    (message,) = wait_for_mails(smtp_server, owner, 1)

    assert (taken.status, taken.headers["Location"]) == (new.status, new.headers["Location"])
    assert "Already Exists" in message["Subject"], "the owner is told, not the visitor"
    assert log_in(Visitor(mail_site, client_ip="127.0.5.7"), owner, PASSWORD).status == 302


def sign_up_timings(
    site: Site, new: list[str], taken: list[str], block: int
) -> dict[str, list[float]]:
    """Seconds per sign-up POST through the router, new and taken addresses interleaved,
    each from its own client IP (the sign-up's per-IP limit would refuse repeats)."""
    clients = iter(ips(block, 2 * len(new)))

    def post(address: str) -> float:
        visitor = Visitor(site, client_ip=next(clients))
        visitor.get("/accounts/signup/")
        body = {"email": address, "password1": PASSWORD, "password2": PASSWORD}
        started = time.perf_counter()
        response = visitor.post("/accounts/signup/", body)
        elapsed = time.perf_counter() - started
        assert response.status == 302, response.body[-1500:]
        return elapsed

    for address in (new[0], taken[0], new[1], taken[1]):
        post(address)  # warm-up: the first requests load code in each gunicorn worker
    timings: dict[str, list[float]] = {"new": [], "taken": []}
    for fresh, existing in zip(new[2:], taken[2:], strict=True):
        timings["new"].append(post(fresh))
        timings["taken"].append(post(existing))
    return timings


def medians(timings: dict[str, list[float]]) -> tuple[float, float]:
    return statistics.median(timings["new"]), statistics.median(timings["taken"])


def addresses(prefix: str) -> list[str]:
    return [f"{prefix}-{n}@example.com" for n in range(SIGNUP_SAMPLES + 2)]


def test_a_taken_address_signs_up_in_the_same_time_as_a_new_one(mail_site, report):
    taken = addresses("taken-timing")
    create_users(mail_site.deployment, taken, PASSWORD)

    new_median, taken_median = medians(
        sign_up_timings(mail_site, addresses("new-timing"), taken, block=6)
    )
    report(f"sign-up through the router: median {new_median * 1000:.1f} ms new, "
           f"{taken_median * 1000:.1f} ms taken address, {SIGNUP_SAMPLES} each")  # fmt: skip

    assert abs(new_median - taken_median) < MAX_SIGNUP_GAP_SECONDS, (
        f"new {new_median * 1000:.1f} ms vs taken {taken_median * 1000:.1f} ms: "
        "the sign-up tells which addresses have accounts"
    )


@pytest.fixture(scope="module")
def unequal_site(mail_site, smtp_server, tmp_path_factory) -> Iterator[Site]:
    """The same deployment with the sign-up's equalisers taken out (hash and floor)."""
    workdir = tmp_path_factory.mktemp("unequal-site")
    equaliser = '            make_password(self.cleaned_data.get("password1"))'
    floor = "SIGNUP_MIN_RESPONSE_SECONDS = 0.4"
    slug = patched_slug(mail_site.deployment, workdir / "slug", {
        "accounts/forms.py": (equaliser, "            pass"),
        "config/settings.py": (floor, "SIGNUP_MIN_RESPONSE_SECONDS = 0"),
    })  # fmt: skip
    env = mail_dyno_env(mail_site.deployment, smtp_server.url)
    with serving_with_worker(mail_site.deployment, env, workdir, worker=False, slug=slug) as site:
        yield site


def test_timing_shows_a_taken_address_without_the_equaliser(unequal_site, report):
    """The measurement can fail: without hashing the password of a taken address and
    without the floor, the sign-up is measurably faster for it."""
    taken = addresses("unequal-taken")
    create_users(unequal_site.deployment, taken, PASSWORD)

    new_median, taken_median = medians(
        sign_up_timings(unequal_site, addresses("unequal-new"), taken, block=7)
    )
    report(f"sign-up without the equaliser (a safeguard removed): median "
           f"{new_median * 1000:.1f} ms new, {taken_median * 1000:.1f} ms taken")  # fmt: skip

    assert new_median - taken_median > MAX_SIGNUP_GAP_SECONDS


# --- Staff and the second factor ---------------------------------------------------------


def enrol_totp(site: Site, address: str) -> tuple[str, str]:
    """An authenticator app and recovery codes for the account; (secret, a recovery code)."""
    output = shell(site.deployment, (
        "from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes\n"
        "from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret\n"
        "from users.models import User\n"
        f"user = User.objects.get(email={address!r})\n"
        "secret = generate_totp_secret()\n"
        "TOTP.activate(user, secret)\n"
        "print(secret, RecoveryCodes.activate(user).get_unused_codes()[0])\n"
    ))  # fmt: skip
    secret, code = output.split()
    return secret, code


def test_staff_without_an_authenticator_are_sent_to_set_one_up(mail_site):
    address = "new-staff@example.com"
    create_users(mail_site.deployment, [address], PASSWORD, is_staff=True)
    staff = Visitor(mail_site, client_ip="127.0.8.1")

    signed_in = log_in(staff, address, PASSWORD)
    landing = staff.get(signed_in.headers["Location"])
    admin = staff.get(admin_path(mail_site))
    setup = staff.get("/accounts/2fa/")

    assert (landing.status, landing.headers["Location"]) == (302, "/accounts/2fa/")
    assert (admin.status, admin.headers["Location"]) == (302, "/accounts/2fa/")
    assert setup.status == 200 and b"two-factor" in setup.body.lower()


def test_a_superuser_from_createsuperuser_signs_in(mail_site):
    address = "operator@example.com"
    shell(mail_site.deployment, "from django.core.management import call_command; "
          "call_command('createsuperuser', interactive=False, verbosity=0)",
          DJANGO_SUPERUSER_EMAIL=address, DJANGO_SUPERUSER_PASSWORD=PASSWORD)  # fmt: skip

    signed_in = log_in(Visitor(mail_site, client_ip="127.0.8.2"), address, PASSWORD)

    assert signed_in.status == 302, "verified from the start: no mail round trip"


def test_totp_code_signs_staff_in_and_the_admin_opens(mail_site):
    address = "totp-staff@example.com"
    create_users(mail_site.deployment, [address], PASSWORD, is_staff=True)
    secret, _ = enrol_totp(mail_site, address)
    staff = Visitor(mail_site, client_ip="127.0.8.3")

    asked = log_in(staff, address, PASSWORD)
    before = staff.get(admin_path(mail_site))
    done = staff.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    admin = staff.get(admin_path(mail_site))

    assert asked.headers["Location"] == "/accounts/2fa/authenticate/"
    assert before.status == 302, "the password alone opens nothing"
    assert (done.status, done.headers["Location"]) == (302, "/")
    assert admin.status == 200 and b"Site administration" in admin.body


def test_a_recovery_code_signs_in_once(mail_site):
    address = "recovering@example.com"
    create_users(mail_site.deployment, [address], PASSWORD)
    _, recovery = enrol_totp(mail_site, address)
    first, second = (Visitor(mail_site, client_ip=ip) for ip in ("127.0.8.4", "127.0.8.5"))

    log_in(first, address, PASSWORD)
    used = first.post("/accounts/2fa/authenticate/", {"code": recovery})
    log_in(second, address, PASSWORD)
    reused = second.post("/accounts/2fa/authenticate/", {"code": recovery})

    assert (used.status, used.headers["Location"]) == (302, "/")
    assert first.signed_in_as() == address
    assert reused.status == 200 and second.signed_in_as() is None


# --- The attacks of issue 15 ---------------------------------------------------------------


def test_credential_stuffing_from_one_ip_is_slowed(mail_site, report):
    victims = [f"stuffed-{n}@example.com" for n in range(ATTEMPTS)]
    create_users(mail_site.deployment, victims, PASSWORD)

    responses = credential_stuffing(mail_site, victims, client_ip="127.0.9.1")
    report(f"stuffing (1 IP x {ATTEMPTS} accounts, one wrong password each): "
           f"{statuses(responses)}")  # fmt: skip
    owner = log_in(Visitor(mail_site, client_ip="127.0.9.2"), victims[-1], PASSWORD)

    assert statuses(responses) == [200] * NETWORK_BUDGET + [429] * (ATTEMPTS - NETWORK_BUDGET)
    assert all(0 < int(r.headers["Retry-After"]) <= 900 for r in responses[NETWORK_BUDGET:]), (
        "every refusal says when to try again"
    )
    assert owner.status == 302, "from another network the owner is not slowed"


def test_spraying_one_account_from_many_ips_is_slowed_and_the_owner_still_gets_in(
    mail_site, smtp_server, report
):
    address = "sprayed@example.com"
    create_users(mail_site.deployment, [address], PASSWORD)
    owners_browser = Visitor(mail_site, client_ip="127.0.10.1")
    assert log_in(owners_browser, address, PASSWORD).status == 302
    owners_browser.post("/accounts/logout/", {})

    responses = password_spraying(mail_site, address, ips(11, ATTEMPTS))
    report(f"spraying (1 account x {ATTEMPTS} IPs, one wrong password each): "
           f"{statuses(responses)}")  # fmt: skip
    stranger = log_in(Visitor(mail_site, client_ip="127.0.10.2"), address, PASSWORD)
    owner = log_in(owners_browser, address, PASSWORD)
    by_code = Visitor(mail_site, client_ip="127.0.10.3")
    by_code.submit("/accounts/login/code/", {"email": address})
    mailed = body_text(wait_for_mails(smtp_server, address, 1)[-1])
    code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})\r?$", mailed, re.MULTILINE)
    assert code, f"a sign-in code by mail:\n{mailed}"
    coded = by_code.post("/accounts/login/code/confirm/", {"code": code[1]})
    report(
        f"spraying, then: right password from a new browser -> {stranger.status}, "
        f"from the owner's browser -> {owner.status}, by emailed code -> {coded.status}"
    )

    assert statuses(responses) == [200] * ACCOUNT_BUDGET + [429] * (ATTEMPTS - ACCOUNT_BUDGET)
    assert stranger.status == 429, "the right password from a stranger waits too"
    assert owner.status == 302, "the browser that signed in before is not slowed"
    assert coded.status == 302 and by_code.signed_in_as() == address


def test_reset_mail_bombing_is_capped(mail_site, smtp_server, report):
    address = "bombed@example.com"
    create_users(mail_site.deployment, [address], PASSWORD)

    responses = reset_requests(mail_site, address, 30, client_ip="127.0.12.1")
    delivered = settled_mails(smtp_server, address)
    report(f"reset bombing (30 requests, 1 IP, 1 address): {statuses(responses)} -> "
           f"{len(delivered)} mails delivered")  # fmt: skip

    assert statuses(responses) == [302] * 3 + [429] * 27
    assert len(delivered) == 3


@pytest.fixture(scope="module")
def unguarded_site(mail_site, smtp_server, tmp_path_factory) -> Iterator[Site]:
    """The same deployment with the failure budgets taken out of the password check."""
    workdir = tmp_path_factory.mktemp("unguarded-site")
    slug = patched_slug(mail_site.deployment, workdir / "slug", {"config/settings.py": (
        '"accounts.backends.BudgetedAuthenticationBackend"',
        '"allauth.account.auth_backends.AuthenticationBackend"')})  # fmt: skip
    env = mail_dyno_env(mail_site.deployment, smtp_server.url)
    with serving_with_worker(mail_site.deployment, env, workdir, worker=False, slug=slug) as site:
        yield site


def test_the_attacks_get_through_without_the_budgets(unguarded_site, report):
    """The measurements can fail: without the budgets spraying is never slowed, and
    stuffing meets only allauth's flood backstop (60 requests a minute per IP)."""
    victims = [f"unguarded-{n}@example.com" for n in range(ATTEMPTS)]
    create_users(unguarded_site.deployment, victims, PASSWORD)

    stuffing = statuses(credential_stuffing(unguarded_site, victims, client_ip="127.0.13.1"))
    spraying = statuses(password_spraying(unguarded_site, victims[0], ips(14, ATTEMPTS)))
    report(f"without the budgets (a safeguard removed): stuffing {stuffing}, spraying {spraying}")

    assert stuffing == [200] * ATTEMPTS
    assert spraying == [200] * ATTEMPTS


# --- The API's token login ----------------------------------------------------------------


@pytest.fixture(scope="module")
def api_site(deployments, smtp_server, tmp_path_factory) -> Iterator[Site]:
    deployment = deployments.get("api")
    env = mail_dyno_env(deployment, smtp_server.url)
    with serving_with_worker(deployment, env, tmp_path_factory.mktemp("api-site")) as site:
        yield site


def test_token_login_refuses_cross_site_forms_so_none_locks_the_owner_out(api_site, report):
    address = "api-owner@example.com"
    create_users(api_site.deployment, [address], PASSWORD)

    refused = {encoding: token_login_as_a_form(api_site, address, "wrong-password-1", encoding,
                                               client_ip="127.0.15.1").status
               for encoding in FORM_ENCODINGS}  # fmt: skip
    forged = [token_login_as_a_form(api_site, address, "wrong-password-1", "multipart/form-data",
                                    client_ip="127.0.15.1").status for _ in range(5)]  # fmt: skip
    owner = token_login(api_site, address, PASSWORD, client_ip="127.0.15.1")
    report(
        f"token login posted as cross-site forms: {refused}; 5 multipart posts {forged}, "
        f"then the owner's JSON login from the same IP -> {owner.status}"
    )

    assert set(refused.values()) == {415}
    assert forged == [415] * 5
    assert owner.status == 200, "nothing was counted against the owner"


def test_tokens_die_with_a_changed_or_reset_password(api_site, smtp_server, report):
    address = "api-password@example.com"
    create_users(api_site.deployment, [address], PASSWORD)
    token = token_for(api_site, address, PASSWORD)
    owner = Visitor(api_site, client_ip="127.0.15.2")
    log_in(owner, address, PASSWORD)
    before = with_token(api_site, token)

    changed = owner.submit("/accounts/password/change/", {
        "oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})  # fmt: skip
    after_change = with_token(api_site, token)
    second = token_for(api_site, address, NEW_PASSWORD)
    stranger = Visitor(api_site, client_ip="127.0.15.3")
    stranger.submit("/accounts/password/reset/", {"email": address})
    reset_mail = next(m for m in wait_for_mails(smtp_server, address, 2)
                      if "Password Reset Email" in m["Subject"])  # fmt: skip
    form = stranger.get(link_in(reset_mail, r"/accounts/password/reset/key/\S+/"))
    reset = stranger.post(form.headers["Location"],
                          {"password1": PASSWORD, "password2": PASSWORD})  # fmt: skip
    after_reset = with_token(api_site, second)
    report(
        f"API token: {before} before, password change -> {changed.status}, token "
        f"{after_change}; a new token, password reset -> {reset.status}, token {after_reset}"
    )

    assert (before, after_change, after_reset) == (200, 401, 401)
    assert json.loads(token_login(api_site, address, PASSWORD).body)["token"]
    assert mails_to(smtp_server, address), "notices went out"
