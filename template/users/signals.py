"""Signals of the users app, for the apps above it."""

from django.dispatch import Signal

# Sent after a user's new password is saved, however it was set: the site's password
# change or reset, the admin, `manage.py changepassword`, code calling set_password().
# Arguments: user. Receivers end what the old password opened (the API's tokens).
password_changed = Signal()
