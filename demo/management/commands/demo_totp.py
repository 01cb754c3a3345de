"""``manage.py demo_totp``: the code the demo staff accounts' authenticator shows now."""

from django.core.management.base import BaseCommand

from demo.logins import DEMO_TOTP_SECRET
from participants.mfa import totp_code


class Command(BaseCommand):
    help = "Print the current 6-digit authenticator code of the demo staff accounts."

    def handle(self, *args, **options):
        self.stdout.write(totp_code(DEMO_TOTP_SECRET))
