"""Kill the server with SIGKILL in the middle of a burst of votes and start it again on the same database."""

from __future__ import annotations

import os
import signal
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from bot.outbound.registry import effects_of
from prompts.ids.polls import PollAction, PollBlock
from storage.db import make_engine, session_factories
from storage.models import VoteRow
from storage.uow import Database
from tests.conftest import BACKENDS, fresh_database_url
from tests.e2e import payloads
from tests.e2e.conftest import AUDIT_KEY, BotServer, free_port, serve_env, start_serve, stop_serve
from tests.e2e.flows import board_with_members
from tests.e2e.polls_flow import latest_render, submit_proposal, wait_for_poll

VOTERS = 80
KILL_AFTER = VOTERS // 3
CATCH_UP_SECONDS = 20


@pytest.mark.parametrize("backend", BACKENDS)
def test_after_a_kill_mid_burst_every_acknowledged_vote_is_kept_and_the_poll_catches_up(backend, fake_slack,
                                                                                          tmp_path):
    database_url, drop = fresh_database_url(backend, tmp_path)
    port, env, log = free_port(), serve_env(fake_slack, database_url), tmp_path / "serve.log"
    process = start_serve(env, tmp_path, port, log)
    engine = make_engine(database_url)
    server = BotServer(f"http://127.0.0.1:{port}", database_url, fake_slack, log,
                       Database(*session_factories(engine), audit_key=bytes.fromhex(AUDIT_KEY),
                                effects=effects_of), env)
    team, channel = "T" + uuid.uuid4().hex[:10].upper(), "C" + uuid.uuid4().hex[:10].upper()
    voters = [f"UCRASH{i:03d}" for i in range(VOTERS)]
    try:
        board_with_members(server, team=team, channel=channel, members={u: "member" for u in voters})
        submit_proposal(server, team=team, channel=channel, rule="majority")
        ts, pid = wait_for_poll(server, channel)
        answered: dict[str, int | None] = {}
        enough = threading.Event()

        def click(user: str) -> None:
            body, ctype = payloads.block_action(PollAction.VOTE_AGREE.value, str(pid), user_id=user,
                                                channel_id=channel, team_id=team, message_ts=ts,
                                                block_id=PollBlock.VOTES.value,
                                                response_url=fake_slack.new_response_url())
            try:
                answered[user] = server.post(body, ctype).status
            except OSError:  # the server died under this request: Slack would see no answer
                answered[user] = None
            if len(answered) >= KILL_AFTER:
                enough.set()

        with ThreadPoolExecutor(8) as pool:
            for user in voters:
                pool.submit(click, user)
            enough.wait(60)
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        acknowledged = {user for user, status in answered.items() if status == 200}
        assert 0 < len(acknowledged) < VOTERS, "the kill should land in the middle of the burst"

        process = start_serve(env, tmp_path, port, log)
        restarted = time.monotonic()
        with server.db.read() as uow:
            recorded = set(uow.session.execute(select(VoteRow.user_id).where(VoteRow.proposal_id == pid)).scalars())
        assert acknowledged <= recorded, f"acknowledged but lost: {sorted(acknowledged - recorded)}"
        shown = f"*{len(recorded)} of {VOTERS + 1} eligible members have voted.*"
        latest_render(server, channel, ts, until=lambda text: shown in text, timeout=CATCH_UP_SECONDS)
        print(f"{backend}: {len(acknowledged)} acknowledged, {len(recorded)} recorded; the poll showed them "
              f"{time.monotonic() - restarted:.1f} s after the restart")
    finally:
        stop_serve(process)
        engine.dispose()
        drop()
