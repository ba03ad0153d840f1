"""The working calendar, as a board secretary would state it: reviews fall on working days at 09:00 local time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.schedule import Frequency, Recurrence, WorkingCalendar, next_date, next_due, next_weekly

F = Frequency
LONDON = WorkingCalendar()
EVERY_DAY = WorkingCalendar(skip_non_working=False)
NINE = time(9, 0)
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def series(rule: Recurrence, start: date, count: int = 6) -> list[date]:
    """The first `count` dates of the series that begins on `start`."""
    days, day = [], start - timedelta(days=1)
    for _ in range(count):
        day = next_date(rule, start=start, after=day)
        days.append(day)
    return days


def local(calendar: WorkingCalendar, moment: datetime) -> tuple[date, time]:
    """A naive-UTC moment as the board's local date and wall-clock time."""
    shown = moment.replace(tzinfo=UTC).astimezone(ZoneInfo(calendar.timezone))
    return shown.date(), shown.time().replace(tzinfo=None)


# Working days: weekends and England and Wales bank holidays, substitute days included.

@pytest.mark.parametrize(("due", "moved_to"), [
    (date(2027, 3, 26), date(2027, 3, 30)),  # Good Friday, the weekend and Easter Monday
    (date(2027, 5, 31), date(2027, 6, 1)),  # Spring bank holiday
    (date(2021, 12, 25), date(2021, 12, 29)),  # Christmas on a Saturday: Mon 27 and Tue 28 are substitute days
    (date(2021, 12, 27), date(2021, 12, 29)),  # the substitute day for Christmas Day
    (date(2021, 12, 28), date(2021, 12, 29)),  # the substitute day for Boxing Day
    (date(2022, 1, 1), date(2022, 1, 4)),  # New Year's Day on a Saturday: Mon 3 January is its substitute
    (date(2026, 12, 26), date(2026, 12, 29)),  # Boxing Day on a Saturday: Mon 28 is its substitute
    (date(2022, 9, 19), date(2022, 9, 20)),  # a one-off bank holiday (the Queen's state funeral)
])
def test_a_review_due_on_a_bank_holiday_moves_to_the_next_working_day(due, moved_to):
    assert not LONDON.is_working_day(due)
    assert LONDON.next_working_day(due) == moved_to
    assert next_due(Recurrence(F.ONCE), start=due, at=NINE, after=datetime(2020, 1, 1), calendar=LONDON) == \
        LONDON.moment(moved_to, NINE)


def test_a_yearly_review_on_christmas_day_comes_after_the_substitute_days_in_years_it_falls_on_a_weekend():
    rule, start = Recurrence(F.YEARLY), date(2020, 12, 25)
    dues, after = [], datetime(2020, 1, 1)
    for _ in range(3):
        after = next_due(rule, start=start, at=NINE, after=after, calendar=LONDON)
        dues.append(LONDON.local_date(after))
    assert dues == [date(2020, 12, 29), date(2021, 12, 29), date(2022, 12, 28)]


def test_scottish_and_northern_irish_holidays_are_working_days():
    assert LONDON.is_working_day(date(2027, 1, 4))  # 2 January's substitute in Scotland only
    assert LONDON.is_working_day(date(2027, 3, 17))  # St Patrick's Day
    assert LONDON.is_working_day(date(2027, 11, 30))  # St Andrew's Day


def test_a_weekend_moves_to_monday():
    assert LONDON.next_working_day(date(2026, 11, 28)) == date(2026, 11, 30)
    assert LONDON.next_working_day(date(2026, 11, 29)) == date(2026, 11, 30)
    assert not LONDON.is_working_day(date(2026, 11, 28))


def test_a_working_day_stays_where_it_is():
    assert LONDON.is_working_day(date(2026, 11, 24))
    assert LONDON.next_working_day(date(2026, 11, 24)) == date(2026, 11, 24)


