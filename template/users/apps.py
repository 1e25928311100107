from django.apps import AppConfig


class UsersConfig(AppConfig):
    """Who people are: the email-login User model, its manager, admin and hashers.

    How they sign in (django-allauth, MFA, throttles) is the accounts app's.
    """

    name = "users"
