from django.core.management.base import BaseCommand

from apps.marketplace.content.loader import AUTHOR_NAME, templates_load


class Command(BaseCommand):
    help = "Publish the templates shipped in apps/marketplace/content as EZFlow (idempotent; a changed file becomes a new version)."

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="Only these templates (default: all).")

    def handle(self, *args, slugs=(), **options):
        report = templates_load(slugs=set(slugs) or None)
        self.stdout.write(
            f"Marketplace templates by {AUTHOR_NAME}: {len(report.created)} created, {len(report.new_version)} new versions, "
            f"{len(report.updated)} details updated, {len(report.unchanged)} unchanged."
        )