def test_with_skipping_off_nothing_moves():
    for day in (date(2026, 11, 28), date(2021, 12, 25), date(2021, 12, 27)):
        assert EVERY_DAY.is_working_day(day)
        assert EVERY_DAY.next_working_day(day) == day
    assert next_due(Recurrence(F.WEEKLY), start=date(2026, 11, 28), at=NINE, after=datetime(2026, 11, 1),
                    calendar=EVERY_DAY) == datetime(2026, 11, 28, 9)
    assert next_weekly(SAT, NINE, after=datetime(2026, 12, 20), calendar=EVERY_DAY) == datetime(2026, 12, 26, 9)


# Local time and the clock changes (British Summer Time 2026: 29 March to 25 October).

def test_a_weekly_digest_stays_at_nine_local_across_the_clock_changes():
    dues, after = [], datetime(2026, 3, 17)
    for _ in range(2):
        after = next_weekly(MON, NINE, after=after, calendar=LONDON)
        dues.append(after)
    after = datetime(2026, 10, 13)
    for _ in range(2):
        after = next_weekly(MON, NINE, after=after, calendar=LONDON)
        dues.append(after)
    assert dues == [datetime(2026, 3, 23, 9), datetime(2026, 3, 30, 8),  # GMT, then BST
                    datetime(2026, 10, 19, 8), datetime(2026, 10, 26, 9)]  # BST, then GMT
    assert {local(LONDON, due)[1] for due in dues} == {NINE}


def test_a_board_in_another_time_zone_hears_at_its_own_nine():
    new_york = WorkingCalendar("America/New_York")
    assert new_york.moment(date(2026, 7, 6), NINE) == datetime(2026, 7, 6, 13)
    assert new_york.moment(date(2026, 12, 7), NINE) == datetime(2026, 12, 7, 14)


def test_a_time_the_clocks_skip_moves_forward_past_the_gap():
    # At 01:00 GMT on 29 March 2026 the clocks go forward to 02:00 BST: 01:30 never happens, and 02:30 BST is used.
    due = LONDON.moment(date(2026, 3, 29), time(1, 30))
    assert due == datetime(2026, 3, 29, 1, 30)
    assert local(LONDON, due) == (date(2026, 3, 29), time(2, 30))


def test_a_time_the_clocks_repeat_is_its_first_occurrence():
    # At 02:00 BST on 25 October 2026 the clocks go back to 01:00 GMT: 01:30 happens twice; the BST one is first.
    assert LONDON.moment(date(2026, 10, 25), time(1, 30)) == datetime(2026, 10, 25, 0, 30)


def test_the_local_date_of_a_late_evening_moment_in_summer_is_the_next_day():
    assert LONDON.local_date(datetime(2026, 6, 30, 23, 30)) == date(2026, 7, 1)
    assert LONDON.local_date(datetime(2026, 12, 31, 23, 30)) == date(2026, 12, 31)


def test_datetimes_must_be_naive_utc_and_time_zones_real():
    with pytest.raises(ValueError):
        LONDON.local_date(datetime(2026, 6, 30, tzinfo=UTC))
    with pytest.raises(ValueError):
        WorkingCalendar("Europe/Londinium")


# Series of dates.

