"""Patrol in the briefing pack: costs of the hours planned, the same window for the
busiest times and the visits, and month-only data that have no patrol times."""

from __future__ import annotations

import re
import warnings

import pytest
from pypdf import PdfReader

import hotspot as hs
from hotspot.exceptions import DataQualityWarning
from hotspot.respond.evidence import load_catalogue
from hotspot.respond.interventions import PRICE_YEAR, _Money
from hotspot.respond.planning import costed_patrol


def _pages(path) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in PdfReader(str(path)).pages]


@pytest.fixture(scope="module")
def chicago():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inc = hs.datasets.load_sample("chicago_assaults")
        districts = hs.datasets.load_sample("chicago_districts")
    area = districts[districts["district"].astype(str) == "11"].to_crs(inc.crs)
    return inc, area


@pytest.fixture(scope="module")
def d11_pack(chicago, tmp_path_factory):
    inc, area = chicago
    path = tmp_path_factory.mktemp("d11") / "d11.pdf"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        hs.briefing(inc, path, area=area, area_name="District 11",
                    period=("2012-04-01", "2013-07-31"), officer_hours_per_week=20,
                    random_state=0)
    return _pages(path)


def _catalogue_rate_usd() -> float:
    """The catalogue's officer-hour cost in USD at the scores' price year."""
    cat = load_catalogue()
    cost = cat.loc["hot_spots_patrol", "cost"]
    money = _Money("USD", cat.attrs["fx"], PRICE_YEAR)
    return float(cost["officer_hour_cost"]) * money.factor(cost["currency"], cost["year"])


def test_d11_printed_patrol_cost_is_planned_hours_times_rate(d11_pack):
    rate = _catalogue_rate_usd()
    method = " ".join(p for p in d11_pack if "Method notes" in p)
    printed_rate = float(re.search(r"= USD ([\d.]+) an hour", method).group(1))
    assert printed_rate == pytest.approx(rate, abs=0.005)
    assert "GBP 36.51 an hour (2014)" in method
    checked, costs = 0, set()
    for page in d11_pack:
        plan = re.search(r"Patrol: (\d+) visits a week of about (\d+) minutes "
                         r"\(([\d.]+) officer-hours\)", page)
        cost = re.search(r"Short patrol visits[^.]*?USD ([\d,]+) a year for ([\d.]+) "
                         r"officer-hours a week", page)
        if not plan:
            continue
        assert cost, page[:200]
        visits, minutes, hours = int(plan[1]), int(plan[2]), float(plan[3])
        assert float(cost[2]) == hours  # the hours costed are the hours planned
        planned = visits * minutes / 60.0
        assert float(cost[1].replace(",", "")) == pytest.approx(planned * 52 * rate, abs=1)
        checked += 1
        costs.add(cost[1])
    assert checked >= 3
    assert len(costs) > 1  # not one fixed block's cost at every place


def test_d11_visits_fall_in_the_busiest_times_printed(d11_pack):
    checked = 0
    for page in d11_pack:
        busiest = re.search(r"Busiest: [A-Za-z, ]+ (\d\d):00-(\d\d):00", page)
        visits = re.search(r"Visit at: ([^.]*)\.", page)
        if not (busiest and visits):
            continue
        h0, h1 = int(busiest[1]), int(busiest[2])
        width = (h1 - h0) % 24 or 24
        for hh in re.findall(r"(\d\d):\d\d", visits[1]):
            assert (int(hh) - h0) % 24 < width, (busiest[0], visits[1])
        checked += 1
    assert checked >= 3


def test_costed_patrol_prices_the_plan_and_keeps_the_rest(chicago):
    inc, area = chicago
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        hot = hs.hotspots(inc[inc.within(area.union_all())]).head(6)
        scores = hs.score_interventions(inc, hot, interventions=["hot_spots_patrol"],
                                        simulations=200, random_state=0)
        weekly = hs.patrol_plan(inc, hot, officer_hours_per_week=3, random_state=0)
    before = scores.copy()
    out = costed_patrol(scores, weekly)
    assert scores.equals(before)  # the input is not changed
    planned = weekly.groupby("hotspot_id")["duration_min"].sum() / 60.0
    rate = _catalogue_rate_usd()
    for _, row in out.iterrows():
        hours = planned.get(row["hotspot_id"])
        if hours is None:  # not visited: the whole 8-hour block, 7 officer-hours a week
            assert row["officer_hours_per_week"] == pytest.approx(7.0)
        else:
            assert row["officer_hours_per_week"] == pytest.approx(hours)
        assert row["annual_cost"] == pytest.approx(row["officer_hours_per_week"] * 52 * rate)
        assert row["officer_hour_rate"] == pytest.approx(rate)
    assert len(planned) < len(hot)  # both kinds of place were checked


@pytest.fixture(scope="module")
def west_yorkshire():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return hs.datasets.load_sample("west_yorkshire")


def test_month_only_data_say_there_are_no_patrol_times(west_yorkshire, tmp_path):
    hot = hs.hotspots(west_yorkshire).head(5)
    with pytest.warns(DataQualityWarning, match="the data give only the month") as rec:
        weekly = hs.patrol_plan(west_yorkshire, hot, officer_hours_per_week=20)
    assert len(weekly) == 0
    assert not any("patrol_hours_per_day" in str(w.message) for w in rec)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = hs.briefing(west_yorkshire, tmp_path / "wy.pdf", top=3, previous=False,
                          officer_hours_per_week=20)
    cover = _pages(out)[0]
    assert "No patrol times: the data give only the month" in cover
    assert "each place's page" not in cover and "hours still open" not in cover
