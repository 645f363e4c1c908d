"""The alarm conditions and their book, on the plan and measurements alone."""

from __future__ import annotations

from datetime import timedelta

from drivers.base import State
from hvac_ctl.control.alarms import AlarmBook, AlarmSettings, Watch, conditions, precool_missed
from hvac_ctl.planner import Override, PlanInputs, ZoneMeasurement, plan_at
from tests.harness import local, summer

SETTINGS = AlarmSettings(out_of_band_after=timedelta(minutes=15))


def kinds(config, at, temp_c=24.0, co2=600.0, overrides=(), watch=None) -> set[str]:
    state = plan_at(config, at, PlanInputs())
    m = {"auditorium": ZoneMeasurement(at, temp_c, 50.0, co2, True)}
    return {c.kind for c in conditions(config, at, state, m, {"ahu-pit": State.online}, {},
                                       list(overrides), watch or Watch(), SETTINGS)}


def test_a_zone_out_of_its_band_alarms_only_after_n_minutes(make_config) -> None:
    cfg = summer(make_config)
    watch = Watch()
    t0 = local("2027-07-10 20:00")  # in the show: setpoint ≈ 23.6 °C, band ± 1.5 K
    assert "zone_out_of_band" not in kinds(cfg, t0, 27.0, watch=watch)
    assert "zone_out_of_band" not in kinds(cfg, t0 + timedelta(minutes=14), 27.0, watch=watch)
    assert "zone_out_of_band" in kinds(cfg, t0 + timedelta(minutes=15), 27.0, watch=watch)
    assert "zone_out_of_band" not in kinds(cfg, t0 + timedelta(minutes=16), 24.0, watch=watch)
    # back out: the N minutes start again
    assert "zone_out_of_band" not in kinds(cfg, t0 + timedelta(minutes=17), 27.0, watch=watch)


def test_the_out_of_band_text_is_in_the_venues_local_time(make_config) -> None:
    cfg = summer(make_config)
    watch = Watch()
    t0 = local("2027-07-10 20:05")  # 12:05 UTC: operators at the venue read 20:05
    at = t0 + timedelta(minutes=15)
    state = plan_at(cfg, at, PlanInputs())
    found = []
    for t in (t0, at):
        m = {"auditorium": ZoneMeasurement(t, 27.0, 50.0, 600.0, True)}
        found = conditions(cfg, t, state, m, {}, {}, [], watch, SETTINGS)
    text = next(c.message for c in found if c.kind == "zone_out_of_band")
    assert "since 20:05 (show)" in text and "UTC" not in text, text


def test_co2_above_the_limit_alarms_while_people_are_in(make_config) -> None:
    cfg = summer(make_config)

    def sustained(at: str, co2: float) -> set[str]:  # for the two minutes an alarm waits
        watch = Watch()
        kinds(cfg, local(at) - timedelta(minutes=2), co2=co2, watch=watch)
        return kinds(cfg, local(at), co2=co2, watch=watch)

    assert "co2_high" in sustained("2027-07-10 20:00", 1100)
    assert "co2_high" not in sustained("2027-07-10 20:00", 990)
    assert "co2_high" not in sustained("2027-07-10 04:00", 1100)  # empty hall


def test_an_override_about_to_end_in_a_show_is_announced(make_config) -> None:
    cfg = summer(make_config)
    at = local("2027-07-10 20:00")
    ending = Override("o1", "ahu-aud-1", "fan_speed_max", 60.0, at - timedelta(hours=1),
                      at + timedelta(minutes=10))
    later = Override("o2", "ahu-aud-1", "fan_speed_max", 60.0, at, at + timedelta(hours=1))
    assert "override_expiring" in kinds(cfg, at, overrides=[ending])
    assert "override_expiring" not in kinds(cfg, at, overrides=[later])
    idle = local("2027-07-10 04:00")  # no show: nobody to disturb
    assert "override_expiring" not in kinds(cfg, idle, overrides=[Override(
        "o3", "ahu-aud-1", "fan_speed_max", 60.0, idle, idle + timedelta(minutes=5))])


def test_precool_missed_and_device_offline(make_config) -> None:
    assert precool_missed("auditorium", "aida", 23.9, 23.3) is not None
    assert precool_missed("auditorium", "aida", 23.7, 23.3) is None
    cfg = summer(make_config)
    at = local("2027-07-10 20:00")
    out = conditions(cfg, at, None, {}, {"ahu-pit": State.offline}, {}, [], Watch(), SETTINGS)
    assert [(c.kind, c.source, c.severity) for c in out] == [
        ("device_offline", "ahu-pit", "major")]


