"""Small Block Kit builders shared by every message, kept within Slack's limits."""

from __future__ import annotations

from collections.abc import Iterable

from slack_sdk.models.blocks import ContextBlock, HeaderBlock, MarkdownTextObject, PlainTextObject, SectionBlock

from bot.domain.text import cut, escape

SECTION_LIMIT = 3000
HEADER_LIMIT = 150
MESSAGE_BLOCK_LIMIT = 50


def code(text: str) -> str:
    """Text as inline code in mrkdwn; escaped, since Slack reads `<...>` as markup even inside backticks."""
    return "`" + escape(text).replace("`", "'") + "`"


def in_sentence(label: str) -> str:
    """A label as it reads mid-sentence: "Notice period" becomes "notice period", but "MoU" and "NHS" stay."""
    first, _, rest = label.partition(" ")
    word = first[:1].lower() + first[1:] if first[1:] == first[1:].lower() else first
    return f"{word} {rest}" if rest else word


def section(text: str) -> dict:
    """A mrkdwn section; text is cut to Slack's 3,000 characters."""
    return SectionBlock(text=MarkdownTextObject(text=cut(text, SECTION_LIMIT))).to_dict()


def header(text: str) -> dict:
    """A plain-text header, cut to 150 characters."""
    return HeaderBlock(text=PlainTextObject(text=cut(text, HEADER_LIMIT), emoji=True)).to_dict()


def context(text: str) -> dict:
    """A small grey line of mrkdwn."""
    return ContextBlock(elements=[MarkdownTextObject(text=cut(text, SECTION_LIMIT))]).to_dict()


def sections(lines: Iterable[str], *, max_blocks: int) -> list[dict]:
    """Lines packed into as few sections as fit, at most `max_blocks`, ending with a note of what was left out."""
    packed: list[str] = []
    lines = [line for line in lines if line.strip()]  # Slack rejects a section with empty text
    for index, line in enumerate(lines):
        line = cut(line, SECTION_LIMIT)
        if packed and len(packed[-1]) + 1 + len(line) <= SECTION_LIMIT:
            packed[-1] += "\n" + line
            continue
        if len(packed) == max_blocks - 1 and index < len(lines) - 1:
            packed.append(f"…and {len(lines) - index} more.")
            break
        packed.append(line)
    return [section(text) for text in packed]


def message(blocks: list[dict], fallback: str) -> dict:
    """Keyword arguments for respond()/chat.postMessage: blocks plus notification text."""
    return {"blocks": blocks[:MESSAGE_BLOCK_LIMIT], "text": cut(fallback, SECTION_LIMIT)}
