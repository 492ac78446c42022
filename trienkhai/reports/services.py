"""Writes of periodic reports: forms and their versions, rounds, the report state machine,
and reports following the tree.

Every transition locks the report row (``select_for_update``; SQLite's write transactions are
serial anyway), checks the version the user saw and the state, then moves the state and bumps
the version: of two people acting at once exactly one wins, the other gets a clear message.
An accepted report is refused by every function here before the model and database guards.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from trienkhai.accounts.scoping import can_act_for_unit
from trienkhai.core.errors import DomainError
from trienkhai.reports import counts, periods
from trienkhai.reports.consolidation import consolidate
from trienkhai.reports.feeds import fed_values, fed_values_many
from trienkhai.reports.models import (
    CODE_RE,
    DEFAULT_SECTIONS,
    SECTION_KEY_RE,
    FormVersion,
    Indicator,
    Report,
    ReportForm,
    Round,
    Section,
    Value,
)
from trienkhai.units.models import Unit

S = Report.State
T = Indicator.Type
MAX_TEXT = 50_000
MAX_FIGURE_TEXT = 2_000
MAX_SECTIONS = 30
MAX_INDICATORS = 200


def _today() -> dt.date:
    return timezone.localdate()


def _user(by: Any) -> Any:
    return by if getattr(by, "is_authenticated", False) else None


def _fmt(day: dt.date | None) -> str:
    return date_format(day, "d/m/Y") if day else "—"


def _name(unit: Unit | None) -> str:
    return (unit.short_name or unit.name) if unit is not None else "—"


def _acts_for(by: Any, unit: Unit | None) -> bool:
    """System jobs, commands and the demo pass ``by=None``."""
    if by is None:
        return True
    return unit is not None and can_act_for_unit(by, unit)


def _check_acts_for(by: Any, unit: Unit, field: str | None = None) -> None:
    if not _acts_for(by, unit):
        raise DomainError(_("You can only act for your own unit."), code="forbidden", field=field)


class ReportInvalid(DomainError):
    """Several fields are wrong at once: ``errors`` maps each field to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(_("Please correct the fields marked below."), code="invalid")
        self.errors = errors
        self.field = next(iter(errors), None)


# --- forms -----------------------------------------------------------------------------------


@dataclass
class SectionData:
    key: str
    title: str
    guidance: str = ""


@dataclass
class IndicatorData:
    code: str
    name: str
    type: str = Indicator.Type.INTEGER
    aggregation: str = Indicator.Aggregation.SUM
    unit_of_measure: str = ""
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    required: bool = False
    weight_code: str = ""
    source: str = ""
    source_task: Any = None
    help_text: str = ""


def _is_study_topic(task: Any) -> bool:
    """Sessions are counted per study topic: the study task at the top of its cascade."""
    from trienkhai.tasks.models import Task

    return task.kind == Task.Kind.STUDY and task.parent_assignment_id is None


def _validate_content(
    sections: Sequence[SectionData], indicators: Sequence[IndicatorData], by: Any
) -> None:
    errors: dict[str, str] = {}
    if not sections and not indicators:
        errors["sections"] = _("A form needs at least one section or one indicator.")
    if len(sections) > MAX_SECTIONS:
        errors["sections"] = _("At most %(n)s sections.") % {"n": MAX_SECTIONS}
    if len(indicators) > MAX_INDICATORS:
        errors["indicators"] = _("At most %(n)s indicators.") % {"n": MAX_INDICATORS}
    keys: set[str] = set()
    for i, s in enumerate(sections):
        if not SECTION_KEY_RE.match(s.key or ""):
            errors[f"sections.{i}.key"] = _(
                "A key is made of lowercase letters without accents, digits and _, e.g. results."
            )
        elif s.key in keys:
            errors[f"sections.{i}.key"] = _("Another section already has this key.")
        keys.add(s.key)
        if not (s.title or "").strip():
            errors[f"sections.{i}.title"] = _("Enter the section's title.")
    codes = {d.code: d for d in indicators}
    seen: set[str] = set()
    for i, d in enumerate(indicators):
        p = f"indicators.{i}."
        if not CODE_RE.match(d.code or ""):
            errors[p + "code"] = _(
                "A code starts with a letter and has at most 20 letters, digits, . _ or -."
            )
        elif d.code in seen:
            errors[p + "code"] = _("Another indicator already has this code.")
        seen.add(d.code)
        if not (d.name or "").strip():
            errors[p + "name"] = _("Enter the indicator's name.")
        if d.type not in Indicator.Type.values:
            errors[p + "type"] = _("Choose a type.")
            continue
        if d.aggregation not in Indicator.ALLOWED[d.type]:
            allowed = ", ".join(
                str(Indicator.Aggregation(a).label)
                for a in Indicator.Aggregation.values
                if a in Indicator.ALLOWED[d.type]
            )
            errors[p + "aggregation"] = _(
                "This aggregation does not suit this type; choose one of: %(allowed)s."
            ) % {"allowed": allowed}
        if d.aggregation == Indicator.Aggregation.WEIGHTED_AVG:
            weight = codes.get(d.weight_code)
            if weight is None or weight.code == d.code:
                errors[p + "weight_code"] = _(
                    "Enter the code of another indicator of this form that gives the weights."
                )
            elif weight.type not in (T.INTEGER, T.DECIMAL):
                errors[p + "weight_code"] = _("The weights must be a number indicator.")
        elif d.weight_code:
            errors[p + "weight_code"] = _("Only a weighted average has weights.")
        if d.min_value is not None and d.max_value is not None and d.max_value < d.min_value:
            errors[p + "max_value"] = _("The maximum is below the minimum.")
        if d.type == T.PERCENT and (
            (d.min_value is not None and d.min_value < 0)
            or (d.max_value is not None and d.max_value > 100)
        ):
            errors[p + "max_value"] = _("A percentage stays between 0 and 100.")
        if d.type in (T.YES_NO, T.TEXT) and (d.min_value is not None or d.max_value is not None):
            errors[p + "min_value"] = _("Only numbers have bounds.")
        if d.source:
            if d.source not in Indicator.Source.values:
                errors[p + "source"] = _("Unknown source.")
            elif d.source_task is None:
                errors[p + "source_task"] = _("Choose the task whose progress feeds it.")
            elif d.type not in (T.INTEGER, T.PERCENT):
                errors[p + "type"] = _(
                    "A figure from the cascade is a whole number or a percentage."
                )
            elif (d.source in Indicator.PERCENT_SOURCES) != (d.type == T.PERCENT):
                errors[p + "type"] = _(
                    "A percentage comes as a percentage, a number as a whole number."
                )
            elif d.source in Indicator.STUDY_SOURCES and not _is_study_topic(d.source_task):
                errors[p + "source_task"] = _(
                    "Choose a study task issued on its own (not a subtask): sessions are"
                    " counted by the topic at the top of the cascade."
                )
            elif by is not None:
                from trienkhai.tasks.selectors import tasks_for_user

                if not tasks_for_user(by).filter(pk=d.source_task.pk).exists():
                    errors[p + "source_task"] = _("Choose a task you can see.")
    if errors:
        raise ReportInvalid(errors)


