"""The web tier: gunicorn with uvicorn workers (`server.py`) and the ASGI gate checking Slack's requests (`gate.py`)."""
