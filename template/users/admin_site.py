"""The admin site: a password and then a TOTP code (django-otp), never a password alone.

Staff enrol an authenticator app with `manage.py enrol_totp EMAIL` (see README).
Settings install this site as `admin.site` through users.apps.SecondFactorAdminConfig,
so every ModelAdmin registered with `admin.site` is behind the second factor.
"""

import logging

from django import forms
from django_otp import devices_for_user
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite
from django_otp.models import Device

from security.log import security_event


class SecondFactorLoginForm(OTPAdminAuthenticationForm):
    """django-otp's admin login form, one step for staff with one device, failures logged."""

    def clean_otp(self, user) -> None:
        try:
            super().clean_otp(user)
        except forms.ValidationError as error:
            # The password was right (clean_otp runs only then) but the code was not:
            # missing, wrong, or refused while django-otp throttles the device.
            security_event(
                "second_factor_failed",
                self.request,
                user_id=user.pk,
                reason=error.code or "throttled",
                level=logging.WARNING,
            )
            raise

    def _chosen_device(self, user) -> Device | None:
        device = super()._chosen_device(user)
        if device is None:
            # With exactly one confirmed device there is nothing to choose, so the code
            # is checked against it at once (django-otp otherwise asks for a choice).
            devices = list(devices_for_user(user, confirmed=True, for_verify=True))
            if len(devices) == 1:
                device = devices[0]
        return device


class SecondFactorAdminSite(OTPAdminSite):
    """Only staff verified by a TOTP device in this session get in (is_verified())."""

    login_form = SecondFactorLoginForm

    def __init__(self, name: str = "admin") -> None:
        super().__init__(name)
