import pytest

pytestmark = pytest.mark.anyio


async def test_health_reports_database_reachable(client):
    response = await client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "reachable"
    assert body["engine"] in {"sqlite", "postgres"}


async def test_every_page_carries_security_headers(client):
    response = await client.get("/")
    headers = response.headers
    assert "nonce-" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["cache-control"] == "no-store"
    nonce = headers["content-security-policy"].split("nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.text


async def test_govuk_assets_are_served_locally(client):
    css = await client.get("/assets/govuk-frontend.min.css")
    assert css.status_code == 200
    assert ".govuk-" in css.text
    page = await client.get("/")
    assert "https://" not in "".join(
        line for line in page.text.splitlines() if "<script" in line or "stylesheet" in line
    )


async def test_openapi_schema_lists_the_public_endpoints(client):
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/deadlines" in paths
    assert "/api/v1/routing" in paths
