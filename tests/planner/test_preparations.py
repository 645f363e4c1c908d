"""preparations: the site's busiest evening (curtains at 19:30 in all four halls) planned
against the plant — under a cap that each precool alone would break, the planned demand
stays under it at every minute and no precool starts later than its own optimal start; a
cap nothing can hold is exceeded, the curtains win and the outlook says by how much."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hvac_ctl.config import load_config
from hvac_ctl.model import Config
from hvac_ctl.planner import PlanInputs
from hvac_ctl.planner.plan import Planner
from tests.harness import ROOT, SINGLE_HALL, local
from tests.site import with_plant as site_with_plant

SITE = load_config(ROOT)
DAY = date(2027, 7, 3)
SUMMER = PlanInputs(outdoor_temp_c=32.0, outdoor_air_c=32.0, outdoor_rh_pct=50.0)
EVENING = (local("2027-07-03 16:00"), local("2027-07-03 19:00"))


def with_plant(**update: object) -> Config:
    return site_with_plant(SITE, **update)


def demand(planner: Planner) -> list[tuple[datetime, float]]:
    out, t = [], EVENING[0]
    while t < EVENING[1]:
        plant = planner.state_at(t).plant
        assert plant is not None
        out.append((t, plant.electric_kw))
        t += timedelta(minutes=1)
    return out


def evening(planner: Planner):  # type: ignore[no-untyped-def]
    return next(e for e in planner.evenings if e.outlook.start <= EVENING[1] - timedelta(
        minutes=1) < e.outlook.end and e.outlook.end.date() == DAY)


def test_under_a_cap_the_evening_breaks_alone_the_plan_holds_it_every_minute() -> None:
    alone = Planner(with_plant(peak_cap_kw=650, coordinate_precool=False), SUMMER, DAY, DAY)
    ours = Planner(with_plant(peak_cap_kw=650), SUMMER, DAY, DAY)
    assert max(kw for _, kw in demand(alone)) > 650
    assert evening(alone).outlook.over_kw > 0 and "650 kW" in evening(alone).outlook.why
    peak = max(demand(ours), key=lambda p: p[1])
    assert peak[1] <= 650, peak
    o = evening(ours).outlook
    assert o.over_kw == 0 and o.peak_kw <= 650 and o.coordinated
    assert len(o.prepared) == 10  # every hall's precools, planned together
    assert all(p.start <= p.own_start for p in o.prepared)  # curtains: never later
    assert any(p.start < p.own_start for p in o.prepared)
    # the claims follow: each zone's precool begins at the chosen start
    for p in o.prepared:
        claim = ours.claims.active(p.zone, p.start)
        assert claim is not None and claim.phase == "precool", p


def test_a_cap_nothing_holds_is_exceeded_the_curtains_win_and_the_outlook_says() -> None:
    own = Planner(with_plant(coordinate_precool=False), SUMMER, DAY, DAY)
    ours = Planner(with_plant(peak_cap_kw=300), SUMMER, DAY, DAY)
    o = evening(ours).outlook
    assert o.over_kw > 0 and "peak_cap_kw 300 kW" in o.why and "curtains win" in o.why
    starts = {(p.event_id, p.zone): p.start for p in evening(own).outlook.prepared}
    assert all(p.start <= starts[(p.event_id, p.zone)] for p in o.prepared)


def test_a_heating_season_pull_asks_nothing_of_the_chillers() -> None:
    winter = Planner(SITE, PlanInputs(outdoor_temp_c=-5.0, outdoor_air_c=-5.0),
                     date(2027, 1, 16), date(2027, 1, 16))
    assert winter.claims.shows and any(s.precooled for s in winter.claims.shows.values())
    assert winter.evenings == []  # every precool pulls up to a warmer target
    # and a plan without a plant has no preparations at all
    assert Planner(load_config(SINGLE_HALL), SUMMER, DAY, DAY).evenings == []