def test_the_book_raises_once_and_clears_once(make_config) -> None:
    cfg = summer(make_config)
    at = local("2027-07-10 20:00")
    offline = conditions(cfg, at, None, {}, {"ahu-pit": State.offline}, {}, [], Watch(),
                         SETTINGS)
    book = AlarmBook()
    raised, cleared = book.update(at, offline)
    assert len(raised) == 1 and not cleared
    assert book.update(at + timedelta(minutes=1), offline) == ([], [])
    a, acked = book.ack(raised[0].id, at, "opera")
    assert acked and a is not None and a.acked_by == "opera" and raised[0].key in book.active
    assert book.ack(raised[0].id, at, "vera") == (a, False)  # once; the first one stands
    assert a.acked_by == "opera"
    raised2, cleared2 = book.update(at + timedelta(minutes=2), [])
    assert not raised2 and [c.id for c in cleared2] == [raised[0].id]
    assert cleared2[0].cleared_at == at + timedelta(minutes=2)


def test_a_new_book_never_reuses_the_id_of_an_alarm_in_the_history(make_config) -> None:
    """After a restart only the open alarms are loaded: ids must continue after the highest
    ever given, or a new alarm overwrites a cleared one's row in the store."""
    cfg = summer(make_config)
    at = local("2027-07-10 20:00")
    offline = conditions(cfg, at, None, {}, {"ahu-pit": State.offline}, {}, [], Watch(),
                         SETTINGS)
    book = AlarmBook(last_id=7)
    raised, _ = book.update(at, offline)
    assert raised[0].id == 8


def test_the_store_knows_the_last_alarm_id_cleared_ones_included(store_url: str) -> None:
    from hvac_ctl.control.alarms import Alarm
    from hvac_ctl.store import Store

    store = Store(store_url)
    store.migrate()
    at = local("2027-07-10 20:00")
    store.write_batch(alarms=[Alarm(3, "a", "device_offline", "major", "ahu-pit", "m", at),
                              Alarm(9, "b", "co2_high", "major", "auditorium", "m", at,
                                    cleared_at=at)])
    assert store.last_alarm_id() == 9
    assert [r.id for r in store.alarms(open_only=True)] == [3]
    store.close()


def test_a_relaxed_phase_is_out_of_band_around_its_band_not_its_setpoint(config) -> None:
    """A summer tour cools to 25 °C and heats from 22.5 °C: at 23 °C it is where it should be;
    at 20.9 °C, 1.6 K under its heating setpoint, for 15 min it is out."""
    from datetime import timedelta

    from hvac_ctl.control.alarms import AlarmSettings, Watch, conditions
    from hvac_ctl.planner import PlanInputs, ZoneMeasurement, plan_at
    from tests.harness import local

    at = local("2027-06-02 10:30")  # no calendar event that day in the shipped one: make one
    state = plan_at(config, at, PlanInputs())
    zs = state.zones["auditorium"]
    tour = type(zs)(zs.zone, "tour", "t", zs.season, "cool", 25.0, 40.0, 0.0, "tour",
                    (22.5, 25.0))
    state = type(state)(at, {**state.zones, "auditorium": tour}, state.units)
    watch = Watch()

    def kinds(temp: float, when) -> list[str]:
        m = {"auditorium": ZoneMeasurement(when, temp, 50.0, 600.0, True)}
        return [c.kind for c in conditions(config, when, state, m, {}, {}, [], watch,
                                           AlarmSettings())]

    assert kinds(23.0, at) == [] and kinds(23.0, at + timedelta(minutes=20)) == []
    assert kinds(20.9, at) == []
    assert kinds(20.9, at + timedelta(minutes=15)) == ["zone_out_of_band"]


def test_a_small_heating_shortfall_is_not_called_0_kw(make_config) -> None:
    from dataclasses import replace
    from types import MappingProxyType

    cfg = summer(make_config)
    at = local("2027-07-10 20:00")
    state = plan_at(cfg, at, PlanInputs())
    for kw, text in ((0.3, "short by 0.3 kW"), (83.0, "short by 83 kW")):
        zones = dict(state.zones)
        zones["auditorium"] = replace(zones["auditorium"], shortfall_kw=kw)
        small = replace(state, zones=MappingProxyType(zones))
        watch = Watch()  # short for the five minutes the alarm waits
        conditions(cfg, at - timedelta(minutes=5), small, {}, {}, {}, [], watch, SETTINGS)
        found = [c.message for c in conditions(cfg, at, small, {}, {}, {}, [], watch, SETTINGS)
                 if c.kind == "heating_shortfall"]
        assert len(found) == 1 and text in found[0], found


