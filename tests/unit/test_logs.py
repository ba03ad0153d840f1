"""Logging never lets a Slack token or a configured secret through, not even in a traceback."""

from __future__ import annotations

import io
import logging

import pytest
from slack_bolt import App
from slack_sdk import WebClient

from bot.logs import QUIET_LOGGERS, DropBoltTokenNotice, RedactSecrets, configure_logging

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


@pytest.fixture
def configured(capsys):
    """configure_logging at DEBUG, writing to the captured stderr; the root logger restored afterwards."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    configure_logging("DEBUG", [])
    yield capsys
    root.handlers[:] = saved_handlers
    root.setLevel(saved_level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.NOTSET)


def test_bolts_token_will_be_unused_notice_is_dropped(configured, monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-from-the-environment")
    App(client=WebClient(token="xoxb-from-the-environment"), signing_secret="secret",
        token_verification_enabled=False, logger=logging.getLogger("slack_bolt"))
    assert "will be unused" not in configured.readouterr().err


def test_other_bolt_warnings_still_reach_the_log(configured):
    logging.getLogger("slack_bolt").warning("As you gave `client` as well, something else")
    logging.getLogger("slack_bolt.App").warning("Unhandled request")
    err = configured.readouterr().err
    assert "something else" in err and "Unhandled request" in err


def test_the_same_words_from_another_logger_are_kept(configured):
    logging.getLogger("collab-bot").warning(DropBoltTokenNotice.NOTICE)
    assert "will be unused" in configured.readouterr().err


def test_apschedulers_ticks_stay_out_of_the_log_but_its_warnings_do_not(configured):
    logging.getLogger("apscheduler.executors.default").info('Running job "close_due"')
    logging.getLogger("apscheduler.scheduler").warning("Run time of job was missed")
    err = configured.readouterr().err
    assert "Running job" not in err
    assert "was missed" in err
