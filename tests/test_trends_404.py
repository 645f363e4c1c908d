"""A trend of a unit or a point the venue does not have is a 404 naming it, not an empty
series that looks like a sensor that never reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.harness import run, service

pytestmark = pytest.mark.e2e


def test_an_unknown_unit_or_point_is_a_404_naming_it(tmp_path: Path) -> None:
    async def body() -> None:
        async with service(tmp_path) as s:
            v = s.auth("viewer")
            await s.step(2)
            ok = await s.http.get("/api/v1/trends", headers=v,
                                  params={"unit": "ahu-aud-1", "point": "zone_temp"})
            assert ok.status_code == 200 and ok.json()["samples"]
            unit = await s.http.get("/api/v1/trends", headers=v,
                                    params={"unit": "ahu-nowhere", "point": "zone_temp"})
            assert unit.status_code == 404 and "ahu-nowhere" in unit.text
            point = await s.http.get("/api/v1/trends", headers=v,
                                     params={"unit": "ahu-aud-1", "point": "zone_tmp"})
            assert point.status_code == 404, point.text
            assert "zone_tmp" in point.text and "ahu-aud-1" in point.text
            assert "zone_temp" in point.text  # what it has, to correct the typo
            csv = await s.http.get("/api/v1/trends", headers=v, params={
                "unit": "ahu-aud-1", "point": "nope", "format": "csv"})
            assert csv.status_code == 404 and "nope" in csv.text

    run(body())
