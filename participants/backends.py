"""The sign-in backends, each reading the signed-in person from the cache
(``participants.identity``) instead of the database on every request."""

from allauth.account import auth_backends as allauth_backends
from django.contrib.auth import backends as django_backends

from participants import identity


class CachedUserMixin:
    def get_user(self, user_id):
        user = identity.cached_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(CachedUserMixin, django_backends.ModelBackend):
    """Django's backend (password sign-in to the admin)."""


class AuthenticationBackend(CachedUserMixin, allauth_backends.AuthenticationBackend):
    """allauth's backend (sign-in by email on the site)."""
