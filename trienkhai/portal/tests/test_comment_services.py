"""A reader's comment: held, moderated once, counted when shown, limited, removable."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from trienkhai.core.errors import DomainError
from trienkhai.portal import services
from trienkhai.portal.models import Article, Comment, CommentReport
from trienkhai.portal.services import (
    comment_moderate,
    comment_post,
    comment_remove,
    comment_reply,
    comment_report,
)

pytestmark = pytest.mark.django_db
IP = "203.0.113.7"


def _post(article, text="Tôi ủng hộ chủ trương này.", *, ip=IP, name="Nguyễn Văn Dân", **kw):
    return comment_post(article=article, name=name, email="dan@example.com", text=text, ip=ip, **kw)


def _count(article) -> int:
    return Article.objects.get(pk=article.pk).comments_approved


def _shown(article) -> int:
    """What the page shows: approved comments and approved replies under approved comments."""
    top = Comment.objects.filter(article=article, parent=None, state="approved")
    replies = Comment.objects.filter(parent__in=top, state="approved")
    return top.count() + replies.count()


def test_a_new_comment_is_held_and_not_counted(portal):
    receipt = _post(portal.article)
    assert receipt.comment.state == Comment.State.PENDING
    assert _count(portal.article) == 0


def test_approving_shows_and_counts_it_rejecting_takes_it_back(portal):
    c = _post(portal.article).comment
    comment_moderate(comment=c, by=portal.editor, action="approve", expected_state="pending")
    assert _count(portal.article) == 1 == _shown(portal.article)
    comment_moderate(comment=c, by=portal.editor, action="reject", expected_state="approved")
    assert _count(portal.article) == 0 == _shown(portal.article)
    comment_moderate(comment=c, by=portal.editor, action="approve", expected_state="rejected")
    assert _count(portal.article) == 1


def test_rejecting_a_pending_comment_changes_no_count(portal):
    c = _post(portal.article).comment
    comment_moderate(comment=c, by=portal.editor, action="reject")
    assert _count(portal.article) == 0
    assert Comment.objects.get(pk=c.pk).state == "rejected"


def test_the_second_of_two_racing_moderators_is_told_and_changes_nothing(portal):
    c = _post(portal.article).comment
    comment_moderate(comment=c, by=portal.editor, action="approve", expected_state="pending")
    with pytest.raises(DomainError) as err:
        comment_moderate(
            comment=c, by=portal.world.city_leader, action="reject", expected_state="pending"
        )
    assert err.value.code == "stale"
    c.refresh_from_db()
    assert c.state == "approved" and c.moderated_by == portal.editor
    assert _count(portal.article) == 1


def test_approving_twice_is_refused(portal):
    c = _post(portal.article).comment
    comment_moderate(comment=c, by=portal.editor, action="approve")
    with pytest.raises(DomainError) as err:
        comment_moderate(comment=c, by=portal.editor, action="approve")
    assert err.value.code == "already"
    assert _count(portal.article) == 1


@pytest.mark.parametrize("who", ["ward_officer", "other_ward_officer", "observer"])
def test_only_the_units_moderators_moderate(portal, who):
    c = _post(portal.article).comment
    with pytest.raises(DomainError) as err:
        comment_moderate(comment=c, by=getattr(portal.world, who), action="approve")
    assert err.value.code == "forbidden"
    assert Comment.objects.get(pk=c.pk).state == "pending"


def test_a_ward_editor_does_not_moderate_the_citys_articles(portal):
    c = _post(portal.article).comment
    with pytest.raises(DomainError):
        comment_moderate(comment=c, by=portal.ward_editor, action="approve")


def test_an_official_reply_approves_a_waiting_comment_and_counts_both(portal):
    c = _post(portal.article).comment
    reply = comment_reply(comment=c, by=portal.editor, text="Cảm ơn ý kiến của bạn.")
    assert reply.is_official and reply.state == "approved"
    assert reply.author_label == "Thành ủy"
    assert Comment.objects.get(pk=c.pk).state == "approved"
    assert _count(portal.article) == 2 == _shown(portal.article)
    # taking the comment down hides its reply too
    comment_moderate(comment=c, by=portal.editor, action="reject")
    assert _count(portal.article) == 0 == _shown(portal.article)
    comment_moderate(comment=c, by=portal.editor, action="approve")
    assert _count(portal.article) == 2 == _shown(portal.article)


def test_no_reply_to_a_rejected_comment(portal):
    c = _post(portal.article).comment
    comment_moderate(comment=c, by=portal.editor, action="reject")
    with pytest.raises(DomainError):
        comment_reply(comment=c, by=portal.editor, text="Trả lời")


def test_a_comment_is_plain_text_stored_as_typed(portal):
    text = "<script>alert(1)</script>\n<b>in đậm</b>"
    c = _post(portal.article, text).comment
    assert c.text == text  # escaped when shown, never interpreted


def test_too_long_a_comment_is_refused_with_its_length(portal):
    with pytest.raises(DomainError) as err:
        _post(portal.article, "á" * 2001)
    assert err.value.field == "text" and "2001" in err.value.message
    _post(portal.article, "á" * 2000)


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("name", {"name": "  "}),
        ("name", {"name": "N" * 81}),
        ("text", {"text": " \n "}),
    ],
)
def test_missing_or_bad_fields_are_named(portal, field, kwargs):
    kw = {"text": "Ý kiến", "name": "An", **kwargs}
    with pytest.raises(DomainError) as err:
        _post(portal.article, **kw)
    assert err.value.field == field


def test_a_bad_email_is_refused(portal):
    with pytest.raises(DomainError) as err:
        comment_post(article=portal.article, name="An", email="not-an-email", text="Ý kiến", ip=IP)
    assert err.value.field == "email"


def test_the_honeypot_stores_nothing_but_answers_the_same(portal):
    receipt = _post(portal.article, honeypot="http://spam.example")
    assert receipt.comment is None and receipt.removal_token
    assert not Comment.objects.exists()


def test_three_comments_per_ten_minutes_per_address(portal):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for i in range(3):
            _post(portal.article, f"Ý kiến số {i}")
        with pytest.raises(DomainError) as err:
            _post(portal.article, "Ý kiến số 4")
        assert err.value.code == "rate_limited"
        # another address is not held back
        _post(portal.article, "Ý kiến từ máy khác", ip="198.51.100.20")
    with time_machine.travel(start + dt.timedelta(minutes=11), tick=False):
        _post(portal.article, "Ý kiến số 4")


def test_ten_comments_a_day_per_address(portal):
    start = timezone.now()
    for i in range(10):
        with time_machine.travel(start + dt.timedelta(minutes=11 * i), tick=False):
            _post(portal.article, f"Ý kiến thứ {i}")
    with time_machine.travel(start + dt.timedelta(hours=5), tick=False):
        with pytest.raises(DomainError) as err:
            _post(portal.article, "Ý kiến thứ 11")
        assert err.value.code == "rate_limited"
    with time_machine.travel(start + dt.timedelta(days=1, hours=2), tick=False):
        _post(portal.article, "Ý kiến thứ 11")


def test_ipv6_addresses_of_one_network_share_a_limit(portal):
    for i in range(3):
        _post(portal.article, f"Ý kiến {i}", ip=f"2001:db8:1:2::{i + 1}")
    with pytest.raises(DomainError):
        _post(portal.article, "Ý kiến 4", ip="2001:db8:1:2:ffff::9")
    assert services.address_hash("2001:db8:1:2::1") != services.address_hash("2001:db8:1:3::1")


def test_the_address_is_never_stored(portal):
    c = _post(portal.article).comment
    assert IP not in c.ip_hash and len(c.ip_hash) == 64


def test_the_same_text_twice_is_a_duplicate_whatever_the_accents_and_spaces(portal):
    _post(portal.article, "Tôi đồng ý với chủ trương")
    with pytest.raises(DomainError) as err:
        _post(portal.article, "toi dong y  voi CHU TRUONG", ip="198.51.100.9")
    assert err.value.code == "duplicate" and err.value.field == "text"


def test_the_same_text_on_another_article_from_the_same_address_is_a_duplicate(portal):
    from trienkhai.portal.services import article_create, article_publish

    other = article_publish(
        article=article_create(
            owner=portal.world.city, by=portal.editor, title="Tin khác", lead="Tóm tắt"
        ),
        by=portal.editor,
    )
    _post(portal.article, "Quảng cáo giá rẻ")
    with pytest.raises(DomainError):
        _post(other, "Quảng cáo giá rẻ")
    _post(other, "Quảng cáo giá rẻ", ip="198.51.100.30")  # someone else may say the same


def test_no_comment_on_a_draft_or_a_closed_article(portal):
    from trienkhai.portal.services import article_update

    article_update(article=portal.article, by=portal.editor, comments_open=False)
    portal.article.refresh_from_db()
    with pytest.raises(DomainError) as err:
        _post(portal.article)
    assert err.value.code == "closed"


def test_a_reader_reports_once_per_address(portal):
    c = _post(portal.article).comment
    comment_moderate(comment=c, by=portal.editor, action="approve")
    c.refresh_from_db()
    assert comment_report(comment=c, ip=IP) is True
    assert comment_report(comment=c, ip=IP) is False
    assert comment_report(comment=c, ip="198.51.100.1") is True
    assert Comment.objects.get(pk=c.pk).reports == 2
    assert CommentReport.objects.count() == 2


def test_a_waiting_comment_cannot_be_reported(portal):
    c = _post(portal.article).comment
    with pytest.raises(DomainError):
        comment_report(comment=c, ip=IP)


def test_the_reader_removes_the_comment_and_its_history(portal):
    receipt = _post(portal.article, "Xin gỡ ý kiến này sau")
    c = receipt.comment
    comment_moderate(comment=c, by=portal.editor, action="approve")
    comment_reply(comment=c, by=portal.editor, text="Cảm ơn bạn")
    assert _count(portal.article) == 2
    comment_remove(token=receipt.removal_token)
    assert not Comment.objects.exists()
    assert not Comment.history.filter(text__contains="Xin gỡ").exists()
    assert not Comment.history.exists()
    assert _count(portal.article) == 0
    with pytest.raises(DomainError):
        comment_remove(token=receipt.removal_token)


def test_a_wrong_removal_token_removes_nothing(portal):
    _post(portal.article)
    with pytest.raises(DomainError):
        comment_remove(token="x" * 32)
    assert Comment.objects.count() == 1


def test_the_removal_token_is_stored_hashed(portal):
    receipt = _post(portal.article)
    assert receipt.removal_token not in receipt.comment.removal_hash
