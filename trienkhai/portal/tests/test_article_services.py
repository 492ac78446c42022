"""Articles: who writes and publishes, scheduled publishing, what a public article may link."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from trienkhai.core.errors import DomainError
from trienkhai.core.testing import make_user
from trienkhai.portal.models import Article
from trienkhai.portal.services import (
    article_create,
    article_publish,
    article_unpublish,
    article_update,
)
from trienkhai.tasks.services import task_create

pytestmark = pytest.mark.django_db


def _aware(*args) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


def _draft(owner, by, title: str) -> Article:
    return article_create(owner=owner, by=by, title=title, lead=f"{title}: tóm tắt.")


def test_a_scheduled_article_appears_at_its_time_with_no_job(portal):
    w = portal.world
    a = _draft(w.city, portal.editor, "Lịch tiếp công dân tháng 7")
    with time_machine.travel(_aware(2026, 6, 30, 9, 0), tick=False):
        article_publish(article=a, by=portal.editor, publish_at=_aware(2026, 7, 1, 7, 30))
        assert not Article.objects.published().filter(pk=a.pk).exists()
    with time_machine.travel(_aware(2026, 7, 1, 7, 29, 59), tick=False):
        assert not Article.objects.published().filter(pk=a.pk).exists()
        a.refresh_from_db()
        assert a.is_scheduled
    with time_machine.travel(_aware(2026, 7, 1, 7, 30), tick=False):
        assert Article.objects.published().filter(pk=a.pk).exists()


def test_publish_without_a_time_publishes_now_even_a_scheduled_one(portal):
    a = _draft(portal.world.city, portal.editor, "Tin nhanh")
    article_publish(article=a, by=portal.editor, publish_at=timezone.now() + dt.timedelta(days=3))
    a = article_publish(article=a, by=portal.editor)
    assert a.is_public()


def test_a_draft_is_never_public(portal):
    a = article_create(owner=portal.world.city, by=portal.editor, title="Bản nháp")
    assert a.status == Article.Status.DRAFT
    assert not Article.objects.published().filter(pk=a.pk).exists()


def test_staff_write_drafts_but_only_communication_staff_and_leaders_publish(portal):
    w = portal.world
    draft = _draft(w.ben_thanh, w.ward_officer, "Phường Bến Thành học tập")
    with pytest.raises(DomainError) as err:
        article_publish(article=draft, by=w.ward_officer)
    assert err.value.code == "forbidden"
    article_publish(article=draft, by=portal.ward_editor)
    # the City leader acts for the City, not for a ward below it
    with pytest.raises(DomainError):
        article_unpublish(article=draft, by=w.city_leader)
    article_unpublish(article=draft, by=portal.ward_editor)


def test_a_leader_publishes_for_the_own_unit(portal):
    w = portal.world
    a = _draft(w.city, w.city_leader, "Lãnh đạo đăng tin")
    assert article_publish(article=a, by=w.city_leader).is_public()


@pytest.mark.parametrize("who", ["other_ward_officer", "observer"])
def test_nobody_writes_for_a_unit_that_is_not_theirs(portal, who):
    user = getattr(portal.world, who)
    with pytest.raises(DomainError) as err:
        article_create(owner=portal.world.city, by=user, title="Không được")
    assert err.value.code == "forbidden"


def test_an_observer_of_a_unit_does_not_publish_for_it(portal):
    with pytest.raises(DomainError):
        article_publish(article=portal.article, by=portal.world.observer)


def test_staff_cannot_change_a_published_article(portal):
    w = portal.world
    staff = make_user("vanthu.thanhuy", unit=w.city, role="staff")
    draft = article_create(owner=w.city, by=staff, title="Bài của văn thư")
    article_update(article=draft, by=staff, title="Bài của văn thư (sửa)")
    with pytest.raises(DomainError) as err:
        article_update(article=portal.article, by=staff, title="Đổi tiêu đề tin đã đăng")
    assert err.value.code == "forbidden"
    portal.article.refresh_from_db()
    assert portal.article.title.startswith("Xây dựng chương trình")


def test_only_public_documents_may_be_linked(portal):
    with pytest.raises(DomainError) as err:
        article_create(
            owner=portal.world.city,
            by=portal.editor,
            title="Tin có văn bản nội bộ",
            documents=[portal.chain.nq52, portal.chain.letter],
        )
    assert err.value.field == "documents"
    assert "2156-CV/TU" in err.value.message


def test_only_public_tasks_may_be_linked(portal):
    w = portal.world
    internal = task_create(issuer=w.city, by=w.city_leader, title="Việc nội bộ", kind="other")
    public = task_create(
        issuer=w.city, by=w.city_leader, title="Tuyên truyền", kind="study", is_public=True
    )
    with pytest.raises(DomainError) as err:
        article_create(owner=w.city, by=portal.editor, title="Tin", tasks=[internal])
    assert err.value.code == "internal_task"
    a = article_create(owner=w.city, by=portal.editor, title="Tin", tasks=[public])
    assert list(a.tasks.all()) == [public]


def test_a_public_task_of_another_subtree_cannot_be_linked(portal):
    w = portal.world
    theirs = task_create(
        issuer=w.tan_dinh,
        by=w.other_ward_officer,
        title="Việc của Tân Định",
        kind="other",
        is_public=True,
    )
    with pytest.raises(DomainError) as err:
        article_create(owner=w.ben_thanh, by=portal.ward_editor, title="Tin", tasks=[theirs])
    assert err.value.code == "forbidden"


def test_addresses_are_ascii_and_unique(portal):
    a = article_create(owner=portal.world.city, by=portal.editor, title="Đổi mới tư duy")
    b = article_create(owner=portal.world.city, by=portal.editor, title="Đổi mới tư duy!")
    assert a.slug == "doi-moi-tu-duy"
    assert b.slug == "doi-moi-tu-duy-2"
    with pytest.raises(DomainError) as err:
        article_update(article=b, by=portal.editor, slug="doi-moi-tu-duy")
    assert err.value.code == "slug_taken"


def test_the_body_is_stored_sanitized_and_searchable(portal):
    a = article_create(
        owner=portal.world.city,
        by=portal.editor,
        title="Tin HTML",
        body='<p onclick="x()">Chuyển đổi <b>số</b></p><script>alert(1)</script>',
        body_format="html",
    )
    assert a.body_html == "<p>Chuyển đổi <b>số</b></p>"
    assert "chuyen doi so" in a.search_text
    assert "alert" not in a.search_text


def test_a_stale_form_does_not_overwrite_a_newer_edit(portal):
    a = portal.article
    version = a.version
    article_update(article=a, by=portal.editor, version=version, lead="Phiên bản của người A")
    with pytest.raises(DomainError) as err:
        article_update(article=a, by=portal.editor, version=version, lead="Phiên bản của B")
    assert err.value.code == "stale"
    a.refresh_from_db()
    assert a.lead == "Phiên bản của người A"


def test_every_change_is_in_the_history(portal):
    a = portal.article
    article_update(article=a, by=portal.editor, title="Tiêu đề mới")
    rows = list(a.history.order_by("history_date"))
    reasons = [r.history_change_reason for r in rows]
    assert reasons[0] == "created" and "published" in reasons
    assert rows[-1].title == "Tiêu đề mới"
    assert rows[-1].history_user == portal.editor


def test_publishing_an_empty_article_is_refused(portal):
    a = article_create(owner=portal.world.city, by=portal.editor, title="Chỉ có tiêu đề")
    with pytest.raises(DomainError) as err:
        article_publish(article=a, by=portal.editor)
    assert err.value.code == "empty"
