"""Study and dissemination as XLSX workbooks: the coverage of a subtree, a list of sessions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import IO, Any

from django.utils.translation import gettext as _

from trienkhai.outreach.models import GROUPS, HEADCOUNT_GROUPS, StudySession
from trienkhai.outreach.selectors import (
    ALL_TOPICS_RULE,
    GROUP_LABELS,
    AllTopics,
    Counts,
    Coverage,
)
from trienkhai.tasks.exports import XLSX_TYPE, row, widths
from trienkhai.tasks.models import Task
from trienkhai.units.models import Unit

__all__ = ["XLSX_TYPE", "write_all_topics", "write_coverage", "write_sessions"]
CAP = 10_000


def _rate(value: float | None) -> float | str:
    return "" if value is None else value


def _count_columns() -> list[str]:
    cols = [_("Sessions"), _("Coverage, all groups (%)")]
    for g in HEADCOUNT_GROUPS:
        cols += [
            _("%(group)s: people") % {"group": GROUP_LABELS[g]},
            _("%(group)s: covered") % {"group": GROUP_LABELS[g]},
            _("%(group)s: coverage (%%)") % {"group": GROUP_LABELS[g]},
        ]
    cols += [
        _("Public: attendance"),
        _("Units with people"),
        _("Units without a session"),
        _("Public information items"),
    ]
    return cols


def _count_values(c: Counts) -> list[Any]:
    values: list[Any] = [c.sessions, _rate(c.overall)]
    for g in HEADCOUNT_GROUPS:
        values += [c.headcount[g], c.covered[g], _rate(c.percent(g))]
    values += [c.attended["public"], c.units, c.without, c.items_total]
    return values


def write_coverage(
    out: IO[bytes],
    *,
    unit: Unit,
    topic: Task | None,
    today: dt.date,
    coverage: Coverage,
    rows: Iterable[Any],
    without,
    without_count: int,
    cap: int = CAP,
) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    summary = book.create_sheet(_("Overview"))
    widths(summary, (52, 16, 16, 16))
    c = coverage.counts
    row(summary, [_("Study and dissemination"), unit.name], bold=True)
    row(summary, [_("Topic"), topic.title if topic else _("none yet")])
    row(summary, [_("As of"), today])
    row(
        summary,
        [
            _(
                "A unit's people covered never exceed its headcount: attendance is counted per"
                " session, and someone who attends twice is counted once."
            )
        ],
    )
    row(summary, [])
    row(summary, [_("Group"), _("People"), _("Covered"), _("Coverage (%)")], bold=True)
    for g in HEADCOUNT_GROUPS:
        row(summary, [str(GROUP_LABELS[g]), c.headcount[g], c.covered[g], _rate(c.percent(g))])
    row(summary, [_("All groups"), c.people, c.people_covered, _rate(c.overall)], bold=True)
    row(summary, [])
    row(summary, [_("Sessions"), c.sessions])
    row(summary, [_("Attendance (all sessions)"), c.attendance])
    row(summary, [_("Public: attendance"), c.attended["public"]])
    row(summary, [_("Units with people"), c.units])
    row(summary, [_("Units without a session"), c.without])
    row(summary, [_("Articles"), c.items["articles"]])
    row(summary, [_("Broadcasts"), c.items["broadcasts"]])
    row(summary, [_("Events"), c.items["events"]])
    row(summary, [_("Other items"), c.items["other_items"]])
    row(summary, [_("People reached (estimates)"), c.audience])

    sheet = book.create_sheet(_("Subordinate units"))
    widths(sheet, (46, 12, *([12] * 18)))
    row(sheet, [_("Unit"), _("Code"), *_count_columns()], bold=True)
    own = coverage.own()
    if own is not None:
        label = _("Held by %(name)s itself") % {"name": unit.name}
        row(sheet, [label, unit.code, *_count_values(own.counts)])
    for line in rows:
        row(sheet, [line.unit.name, line.unit.code, *_count_values(line.counts)])

    missing = book.create_sheet(_("Without a session"))
    widths(missing, (50, 14, 30, 12, 12, 12, 12))
    header = [_("Unit"), _("Code"), _("Kind")] + [str(GROUP_LABELS[g]) for g in HEADCOUNT_GROUPS]
    row(missing, header, bold=True)
    written = 0
    for u in without[:cap].iterator(chunk_size=2000):
        row(
            missing,
            [u.name, u.code, str(u.get_kind_display()), *(getattr(u, g) for g in HEADCOUNT_GROUPS)],
        )
        written += 1
    if written >= cap and without_count > written:
        row(missing, [])
        row(
            missing,
            [
                _("Only the first %(n)s of %(total)s units are listed.")
                % {"n": written, "total": without_count}
            ],
            bold=True,
        )
    book.save(out)


def write_sessions(out: IO[bytes], *, sessions, total: int, cap: int = CAP) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Study sessions"))
    widths(sheet, (12, 44, 50, 14, 30, 30, *([12] * 6), 40, 10))
    header = [_("Date"), _("Unit"), _("Topic"), _("Form"), _("Location"), _("Presenter")]
    header += [str(GROUP_LABELS[g]) for g in GROUPS] + [_("Total"), _("Documents studied"), _("ID")]
    row(sheet, header, bold=True)
    forms = dict(StudySession.Form.choices)
    written = 0
    for s in sessions[:cap]:
        docs = ", ".join(d.symbol or str(d) for d in s.documents.all())
        row(
            sheet,
            [
                s.held_on,
                s.unit.name,
                s.topic.title,
                str(forms.get(s.form, s.form)),
                s.location,
                s.presenter,
                *(getattr(s, g) for g in GROUPS),
                s.attendance_total,
                docs,
                s.pk,
            ],
        )
        written += 1
    if written >= cap and total > written:
        row(sheet, [])
        row(
            sheet,
            [
                _("Only the first %(n)s of %(total)s sessions are listed.")
                % {"n": written, "total": total}
            ],
            bold=True,
        )
    book.save(out)


def write_all_topics(out: IO[bytes], *, unit: Unit, today: dt.date, coverage: AllTopics) -> None:
    """Coverage by any topic (summary, subordinate units) and each topic's own figures."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    summary = book.create_sheet(_("Overview"))
    widths(summary, (52, 16, 16, 16))
    c = coverage.counts
    row(summary, [_("Study and dissemination: all topics"), unit.name], bold=True)
    row(summary, [_("As of"), today])
    row(summary, [str(ALL_TOPICS_RULE)])
    row(summary, [])
    row(summary, [_("Group"), _("People"), _("Covered"), _("Coverage (%)")], bold=True)
    for g in HEADCOUNT_GROUPS:
        row(summary, [str(GROUP_LABELS[g]), c.headcount[g], c.covered[g], _rate(c.percent(g))])
    row(summary, [_("All groups"), c.people, c.people_covered, _rate(c.overall)], bold=True)
    row(summary, [])
    row(summary, [_("Sessions"), c.sessions])
    row(summary, [_("Public: attendance"), c.attended["public"]])
    row(summary, [_("Units with people"), c.units])
    row(summary, [_("Units without any session"), c.without])

    sheet = book.create_sheet(_("Subordinate units"))
    widths(sheet, (46, 12, *([12] * 18)))
    # the last two columns of a topic's sheet (units without a session of it, public items)
    # give way to the units without any session
    without = _("Units without any session")
    row(sheet, [_("Unit"), _("Code"), *_count_columns()[:-2], without], bold=True)
    if coverage.own is not None:
        label = _("Held by %(name)s itself") % {"name": unit.name}
        row(
            sheet,
            [
                label,
                unit.code,
                *_count_values(coverage.own.counts)[:-2],
                coverage.own.counts.without,
            ],
        )
    for line in coverage.children:
        row(
            sheet,
            [line.unit.name, line.unit.code, *_count_values(line.counts)[:-2], line.counts.without],
        )

    topics = book.create_sheet(_("By topic"))
    widths(topics, (60, 12, 12, 16, *([14] * 4)))
    header = [
        _("Topic"),
        _("Sessions"),
        _("Units that held a session"),
        _("Coverage, all groups (%)"),
    ]
    row(topics, header + [str(GROUP_LABELS[g]) + " (%)" for g in HEADCOUNT_GROUPS], bold=True)
    for t, tc in coverage.topics:
        row(
            topics,
            [t.title, tc.sessions, tc.held, _rate(tc.overall)]
            + [_rate(tc.percent(g)) for g in HEADCOUNT_GROUPS],
        )
    book.save(out)
