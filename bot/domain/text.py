"""Text rules Slack imposes: mrkdwn escaping and cutting to a length limit."""

ELLIPSIS = "…"


def escape(text: str) -> str:
    """Escape user text for mrkdwn; `&` first, so no `<!channel>` or link can be smuggled in."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cut(text: str, limit: int) -> str:
    """Text no longer than `limit` characters, ending in an ellipsis when it was cut."""
    if len(text) <= limit:
        return text
    cut_at = limit - len(ELLIPSIS)
    # Never leave half an escape sequence such as "&am" at the cut.
    amp = text.rfind("&", max(0, cut_at - 5), cut_at)
    if amp != -1 and ";" not in text[amp:cut_at]:
        cut_at = amp
    return text[:cut_at].rstrip() + ELLIPSIS
