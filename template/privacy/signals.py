"""Signals of the privacy app, for the apps above it."""

from django.dispatch import Signal

# Sent once an account and its data are erased (by its owner or from the admin), in
# the erasing transaction. Arguments: user_id, email (the address it had). Receivers
# tell the owner (accounts sends the notice).
account_erased = Signal()
