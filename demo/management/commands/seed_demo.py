"""``manage.py seed_demo --scale small|national [--reset]``: demo data and demo logins."""

import time

from django.core.management.base import BaseCommand, CommandError

from demo import logins
from demo.context import SCALES
from demo.seed import SeedRefused, seed
from evaluations.tasks import collate_year
from projects.models import AcademicYear


class Command(BaseCommand):
    help = (
        "Fill the database with deterministic demo data and a login for each role. "
        "Does nothing if demo data is already there; --reset deletes it and seeds again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="small")
        parser.add_argument(
            "--reset", action="store_true", help="Delete the existing demo data first."
        )

    def handle(self, *args, scale, reset, **options):
        started = time.monotonic()
        try:
            result = seed(scale, reset=reset)
        except SeedRefused as error:
            raise CommandError(str(error)) from error
        if not result.created:
            self.stdout.write(
                "Demo data is already there: nothing changed. "
                "Run with --reset to delete it and seed again."
            )
        else:
            seconds = time.monotonic() - started
            self.stdout.write(self.style.SUCCESS(f"Seeded {scale} demo data in {seconds:.1f}s:"))
            for name, count in result.counts.items():
                self.stdout.write(f"  {name}: {count:,}")
            self._collate_reports()
        self.stdout.write("")
        self.stdout.write(logins.table())

    def _collate_reports(self):
        """Queue last year's and this year's reports (run in-process when no broker is set)."""
        current = AcademicYear.objects.current()
        years = AcademicYear.objects.filter(starts_on__lte=current.starts_on)[:2]
        for year in years:
            collate_year.delay(year.pk)
            self.stdout.write(f"Queued the national reports of {year}.")
