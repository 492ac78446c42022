"""Template helpers of the public pages: the long Vietnamese date, the site's name, the menu."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language

from trienkhai.portal.feeds import portal_name
from trienkhai.portal.models import Category
from trienkhai.vntext.dates import long_date_vi

register = template.Library()


@register.filter
def long_date(value: dt.date | dt.datetime | None) -> str:
    """``Thứ Tư, ngày 3 tháng 6 năm 2020`` (in English: ``Wednesday, 3 June 2020``)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if (get_language() or "vi").startswith("vi"):
        return long_date_vi(value)
    return date_format(value, "l, j F Y")


@register.simple_tag
def site_name() -> str:
    return portal_name()


@register.inclusion_tag("portal/_nav.html", takes_context=True)
def portal_nav(context: template.Context) -> dict:
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    return {
        "categories": list(Category.objects.only("name", "slug")[:8]),
        "current": match.url_name if match else "",
        "current_slug": (match.kwargs.get("slug") if match else None),
        "category": context.get("category"),
    }