@pytest.mark.parametrize(("rule", "start", "dates"), [
    (Recurrence(F.MONTHLY), date(2027, 1, 31),
     ["2027-01-31", "2027-02-28", "2027-03-31", "2027-04-30", "2027-05-31", "2027-06-30"]),
    (Recurrence(F.MONTHLY), date(2028, 1, 30),
     ["2028-01-30", "2028-02-29", "2028-03-30", "2028-04-30", "2028-05-30", "2028-06-30"]),
    (Recurrence(F.MONTHLY, 2), date(2026, 11, 15),
     ["2026-11-15", "2027-01-15", "2027-03-15", "2027-05-15", "2027-07-15", "2027-09-15"]),
    (Recurrence(F.QUARTERLY), date(2026, 11, 30),
     ["2026-11-30", "2027-02-28", "2027-05-30", "2027-08-30", "2027-11-30", "2028-02-29"]),
    (Recurrence(F.HALF_YEARLY), date(2026, 8, 31),
     ["2026-08-31", "2027-02-28", "2027-08-31", "2028-02-29", "2028-08-31", "2029-02-28"]),
    (Recurrence(F.YEARLY), date(2026, 4, 1),
     ["2026-04-01", "2027-04-01", "2028-04-01", "2029-04-01", "2030-04-01", "2031-04-01"]),
    (Recurrence(F.YEARLY, 2), date(2026, 4, 1),
     ["2026-04-01", "2028-04-01", "2030-04-01", "2032-04-01", "2034-04-01", "2036-04-01"]),
    (Recurrence(F.YEARLY), date(2028, 2, 29),
     ["2028-02-29", "2029-02-28", "2030-02-28", "2031-02-28", "2032-02-29", "2033-02-28"]),
    (Recurrence(F.WEEKLY, 2), date(2026, 11, 2),
     ["2026-11-02", "2026-11-16", "2026-11-30", "2026-12-14", "2026-12-28", "2027-01-11"]),
    (Recurrence(F.DAILY, 3), date(2026, 12, 30),
     ["2026-12-30", "2027-01-02", "2027-01-05", "2027-01-08", "2027-01-11", "2027-01-14"]),
    (Recurrence(F.NTH_WEEKDAY, nth=1, weekday=MON), date(2026, 11, 1),
     ["2026-11-02", "2026-12-07", "2027-01-04", "2027-02-01", "2027-03-01", "2027-04-05"]),
    (Recurrence(F.NTH_WEEKDAY, nth=-1, weekday=FRI), date(2026, 11, 1),
     ["2026-11-27", "2026-12-25", "2027-01-29", "2027-02-26", "2027-03-26", "2027-04-30"]),
    (Recurrence(F.NTH_WEEKDAY, nth=3, weekday=WED, interval=3), date(2026, 11, 1),
     ["2026-11-18", "2027-02-17", "2027-05-19", "2027-08-18", "2027-11-17", "2028-02-16"]),
])
def test_a_series_falls_on_these_dates(rule, start, dates):
    assert [day.isoformat() for day in series(rule, start)] == dates


def test_a_series_starts_strictly_after_the_date_asked_about():
    rule, start = Recurrence(F.MONTHLY), date(2027, 1, 31)
    assert next_date(rule, start=start, after=date(2027, 2, 27)) == date(2027, 2, 28)
    assert next_date(rule, start=start, after=date(2027, 2, 28)) == date(2027, 3, 31)
    assert next_date(rule, start=start, after=date(2020, 1, 1)) == start


def test_a_one_off_falls_once_and_then_never():
    rule, day = Recurrence(F.ONCE), date(2027, 3, 10)
    assert next_date(rule, start=day, after=date(2027, 3, 9)) == day
    assert next_date(rule, start=day, after=day) is None
    first = next_due(rule, start=day, at=NINE, after=datetime(2027, 3, 1), calendar=LONDON)
    assert first == datetime(2027, 3, 10, 9)
    assert next_due(rule, start=day, at=NINE, after=first, calendar=LONDON) is None


def test_a_one_off_that_fell_on_a_holiday_is_still_due_during_the_holiday():
    # Due on Christmas Day 2021 (a Saturday), so due on Wednesday 29th: asked on the Monday, it is still ahead.
    rule = Recurrence(F.ONCE)
    assert next_due(rule, start=date(2021, 12, 25), at=NINE, after=datetime(2021, 12, 27, 12),
                    calendar=LONDON) == datetime(2021, 12, 29, 9)


# Reminders: strictly later, never skipping a series date, one reminder for dates that collapse.

def test_series_dates_that_collapse_onto_one_working_day_give_one_reminder():
    # A daily series over Christmas 2021: 25 to 29 December all fall on Wednesday 29th.
    rule, start = Recurrence(F.DAILY), date(2021, 12, 20)
    assert next_due(rule, start=start, at=NINE, after=datetime(2021, 12, 24, 9), calendar=LONDON) == \
        datetime(2021, 12, 29, 9)
    assert next_due(rule, start=start, at=NINE, after=datetime(2021, 12, 29, 9), calendar=LONDON) == \
        datetime(2021, 12, 30, 9)