def co2_kinds(cfg, at, co2: float, watch: Watch) -> set[str]:
    return kinds(cfg, at, co2=co2, watch=watch)


def test_co2_alarms_only_after_two_minutes_past_the_limit(make_config) -> None:
    """A CO2 reading over the limit for a minute (a door, a crowd in the aisle) raises
    nothing; two minutes running does."""
    cfg = summer(make_config)
    t0 = local("2027-07-10 20:00")
    watch = Watch()
    assert "co2_high" not in co2_kinds(cfg, t0, 1040, watch)
    assert "co2_high" not in co2_kinds(cfg, t0 + timedelta(minutes=1), 1040, watch)
    assert "co2_high" not in co2_kinds(cfg, t0 + timedelta(minutes=2), 900, watch)  # a spike
    # back over: the two minutes start again
    assert "co2_high" not in co2_kinds(cfg, t0 + timedelta(minutes=3), 1040, watch)
    assert "co2_high" not in co2_kinds(cfg, t0 + timedelta(minutes=4), 1040, watch)
    assert "co2_high" in co2_kinds(cfg, t0 + timedelta(minutes=5), 1040, watch)


def test_a_co2_alarm_clears_only_50_ppm_under_the_limit(make_config) -> None:
    cfg = summer(make_config)
    t0 = local("2027-07-10 20:00")
    watch = Watch()
    for k in range(3):
        found = co2_kinds(cfg, t0 + timedelta(minutes=k), 1020, watch)
    assert "co2_high" in found
    for k in range(3, 8):  # hovering just under the limit: still an alarm, not a flicker
        assert "co2_high" in co2_kinds(cfg, t0 + timedelta(minutes=k), 990, watch)
    assert "co2_high" not in co2_kinds(cfg, t0 + timedelta(minutes=8), 940, watch)
    # cleared: a new crossing waits its two minutes again
    assert "co2_high" not in co2_kinds(cfg, t0 + timedelta(minutes=9), 1020, watch)


def test_the_venue_sets_the_co2_delay_and_deadband(make_config) -> None:
    from hvac_ctl.config import parse_config
    from hvac_ctl.config.loader import SEASONS, ZONES
    from tests.harness import SINGLE_HALL, SUMMER_SHOW

    zones = (SINGLE_HALL / ZONES).read_text().replace(
        "  egress_min: 20", "  alarms: {co2_after_min: 0, co2_clear_ppm: 0}\n  egress_min: 20")
    assert "co2_after_min" in zones
    cfg = parse_config({ZONES: zones, SEASONS: (SINGLE_HALL / SEASONS).read_text(),
                        "schedules/calendar/test.yaml": SUMMER_SHOW % {
                            "n": 2000, "live": "true", "lights": "false"}})
    t0 = local("2027-07-10 20:00")
    watch = Watch()
    assert "co2_high" in co2_kinds(cfg, t0, 1020, watch)  # at once
    assert "co2_high" not in co2_kinds(cfg, t0 + timedelta(minutes=1), 990, watch)


def test_an_out_of_band_alarm_clears_half_a_kelvin_inside_the_band(make_config) -> None:
    cfg = summer(make_config)
    watch = Watch()
    t0 = local("2027-07-10 20:00")  # in the show: setpoint ≈ 23.6 °C, band ± 1.5 K
    state = plan_at(cfg, t0, PlanInputs())
    hi = state.zones["auditorium"].setpoint_c + 1.5
    for k in (0, 15):
        found = kinds(cfg, t0 + timedelta(minutes=k), hi + 1.0, watch=watch)
    assert "zone_out_of_band" in found
    assert "zone_out_of_band" in kinds(cfg, t0 + timedelta(minutes=16), hi - 0.3, watch=watch)
    assert "zone_out_of_band" not in kinds(cfg, t0 + timedelta(minutes=17), hi - 0.6,
                                           watch=watch)


def test_a_heating_shortfall_alarms_after_five_minutes(make_config) -> None:
    from dataclasses import replace
    from types import MappingProxyType

    cfg = summer(make_config)
    t0 = local("2027-07-10 20:00")
    state = plan_at(cfg, t0, PlanInputs())
    zones = dict(state.zones)
    zones["auditorium"] = replace(zones["auditorium"], shortfall_kw=12.0)
    short = replace(state, zones=MappingProxyType(zones))
    watch = Watch()

    def found(at, st) -> bool:
        return any(c.kind == "heating_shortfall" for c in conditions(
            cfg, at, st, {}, {}, {}, [], watch, SETTINGS))

    assert not found(t0, short)
    assert not found(t0 + timedelta(minutes=4), short)
    assert found(t0 + timedelta(minutes=5), short)
    assert not found(t0 + timedelta(minutes=6), state)  # none short: cleared


