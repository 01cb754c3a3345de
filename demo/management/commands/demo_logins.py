"""``manage.py demo_logins``: the demo accounts, their password and what to look at."""

from django.core.management.base import BaseCommand

from demo import logins
from participants.models import User


class Command(BaseCommand):
    help = "Print the demo logins (one per role) made by seed_demo."

    def handle(self, *args, **options):
        self.stdout.write(logins.table())
        staff = User.objects.filter(email__in=logins.DEMO_EMAILS, is_staff=True)
        if not User.objects.filter(email__in=logins.DEMO_EMAILS).exists():
            self.stdout.write(
                self.style.WARNING("These accounts do not exist yet: run manage.py seed_demo.")
            )
        elif staff.filter(authenticator__isnull=True).exists():
            self.stdout.write(
                self.style.WARNING(
                    "The demo staff were seeded before staff needed an authenticator: sign in "
                    "and set one up, or run manage.py seed_demo --reset."
                )
            )