def test_after_a_collapsed_reminder_the_next_is_the_next_series_dates_working_day():
    # Every 3 days: Sat 25 and Tue 28 December 2021 both fall on Wed 29th; the next is Fri 31st.
    rule, start = Recurrence(F.DAILY, 3), date(2021, 12, 22)
    first = next_due(rule, start=start, at=NINE, after=datetime(2021, 12, 22, 9), calendar=LONDON)
    assert first == datetime(2021, 12, 29, 9)
    assert next_due(rule, start=start, at=NINE, after=first, calendar=LONDON) == datetime(2021, 12, 31, 9)


def test_a_date_moved_off_a_holiday_does_not_swallow_the_next_one():
    # Weekly on Mondays: Easter Monday 2027 moves to Tuesday; the Monday after still has its reminder.
    rule, start = Recurrence(F.WEEKLY), date(2027, 3, 22)
    easter = next_due(rule, start=start, at=NINE, after=datetime(2027, 3, 22, 9), calendar=LONDON)
    assert easter == LONDON.moment(date(2027, 3, 30), NINE)
    assert next_due(rule, start=start, at=NINE, after=easter, calendar=LONDON) == \
        LONDON.moment(date(2027, 4, 5), NINE)


def test_a_weekly_digest_on_a_bank_holiday_goes_out_on_the_next_working_day():
    assert next_weekly(FRI, NINE, after=datetime(2026, 12, 21), calendar=LONDON) == datetime(2026, 12, 29, 9)
    assert next_weekly(FRI, NINE, after=datetime(2026, 12, 28, 12), calendar=LONDON) == datetime(2026, 12, 29, 9)
    # Christmas Day, then New Year's Day, on a Friday: Tuesday 29 December, then Monday 4 January.
    assert next_weekly(FRI, NINE, after=datetime(2026, 12, 29, 9), calendar=LONDON) == datetime(2027, 1, 4, 9)
    assert next_weekly(FRI, NINE, after=datetime(2027, 1, 4, 9), calendar=LONDON) == datetime(2027, 1, 8, 9)
    assert next_weekly(MON, NINE, after=datetime(2026, 11, 30, 8, 59), calendar=LONDON) == datetime(2026, 11, 30, 9)
    assert next_weekly(MON, NINE, after=datetime(2026, 11, 30, 9), calendar=LONDON) == datetime(2026, 12, 7, 9)
    with pytest.raises(ValueError):
        next_weekly(7, NINE, after=datetime(2026, 11, 30), calendar=LONDON)


RULES = st.one_of(
    st.builds(Recurrence, st.sampled_from([f for f in F if f is not F.NTH_WEEKDAY]), st.integers(1, 4)),
    st.builds(Recurrence, st.just(F.NTH_WEEKDAY), st.integers(1, 3), st.sampled_from([1, 2, 3, 4, -1]),
              st.integers(0, 6)),
)
CALENDARS = st.builds(WorkingCalendar, st.sampled_from(["Europe/London", "America/New_York", "Australia/Sydney"]),
                      st.booleans())
TIMES = st.sampled_from([time(0, 30), time(1, 30), NINE, time(23, 30)])


@settings(max_examples=300, deadline=None)
@given(rule=RULES, start=st.dates(date(2020, 1, 1), date(2028, 12, 31)), at=TIMES, calendar=CALENDARS,
       k=st.integers(0, 12), offset=st.one_of(st.just(timedelta(0)), st.timedeltas(-timedelta(days=6),
                                                                                   timedelta(days=6))))