def _write_content(
    version: FormVersion, sections: Sequence[SectionData], indicators: Sequence[IndicatorData]
) -> None:
    version.sections.all().delete()
    version.indicators.all().delete()
    secs = [
        Section(
            version=version,
            position=i,
            key=s.key,
            title=" ".join(s.title.split()),
            guidance=(s.guidance or "").strip(),
        )
        for i, s in enumerate(sections)
    ]
    inds = [
        Indicator(
            version=version,
            position=i,
            code=d.code,
            name=" ".join(d.name.split()),
            unit_of_measure=(d.unit_of_measure or "").strip(),
            type=d.type,
            aggregation=d.aggregation,
            min_value=d.min_value,
            max_value=d.max_value,
            required=bool(d.required),
            weight_code=d.weight_code or "",
            source=d.source or "",
            source_task=d.source_task if d.source else None,
            help_text=(d.help_text or "").strip(),
        )
        for i, d in enumerate(indicators)
    ]
    Section.objects.bulk_create(secs)
    Indicator.objects.bulk_create(inds)
    Section.history.bulk_history_create(secs)
    Indicator.history.bulk_history_create(inds)


def default_sections() -> list[SectionData]:
    return [SectionData(key, title) for key, title in DEFAULT_SECTIONS]


@transaction.atomic
def form_create(
    *,
    owner: Unit,
    by: Any,
    name: str,
    code: str = "",
    description: str = "",
    sections: Sequence[SectionData] | None = None,
    indicators: Sequence[IndicatorData] = (),
) -> ReportForm:
    """A new form of ``owner`` with its first version (default outline unless given)."""
    _check_acts_for(by, owner, "owner")
    name = " ".join((name or "").split())
    if not name:
        raise ReportInvalid({"name": _("Enter the form's name.")})
    sections = default_sections() if sections is None else list(sections)
    _validate_content(sections, indicators, by)
    form = ReportForm(
        owner=owner, name=name, code=(code or "").strip(), description=description or ""
    )
    form.created_by = _user(by)
    form._history_user = _user(by)
    form.save()
    version = FormVersion.objects.create(form=form, number=1, created_by=_user(by))
    _write_content(version, sections, indicators)
    return form


@transaction.atomic
def form_save(
    *,
    form: ReportForm,
    by: Any,
    name: str,
    sections: Sequence[SectionData],
    indicators: Sequence[IndicatorData],
    code: str = "",
    description: str = "",
    note: str = "",
) -> FormVersion:
    """Change a form. A version already used by a round is never touched: a new version is
    written and the next rounds start from it."""
    form = ReportForm.objects.select_for_update().get(pk=form.pk)
    _check_acts_for(by, form.owner)
    name = " ".join((name or "").split())
    if not name:
        raise ReportInvalid({"name": _("Enter the form's name.")})
    _validate_content(sections, indicators, by)
    form.name, form.code, form.description = name, (code or "").strip(), description or ""
    form._history_user = _user(by)
    form.save()
    latest = form.latest_version()
    if latest is None or latest.is_frozen:
        number = (latest.number + 1) if latest else 1
        latest = FormVersion.objects.create(
            form=form, number=number, note=(note or "")[:300], created_by=_user(by)
        )
    elif note:
        latest.note = note[:300]
        latest.save(update_fields=["note"])
    _write_content(latest, sections, indicators)
    return latest


# --- rounds ----------------------------------------------------------------------------------


def _check_below(owner: Unit, unit: Unit, field: str, *, include_self: bool = False) -> None:
    inside = unit.is_within(owner) and (include_self or unit.pk != owner.pk)
    if not inside:
        raise DomainError(
            _("%(unit)s is not under %(owner)s: a round reaches only its subordinate units.")
            % {"unit": unit.name, "owner": owner.name},
            code="outside",
            field=field,
        )


