"""The OpenAPI schema and the Swagger UI page: generated cleanly, served under our CSP."""

from __future__ import annotations

import re
from io import StringIO

from django.contrib.staticfiles import finders
from django.core.management import call_command


def test_the_schema_generates_without_warnings():
    out = StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    assert "/api/v1/units/" in out.getvalue()


def test_the_schema_and_docs_are_for_signed_in_users(client, world):
    assert client.get("/api/schema/").status_code in (401, 403)
    response = client.get("/api/docs/")
    assert response.status_code == 302 and "/login" in response["Location"]


def test_the_schema_endpoint_answers(client, world):
    client.force_login(world.ward_officer)
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/documents/{id}/chain/" in response.content


def test_the_docs_page_loads_only_local_assets_without_inline_code(client, world):
    client.force_login(world.ward_officer)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "script-src 'self'" in csp
    # No inline script or style for the CSP to block, and nothing from another host.
    assert "<style" not in html
    assert re.findall(r"<script(?![^>]*\ssrc=)[^>]*>", html) == []
    assert " style=" not in html
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls and all(u.startswith("/") for u in urls), urls
    for url in urls:
        path = url.split("?")[0]
        if path.startswith("/static/"):
            assert finders.find(path.removeprefix("/static/")), path


def test_the_docs_start_up_script_is_served_as_javascript(client, world):
    client.force_login(world.ward_officer)
    html = client.get("/api/docs/").content.decode()
    script_url = [
        u for u in re.findall(r'<script src="([^"]+)"', html) if "script" in u.split("?")[-1]
    ]
    assert script_url
    response = client.get(script_url[0].replace("&amp;", "&"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in response.content
    assert b"/api/schema/" in response.content
