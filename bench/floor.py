"""The floor: a bare Bolt app that only acks, behind the same gate and under the same server as `collab-bot serve`.

Run by the benchmark as `python -m bench.floor --port P --workers W --threads T`, with SLACK_SIGNING_SECRET,
SLACK_BOT_TOKEN and SLACK_API_URL in the environment. It imports nothing of the bot but its server module.
"""

from __future__ import annotations

import argparse
import logging
import os
import re

from slack_bolt import App
from slack_sdk import WebClient

from bot.web.gate import Answer
from bot.web.server import gated, run_server, server_options, with_health


def ack_only(ack) -> None:
    """Acknowledge, and do nothing else."""
    ack()


def bare_app(secret: str, token: str, api_url: str) -> App:
    """A Bolt app configured as the bot's (verification, listeners in the request thread) that only acks."""
    app = App(client=WebClient(token=token, base_url=api_url), signing_secret=secret,
              token_verification_enabled=False, logger=logging.getLogger("slack_bolt"),
              process_before_response=True, raise_error_for_unhandled_request=True)
    app.action(re.compile(".*"))(ack_only)
    app.command(re.compile(".*"))(ack_only)
    return app


def floor_app():
    """The floor's ASGI app: `GET /healthz` answers at once; everything else passes the gate to the bare app."""
    secret = os.environ["SLACK_SIGNING_SECRET"]
    gate = gated(bare_app(secret, os.environ["SLACK_BOT_TOKEN"], os.environ["SLACK_API_URL"]), secret)
    return with_health(gate, lambda: Answer(200, [("content-type", "text/plain")], b"ok\n"))


def main() -> None:
    """Serve the floor until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m bench.floor", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    run_server(floor_app, server_options(host=args.host, port=args.port, workers=args.workers,
                                          threads=args.threads))


if __name__ == "__main__":
    main()
