"""Reading Vietnamese administrative text (pure Python, no Django).

``read(text, reference_date)`` returns symbols, dates, deadlines, periods, units, tasks and
consistency warnings; the helpers live in ``text``, ``symbols``, ``dates``, ``deadlines``
and ``workdays``.
"""

from .reader import Result, detect_issue_date, detect_kind, read

__all__ = ["Result", "detect_issue_date", "detect_kind", "read"]