def test_an_override_set_in_a_show_for_the_warning_window_is_not_announced_at_once(
        make_config) -> None:
    """A 15-minute override set during a show said "ends in 14 min" the minute it was set:
    whoever set it chose its end. One set for longer is announced once it is that close."""
    cfg = summer(make_config)
    at = local("2027-07-10 20:00")
    short = Override("o4", "ahu-aud-1", "fan_speed_max", 60.0, at, at + timedelta(minutes=15))
    for k in range(15):
        assert "override_expiring" not in kinds(cfg, at + timedelta(minutes=k),
                                                overrides=[short])
    longer = Override("o5", "ahu-aud-1", "fan_speed_max", 60.0, at, at + timedelta(minutes=40))
    assert "override_expiring" not in kinds(cfg, at + timedelta(minutes=24), overrides=[longer])
    assert "override_expiring" in kinds(cfg, at + timedelta(minutes=25), overrides=[longer])
    book = AlarmBook()
    raised = []
    for k in range(25, 40):  # once, however many ticks it stays that close
        t = at + timedelta(minutes=k)
        state = plan_at(cfg, t, PlanInputs())
        r, _ = book.update(t, conditions(cfg, t, state, {}, {}, {}, [longer], Watch(), SETTINGS))
        raised += r
    assert [a.kind for a in raised] == ["override_expiring"]


def test_a_fused_halls_stage_out_of_band_with_its_audience_in_is_a_named_conflict() -> None:
    from tests.site_venue import site_config

    site = site_config()
    t0 = local("2027-04-13 20:00")  # the concert: the audience leads, the stage follows

    def found(watch: Watch, at, stage_c: float, audience_c: float) -> list[str]:
        state = plan_at(site, at, PlanInputs(outdoor_air_c=20.0))
        aud = state.zones["concert-auditorium"].setpoint_c
        m = {"concert-stage": ZoneMeasurement(at, stage_c, 50.0, 600.0, True),
             "concert-auditorium": ZoneMeasurement(at, aud + audience_c, 50.0, 600.0, True)}
        return [c.message for c in conditions(site, at, state, m, {}, {}, [], watch, SETTINGS)
                if c.kind == "fused_conflict"]

    watch = Watch()
    assert found(watch, t0, 30.0, 0.0) == []  # not yet: the out-of-band delay
    (msg,) = found(watch, t0 + timedelta(minutes=15), 30.0, 0.0)
    assert msg.startswith("Concert hall: concert-stage at 30.0 °C is outside its band")
    assert "while concert-auditorium" in msg and "share one air volume" in msg
    # both out of band: no conflict between them (each zone alarms on its own)
    both = Watch()
    assert found(both, t0, 30.0, 4.0) == []
    assert found(both, t0 + timedelta(minutes=20), 30.0, 4.0) == []
    assert found(watch, t0 + timedelta(minutes=21), 22.0, 0.0) == []  # the stage is back


def lobby_alarms(t0, steps) -> None:  # type: ignore[no-untyped-def]
    """The test site's lobby measured at `temp` at each (minutes after t0, temp, whether it
    is then out of its band's alarm), on one Watch."""
    from tests.site_venue import site_config

    site = site_config()
    watch = Watch()
    for minutes, temp, expected in steps:
        at = t0 + timedelta(minutes=minutes)
        state = plan_at(site, at, PlanInputs(outdoor_air_c=20.0))
        m = {"lobby": ZoneMeasurement(at, temp, 50.0, 600.0, True)}
        found = {c.source for c in conditions(site, at, state, m, {}, {}, [], watch, SETTINGS)
                 if c.kind == "zone_out_of_band"}
        assert ("lobby" in found) is expected, (minutes, temp)


def test_a_public_area_open_outside_its_groups_band_alarms() -> None:
    lobby_alarms(local("2027-04-13 11:00"),  # the foyer is open: its band 20–26 °C
                 ((0, 27.5, False), (15, 27.5, True), (16, 23.0, False)))


def test_a_closed_public_area_is_judged_by_its_groups_idle_band() -> None:
    """The group protects 16–30 °C when closed (the season's `public.idle_band_c`); the
    zone's own idle band (18–27 here) is not what its units hold, so not what alarms."""
    lobby_alarms(local("2027-04-13 03:00"),
                 ((0, 17.0, False), (20, 17.0, False), (21, 15.0, False), (36, 15.0, True)))
