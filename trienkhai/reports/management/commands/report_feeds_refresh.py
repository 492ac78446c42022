"""Refresh now the fed figures of the open reports (what the daily reports job does)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from trienkhai.reports.models import Round
from trienkhai.reports.services import round_refresh_feeds, rounds_refresh_feeds


class Command(BaseCommand):
    help = (
        "Recompute the figures fed from the cascade and the study records on every draft or"
        " returned report (submitted and accepted reports are left as they are)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--round", type=int, help="only this round (its id)")

    def handle(self, *args, **options) -> None:
        if options["round"] is not None:
            rnd = Round.objects.filter(pk=options["round"]).select_related("version").first()
            if rnd is None:
                raise CommandError(f"no round {options['round']}")
            moved = round_refresh_feeds(round_=rnd)
            self.stdout.write(f"round {rnd.pk}: {moved} report(s) refreshed")
            return
        rounds, moved = rounds_refresh_feeds()
        self.stdout.write(f"{rounds} round(s) with fed figures: {moved} report(s) refreshed")
