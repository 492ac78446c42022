"""Who may write, publish and moderate for which unit, and the staff's scoped reads.

Editors act for their own unit (as staff act for their unit's tasks): staff of a unit write
drafts; its communication staff and leaders also publish, withdraw and moderate comments.
A user reads the articles of every unit in their reach (the subtrees of their units).
Outside that, objects are a 404. The public reads through ``Article.objects.published()``.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from trienkhai.accounts.models import Membership
from trienkhai.accounts.scoping import memberships_of, sees_everything, units_for_user
from trienkhai.portal.models import Announcement, Article, ArticleQuerySet, Comment
from trienkhai.units.models import Unit

WRITE_ROLES = (Membership.Role.STAFF, Membership.Role.COMMUNICATION, Membership.Role.LEADER)
PUBLISH_ROLES = (Membership.Role.COMMUNICATION, Membership.Role.LEADER)


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _own_units(user, roles) -> list[Unit]:
    return [m.unit for m in memberships_of(user) if m.role in roles]


def can_write_for(user, unit: Unit) -> bool:
    """Write and edit drafts for ``unit``: its staff, communication staff and leaders."""
    if not _active(user):
        return False
    if sees_everything(user):
        return True
    return any(u.pk == unit.pk for u in _own_units(user, WRITE_ROLES))


def can_publish_for(user, unit: Unit) -> bool:
    """Publish, withdraw and moderate for ``unit``: its communication staff and leaders."""
    if not _active(user):
        return False
    if sees_everything(user):
        return True
    return any(u.pk == unit.pk for u in _own_units(user, PUBLISH_ROLES))


def writing_units(user) -> QuerySet[Unit]:
    """Units the user may write articles for (the owner field's choices)."""
    if not _active(user):
        return Unit.objects.none()
    if sees_everything(user):
        return Unit.objects.exclude(kind=Unit.Kind.EXTERNAL)
    return Unit.objects.filter(pk__in=[u.pk for u in _own_units(user, WRITE_ROLES)])


def moderated_units(user) -> QuerySet[Unit]:
    """Units whose readers' comments the user moderates."""
    if not _active(user):
        return Unit.objects.none()
    if sees_everything(user):
        return Unit.objects.all()
    return Unit.objects.filter(pk__in=[u.pk for u in _own_units(user, PUBLISH_ROLES)])


def articles_for_user(user) -> ArticleQuerySet:
    """Articles of every unit in the user's reach, drafts included."""
    if not _active(user):
        return Article.objects.none()
    if sees_everything(user):
        return Article.objects.all()
    return Article.objects.filter(owner__in=units_for_user(user).order_by().values("pk"))


def _int(pk) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise Http404


def get_article_for_user(user, pk, *, write: bool = False) -> Article:
    """The article if the user may read it (or write for its unit); 404 otherwise."""
    try:
        article = (
            articles_for_user(user)
            .select_related("owner", "category", "created_by")
            .get(pk=_int(pk))
        )
    except Article.DoesNotExist:
        raise Http404
    if write and not can_write_for(user, article.owner):
        raise Http404
    return article


def announcements_for_user(user) -> QuerySet[Announcement]:
    if not _active(user):
        return Announcement.objects.none()
    if sees_everything(user):
        return Announcement.objects.all()
    return Announcement.objects.filter(owner__in=units_for_user(user).order_by().values("pk"))


def get_announcement_for_user(user, pk, *, write: bool = False) -> Announcement:
    try:
        announcement = announcements_for_user(user).select_related("owner").get(pk=_int(pk))
    except Announcement.DoesNotExist:
        raise Http404
    if write and not can_write_for(user, announcement.owner):
        raise Http404
    return announcement


def comments_for_moderator(user) -> QuerySet[Comment]:
    """Comments on the articles of the units the user moderates."""
    if not _active(user):
        return Comment.objects.none()
    if sees_everything(user):
        return Comment.objects.all()
    units = [u.pk for u in _own_units(user, PUBLISH_ROLES)]
    if not units:
        return Comment.objects.none()
    return Comment.objects.filter(article__owner__in=units)


def get_comment_for_moderator(user, pk) -> Comment:
    try:
        return comments_for_moderator(user).select_related("article__owner").get(pk=_int(pk))
    except Comment.DoesNotExist:
        raise Http404