def test_the_next_reminder_is_the_first_moved_series_date_strictly_after_now(rule, start, at, calendar, k, offset):
    dates = series(rule, start, 1 if rule.frequency is F.ONCE else 20)
    moments = [calendar.moment(calendar.next_working_day(day), at) for day in dates]
    after = moments[min(k, len(moments) - 1)] + offset
    later = [moment for moment in moments if moment > after]
    due = next_due(rule, start=start, at=at, after=after, calendar=calendar)
    if later:
        assert due == min(later)  # never at or before `after`, and no series date skipped
    elif rule.frequency is F.ONCE:
        assert due is None
    else:
        assert due > after


# Rules as text: stored, read back, and shown to people.

@given(RULES)
def test_every_rule_reads_back_from_its_encoding(rule):
    text = rule.encode()
    assert Recurrence.decode(text) == rule
    assert len(text) <= 40  # the database column


def test_encodings_are_short_and_stable():
    assert Recurrence(F.WEEKLY).encode() == "weekly"
    assert Recurrence(F.MONTHLY, 2).encode() == "monthly*2"
    assert Recurrence(F.NTH_WEEKDAY, nth=-1, weekday=FRI).encode() == "nth_weekday(-1,4)"
    assert Recurrence(F.NTH_WEEKDAY, 999, -1, FRI).encode() == "nth_weekday(-1,4)*999"


@pytest.mark.parametrize("junk", [
    "", "fortnightly", "WEEKLY", " weekly", "weekly ", "weekly*0", "weekly*1", "weekly*-2", "weekly*02", "weekly*x",
    "weekly*1000", "nth_weekday", "nth_weekday(5,0)", "nth_weekday(1,7)", "nth_weekday(0,0)", "nth_weekday(-0,0)",
    "monthly(1,0)", "once(1,0)", "nth_weekday(1,0)*1", "weekly*2*2", "weekly\n", None, 7,
])
def test_decode_rejects_anything_encode_did_not_write(junk):
    with pytest.raises(ValueError):
        Recurrence.decode(junk)


@pytest.mark.parametrize("build", [
    lambda: Recurrence(F.WEEKLY, 0), lambda: Recurrence(F.WEEKLY, True), lambda: Recurrence("fortnightly"),
    lambda: Recurrence(F.NTH_WEEKDAY), lambda: Recurrence(F.NTH_WEEKDAY, nth=5, weekday=0),
    lambda: Recurrence(F.NTH_WEEKDAY, nth=1, weekday=7), lambda: Recurrence(F.MONTHLY, nth=1, weekday=0),
])
def test_a_rule_that_makes_no_sense_is_refused(build):
    with pytest.raises(ValueError):
        build()


@pytest.mark.parametrize(("rule", "english"), [
    (Recurrence(F.ONCE), "once"),
    (Recurrence(F.DAILY), "every day"),
    (Recurrence(F.DAILY, 2), "every 2 days"),
    (Recurrence(F.WEEKLY), "every week"),
    (Recurrence(F.WEEKLY, 2), "every 2 weeks"),
    (Recurrence(F.MONTHLY), "every month"),
    (Recurrence(F.MONTHLY, 3), "every 3 months"),
    (Recurrence(F.QUARTERLY), "every 3 months"),
    (Recurrence(F.QUARTERLY, 2), "every 6 months"),
    (Recurrence(F.HALF_YEARLY), "every 6 months"),
    (Recurrence(F.YEARLY), "every year"),
    (Recurrence(F.YEARLY, 2), "every 2 years"),
    (Recurrence(F.NTH_WEEKDAY, nth=1, weekday=MON), "on the first Monday of each month"),
    (Recurrence(F.NTH_WEEKDAY, nth=-1, weekday=FRI), "on the last Friday of each month"),
    (Recurrence(F.NTH_WEEKDAY, 2, 3, WED), "on the third Wednesday of every 2nd month"),
])
def test_a_rule_reads_as_english(rule, english):
    assert rule.describe() == english


def test_a_rule_given_its_frequency_as_stored_text_is_the_same_rule():
    assert Recurrence("weekly") == Recurrence(F.WEEKLY)
    assert Recurrence("weekly").describe() == "every week"
