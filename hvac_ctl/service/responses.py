"""What API v1 answers, as OpenAPI documents it: the error bodies, once, and the typed answers.

The error models mirror what `app.problem_response`, `auth.principal` and `limits.BodyLimits`
send, so a client generated from /openapi.json can read every refusal: one `detail` sentence,
or for a 422 FastAPI's own list naming the field. `errors(...)` gives a route's `responses=`
by status code, so each router says only which refusals apply to it.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Problem(BaseModel):
    """A refusal in one sentence (401, 403, 404, 409, 413, 503)."""

    detail: str = Field(description="what was refused and why")


class FieldProblem(BaseModel):
    model_config = ConfigDict(extra="allow")  # FastAPI adds `input` and `ctx`

    loc: list[str | int] = Field(description="where: body, query, path or header, then the field")
    msg: str
    type: str


class Unprocessable(BaseModel):
    """Bad input (422): each problem names its field."""

    detail: list[FieldProblem]


ERRORS: dict[int, tuple[type[BaseModel], str, Any]] = {
    401: (Problem, "No bearer token, or an unknown or revoked one",
          {"detail": "unknown or revoked token"}),
    403: (Problem, "The token's role may not do this",
          {"detail": "role 'viewer' may not override units (operator, engineer, admin may)"}),
    404: (Problem, "No such unit, zone, event, alarm, override or calendar file",
          {"detail": "unknown zone 'foyer-9'"}),
    409: (Problem, "A conflict: another count already stored for this instant or "
          "Idempotency-Key, or an override already in force on the point",
          {"detail": "at: a count of 1840 was already pushed for tosca-2026-12-05 at "
                     "2026-12-05T19:20:00+08:00; 1850 was not stored (send it with its own "
                     "time)"}),
    413: (Problem, "The request body is over 1 MB",
          {"detail": "the request body is 2000000 bytes; at most 1000000 are allowed"}),
    422: (Unprocessable, "Bad input; each problem names its field",
          {"detail": [{"loc": ["body", "count"], "msg": "Input should be greater than or "
                       "equal to 0", "type": "greater_than_equal"}]}),
    503: (Problem, "The store refuses writes (disk full, locked); retry after Retry-After",
          {"detail": "the store is refusing writes: database or disk is full"}),
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: 401, 403, 422 and 503 always (every API v1 call looks up its
    token in the store), and the extra codes given."""
    out: dict[int | str, dict[str, Any]] = {}
    for code in sorted({401, 403, 422, 503, *codes}):
        model, description, example = ERRORS[code]
        entry: dict[str, Any] = {"model": model, "description": description,
                                 "content": {"application/json": {"example": example}}}
        if code == 503:
            entry["headers"] = {"Retry-After": {"description": "seconds to wait",
                                                "schema": {"type": "integer"}}}
        out[code] = entry
    return out


# --- typed answers ---------------------------------------------------------------------------
# `extra="allow"`: a field the use case adds later passes through rather than being dropped.


class OverrideOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    unit: str
    point: str
    value: bool | int | float | str
    start: str | None = Field(description="ISO-8601 with the venue's offset")
    until: str | None
    reason: str
    created_by: str
    ended_at: str | None
    ended_by: str | None
    active: bool
    remaining_s: int


class ReleasedOut(OverrideOut):
    released: bool
    outcome: str = Field(description="released, expired or already")
    message: str


class AlarmOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: int
    kind: str
    severity: str
    source: str
    message: str
    raised_at: str | None
    acked: bool
    acked_at: str | None
    acked_by: str | None
    active: bool
    cleared_at: str | None


class Targets(BaseModel):
    model_config = ConfigDict(extra="allow")

    phase: str
    setpoint_c: float
    outdoor_air_lps: float
    units: Any


class PushOut(BaseModel):
    """A push's answer (documentation only: the use case may add fields)."""

    model_config = ConfigDict(extra="allow")

    stored: bool = Field(description="false: the same count was already stored (a retry)")
    duplicate: bool
    event: str
    count: int
    at: str
    acted_on: int = Field(description="the count the units act on (15 % rule)")
    readjusted: bool
    zone: str | None
    targets: Targets


class SavedFile(BaseModel):
    model_config = ConfigDict(extra="allow")

    file: str
    ok: bool
    warnings: list[str] = Field(default=[], description="`file:line: key: warning: …`: valid, "
                                "but perhaps not what was meant (a pattern's show replaced)")



class HallPhase(BaseModel):
    phase: str = Field(description="the most advanced of the zones' phases: show > precool > "
                       "get_in > tour > post_show > idle")
    zones: dict[str, str | None] = Field(description="each zone of the hall → its phase now")


class NextChange(BaseModel):
    at: str = Field(description="ISO-8601 with the venue's offset")
    phase: str = Field(description="the phase the zone enters")
    zone: str
    event: str | None = Field(description="the event the phase is for, if any")


class HallOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str = Field(description="`main` for a venue without halls")
    name: str
    type: str = Field(description="separated or fused")
    phase_now: HallPhase
    next: NextChange | None = Field(description="the hall's next change of phase in the next "
                                    "24 h, from the plan (null: none)")
    alarms: int = Field(description="active alarms of the hall's zones and their units")
    zones: list[str]


class Outdoor(BaseModel):
    temp_c: float | None
    rh_pct: float | None
    dew_point_c: float | None


class GroupOut(BaseModel):
    """A public-area group; the state's fields are null while the plan has no state of it."""

    model_config = ConfigDict(extra="allow")

    id: str
    name: str
    zones: list[str]
    phase: str | None = Field(description="idle, open or crowd")
    mode: str | None = Field(description="what its units do: cool, heat, vent, dehumidify, off")
    weather_mode: str | None = Field(description="the mode the weather chose and the dwell holds")
    since: str | None = Field(description="since when the weather mode holds (ISO-8601)")
    why: str | None
    setpoint_c: float | None
    running: list[str] = Field(description="the group's units running now")
    outdoor: Outdoor


class UnitHealth(BaseModel):
    total: int
    healthy: int = Field(description="answering (online)")
    stale: int = Field(description="answered once, but not for a while")
    offline: int


class SiteOut(BaseModel):
    halls: list[HallOut]
    groups: list[GroupOut] = Field(description="the public-area groups (none: empty)")
    units: UnitHealth


PUSH_EXAMPLES: dict[str, Any] = {
    "scan": {"summary": "a box office's push at doors open",
             "value": {"event": "tosca-2026-12-05", "count": 1840,
                       "at": "2026-12-05T19:20:00+08:00"}},
    "now": {"summary": "counted now (no `at`)",
            "value": {"event": "tosca-2026-12-05", "count": 2010}},
}
OVERRIDE_EXAMPLES: dict[str, Any] = {
    "setpoint": {"summary": "hold a setpoint for 90 minutes",
                 "value": {"unit": "ahu-aud-1", "point": "setpoint", "value": 21.5,
                           "minutes": 90, "reason": "conductor asks for a cooler pit"}},
    "off_until": {"summary": "a unit off until a time",
                  "value": {"unit": "ahu-aud-3", "point": "enable", "value": False,
                            "until": "2026-12-05T23:00:00+08:00",
                            "reason": "filter change after the show"}},
}
