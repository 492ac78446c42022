import pytest
from django.http import Http404

from trienkhai.documents.models import Document
from trienkhai.documents.selectors import (
    document_chain,
    documents_for_user,
    get_document_for_user,
    get_file_for_user,
)
from trienkhai.documents.services import document_attach_file, document_create
from trienkhai.documents.tests.conftest import make_pdf, upload

pytestmark = pytest.mark.django_db


def test_the_ward_officer_sees_the_citys_internal_directive(chain, world):
    visible = set(documents_for_user(world.ward_officer))
    assert chain.letter in visible  # internal, registered by the City above the ward
    assert chain.program in visible
    assert chain.plan_bt in visible


def test_the_other_ward_officer_does_not_see_ben_thanhs_internal_plan(chain, world):
    visible = set(documents_for_user(world.other_ward_officer))
    assert chain.plan_bt not in visible
    assert chain.plan_td in visible
    with pytest.raises(Http404):
        get_document_for_user(world.other_ward_officer, chain.plan_bt.pk)


def test_public_documents_are_visible_to_everyone_logged_in(chain, world):
    from trienkhai.core.testing import make_user

    nobody = make_user("khach")  # no membership at all
    assert set(documents_for_user(nobody)) == {chain.nq52, chain.hd116}


def test_a_superior_does_not_see_what_is_outside_its_subtree(world):
    from trienkhai.units.services import unit_create

    other_city = unit_create(parent=None, name="Đảng bộ Thành phố Hà Nội", kind="party_committee")
    secret_plan = document_create(owner=other_city, by=None, symbol="7-KH/TU")
    assert secret_plan not in documents_for_user(world.city_leader)
    assert secret_plan in documents_for_user(world.admin)


def test_anonymous_users_see_nothing(chain):
    from django.contrib.auth.models import AnonymousUser

    assert not documents_for_user(AnonymousUser()).exists()


def test_writing_is_for_the_owner_units_staff_only(chain, world):
    assert get_document_for_user(world.ward_officer, chain.plan_bt.pk, write=True)
    # Readable but not theirs: a ward's plan seen from above, the City's program from below.
    cases = [
        (world.city_leader, chain.plan_bt),
        (world.observer, chain.plan_bt),
        (world.ward_officer, chain.program),
    ]
    for user, target in cases:
        with pytest.raises(Http404):
            get_document_for_user(user, target.pk, write=True)
    assert get_document_for_user(world.admin, chain.plan_bt.pk, write=True)


def test_files_follow_their_documents_visibility(chain, world):
    stored = document_attach_file(
        document=chain.plan_bt, upload=upload("a.pdf", make_pdf()), by=None
    )
    assert get_file_for_user(world.ward_officer, stored.pk) == stored
    assert get_file_for_user(world.city_leader, stored.pk) == stored
    with pytest.raises(Http404):
        get_file_for_user(world.other_ward_officer, stored.pk)
    with pytest.raises(Http404):
        get_file_for_user(world.ward_officer, "x")


def test_the_chain_shows_ancestors_and_descendants(chain, world):
    up = document_chain(world.city_leader, chain.program, up=True)
    assert [n.document for n in up.nodes] == [chain.letter]
    assert up.nodes[0].children[0].document == chain.hd116
    assert up.nodes[0].children[0].children[0].document == chain.nq52
    down = document_chain(world.city_leader, chain.nq52, up=False)
    level = down.nodes
    for expected in (chain.hd116, chain.letter, chain.program):
        assert [n.document for n in level] == [expected]
        level = level[0].children
    assert {n.document for n in level} == {chain.plan_bt, chain.plan_td}


def test_the_chain_leaves_out_what_the_user_cannot_see(chain, world):
    down = document_chain(world.other_ward_officer, chain.program, up=False)
    assert [n.document for n in down.nodes] == [chain.plan_td]


def test_the_chain_runs_one_query_per_level(chain, world, django_assert_max_num_queries):
    user = world.city_leader
    _ = list(documents_for_user(user)[:1])  # memberships loaded once per request
    with django_assert_max_num_queries(5 + 1):  # four levels, an empty fifth, memberships
        document_chain(user, chain.nq52, up=False)


def test_the_chain_is_safe_against_a_cycle_written_behind_the_services(chain, world):
    Document.implements.through.objects.create(
        from_document_id=chain.nq52.pk, to_document_id=chain.plan_bt.pk
    )
    down = document_chain(world.admin, chain.nq52, up=False)
    assert down.nodes[0].document == chain.hd116
    up = document_chain(world.admin, chain.nq52, up=True)
    seen = []
    level = up.nodes
    while level:
        seen.append(level[0].document)
        level = level[0].children
    assert seen == [chain.plan_bt, chain.program, chain.letter, chain.hd116]
