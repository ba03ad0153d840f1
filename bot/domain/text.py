"""Text rules: cleaning what people type, mrkdwn escaping and cutting to Slack's length limits."""

import unicodedata

ELLIPSIS = "…"
JOINERS = frozenset("\u200c\u200d")  # zero-width (non-)joiners shape emoji and Indic scripts between letters
DROPPED = frozenset({"Cc", "Cf", "Cs"})  # control, invisible formatting, lone surrogates


def clean(raw: str, *, multiline: bool = False) -> str:
    """Text without control or invisible formatting characters, trimmed; single-spaced unless multiline."""
    text = unicodedata.normalize("NFC", raw or "").replace("\r\n", "\n").replace("\u2028", "\n")
    kept: list[str] = []
    for index, char in enumerate(text):
        if char == "\n" or char == "\t":
            kept.append(char)
        elif char in JOINERS:
            before, after = text[index - 1:index], text[index + 1:index + 2]
            if before.strip() and after.strip() and unicodedata.category(after) not in DROPPED:
                kept.append(char)
        elif unicodedata.category(char) not in DROPPED:
            kept.append(char)
    text = "".join(kept)
    if not multiline:
        return " ".join(text.split())
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return "\n".join(lines).strip()


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


def plural(count: int, noun: str, many: str | None = None) -> str:
    """"1 decision", "2 decisions"."""
    return f"{count} {noun if count == 1 else (many or noun + 's')}"


def and_list(items: list[str]) -> str:
    """"A", "A and B", "A, B and C"."""
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def article(word: str) -> str:
    """"a member", "an observer"."""
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word
