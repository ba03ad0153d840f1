"""Sign request bodies the way Slack does, for posting to the bot's HTTP endpoint."""

from __future__ import annotations

import hashlib
import hmac
import time


def sign(
    body: bytes | str,
    secret: str,
    timestamp: int | None = None,
    *,
    content_type: str = "application/x-www-form-urlencoded",
) -> dict[str, str]:
    """Headers (timestamp, v0 signature, content type) Slack would send with `body`."""
    raw = body.encode() if isinstance(body, str) else body
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), b"v0:" + ts.encode() + b":" + raw, hashlib.sha256).hexdigest()
    return {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={digest}",
        "Content-Type": content_type,
    }


def sign_with_timestamp(body: bytes, secret: str, timestamp: str, *, content_type: str) -> dict[str, str]:
    """Headers correctly signed over any timestamp string, even one Slack would never send ("x", "")."""
    digest = hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": f"v0={digest}", "Content-Type": content_type}
