"""`serve --no-scheduler` answers and saves but sends nothing; a separate `collab-bot worker` sends it."""

from __future__ import annotations

import signal
import subprocess
import time
import uuid

import pytest

from bot.outbound.registry import effects_of
from storage.db import make_engine, session_factories
from storage.uow import Database
from tests.conftest import BACKENDS, fresh_database_url
from tests.e2e.conftest import AUDIT_KEY, BotServer, collab_bot_command, free_port, serve_env, start_serve, stop_serve
from tests.e2e.flows import submit_setup
from tests.e2e.polls_flow import poll_posts, submit_proposal, wait_for_poll


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_web_tier_without_a_scheduler_leaves_sending_to_a_worker(backend, fake_slack, tmp_path):
    database_url, drop = fresh_database_url(backend, tmp_path)
    port, env, log = free_port(), serve_env(fake_slack, database_url), tmp_path / "serve.log"
    env["COLLAB_SCHEDULER"] = "false"
    server_process = start_serve(env, tmp_path, port, log)
    engine = make_engine(database_url)
    server = BotServer(f"http://127.0.0.1:{port}", database_url, fake_slack, log,
                       Database(*session_factories(engine), audit_key=bytes.fromhex(AUDIT_KEY),
                                effects=effects_of), env)
    team, channel = "T" + uuid.uuid4().hex[:10].upper(), "C" + uuid.uuid4().hex[:10].upper()
    worker = None
    try:
        assert submit_setup(server, team=team, channel=channel).status == 200
        assert submit_proposal(server, team=team, channel=channel).status == 200
        time.sleep(2)
        assert poll_posts(server, channel) == [], "the web tier sent something itself"
        worker_env = {k: v for k, v in env.items() if k != "COLLAB_SCHEDULER"}
        with open(tmp_path / "worker.log", "w") as worker_log:
            worker = subprocess.Popen([*collab_bot_command(), "worker"], env=worker_env, cwd=tmp_path,
                                      stdout=worker_log, stderr=subprocess.STDOUT)
        wait_for_poll(server, channel, timeout=20)
        assert server.sent("chat.postMessage", channel=channel, where=lambda p: "is set up" not in str(p))
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0
    finally:
        if worker is not None and worker.poll() is None:
            worker.kill()
        stop_serve(server_process)
        engine.dispose()
        drop()
