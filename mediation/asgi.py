"""The ASGI application for uvicorn (or any ASGI server): `uvicorn mediation.asgi:app`."""

from mediation.app import create_app

app = create_app()