@transaction.atomic
def round_create(
    *,
    form: ReportForm,
    owner: Unit,
    by: Any,
    title: str,
    period_kind: str,
    year: int | None = None,
    number: int | None = None,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    period_label: str = "",
    deadline: dt.date | None = None,
    deadline_workdays: int | None = None,
    target_mode: str = Round.TargetMode.RULE,
    units: Sequence[Unit] = (),
    under: Unit | None = None,
    kinds: Sequence[str] = (),
    depth: int | None = None,
    receiver_mode: str = Round.ReceiverMode.PARENT,
    receiver_unit: Unit | None = None,
    top_receiver: Unit | None = None,
    place: str = "",
    task: Any = None,
    today: dt.date | None = None,
) -> tuple[Round, int]:
    """Open a round of ``form`` run by ``owner``: its current version, its window and
    deadline, and one report per reporting unit (and per receiver up to the owner).
    Returns (round, reports created)."""
    today = today or _today()
    _check_acts_for(by, owner, "owner")
    if by is not None:
        from trienkhai.reports.selectors import forms_for_user

        if not forms_for_user(by).filter(pk=form.pk).exists():
            raise DomainError(_("Choose a form you can see."), code="forbidden", field="form")
    version = form.latest_version()
    if version is None:
        raise DomainError(_("This form has no content yet."), code="empty", field="form")
    title = " ".join((title or "").split())
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("Enter the round's title.")
    if period_kind == Round.Period.CUSTOM:
        if period_start is None:
            errors["period_start"] = _("Enter the first day of the data window.")
        if period_end is None:
            errors["period_end"] = _("Enter the cut-off day of the data window.")
        if period_start and period_end and period_end < period_start:
            errors["period_end"] = _("The cut-off is before the start of the window.")
        if period_start and period_end and not period_label:
            period_label = f"{_fmt(period_start)}–{_fmt(period_end)}"
    elif period_kind in Round.Period.values:
        try:
            window = periods.cutoff_window(period_kind, int(year or 0), number)
        except (ValueError, TypeError):
            errors["number"] = _("Choose the month, quarter or half of the year.")
        else:
            if not 2000 <= int(year or 0) <= 2100:
                errors["year"] = _("Enter a year between 2000 and 2100.")
            period_label, period_start, period_end = window.label, window.start, window.end
    else:
        errors["period_kind"] = _("Choose a period.")
    if deadline_workdays is not None:
        if not 0 <= deadline_workdays <= 60:
            errors["deadline_workdays"] = _("Enter between 0 and 60 working days.")
        elif period_end is not None:
            deadline = periods.deadline_after(period_end, deadline_workdays)
    if deadline is None and "deadline_workdays" not in errors:
        errors["deadline"] = _("Enter the deadline, or a number of working days after the cut-off.")
    elif deadline is not None and period_start is not None and deadline < period_start:
        errors["deadline"] = _("The deadline is before the start of the period.")
    if errors:
        raise ReportInvalid(errors)
    if target_mode == Round.TargetMode.UNITS:
        units = list(units)
        if not units:
            raise DomainError(_("Choose at least one unit."), code="required", field="units")
        for u in units:
            _check_below(owner, u, "units")
        under, kinds, depth = None, [], None
    elif target_mode == Round.TargetMode.RULE:
        under = under or owner
        _check_below(owner, under, "under", include_self=True)
        if any(k not in Unit.Kind.values for k in kinds):
            raise DomainError(_("Unknown unit kind."), code="invalid", field="kinds")
        if depth is not None and not 1 <= depth <= 10:
            raise DomainError(
                _("Levels below must be between 1 and 10."), code="range", field="depth"
            )
    else:
        raise DomainError(_("Choose units or a rule."), code="invalid", field="target_mode")
    if receiver_mode not in Round.ReceiverMode.values:
        raise DomainError(_("Choose where reports go."), code="invalid", field="receiver_mode")
    if receiver_mode == Round.ReceiverMode.UNIT:
        if receiver_unit is None:
            raise DomainError(
                _("Choose the unit that receives the reports."),
                code="required",
                field="receiver_unit",
            )
        _check_below(owner, receiver_unit, "receiver_unit", include_self=True)
    else:
        receiver_unit = None
    if top_receiver is not None and top_receiver.is_within(owner):
        raise DomainError(
            _("The consolidated report goes above or outside %(owner)s.") % {"owner": owner.name},
            code="inside",
            field="top_receiver",
        )
    if task is not None and by is not None:
        from trienkhai.tasks.selectors import tasks_for_user

        if not tasks_for_user(by).filter(pk=task.pk).exists():
            raise DomainError(_("Choose a task you can see."), code="forbidden", field="task")
    rnd = Round(
        form=form,
        version=version,
        owner=owner,
        title=title,
        period_kind=period_kind,
        period_label=period_label[:40],
        period_start=period_start,
        period_end=period_end,
        deadline=deadline,
        deadline_workdays=deadline_workdays,
        target_mode=target_mode,
        under=under,
        kinds=sorted(set(kinds)),
        depth=depth,
        receiver_mode=receiver_mode,
        receiver_unit=receiver_unit,
        top_receiver=top_receiver,
        place=(place or "").strip()[:100],
        task=task,
        created_by=_user(by),
    )
    rnd._history_user = _user(by)
    rnd.save()
    if target_mode == Round.TargetMode.UNITS:
        rnd.units.set(units)
    created = round_expand(round_=rnd, today=today, by=by)
    if created <= 1:  # the owner's own report only
        raise DomainError(
            _("No active unit matches: the round would have nobody reporting."),
            code="no_match",
            field="units" if target_mode == Round.TargetMode.UNITS else "kinds",
        )
    return rnd, created


def _matches(rnd: Round, unit: Unit, today: dt.date) -> bool:
    if rnd.target_mode != Round.TargetMode.RULE or rnd.under is None:
        return False
    return (
        unit.is_within(rnd.under)
        and unit.pk != rnd.under_id
        and unit.is_active(today)
        and (not rnd.kinds or unit.kind in rnd.kinds)
        and (not rnd.depth or unit.depth == rnd.under.depth + rnd.depth)
    )


def _targets(rnd: Round, today: dt.date) -> list[tuple[int, str]]:
    if rnd.target_mode == Round.TargetMode.UNITS:
        return [(u.pk, u.path) for u in rnd.units.all() if u.is_active(today)]
    qs = Unit.objects.subtree_of(rnd.under, include_self=False).active(today)
    if rnd.kinds:
        qs = qs.of_kind(*rnd.kinds)
    if rnd.depth:
        qs = qs.filter(depth=rnd.under.depth + rnd.depth)
    return list(qs.order_by().values_list("pk", "path"))


