"""``manage.py demo_logins``: the demo accounts, their password and what to look at."""

from django.core.management.base import BaseCommand

from demo import logins
from participants.models import User


class Command(BaseCommand):
    help = "Print the demo logins (one per role) made by seed_demo."

    def handle(self, *args, **options):
        self.stdout.write(logins.table())
        if not User.objects.filter(email__in=logins.DEMO_EMAILS).exists():
            self.stdout.write(
                self.style.WARNING("These accounts do not exist yet: run manage.py seed_demo.")
            )
