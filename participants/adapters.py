from dataclasses import dataclass
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.utils import get_login_redirect_url
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from core.email import queue_email
from core.scoping import can_use_admin, is_hub_staff, is_national
from core.urls import fixed_url
from participants.identity import is_llme
from participants.rules import must_complete_profile


@dataclass(frozen=True)
class SiteName:
    """What allauth's email templates read as ``current_site``."""

    name: str
    domain: str


def site_domain() -> str:
    return urlsplit(settings.SITE_URL).netloc or "localhost"


def landing_url(user) -> str:
    """What needs each person after signing in: the reports for the national team, the admin
    for hub staff, the lead area for LLMEs, and their own registrations (next sessions, tasks,
    invitations, surveys) for everyone else."""
    if is_national(user):
        return fixed_url("reports:list")
    if can_use_admin(user):
        return fixed_url("admin:index")
    if is_hub_staff(user):
        return fixed_url("reports:list")
    if is_llme(user):
        return fixed_url("lead:dashboard")
    return fixed_url("workgroups:my_registrations")


class AccountAdapter(DefaultAccountAdapter):
    """Sends allauth's emails through the Celery email task; sends new people to their profile."""

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": "That email address and password do not match an account. "
        "Check them and try again.",
        "account_inactive": "This account is closed.",
        "too_many_login_attempts": "Too many failed attempts to sign in. Wait a few minutes "
        "and try again, or reset your password.",
        "enter_current_password": "Enter your current password.",
        "incorrect_password": "That is not your current password.",
    }

    def _get_login_attempts_cache_key(self, request, **credentials):
        """The per-key limit on failed sign-ins counts an email address from one client address,
        so guesses from elsewhere never lock the owner out (settings.ACCOUNT_RATE_LIMITS)."""
        key = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{key}:{self.get_client_ip(request)}"

    def send_mail(self, template_prefix, email, context):
        # allauth names the site from the request (or django.contrib.sites, not used here):
        # emails say the site's own name and address, from settings, however they are sent.
        context = {**context, "current_site": SiteName(settings.SITE_NAME, site_domain())}
        message = self.render_mail(template_prefix, email, context)
        html = next(
            (
                content
                for content, mimetype in getattr(message, "alternatives", [])
                if mimetype == "text/html"
            ),
            None,
        )
        queue_email(to=list(message.to), subject=message.subject, body=message.body, html=html)

    def clean_email(self, email):
        """Refuse addresses longer than the column holds, with a message (not a database error)."""
        limit = get_user_model()._meta.get_field("email").max_length
        if len(email) > limit:
            raise ValidationError(f"Your email address must be {limit} characters or fewer.")
        return super().clean_email(email)

    def post_login(self, request, user, *, redirect_url=None, signup=False, **kwargs):
        """Until the profile is complete, signing in leads to it, then on to where they were going.

        allauth only asks ``get_login_redirect_url`` when there is no ``next``, so the
        redirect is decided here, where both cases pass.
        """
        if must_complete_profile(user):
            from participants.views import profile_url

            target = get_login_redirect_url(request, redirect_url, signup=signup)
            redirect_url = profile_url(None if target == profile_url() else target)
        return super().post_login(request, user, redirect_url=redirect_url, signup=signup, **kwargs)

    def get_login_redirect_url(self, request):
        """Where signing in leads when nobody asked for a page: the profile until it is
        complete, then each person's own starting point (``landing_url``)."""
        if must_complete_profile(request.user):
            from participants.views import profile_url

            return profile_url()
        return landing_url(request.user)
