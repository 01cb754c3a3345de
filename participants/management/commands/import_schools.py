"""``manage.py import_schools FILE [--links FILE] [--hubs FILE]``: load schools from GIAS."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from participants import gias

MAX_LISTED = 20


class Command(BaseCommand):
    help = (
        "Create or update schools by URN from a Get Information About Schools establishment "
        "extract (CSV, Windows-1252). Safe to run again: unchanged schools are left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The GIAS establishment extract (CSV).")
        parser.add_argument(
            "--links",
            type=Path,
            help="The GIAS links file; 'Predecessor' links give schools their history.",
        )
        parser.add_argument(
            "--hubs",
            type=Path,
            help="A CSV with columns 'LA (name)' and 'hub' giving each local authority's hub.",
        )

    def handle(self, *args, file, links, hubs, **options):
        try:
            report = gias.import_schools(file, links=links, hubs=hubs)
        except gias.GiasImportError as exc:
            raise CommandError(f"{exc} Nothing was imported.") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {file.name}: {report.created} created, {report.updated} updated, "
                f"{report.unchanged} unchanged, {report.rejected} rejected."
            )
        )
        self._list("Rejected rows (left out; the other rows were imported):", report.rejections)
        self._list("Hubs in the hubs file that match no hub (not assigned):", report.unknown_hubs)
        self._list(
            "Local authorities named only in the hubs file (created, no schools yet):",
            report.hub_only_local_authorities,
            style=self.style.NOTICE,
        )

    def _list(self, title, items, style=None):
        if not items:
            return
        self.stdout.write((style or self.style.WARNING)(f"{title} {len(items)}"))
        for item in items[:MAX_LISTED]:
            self.stdout.write(f"  {item}")
        if len(items) > MAX_LISTED:
            self.stdout.write(f"  … and {len(items) - MAX_LISTED} more.")
