import httpx
import pytest

from mediation.accounts.tables import HttpSession
from tests.conftest import DEMO_EMAILS, DEMO_PASSWORD, client_as, csrf_token, sign_in

pytestmark = pytest.mark.anyio


async def test_signing_in_lands_on_the_home_page_and_the_session_lives_in_the_database(client):
    response = await sign_in(client, DEMO_EMAILS["family"])
    assert response.headers["location"] == "/home"
    session_id = client.cookies.get("session")
    assert session_id and await HttpSession.exists().where(HttpSession.key == session_id)
    home = await client.get("/home")
    assert home.status_code == 200
    assert "Your disagreements" in home.text


async def test_session_cookie_is_http_only_and_same_site(client):
    response = await sign_in(client, DEMO_EMAILS["family"])
    cookie = next(
        v for k, v in response.headers.multi_items() if k == "set-cookie" and v.startswith("session=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "SameSite=Lax" in cookie


async def test_signing_in_issues_a_new_session_id_so_a_planted_one_is_useless(client):
    client.cookies.set("session", "attacker-chosen-session-id", domain="testserver.local")
    await sign_in(client, DEMO_EMAILS["family"])
    assert client.cookies.get("session") != "attacker-chosen-session-id"
    assert not await HttpSession.exists().where(HttpSession.key == "attacker-chosen-session-id")


async def test_a_second_app_process_serves_the_same_signed_in_user(app, client):
    from mediation.app import create_app

    await sign_in(client, DEMO_EMAILS["la_coordinator"])
    other_process = create_app()  # no shared memory with `app`: only the database joins them
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=other_process), base_url="http://testserver.local"
    ) as other:
        other.cookies.set("session", client.cookies.get("session"), domain="testserver.local")
        me = await other.get("/api/v1/me")
    assert me.status_code == 200
    assert me.json()["email"] == DEMO_EMAILS["la_coordinator"]


async def test_wrong_password_shows_a_specific_error_and_keeps_the_email(client):
    token = await csrf_token(client)
    response = await client.post(
        "/sign-in",
        data={"email": DEMO_EMAILS["mediator"], "password": "wrong-password", "_csrf_token": token},
    )
    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert "Enter a correct email address and password" in response.text
    assert f'value="{DEMO_EMAILS["mediator"]}"' in response.text


async def test_empty_form_names_both_missing_fields(client):
    token = await csrf_token(client)
    response = await client.post("/sign-in", data={"email": "", "password": "", "_csrf_token": token})
    assert response.status_code == 400
    assert "Enter your email address" in response.text
    assert "Enter your password" in response.text


async def test_form_without_csrf_token_is_refused(client):
    await client.get("/sign-in")
    response = await client.post("/sign-in", data={"email": DEMO_EMAILS["family"], "password": DEMO_PASSWORD})
    assert response.status_code == 403


async def test_repeated_failures_are_throttled_even_with_the_right_password(app):
    # From an address of its own: the wait it causes must not hold up the rest of the suite's admin.
    email = "admin@send-mediation.example"
    transport = httpx.ASGITransport(app=app, client=("203.0.113.77", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as client:
        token = await csrf_token(client)
        for _ in range(5):
            await client.post(
                "/sign-in", data={"email": email, "password": "guess-guess-guess", "_csrf_token": token}
            )
        response = await client.post(
            "/sign-in", data={"email": email, "password": DEMO_PASSWORD, "_csrf_token": token}
        )
    assert response.status_code == 429
    assert "Too many failed attempts" in response.text


async def test_sign_in_only_redirects_to_paths_on_this_site(client):
    token = await csrf_token(client)
    response = await client.post(
        "/sign-in",
        data={
            "email": DEMO_EMAILS["family"],
            "password": DEMO_PASSWORD,
            "next": "//evil.example/phish",
            "_csrf_token": token,
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/home"


async def test_a_signed_out_page_request_is_sent_to_sign_in_and_back(client):
    response = await client.get("/home")
    assert response.status_code == 302
    assert response.headers["location"] == "/sign-in?next=%2Fhome"


async def test_signing_out_ends_the_session_everywhere(app):
    client = await client_as(app, "family")
    session_id = client.cookies.get("session")
    token = client.cookies.get("csrftoken")
    response = await client.post("/sign-out", data={"_csrf_token": token})
    assert response.status_code == 303
    assert not await HttpSession.exists().where(HttpSession.key == session_id)
    client.cookies.set("session", session_id, domain="testserver.local")
    assert (await client.get("/api/v1/me")).status_code == 401
    await client.aclose()


async def test_anonymous_visits_store_no_session(client):
    before = await HttpSession.count()
    for page in ("/", "/sign-in", "/deadline-calculator", "/who-handles-my-disagreement"):
        response = await client.get(page)
        assert not any(
            v.startswith("session=") for k, v in response.headers.multi_items() if k == "set-cookie"
        ), page
    assert await HttpSession.count() == before


async def test_an_overlong_email_at_sign_in_is_a_wrong_answer_not_a_server_error(app):
    transport = httpx.ASGITransport(app=app, client=("203.0.113.78", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as client:
        token = await csrf_token(client)
        response = await client.post(
            "/sign-in",
            data={"email": "b" * 300 + "@example.com", "password": "whatever-it-is", "_csrf_token": token},
        )
    assert response.status_code == 400
    assert "Enter a correct email address and password" in response.text
