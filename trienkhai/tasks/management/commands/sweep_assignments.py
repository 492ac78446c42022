"""Move open assignments past their deadline into "overdue", create new recurring periods."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from trienkhai.tasks.services import assignments_sweep, recurring_topup


class Command(BaseCommand):
    help = "Mark open assignments whose deadline has passed as overdue; top up recurring tasks."

    def handle(self, *args, **options) -> None:
        moved = assignments_sweep()
        created = recurring_topup()
        self.stdout.write(f"overdue: {moved}, new recurring assignments: {created}")