def round_expand(
    *,
    round_: Round,
    today: dt.date | None = None,
    only: Iterable[Unit] | None = None,
    by: Any = None,
) -> int:
    """Create the missing reports of a round (all its units, or ``only``); idempotent.

    Each reporting unit sends to its receiver; every receiver gets a report too (its
    consolidated one), sent to its own receiver, up to the owner, whose report goes outside.
    """
    today = today or _today()
    rnd = round_
    owner = rnd.owner
    if only is not None:
        wanted = [(u.pk, u.path) for u in only if _matches(rnd, u, today)]
        if not wanted:
            return 0
    else:
        wanted = _targets(rnd, today)
    have = set(Report.objects.filter(round=rnd).values_list("unit_id", flat=True))
    paths: dict[int, str] = dict(wanted)
    paths[owner.pk] = owner.path
    ids_by_path: dict[str, int] = {owner.path: owner.pk}
    if rnd.receiver_mode == Round.ReceiverMode.PARENT:
        # every ancestor between a reporting unit and the owner may become a receiver
        need = {
            p
            for _pk, path in wanted
            for p in (path[: owner.steplen * d] for d in range(1, len(path) // owner.steplen))
            if len(p) > len(owner.path)
        }
        for chunk in _chunks(sorted(need), 2000):
            ids_by_path.update(Unit.objects.filter(path__in=chunk).values_list("path", "pk"))
        paths.update({pk: path for path, pk in ids_by_path.items()})
    elif rnd.receiver_unit_id:
        paths[rnd.receiver_unit_id] = rnd.receiver_unit.path

    def receiver_of(pk: int) -> int | None:
        if pk == owner.pk:
            return None
        if rnd.receiver_mode == Round.ReceiverMode.OWNER:
            return owner.pk
        if rnd.receiver_mode == Round.ReceiverMode.UNIT:
            return rnd.receiver_unit_id if pk != rnd.receiver_unit_id else owner.pk
        path = paths[pk]
        return ids_by_path.get(path[: len(path) - owner.steplen], owner.pk)

    plan: dict[int, int | None] = {}
    queue = [pk for pk, _path in wanted] + [owner.pk]
    while queue:
        pk = queue.pop()
        if pk in plan or pk in have:
            continue
        plan[pk] = receiver_of(pk)
        nxt = plan[pk]
        if nxt is not None and nxt not in plan and nxt not in have:
            queue.append(nxt)
    names = dict(
        Unit.objects.filter(pk__in={rec for rec in plan.values() if rec}).values_list("pk", "name")
    )
    rows = [
        Report(
            round=rnd,
            unit_id=pk,
            unit_path=paths[pk],
            receiver_id=rec,
            place=rnd.place,
            recipients=_default_recipients(rnd, names.get(rec)),
        )
        for pk, rec in sorted(plan.items(), key=lambda kv: paths[kv[0]])
    ]
    if not rows:
        return 0
    Report.objects.bulk_create(rows, batch_size=2000)
    bulk_history(Report, rows, by=by, reason="created", kind="+")
    counts.record(rnd.pk, [(None, counts.Fact(r.unit_path, S.DRAFT, False)) for r in rows])
    return len(rows)


def _default_recipients(rnd: Round, receiver_name: str | None) -> str:
    if receiver_name is None:
        top = rnd.top_receiver
        return f"- {top.name};\n- Lưu." if top is not None else "- Lưu."
    return f"- {receiver_name};\n- Lưu."


def bulk_history(model, objs: Sequence[Any], *, by: Any, reason: str, kind: str) -> None:
    """The history rows simple-history would write for ``objs`` (``kind``: "+" created,
    "~" changed), through one prepared statement: its own bulk writer builds a model
    instance per row, seconds for the ten thousand figures of a year's archive."""
    if not objs:
        return
    from django.db import connection

    history = model.history.model
    fields = [f for f in history._meta.concrete_fields if f.name != "history_id"]
    extra = {
        "history_date": timezone.now(),
        "history_change_reason": reason,
        "history_type": kind,
        "history_user": _user(by).pk if _user(by) else None,
    }
    qn = connection.ops.quote_name
    cols = ", ".join(qn(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {qn(history._meta.db_table)} ({cols}) VALUES ({marks})"  # noqa: S608
    rows = []
    for obj in objs:
        row = []
        for f in fields:
            value = extra[f.name] if f.name in extra else getattr(obj, f.attname)
            row.append(f.get_db_prep_save(value, connection))
        rows.append(row)
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _chunks(items: list, n: int):
    for i in range(0, len(items), n):
        yield items[i : i + n]


# --- figures ---------------------------------------------------------------------------------

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]")
_VN_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")
_PLAIN = re.compile(r"^[+-]?\d+([.,]\d+)?$")
YES = {"1", "true", "yes", "có", "co", "c", "x", "y"}
NO = {"0", "false", "no", "không", "khong", "k", "n"}


def _number_text(value: float) -> str:
    text = f"{value:,.4f}".rstrip("0").rstrip(".")
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def parse_number(raw: Any) -> float | None:
    """A number as Vietnamese officials write it: "1.234,5" or "12,5" or "12.5"; None if not.

    A comma is always the decimal mark; dots are thousands separators when they group digits
    by three ("1.234" is one thousand two hundred and thirty-four), else the decimal mark.
    """
    if isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float, Decimal)):
        value = float(raw)
        return value if value == value and abs(value) != float("inf") else None
    text = _SPACES.sub("", str(raw))
    if _VN_THOUSANDS.match(text):
        return float(text.replace(".", "").replace(",", "."))
    if _PLAIN.match(text):
        return float(text.replace(",", "."))
    return None


def parse_figure(
    raw: Any, ind: Indicator, *, consolidating: bool = False
) -> tuple[float | None, str, str | None]:
    """(number, text, error message) for what a user typed for ``ind``; empty is (None, "")."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, "", None
    if ind.type == T.TEXT:
        text = str(raw).strip()
        if len(text) > MAX_FIGURE_TEXT:
            return None, "", _("At most %(n)s characters.") % {"n": MAX_FIGURE_TEXT}
        return None, text, None
    if ind.type == T.YES_NO:
        # a unit's own answer is 1 or 0; a consolidating unit's figure is how many units
        # below it (and itself) answered yes — a yes or a no there counts itself only
        if isinstance(raw, bool):
            return (1.0 if raw else 0.0), "", None
        word = str(raw).strip().casefold()
        if word in YES:
            return 1.0, "", None
        if word in NO:
            return 0.0, "", None
        if not consolidating:
            return None, "", _("Choose yes or no.")
    value = parse_number(raw)
    shown = str(raw).strip()[:30]
    if value is None:
        return (
            None,
            "",
            _("“%(value)s” is not a number: write digits only, e.g. 12 or 12,5.")
            % {"value": shown},
        )
    if ind.type in (T.INTEGER, T.YES_NO) and value != int(value):
        return None, "", _("Enter a whole number, without decimals.")
    if ind.type == T.YES_NO:  # consolidated: how many units answered yes
        if value < 0:
            return None, "", _("Enter the number of units that answered yes (0 or more).")
        return value, "", None
    if ind.type == T.PERCENT and not 0 <= value <= 100:
        return (
            None,
            "",
            _("A percentage is between 0 and 100; %(value)s is not.") % {"value": shown},
        )
    if ind.min_value is not None and value < float(ind.min_value):
        return (
            None,
            "",
            _("The value must be at least %(min)s.") % {"min": _number_text(float(ind.min_value))},
        )
    summed = consolidating and ind.aggregation == Indicator.Aggregation.SUM
    if ind.max_value is not None and value > float(ind.max_value) and not summed:
        return (
            None,
            "",
            _("The value must be at most %(max)s.") % {"max": _number_text(float(ind.max_value))},
        )
    return value, "", None


# --- reports: locking and checks -------------------------------------------------------------


def _locked(report: Report) -> Report:
    return (
        Report.objects.select_for_update(of=("self",))
        .select_related("round", "unit", "receiver")
        .get(pk=report.pk)
    )


def _indicators(r: Report) -> list[Indicator]:
    return list(Indicator.objects.filter(version_id=r.round.version_id))


def _check_version(r: Report, version: int | None) -> None:
    if version is not None and r.version != int(version):
        raise DomainError(
            _(
                "Someone else changed this report while you were working on it (it is now"
                " version %(version)s, %(state)s). What you typed is kept: check the report and"
                " try again."
            )
            % {"version": r.version, "state": r.get_state_display().lower()},
            code="stale",
            field="version",
        )


def _state_error(r: Report) -> DomainError:
    """Why a report in its current state cannot take the action."""
    if r.superseded_by_id:
        return DomainError(
            _("This report passed to the successor of %(unit)s after a reorganization.")
            % {"unit": r.unit.name},
            code="superseded",
        )
    if r.state == S.ACCEPTED:
        who = getattr(r.decided_by, "display_name", None) or _("the receiver")
        if r.receiver_id is None:
            return DomainError(
                _("This report was finalized by %(who)s on %(when)s and is locked.")
                % {"who": who, "when": _fmt(timezone.localdate(r.decided_at))},
                code="locked",
            )
        return DomainError(
            _(
                "This report was accepted by %(who)s on %(when)s and is locked: only %(receiver)s"
                " can reopen it."
            )
            % {
                "who": who,
                "when": _fmt(timezone.localdate(r.decided_at)) if r.decided_at else "—",
                "receiver": _name(r.receiver),
            },
            code="locked",
        )
    if r.state == S.SUBMITTED:
        return DomainError(
            _("This report has already been submitted and is waiting for %(receiver)s.")
            % {"receiver": _name(r.receiver)},
            code="already_submitted",
        )
    if r.state == S.WAIVED:
        return DomainError(
            _("This report has been waived: it is no longer expected."), code="waived"
        )
    return DomainError(
        _("This report is still being written by %(unit)s.") % {"unit": _name(r.unit)},
        code="not_submitted",
    )


def _check_editable(r: Report) -> None:
    if not r.is_editable:
        raise _state_error(r)


def _check_reporter(by: Any, r: Report) -> None:
    if not _acts_for(by, r.unit):
        raise DomainError(
            _("Only %(unit)s can write and send its report.") % {"unit": _name(r.unit)},
            code="forbidden",
        )


def _check_receiver(by: Any, r: Report) -> None:
    if r.receiver_id is None or not _acts_for(by, r.receiver):
        raise DomainError(
            _("Only %(receiver)s, which receives this report, can do this.")
            % {"receiver": _name(r.receiver) if r.receiver_id else _name(r.round.owner)},
            code="forbidden",
        )


def has_sources(r: Report) -> bool:
    """Whether some report of the round is sent to this report's unit (a consolidating one)."""
    return Report.objects.filter(round_id=r.round_id, receiver_id=r.unit_id).counted().exists()


def _mark(r: Report, by: Any, reason: str) -> None:
    r.version += 1
    r._history_user = _user(by)
    r._change_reason = reason


def _fact(r: Report) -> counts.Fact | None:
    return counts.Fact.of(r, r.round.deadline)


def _save_counted(r: Report, old: counts.Fact | None, **kwargs: Any) -> None:
    """Save the report and move the completeness counters with it, in one transaction."""
    r.save(**kwargs)
    counts.record(r.round_id, [(old, _fact(r))])


# --- reports: writing ------------------------------------------------------------------------

DOCUMENT_FIELDS = {
    "symbol": 60,
    "place": 100,
    "signer_name": 150,
    "signer_title": 150,
    "recipients": 2000,
}


def _write_values(r: Report, wanted: Mapping[int, tuple[float | None, str, int]], by: Any) -> None:
    """Make the report's value rows match ``wanted`` (indicator id → number, text, units),
    with history, in a few statements."""
    existing = {v.indicator_id: v for v in Value.objects.filter(report=r)}
    create, update, delete = [], [], []
    for ind_id, (number, text, units) in wanted.items():
        v = existing.get(ind_id)
        empty = number is None and text == ""
        if v is None:
            if not empty:
                create.append(
                    Value(report=r, indicator_id=ind_id, number=number, text=text, units=units)
                )
        elif empty:
            delete.append(v)
        elif (v.number, v.text, v.units) != (number, text, units):
            v.number, v.text, v.units = number, text, units
            update.append(v)
    user = _user(by)
    if create:
        Value.objects.bulk_create(create)
        Value.history.bulk_history_create(create, default_user=user)
    if update:
        Value.objects.bulk_update(update, ["number", "text", "units"])
        Value.history.bulk_history_create(update, update=True, default_user=user)
    for v in delete:
        v._history_user = user
        v.delete()


def _values_of(r: Report) -> dict[int, Value]:
    return {v.indicator_id: v for v in Value.objects.filter(report=r)}


@transaction.atomic
def report_save(
    *,
    report: Report,
    by: Any,
    figures: Mapping[str, Any] | None = None,
    narrative: Mapping[str, str] | None = None,
    version: int | None = None,
    today: dt.date | None = None,
    **fields: Any,
) -> Report:
    """Save what the reporting unit typed: figures by indicator code (absent codes unchanged,
    empty clears), narrative by section key, document fields. Figures from the cascade are
    recomputed. Every wrong field is reported at once (``ReportInvalid.errors``)."""
    unknown = set(fields) - set(DOCUMENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown report fields: {sorted(unknown)}")
    today = today or _today()
    r = _locked(report)
    _check_reporter(by, r)
    _check_editable(r)
    _check_version(r, version)
    indicators = _indicators(r)
    by_code = {ind.code: ind for ind in indicators}
    keys = (
        set(Section.objects.filter(version_id=r.round.version_id).values_list("key", flat=True))
        if narrative
        else set()
    )
    consolidating = has_sources(r)
    errors: dict[str, str] = {}
    wanted: dict[int, tuple[float | None, str, int]] = {}
    cons = consolidate(r.round, r.unit_id, indicators) if consolidating else {}

    def units_of(ind: Indicator, number: float | None, text: str) -> int:
        # a consolidating unit's figure speaks for itself and for the units its sources cover
        fig = cons.get(ind.pk)
        return 1 + fig.units if fig is not None and fig.reports else 1

    for code, raw in (figures or {}).items():
        ind = by_code.get(code)
        if ind is None:
            errors["figures"] = _("Unknown indicator code: %(code)s.") % {"code": str(code)[:20]}
            continue
        if ind.is_fed:
            continue
        number, text, error = parse_figure(raw, ind, consolidating=consolidating)
        if error:
            errors[f"figure-{code}"] = error
            continue
        wanted[ind.pk] = (number, text, units_of(ind, number, text))
    for ind_id, number in fed_values(r, indicators, today=today).items():
        wanted[ind_id] = (number, "", 1)
    if narrative is not None:
        for key, text in narrative.items():
            if key not in keys:
                errors["narrative"] = _("Unknown section: %(key)s.") % {"key": str(key)[:40]}
            elif len(text or "") > MAX_TEXT:
                errors[f"section-{key}"] = _("At most %(n)s characters.") % {"n": MAX_TEXT}
    for name, value in fields.items():
        value = (value or "").strip()
        if len(value) > DOCUMENT_FIELDS[name]:
            errors[name] = _("At most %(n)s characters.") % {"n": DOCUMENT_FIELDS[name]}
        fields[name] = value
    if errors:
        raise ReportInvalid(errors)
    _write_values(r, wanted, by)
    if narrative is not None:
        merged = dict(r.narrative or {})
        for key, text in narrative.items():
            text = (text or "").strip()
            if text:
                merged[key] = text
            else:
                merged.pop(key, None)
        r.narrative = merged
    for name, value in fields.items():
        setattr(r, name, value)
    r.saved_at = timezone.now()
    _mark(r, by, "saved")
    r.save()
    return r


def _required_errors(r: Report, indicators: list[Indicator]) -> dict[str, str]:
    values = _values_of(r)
    errors = {}
    for ind in indicators:
        v = values.get(ind.pk)
        if ind.required and (v is None or (v.number is None and not v.text)):
            errors[f"figure-{ind.code}"] = _("Required: enter this figure before submitting.")
    return errors


def _check_reporters_settled(r: Report) -> None:
    """DHIS2's rule: a report is accepted only once every report sent to its unit is."""
    pending = (
        Report.objects.filter(round_id=r.round_id, receiver_id=r.unit_id)
        .counted()
        .exclude(state__in=(S.ACCEPTED, S.WAIVED))
        .select_related("unit")
        .order_by("unit_path")
    )
    names = [_name(p.unit) for p in pending[:5]]
    if names:
        n = pending.count()
        more = _(" and %(n)s more") % {"n": n - len(names)} if n > len(names) else ""
        raise DomainError(
            _(
                "%(unit)s still has %(n)s report(s) of its own reporters not accepted or waived:"
                " %(names)s%(more)s."
            )
            % {"unit": _name(r.unit), "n": n, "names": ", ".join(names), "more": more},
            code="reporters_pending",
        )


@transaction.atomic
def report_submit(
    *, report: Report, by: Any, version: int | None = None, today: dt.date | None = None
) -> Report:
    """Send the report to its receiver; the round owner's own report is finalized."""
    today = today or _today()
    r = _locked(report)
    _check_reporter(by, r)
    _check_editable(r)
    _check_version(r, version)
    indicators = _indicators(r)
    fed = fed_values(r, indicators, today=today)
    if fed:
        _write_values(r, {k: (v, "", 1) for k, v in fed.items()}, by)
    errors = _required_errors(r, indicators)
    if errors:
        raise ReportInvalid(errors)
    old = _fact(r)
    now = timezone.now()
    r.submitted_at = now
    r.first_submitted_on = r.first_submitted_on or today
    r.comment = ""
    if r.receiver_id is None:
        _check_reporters_settled(r)
        r.state = S.ACCEPTED
        r.decided_at, r.decided_by = now, _user(by)
        _mark(r, by, "finalized")
    else:
        r.state = S.SUBMITTED
        _mark(r, by, "submitted")
    _save_counted(r, old)
    return r


@transaction.atomic
def report_return(*, report: Report, by: Any, comment: str, version: int | None = None) -> Report:
    """The receiver sends a submitted report back to be fixed, saying what to fix."""
    r = _locked(report)
    _check_receiver(by, r)
    if r.state != S.SUBMITTED:
        raise _state_error(r)
    _check_version(r, version)
    comment = (comment or "").strip()
    if not comment:
        raise DomainError(_("Say what must be fixed."), code="required", field="comment")
    if len(comment) > MAX_FIGURE_TEXT:
        raise DomainError(
            _("At most %(n)s characters.") % {"n": MAX_FIGURE_TEXT}, code="long", field="comment"
        )
    old = _fact(r)
    r.state = S.RETURNED
    r.comment = comment
    r.decided_at, r.decided_by = timezone.now(), _user(by)
    _mark(r, by, "returned")
    _save_counted(r, old)
    return r


@transaction.atomic
def report_accept(*, report: Report, by: Any, version: int | None = None) -> Report:
    """The receiver accepts a submitted report: from now on it is locked."""
    r = _locked(report)
    _check_receiver(by, r)
    if r.state != S.SUBMITTED:
        raise _state_error(r)
    _check_version(r, version)
    _check_reporters_settled(r)
    old = _fact(r)
    r.state = S.ACCEPTED
    r.comment = ""
    r.decided_at, r.decided_by = timezone.now(), _user(by)
    _mark(r, by, "accepted")
    _save_counted(r, old)
    return r


def _own_report_open(r: Report) -> None:
    """A receiver changes what it consolidated only while its own report is still open."""
    own = (
        Report.objects.select_for_update(of=("self",))
        .select_related("receiver")
        .filter(round_id=r.round_id, unit_id=r.receiver_id)
        .counted()
        .first()
    )
    if own is not None and own.state in (S.SUBMITTED, S.ACCEPTED):
        target = _name(own.receiver) if own.receiver_id else _("its final state")
        raise DomainError(
            _(
                "The report of %(unit)s, built on this one, has already been sent: ask"
                " %(receiver)s to return or reopen it first."
            )
            % {"unit": _name(r.receiver), "receiver": target},
            code="receiver_sent",
        )


@transaction.atomic
def report_reopen(*, report: Report, by: Any, reason: str, version: int | None = None) -> Report:
    """Reopen an accepted report (back to returned) or a waived one (back to draft).

    Only the receiver may, with a reason, recorded; the round owner's own report is reopened
    by its own unit."""
    r = _locked(report)
    if r.receiver_id is None:
        _check_reporter(by, r)
    else:
        _check_receiver(by, r)
    if r.state not in (S.ACCEPTED, S.WAIVED):
        raise DomainError(
            _("Only an accepted or waived report can be reopened; this one is %(state)s.")
            % {"state": r.get_state_display().lower()},
            code="not_final",
        )
    _check_version(r, version)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for reopening."), code="required", field="reason")
    if len(reason) > MAX_FIGURE_TEXT:
        raise DomainError(
            _("At most %(n)s characters.") % {"n": MAX_FIGURE_TEXT}, code="long", field="reason"
        )
    if r.receiver_id is not None and r.state == S.ACCEPTED:
        _own_report_open(r)
    old = _fact(r)
    r.state = S.RETURNED if r.state == S.ACCEPTED else S.DRAFT
    r.comment = reason
    r.decided_at, r.decided_by = timezone.now(), _user(by)
    _mark(r, by, "reopened")
    _save_counted(r, old)
    return r


@transaction.atomic
def report_waive(*, report: Report, by: Any, reason: str, version: int | None = None) -> Report:
    """The receiver stops expecting a report (a unit with nothing to report, exempted…)."""
    r = _locked(report)
    _check_receiver(by, r)
    if r.state not in (S.DRAFT, S.RETURNED, S.SUBMITTED) or r.superseded_by_id:
        raise _state_error(r)
    _check_version(r, version)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for the waiver."), code="required", field="reason")
    old = _fact(r)
    r.state = S.WAIVED
    r.comment = reason[:MAX_FIGURE_TEXT]
    r.decided_at, r.decided_by = timezone.now(), _user(by)
    _mark(r, by, "waived")
    _save_counted(r, old)
    return r


@transaction.atomic
def report_set_receiver(
    *, report: Report, receiver: Unit, by: Any, version: int | None = None
) -> Report:
    """The round owner sends one unit's report elsewhere (a People's Committee may report
    to the City's People's Committee rather than to its party committee)."""
    r = _locked(report)
    _check_acts_for(by, r.round.owner, "receiver")
    if r.receiver_id is None:
        raise DomainError(
            _("The consolidated report of the round goes outside the system."),
            code="top",
            field="receiver",
        )
    _check_editable(r)
    _check_version(r, version)
    target = (
        Report.objects.filter(round_id=r.round_id, unit=receiver).counted().select_related("unit")
    ).first()
    if target is None or receiver.pk == r.unit_id:
        raise DomainError(
            _("Choose a unit that has its own report in this round."),
            code="not_in_round",
            field="receiver",
        )
    if target.state == S.ACCEPTED:
        raise DomainError(
            _("The report of %(unit)s is already final.") % {"unit": _name(receiver)},
            code="locked",
            field="receiver",
        )
    # receivers form a tree: walking up from the new receiver must not come back here
    seen, step = set(), target
    while step is not None and step.receiver_id is not None and step.pk not in seen:
        if step.receiver_id == r.unit_id:
            raise DomainError(
                _("%(unit)s already reports, directly or not, to %(reporter)s.")
                % {"unit": _name(receiver), "reporter": _name(r.unit)},
                code="cycle",
                field="receiver",
            )
        seen.add(step.pk)
        step = (
            Report.objects.filter(round_id=r.round_id, unit_id=step.receiver_id).counted().first()
        )
    r.receiver = receiver
    _mark(r, by, "receiver changed")
    r.save()
    return r


# --- loading archives ------------------------------------------------------------------------


@dataclass
class LoadEntry:
    """One report of a round as it stood: figures, text, state and the days things happened."""

    report: Report
    figures: Mapping[str, Any]
    state: str
    sent_on: dt.date
    decided_on: dt.date | None = None
    narrative: Mapping[str, str] = field(default_factory=dict)
    comment: str = ""
    document: Mapping[str, str] = field(default_factory=dict)


def _update_rows(rows: list[Report], names: list[str]) -> None:
    """One prepared UPDATE run for every row (Django's bulk_update builds a CASE per field
    and row, which costs seconds for a few hundred reports)."""
    from django.db import connection

    qn = connection.ops.quote_name
    fields = [Report._meta.get_field(n) for n in names]
    sets = ", ".join(f"{qn(f.column)} = %s" for f in fields)
    sql = f"UPDATE {qn(Report._meta.db_table)} SET {sets} WHERE id = %s"  # noqa: S608
    params = [
        [f.get_db_prep_save(getattr(r, f.attname), connection) for f in fields] + [r.pk]
        for r in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _moment(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour, 0))


@transaction.atomic
def reports_load(*, round_: Round, entries: Sequence[LoadEntry], by: Any) -> int:
    """Load many drafts of a round as they stood — a past year's archive — in a few
    statements: every figure is checked as a save checks it, the receivers' rule holds (an
    accepted report's own reporters are all accepted or waived, counting this batch), and
    values, states and history are written in bulk. For the round owner's staff."""
    _check_acts_for(by, round_.owner, "round")
    indicators = list(Indicator.objects.filter(version_id=round_.version_id))
    by_code = {ind.code: ind for ind in indicators}
    receivers = set(
        Report.objects.filter(round=round_).counted().values_list("receiver_id", flat=True)
    )
    ids = [e.report.pk for e in entries]
    reports = {
        r.pk: r
        for r in Report.objects.select_for_update(of=("self",))
        .select_related("unit")
        .filter(pk__in=ids, round=round_)
    }
    final = dict(Report.objects.filter(round=round_).counted().values_list("pk", "state")) | {
        e.report.pk: e.state for e in entries
    }
    unit_state: dict[int | None, list] = {}
    for pk, rec in Report.objects.filter(round=round_).counted().values_list("pk", "receiver_id"):
        unit_state.setdefault(rec, []).append(final.get(pk))
    errors: dict[str, str] = {}
    rows: list[tuple[Report, LoadEntry, dict[int, tuple[float | None, str, int]]]] = []
    fed = fed_values_many([r.unit_id for r in reports.values()], indicators)
    for e in entries:
        r = reports.get(e.report.pk)
        label = f"{e.report.pk}"
        if r is None:
            errors[f"{label}.report"] = _("Choose a unit that has its own report in this round.")
            continue
        if not r.is_editable or r.state != S.DRAFT:
            errors[f"{label}.state"] = _state_error(r).message
            continue
        if e.state not in (S.SUBMITTED, S.ACCEPTED, S.RETURNED):
            errors[f"{label}.state"] = _("Unknown state.")
            continue
        if e.state == S.ACCEPTED and any(
            st not in (S.ACCEPTED, S.WAIVED) for st in unit_state.get(r.unit_id, [])
        ):
            errors[f"{label}.state"] = _(
                "%(unit)s still has reports of its own reporters not accepted or waived."
            ) % {"unit": _name(r.unit)}
        wanted: dict[int, tuple[float | None, str, int]] = {}
        for code, raw in e.figures.items():
            ind = by_code.get(code)
            if ind is None or ind.is_fed:
                errors[f"{label}.figures"] = _("Unknown indicator code: %(code)s.") % {
                    "code": str(code)[:20]
                }
                continue
            number, text, error = parse_figure(raw, ind, consolidating=r.unit_id in receivers)
            if error:
                errors[f"{label}.figure-{code}"] = f"{r.unit.name}: {error}"
            elif number is not None or text:
                wanted[ind.pk] = (number, text, 1)
        for ind_id, number in fed.get(r.unit_id, {}).items():
            if number is not None:
                wanted[ind_id] = (number, "", 1)
        rows.append((r, e, wanted))
    if errors:
        raise ReportInvalid(errors)
    user = _user(by)
    values = [
        Value(report=r, indicator_id=ind_id, number=n, text=t, units=u)
        for r, _e, wanted in rows
        for ind_id, (n, t, u) in wanted.items()
    ]
    Value.objects.filter(report__in=[r for r, _e, _w in rows]).delete()
    Value.objects.bulk_create(values, batch_size=2000)
    bulk_history(Value, values, by=by, reason="loaded", kind="+")
    changed = []
    facts = []
    for r, e, _wanted in rows:
        old = counts.Fact.of(r, round_.deadline)
        r.state = e.state
        r.narrative = {k: v.strip() for k, v in e.narrative.items() if (v or "").strip()}
        for name, value in e.document.items():
            if name in DOCUMENT_FIELDS:
                setattr(r, name, (value or "").strip()[: DOCUMENT_FIELDS[name]])
        r.saved_at = r.submitted_at = _moment(e.sent_on, 9)
        r.first_submitted_on = e.sent_on
        r.comment = e.comment if e.state == S.RETURNED else ""
        if e.state in (S.ACCEPTED, S.RETURNED) or r.receiver_id is None:
            r.decided_at = _moment(e.decided_on or e.sent_on, 15)
            r.decided_by = user
        r.version += 1
        changed.append(r)
        facts.append((old, counts.Fact.of(r, round_.deadline)))
    _update_rows(
        changed,
        [
            "state",
            "narrative",
            *DOCUMENT_FIELDS,
            "saved_at",
            "submitted_at",
            "first_submitted_on",
            "comment",
            "decided_at",
            "decided_by",
            "version",
        ],
    )
    bulk_history(Report, changed, by=by, reason="loaded", kind="~")
    counts.record(round_.pk, facts)
    return len(changed)


# --- jobs ------------------------------------------------------------------------------------


def round_refresh_feeds(*, round_: Round, today: dt.date | None = None) -> int:
    """Recompute the fed figures of the round's open reports (drafts and returned ones) and
    return how many moved.

    Submitted reports keep what their unit sent and accepted ones are locked: each report is
    locked and its state read again before its figures are written, so a report accepted
    meanwhile is skipped. The counters are read once for the whole round."""
    indicators = list(round_.version.indicators.exclude(source=""))
    if not indicators:
        return 0
    editable = Report.objects.filter(round=round_, state__in=Report.EDITABLE).counted()
    reports = list(editable.values_list("pk", "unit_id"))
    if not reports:
        return 0
    fed = fed_values_many(sorted({unit_id for _pk, unit_id in reports}), indicators)
    stored = {
        (report_id, ind_id): number
        for report_id, ind_id, number in Value.objects.filter(
            report__in=editable.values("pk"), indicator__in=[i.pk for i in indicators]
        ).values_list("report_id", "indicator_id", "number")
    }
    n = 0
    for pk, unit_id in reports:
        wanted = fed.get(unit_id, {})
        if all(stored.get((pk, ind_id)) == number for ind_id, number in wanted.items()):
            continue
        with transaction.atomic():
            r = (
                Report.objects.select_for_update(of=("self",))
                .filter(pk=pk, state__in=Report.EDITABLE, superseded_by__isnull=True)
                .first()
            )
            if r is None:  # submitted, accepted or superseded meanwhile
                continue
            _write_values(r, {k: (v, "", 1) for k, v in wanted.items()}, None)
            n += 1
    return n


def rounds_refresh_feeds(*, today: dt.date | None = None) -> tuple[int, int]:
    """The daily job's step: refresh every round that has fed indicators and open reports.
    Returns (rounds looked at, reports whose figures moved)."""
    today = today or _today()
    fed = Indicator.objects.filter(version=OuterRef("version")).exclude(source="")
    open_reports = Report.objects.filter(round=OuterRef("pk"), state__in=Report.EDITABLE)
    rounds = Round.objects.filter(Exists(fed), Exists(open_reports)).select_related("version")
    looked = moved = 0
    for rnd in rounds.order_by("pk"):
        looked += 1
        moved += round_refresh_feeds(round_=rnd, today=today)
    return looked, moved


# --- tree changes ----------------------------------------------------------------------------


@transaction.atomic
def tree_changed(
    *,
    created: Sequence[Unit] = (),
    ended: Sequence[Unit] = (),
    scope: Unit | None = None,
    today: dt.date | None = None,
) -> None:
    """Keep rounds true to a changed tree (see docs/DESIGN.md, "Periodic reports").

    New units matching an open round's rule get their report; an ended unit's open report
    passes to its successor, or is superseded by the successor's own, and the reports it
    received go along; moved units' reports take their new paths.
    """
    today = today or _today()
    for unit in ended:
        unit.refresh_from_db()
        _end_reports(unit, unit.successor, today)
    if scope is not None:
        current = Unit.objects.filter(pk=OuterRef("unit_id")).values("path")[:1]
        moved = Report.objects.filter(
            unit__in=Unit.objects.subtree_of(scope).order_by().values("pk")
        ).exclude(unit_path=Subquery(current))
        touched = set(moved.values_list("round_id", flat=True))
        moved.update(unit_path=Subquery(current))
        for rnd in Round.objects.filter(pk__in=touched):
            counts.rebuild(rnd)  # a moved subtree changes every ancestor's counts: recount
    new_units = [Unit.objects.get(pk=u.pk) for u in created]
    if not new_units:
        return
    rounds = Round.objects.filter(
        target_mode=Round.TargetMode.RULE, deadline__gte=today
    ).select_related("under", "owner", "receiver_unit")
    for rnd in rounds:
        matching = [u for u in new_units if _matches(rnd, u, today)]
        if matching:
            round_expand(round_=rnd, today=today, only=matching)


def _end_reports(unit: Unit, successor: Unit | None, today: dt.date) -> None:
    reports = (
        Report.objects.filter(unit=unit, state__in=Report.EDITABLE)
        .counted()
        .select_related("round")
        .select_for_update(of=("self",))
    )
    for r in reports:
        old = _fact(r)
        if successor is None:
            r.state = S.WAIVED
            r.comment = _("%(unit)s was dissolved on %(date)s.") % {
                "unit": unit.name,
                "date": _fmt(unit.dissolved_on),
            }
            _mark(r, None, "unit dissolved")
            _save_counted(r, old)
            onward = r.receiver_id
        else:
            twin = Report.objects.filter(round_id=r.round_id, unit=successor).counted().first()
            if twin is not None:
                r.superseded_by = twin
                _mark(r, None, f"superseded by the report of {successor.name}")
                _save_counted(r, old, update_fields=["superseded_by", "version"])
            else:
                r.unit = successor
                r.unit_path = successor.path
                _mark(r, None, f"passed to successor {successor.name}")
                _save_counted(r, old, update_fields=["unit", "unit_path", "version"])
            onward = successor.pk
        # what the ended unit received goes where its own report now is
        if onward is not None:
            Report.objects.filter(round_id=r.round_id, receiver=unit).update(receiver_id=onward)
