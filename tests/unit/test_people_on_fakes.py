"""People's display names for board papers, on the in-memory unit of work: asked of Slack once a week at most."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.services.people import KEEP_NAMES, display_names
from tests.fakes import FakeDatabase

NOW = datetime(2026, 11, 24, 10, 0)
NAMES = {"U1": "Asha Patel", "U2": "Ben Okafor"}


class Slack:
    """Answers users.info from a directory, counting the questions; a user it does not know is an error."""

    def __init__(self, names: dict[str, str]):
        self.names, self.asked = names, []

    def __call__(self, user_id: str) -> str:
        self.asked.append(user_id)
        return self.names[user_id]


def names(db: FakeDatabase, slack: Slack, users: set[str], *, now: datetime = NOW):
    return display_names(db, slack, team_id="T1", user_ids=users, now=now)


def test_names_fetched_within_a_week_are_not_asked_of_slack_again():
    db, slack = FakeDatabase(NOW), Slack(NAMES)
    assert names(db, slack, {"U1", "U2"}) == (NAMES, [])
    assert names(db, slack, {"U1", "U2"}, now=NOW + KEEP_NAMES) == (NAMES, [])
    assert slack.asked == ["U1", "U2"]


def test_a_name_older_than_a_week_is_asked_again():
    db, slack = FakeDatabase(NOW), Slack(NAMES)
    names(db, slack, {"U1"})
    slack.names = {"U1": "Asha Patel-Jones"}
    assert names(db, slack, {"U1"}, now=NOW + KEEP_NAMES + timedelta(seconds=1)) == ({"U1": "Asha Patel-Jones"}, [])


def test_a_name_slack_cannot_give_falls_back_to_the_id_and_is_asked_again_next_time():
    db, slack = FakeDatabase(NOW), Slack(NAMES)
    assert names(db, slack, {"U1", "UGONE"}) == ({"U1": "Asha Patel"}, ["UGONE"])
    names(db, slack, {"UGONE"})
    assert slack.asked == ["U1", "UGONE", "UGONE"]


def test_names_are_kept_per_workspace():
    db, slack = FakeDatabase(NOW), Slack(NAMES)
    names(db, slack, {"U1"})
    display_names(db, slack, team_id="T2", user_ids={"U1"}, now=NOW)
    assert slack.asked == ["U1", "U1"]
