"""In-memory fakes of proposals (storage/proposals.py), reviews and reminders sent (storage/schedules.py).

Their state lives in the Store, so the fake unit of work's copy-on-enter and copy-on-commit cover it. Each hands
out copies, as the SQL versions build new objects from rows: a change sticks only once saved.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from bot.domain.decisions import PositionChange, Vote
from bot.domain.proposals import Interest, Proposal, Status, register_prefix
from bot.domain.reviews import Review
from bot.services import repositories_decisions as ports

if TYPE_CHECKING:
    from tests.fakes import Store


class FakeProposals(ports.ProposalRepository):
    def __init__(self, s: Store):
        self.s = s

    def _read(self, p: Proposal, *, with_votes: bool = True, with_interests: bool = True) -> Proposal:
        return replace(copy.deepcopy(p), votes=self.votes(p.id or 0) if with_votes else [],
                       interests=list(p.interests) if with_interests else [])

    def _of(self, board_id: int, status: Status) -> list[Proposal]:
        return [p for p in self.s.proposals.values() if p.board_id == board_id and p.status is status]

    def get(self, proposal_id: int, *, lock: bool = False, with_votes: bool = True) -> Proposal | None:
        p = self.s.proposals.get(proposal_id)
        return self._read(p, with_votes=with_votes) if p else None

    def add(self, p: Proposal) -> int:
        proposal_id = len(self.s.proposals) + 1
        self.s.proposals[proposal_id] = replace(copy.deepcopy(p), id=proposal_id, votes=[], interests=[], result=None,
                                                number=None, closed_at=None, closed_by=None, message_ts=None)
        return proposal_id

    def save(self, p: Proposal) -> None:
        held = self.s.proposals[p.id or 0]
        self.s.proposals[p.id or 0] = replace(held, closes_at=p.closes_at, status=p.status, number=p.number,
                                         closed_at=p.closed_at, closed_by=p.closed_by, message_ts=p.message_ts,
                                         result=copy.deepcopy(p.result))

    def lock(self, proposal_ids: list[int]) -> None:
        pass  # one writer at a time already

    def set_message(self, proposal_id: int, ts: str) -> None:
        self.s.proposals[proposal_id].message_ts = ts

    def by_request(self, request_key: str) -> int | None:
        return next((p.id for p in self.s.proposals.values() if p.request_key == request_key), None)

    def first_voter_of(self, proposal_id: int, organisation: str) -> str | None:
        return next((v.user_id for v in self.votes(proposal_id) if v.organisation == organisation), None)

    def vote_count(self, proposal_id: int) -> int:
        return len(self.s.votes.get(proposal_id, {}))

    def votes(self, proposal_id: int) -> list[Vote]:
        return sorted(self.s.votes.get(proposal_id, {}).values(), key=lambda v: v.first_at)

    def put_vote(self, proposal_id: int, vote: Vote, *, at: datetime) -> bool:
        current = self.s.votes.setdefault(proposal_id, {}).get(vote.user_id)
        if current and (current.position, current.reason, current.proxy_by) == (vote.position, vote.reason,
                                                                                vote.proxy_by):
            return False
        kept = replace(current, position=vote.position, reason=vote.reason, proxy_by=vote.proxy_by) if current \
            else replace(vote, first_at=at)
        self.s.votes[proposal_id][vote.user_id] = kept
        self.s.history.setdefault(proposal_id, []).append(
            PositionChange(vote.user_id, vote.position, at, vote.reason, vote.proxy_by))
        return True

    def history(self, proposal_id: int) -> list[PositionChange]:
        return list(self.s.history.get(proposal_id, []))

    def interests(self, proposal_id: int) -> list[Interest]:
        return list(self.s.proposals[proposal_id].interests)

    def put_interest(self, proposal_id: int, interest: Interest, *, by: str, at: datetime) -> None:
        p = self.s.proposals[proposal_id]
        held = next((i for i in p.interests if i.user_id == interest.user_id), None)
        kept = interest if held is None else replace(held, decision=interest.decision)
        p.interests = [kept if i.user_id == interest.user_id else i for i in p.interests] if held \
            else [*p.interests, kept]

    def next_number(self, board_id: int, year: int) -> int:
        return 1 + sum(1 for p in self.s.proposals.values()
                       if p.board_id == board_id and (p.number or "").startswith(register_prefix(year)))

    def decided(self, board_id: int, limit: int | None = None) -> list[Proposal]:
        found = sorted((p for p in self._of(board_id, Status.CLOSED) if p.number),
                       key=lambda p: (p.closed_at, p.id), reverse=True)
        return [self._read(p) for p in (found[:limit] if limit else found)]

    def open_of(self, board_id: int) -> list[Proposal]:
        return [self._read(p) for p in sorted(self._of(board_id, Status.OPEN), key=lambda p: (p.closes_at, p.id))]

    def decided_since(self, board_id: int, since: datetime) -> list[Proposal]:
        found = [p for p in self._of(board_id, Status.CLOSED) if p.number and p.closed_at and p.closed_at >= since]
        return [self._read(p, with_votes=False, with_interests=False)
                for p in sorted(found, key=lambda p: (p.closed_at, p.id))]

    def by_number(self, board_id: int, number: str) -> Proposal | None:
        return next((self._read(p) for p in self.s.proposals.values()
                     if p.board_id == board_id and p.number == number), None)


class FakeReviews(ports.ReviewRepository):
    def __init__(self, s: Store):
        self.s = s

    def add(self, review: Review, *, at: datetime) -> int:
        review_id = max(self.s.reviews, default=0) + 1
        self.s.reviews[review_id] = replace(review, id=review_id, last_done_at=None, last_done_by=None)
        return review_id

    def get(self, review_id: int, *, lock: bool = False) -> Review | None:
        found = self.s.reviews.get(review_id)
        return replace(found) if found else None

    def save(self, review: Review) -> None:
        if review.id in self.s.reviews:
            self.s.reviews[review.id] = replace(self.s.reviews[review.id], next_due=review.next_due,
                                                last_done_at=review.last_done_at, last_done_by=review.last_done_by)

    def remove(self, review_id: int) -> None:
        self.s.reviews.pop(review_id, None)

    def of_board(self, board_id: int) -> list[Review]:
        found = [r for r in self.s.reviews.values() if r.board_id == board_id]
        return [replace(r) for r in sorted(found, key=lambda r: (r.next_due is None, r.next_due or datetime.min,
                                                                 r.id))]


class FakeReminders(ports.ReminderRepository):
    def __init__(self, s: Store):
        self.s = s

    def note(self, proposal_id: int, user_id: str, *, at: datetime) -> bool:
        return self.s.reminders.setdefault((proposal_id, user_id), at) is at

    def of(self, proposal_id: int) -> dict[str, datetime]:
        return {user: at for (pid, user), at in self.s.reminders.items() if pid == proposal_id}
