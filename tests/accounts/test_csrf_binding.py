"""CSRF tokens belong to one session: a token minted anywhere else is refused, with a clear page."""

import httpx
import pytest

from mediation.accounts.tables import HttpSession
from tests.conftest import CSRF_FIELD, DEMO_EMAILS, DEMO_PASSWORD, client_as, csrf_token

pytestmark = pytest.mark.anyio


def _fresh(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver.local")


async def _page_token(client: httpx.AsyncClient, page: str = "/admin/api-tokens") -> str:
    return CSRF_FIELD.search((await client.get(page)).text).group(1)


async def test_a_token_from_another_session_is_refused(app):
    """Session A's token (and its cookie) planted in session B's browser is refused, on a page and in
    the API; B's own token works."""
    a = await client_as(app, "admin")
    b = await client_as(app, "admin")
    try:
        stolen = await _page_token(a)
        assert stolen != await _page_token(b)
        b.cookies.set("csrftoken", stolen, domain="testserver.local")
        refused = await b.post("/sign-out", data={"_csrf_token": stolen})
        assert refused.status_code == 403
        assert "This form could not be sent" in refused.text
        assert "belongs to another session" in refused.text
        api = await b.post("/api/v1/cases/SM-NOPE/reroute", json={}, headers={"x-csrftoken": stolen})
        assert api.status_code == 403
        assert "belongs to another session" in api.json()["detail"]
        assert await HttpSession.exists().where(HttpSession.key == b.cookies.get("session"))
        # B's own page gives B the token that works (and sets the cookie back to it).
        own = await _page_token(b)
        assert b.cookies.get("csrftoken") == own
        assert (await b.post("/sign-out", data={"_csrf_token": own})).status_code == 303
    finally:
        await a.aclose()
        await b.aclose()


async def test_a_pair_minted_on_the_attackers_own_visit_is_refused_in_a_signed_in_session(app):
    async with _fresh(app) as attacker:
        minted = await csrf_token(attacker)  # the anonymous double-submit token, and its cookie
        assert attacker.cookies.get("csrftoken") == minted
    victim = await client_as(app, "family")
    try:
        victim.cookies.set("csrftoken", minted, domain="testserver.local")
        response = await victim.post("/sign-out", data={"_csrf_token": minted})
        assert response.status_code == 403
        assert await HttpSession.exists().where(HttpSession.key == victim.cookies.get("session"))
    finally:
        await victim.aclose()


async def test_signing_in_binds_a_new_token(app):
    async with _fresh(app) as person:
        anonymous = await csrf_token(person)
        response = await person.post(
            "/sign-in",
            data={
                "email": DEMO_EMAILS["mediator"],
                "password": "Demo-password-2026",
                "_csrf_token": anonymous,
            },
        )
        assert response.status_code == 303
        bound = person.cookies.get("csrftoken")
        assert bound and bound != anonymous
        assert await _page_token(person, "/home") == bound
        # The anonymous token is worth nothing once signed in.
        refused = await person.post("/sign-out", data={"_csrf_token": anonymous})
        assert refused.status_code == 403
        assert (await person.post("/sign-out", data={"_csrf_token": bound})).status_code == 303
        # Signed out, the cookie goes back to an anonymous token that the sign-in form accepts.
        after = person.cookies.get("csrftoken")
        assert after and after != bound
        assert await csrf_token(person) == after


async def test_a_session_from_before_binding_is_bound_on_its_next_request(app):
    """Sessions written before tokens were bound hold no secret: their next request gives them one."""
    from mediation.web.csrf import CSRF_SESSION_KEY

    person = await client_as(app, "la_coordinator")
    try:
        key = person.cookies.get("session")
        store = app.stores.get("sessions")
        import msgspec

        raw = await store.get(key)
        session = msgspec.json.decode(raw)
        del session[CSRF_SESSION_KEY]
        await store.set(key, msgspec.json.encode(session))
        person.cookies.delete("csrftoken")
        token = await _page_token(person, "/home")
        assert msgspec.json.decode(await store.get(key)).get(CSRF_SESSION_KEY)
        assert (await person.post("/sign-out", data={"_csrf_token": token})).status_code == 303
    finally:
        await person.aclose()


async def test_a_form_left_open_until_the_session_expired_asks_to_sign_in_again(app):
    person = await client_as(app, "family")
    try:
        token = await _page_token(person, "/home")
        await HttpSession.delete().where(HttpSession.key == person.cookies.get("session"))
        response = await person.post("/lodge", data={"_csrf_token": token})
        assert response.status_code == 302
        assert response.headers["location"].startswith("/sign-in?next=")
    finally:
        await person.aclose()


@pytest.mark.parametrize(
    "headers",
    [
        {"origin": "https://evil.example"},
        {"origin": "null"},
        {"origin": "http://testserver.local.evil.example"},
        {"sec-fetch-site": "cross-site"},
        {"sec-fetch-site": "same-site", "origin": "http://other.testserver.local"},
    ],
)
async def test_a_sign_in_posted_from_another_site_is_refused_whatever_its_token(app, headers):
    """Login CSRF: a page elsewhere that posts the attacker's own valid pair to /sign-in would sign the
    victim in to the attacker's account; the browser's Origin / Sec-Fetch-Site headers give it away."""
    async with _fresh(app) as victim:
        token = await csrf_token(victim)  # a pair that would otherwise pass
        response = await victim.post(
            "/sign-in",
            data={"email": DEMO_EMAILS["family"], "password": DEMO_PASSWORD, "_csrf_token": token},
            headers=headers,
        )
        assert response.status_code == 403
        assert "This form could not be sent" in response.text
        assert victim.cookies.get("session") is None  # nobody was signed in


@pytest.mark.parametrize(
    "headers",
    [
        {},  # a script or an old browser: no header, the token decides
        {"origin": "http://testserver.local"},
        {"origin": "http://TestServer.local", "sec-fetch-site": "same-origin"},
        {"sec-fetch-site": "none"},  # typed or bookmarked
    ],
)
async def test_a_sign_in_from_the_service_itself_goes_through(app, headers):
    async with _fresh(app) as person:
        token = await csrf_token(person)
        response = await person.post(
            "/sign-in",
            data={"email": DEMO_EMAILS["family"], "password": DEMO_PASSWORD, "_csrf_token": token},
            headers=headers,
        )
        assert response.status_code == 303, response.text
