"""Forms of the portal. Readers' fields are checked by the services (one set of messages);
editors' choices (unit, documents, tasks) come from the scoping functions, never the request."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from trienkhai.documents.models import Document
from trienkhai.portal.models import Announcement, Article, Category, Comment
from trienkhai.portal.selectors import writing_units
from trienkhai.portal.services import COMMENT_MAX, NAME_MAX
from trienkhai.tasks.forms import DomainErrorMixin, UnitChoiceField
from trienkhai.tasks.models import Task
from trienkhai.tasks.selectors import tasks_for_user

TASK_CHOICES = 200


class CommentForm(DomainErrorMixin, forms.Form):
    name = forms.CharField(
        label=_("Your name"),
        required=False,
        max_length=NAME_MAX * 4,  # the service gives the clear message at NAME_MAX
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.CharField(
        label=_("Email (not published)"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    text = forms.CharField(
        label=_("Your comment"),
        required=False,
        max_length=COMMENT_MAX * 10,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Plain text, at most 2,000 characters. Line breaks are kept."),
    )
    # Hidden from people by the stylesheet; bots fill every field they find.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "comment_%s")
        super().__init__(*args, **kwargs)
        for name in ("name", "email", "text"):
            self.fields[name].widget.attrs["aria-describedby"] = f"comment_{name}_error"


class ModerationForm(forms.Form):
    action = forms.ChoiceField(choices=[("approve", "approve"), ("reject", "reject")])
    state = forms.ChoiceField(choices=Comment.State.choices)


class ReplyForm(DomainErrorMixin, forms.Form):
    text = forms.CharField(
        label=_("Official reply"),
        max_length=COMMENT_MAX * 2,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)


# --- editors ---------------------------------------------------------------------------------


class TaskChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Task) -> str:
        return obj.title


_SYMBOL_SPLIT = re.compile(r"[,;\n]+")


def resolve_symbols(text: str) -> tuple[list[Document], list[str]]:
    """Public documents named by their symbols ("52-NQ/TW, 116-HD/BTGTW"); unknown ones."""
    found: list[Document] = []
    unknown: list[str] = []
    for raw in _SYMBOL_SPLIT.split(text or ""):
        symbol = " ".join(raw.split())
        if not symbol:
            continue
        compact = symbol.replace(" ", "")
        doc = (
            Document.objects.public()
            .filter(symbol__iexact=symbol)
            .order_by("-issue_date", "-pk")
            .first()
        ) or next(
            (
                d
                for d in Document.objects.public().search(symbol).order_by("-issue_date")[:20]
                if d.symbol.replace(" ", "").lower() == compact.lower()
            ),
            None,
        )
        if doc is None:
            unknown.append(symbol)
        elif doc not in found:
            found.append(doc)
    return found, unknown


class ArticleForm(DomainErrorMixin, forms.Form):
    field_aliases = {"documents": "document_symbols", "publish_at": "publish_date"}

    owner = UnitChoiceField(label=_("Unit"), queryset=None)
    title = forms.CharField(label=pgettext_lazy("article", "Title"), max_length=300)
    lead = forms.CharField(
        label=pgettext_lazy("article", "Lead"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One or two sentences shown under the title and in lists."),
    )
    body_format = forms.ChoiceField(
        label=_("Body format"),
        choices=Article.Format.choices,
        initial=Article.Format.TEXT,
        widget=forms.RadioSelect,
    )
    body = forms.CharField(
        label=_("Body"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=_(
            "Blank lines separate paragraphs. ## starts a heading, - a list item, > a quote;"
            " **bold**, *italic*, [text](https://…) for a link. Pasted HTML is cleaned."
        ),
    )
    author_line = forms.CharField(label=_("Author"), required=False, max_length=200)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.all(), required=False
    )
    cover = forms.FileField(
        label=_("Cover image"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".png,.jpg,.jpeg"}),
        help_text=_("PNG or JPG."),
    )
    remove_cover = forms.BooleanField(label=_("Remove the cover image"), required=False)
    cover_alt = forms.CharField(
        label=_("Description of the image"),
        required=False,
        max_length=300,
        help_text=_("For readers who cannot see it."),
    )
    slug = forms.CharField(
        label=_("Address"),
        required=False,
        max_length=200,
        help_text=_("Made from the title when left empty."),
    )
    publish_date = forms.DateField(
        label=_("Publication date"),
        required=False,
        widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}, format="%d/%m/%Y"),
        help_text=_("Empty: when you press Publish. A later date schedules the article."),
    )
    publish_time = forms.TimeField(
        label=_("Time"),
        required=False,
        widget=forms.TimeInput(attrs={"placeholder": "hh:mm"}, format="%H:%M"),
    )
    document_symbols = forms.CharField(
        label=_("Related documents"),
        required=False,
        help_text=_("Symbols of public documents, separated by commas, e.g. 52-NQ/TW."),
    )
    tasks = TaskChoiceField(
        label=_("Related public tasks"),
        queryset=Task.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    comments_open = forms.BooleanField(label=_("Readers may comment"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, user: Any, article: Article | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.user = user
        self.article = article
        self.fields["owner"].queryset = writing_units(user).order_by("path")
        if article is not None:
            # the unit of an article does not change
            del self.fields["owner"]
        else:
            del self.fields["remove_cover"]
        public = tasks_for_user(user).filter(is_public=True, parent_assignment__isnull=True)
        ids = list(public.order_by("-created").values_list("pk", flat=True)[:TASK_CHOICES])
        if article is not None:
            ids += list(article.tasks.values_list("pk", flat=True))
        self.fields["tasks"].queryset = Task.objects.filter(pk__in=ids).order_by("-created")

    def clean(self) -> dict:
        data = super().clean()
        docs, unknown = resolve_symbols(data.get("document_symbols", ""))
        if unknown:
            self.add_error(
                "document_symbols",
                _("No public document has the symbol: %(symbols)s.")
                % {"symbols": ", ".join(unknown)},
            )
        data["documents"] = docs
        day, time = data.get("publish_date"), data.get("publish_time")
        if time and not day:
            self.add_error("publish_date", _("Enter the date as well as the time."))
        data["publish_at"] = (
            timezone.make_aware(dt.datetime.combine(day, time or dt.time(0, 0))) if day else None
        )
        return data

    @classmethod
    def initial_for(cls, article: Article) -> dict:
        local = timezone.localtime(article.publish_at) if article.publish_at else None
        return {
            "title": article.title,
            "lead": article.lead,
            "body_format": article.body_format,
            "body": article.body,
            "author_line": article.author_line,
            "category": article.category_id,
            "cover_alt": article.cover_alt,
            "slug": article.slug,
            "publish_date": local.date() if local else None,
            "publish_time": local.time().replace(second=0, microsecond=0) if local else None,
            "document_symbols": ", ".join(d.symbol for d in article.documents.all()),
            "tasks": list(article.tasks.values_list("pk", flat=True)),
            "comments_open": article.comments_open,
            "version": article.version,
        }


class AnnouncementForm(DomainErrorMixin, forms.Form):
    owner = UnitChoiceField(label=_("Unit"), queryset=None)
    title = forms.CharField(label=pgettext_lazy("article", "Title"), max_length=300)
    body = forms.CharField(
        label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    date = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}, format="%d/%m/%Y"),
        help_text=_("Shown from this day."),
    )
    expires_on = forms.DateField(
        label=_("Shown until"),
        required=False,
        widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}, format="%d/%m/%Y"),
        help_text=_("Empty: until it is withdrawn."),
    )
    pinned = forms.BooleanField(label=_("Pin on the home page"), required=False)
    published = forms.BooleanField(label=_("Published"), required=False)

    def __init__(self, *args: Any, user: Any, announcement: Announcement | None = None, **kw):
        super().__init__(*args, **kw)
        self.fields["owner"].queryset = writing_units(user).order_by("path")
        if announcement is not None:
            del self.fields["owner"]

    @classmethod
    def initial_for(cls, a: Announcement) -> dict:
        return {
            "title": a.title,
            "body": a.body,
            "date": a.date,
            "expires_on": a.expires_on,
            "pinned": a.pinned,
            "published": a.status == Announcement.Status.PUBLISHED,
        }
