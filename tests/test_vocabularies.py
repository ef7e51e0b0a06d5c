"""Offence and place-type vocabularies (hotspot.ingest.vocabularies)."""

import logging

import numpy as np
import pandas as pd
import pytest

from hotspot.exceptions import InvalidInputError
from hotspot.ingest.vocabularies import (
    OFFENCE_GROUPS,
    SETTING_GROUPS,
    offence_group,
    setting_group,
    unmapped_values,
    vocabulary_version,
)
from hotspot.respond import evidence


@pytest.mark.parametrize(("name", "group"), [
    ("Break and Enter", "burglary"),
    ("BREAK AND ENTER - RESIDENTIAL/OTHER", "burglary"),
    ("Auto Theft", "vehicle"),
    ("Theft of Vehicle", "vehicle"),
    ("Theft from Vehicle", "vehicle"),
    ("Vehicle Collision or Pedestrian Struck (with Injury)", "other"),
    ("Violence and sexual offences", "violence"),
    ("Anti-social behaviour", "disorder"),
    ("Criminal damage and arson", "criminal_damage"),
    ("Possession of weapons", "other"),
    ("Theft Over", "property"),
    ("Mischief", "criminal_damage"),
    ("MOTOR VEHICLE THEFT", "vehicle"),
    ("CRIM SEXUAL ASSAULT", "sexual"),
    ("Sexual Assault", "sexual"),
    ("Aggravated Assault", "violence"),
    ("Burglary/Breaking & Entering", "burglary"),
    ("Larceny/Theft Offenses", "property"),
    ("DECEPTIVE PRACTICE", "property"),
    ("personal robbery", "robbery"),
    ("ROBO DE VEHÍCULO DE SERVICIO PARTICULAR CON VIOLENCIA", "robbery"),
    ("Drug/Narcotic Violations", "drugs"),
])
def test_offence_terms_of_many_countries(name, group):
    assert offence_group(name) == group


@pytest.mark.parametrize(("name", "group"), [
    ("Outside", "street"),
    ("street", "street"),
    ("SIDEWALK", "street"),
    ("GAS STATION", "commercial"),
    ("RESIDENCE-GARAGE", "residence"),
    ("PARKING LOT/GARAGE(NON.RESID.)", "car_park"),
    ("Apartment", "residence"),
    ("CTA BUS", "transport"),
    ("Transit", "transport"),
    ("SCHOOL, PUBLIC, GROUNDS", "other"),
    ("green space", "open_space"),
    ("PARK PROPERTY", "open_space"),
    ("Commercial", "commercial"),
    ("BAR OR TAVERN", "commercial"),
    ("business", "commercial"),
    ("police station", "other"),
    ("VEHICLE NON-COMMERCIAL", "vehicle"),
])
def test_setting_terms(name, group):
    assert setting_group(name) == group


def test_scalar_series_and_missing_values():
    assert offence_group("Burglary") == "burglary"
    assert isinstance(offence_group("Burglary"), str)
    assert offence_group(None) is pd.NA
    s = pd.Series(["Robbery", None, "robbery"], index=[10, 11, 12], name="crime")
    out = offence_group(s)
    assert out.index.tolist() == [10, 11, 12]
    assert out.name == "crime"
    assert out.iloc[0] == "robbery" and out.isna().iloc[1]
    cat = pd.Series(pd.Categorical(["Burglary", "Drugs"]))
    assert offence_group(cat).tolist() == ["burglary", "drugs"]
    assert set(offence_group(np.array(["a", "b"]))) <= set(OFFENCE_GROUPS)


def test_unmapped_values_are_reported_with_counts(caplog):
    with caplog.at_level(logging.WARNING, logger="hotspot"):
        out = offence_group(["Zorblat", "Zorblat", "Robbery", "Quux"])
    assert out.tolist() == ["other", "other", "robbery", "other"]
    assert unmapped_values(out) == {"Zorblat": 2, "Quux": 1}
    assert out.attrs["hotspot"]["offence_group"]["unmapped"] == {"Zorblat": 2, "Quux": 1}
    assert "Zorblat' (2)" in caplog.text and "groups=" in caplog.text
    # explicit "other" terms are mapped, not reported
    assert unmapped_values(offence_group(["Other crime"])) == {}


def test_user_mappings_come_first_and_are_checked():
    out = offence_group(["Vol à la tire", "Break and Enter"],
                        groups={"vol a la tire": "property", "Break and Enter": "robbery"})
    assert out.tolist() == ["property", "robbery"]
    assert setting_group("Lobby", groups={"LOBBY": "residence"}) == "residence"
    with pytest.raises(InvalidInputError, match="one of"):
        offence_group(["x"], groups={"x": "burglaries"})
    with pytest.raises(InvalidInputError, match="dict"):
        offence_group(["x"], groups=["x"])


def test_unhashable_values_get_a_clear_error():
    with pytest.raises(InvalidInputError, match="explode"):
        offence_group(pd.Series([["Burglary"], ["Robbery"]]))
    with pytest.raises(InvalidInputError, match="name"):
        setting_group({"a": 1})


def test_evidence_reexports_and_version():
    assert evidence.offence_group is offence_group
    assert evidence.setting_group is setting_group
    assert set(evidence.SETTINGS) == set(SETTING_GROUPS)
    assert vocabulary_version() == "2026.3"


@pytest.mark.shared_data
def test_real_vocabularies_are_fully_mapped(shared_data):
    wy = pd.read_csv(next((shared_data / "west_yorkshire").glob("*.csv.gz")))
    out = offence_group(wy["Crime type"])
    assert unmapped_values(out) == {}
    assert (out[wy["Crime type"] == "Violence and sexual offences"] == "violence").all()
    chi = pd.read_csv(shared_data / "chicago" / "chicago_aggravated_assaults_2010_2019.csv.gz",
                      usecols=["loc_cat"])
    assert unmapped_values(setting_group(chi["loc_cat"])) == {}
