from django.urls import reverse


def test_anonymous_visitor_is_sent_to_login(client, db):
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_home_lists_the_users_units(world, login):
    response = login(world.ward_officer).get(reverse("core:home"))
    assert response.status_code == 200
    assert "Đảng ủy phường Bến Thành" in response.content.decode()


def test_interface_is_vietnamese_by_default(client, db):
    response = client.get(reverse("accounts:login"))
    assert response["Content-Language"] == "vi"


def test_english_can_be_chosen_and_is_named_in_english(world, login):
    client = login(world.ward_officer)
    assert "English" in client.get(reverse("core:home")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("core:home")).content.decode()
    assert "Your units" in body
    assert 'value="vi" class="linklike" lang="vi">Ti' in body
