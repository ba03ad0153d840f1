"""Logging never lets a Slack token or a configured secret through, not even in a traceback."""

from __future__ import annotations

import io
import logging

import pytest

from bot.logs import RedactSecrets, configure_logging

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
LEAKS = ["xoxb-123-abc", "xapp-1-A-2", SIGNING_SECRET]


@pytest.fixture
def captured():
    """A logger writing through a redacting handler into a string buffer."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    handler.addFilter(RedactSecrets([SIGNING_SECRET]))
    logger = logging.getLogger(f"test-redaction-{id(buffer)}")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    yield logger, buffer
    logger.removeHandler(handler)


@pytest.mark.parametrize("secret", LEAKS)
def test_a_secret_in_the_message_is_redacted(captured, secret):
    logger, buffer = captured
    logger.info(f"calling Slack with {secret} now")
    assert secret not in buffer.getvalue()
    assert "[redacted]" in buffer.getvalue()
    assert "calling Slack with" in buffer.getvalue()


@pytest.mark.parametrize("secret", LEAKS)
def test_a_secret_in_the_arguments_is_redacted(captured, secret):
    logger, buffer = captured
    logger.warning("headers were %s", {"Authorization": f"Bearer {secret}"})
    assert secret not in buffer.getvalue()


@pytest.mark.parametrize("secret", LEAKS)
def test_a_secret_in_an_exception_traceback_is_redacted(captured, secret):
    logger, buffer = captured
    try:
        raise RuntimeError(f"Slack refused token {secret}")
    except RuntimeError:
        logger.exception("auth failed")
    output = buffer.getvalue()
    assert "Traceback" in output and "RuntimeError" in output
    assert secret not in output


def test_a_token_is_redacted_but_its_kind_is_kept(captured):
    logger, buffer = captured
    logger.info("bot xoxb-1111-2222-abcDEF app xapp-1-A0-999-zz")
    assert buffer.getvalue().strip() == "INFO bot xoxb-[redacted] app xapp-[redacted]"


def test_every_kind_of_slack_token_is_redacted(captured):
    logger, buffer = captured
    tokens = [f"xox{kind}-123-abc" for kind in "abposre"]
    logger.info(" ".join(tokens))
    assert not any(token in buffer.getvalue() for token in tokens)


def test_a_secret_passed_to_the_filter_is_redacted_wherever_it_appears(captured):
    logger, buffer = captured
    logger.info("sig=%s;again%s", SIGNING_SECRET, SIGNING_SECRET)
    assert buffer.getvalue().count("[redacted]") == 2


def test_very_short_secrets_are_ignored_so_ordinary_words_survive():
    assert RedactSecrets(["abc", ""]).redact("abc is fine") == "abc is fine"


def test_ordinary_text_passes_through_unchanged(captured):
    logger, buffer = captured
    logger.info("member %s added to %s", "U123", "North East Finance Network")
    assert buffer.getvalue() == "INFO member U123 added to North East Finance Network\n"


def test_configure_logging_installs_one_redacting_handler():
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    try:
        configure_logging("DEBUG", [SIGNING_SECRET])
        assert len(root.handlers) == 1
        assert root.level == logging.DEBUG
        assert any(isinstance(f, RedactSecrets) and f.secrets == [SIGNING_SECRET] for f in root.handlers[0].filters)
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
