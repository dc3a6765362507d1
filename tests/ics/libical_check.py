"""Read calendar files with libical, outside the project's venv (run by the system's python3).

Input on stdin, JSON: {"files": [{"name": str, "ics": str, "instants": [str, ...]}]}, where
each instant is a UTC time "YYYYMMDDTHHMMSSZ". Output on stdout, JSON: for every file
  {"name", "valid": check_restrictions' answer, "errors": every X-LIC-ERROR's text,
   "methods": the METHOD, "zones": {TZID: {instant: UTC offset in seconds}},
   "starts": [every DTSTART as UTC "YYYYMMDDTHHMMSSZ", or the DATE of an all-day event]}
The offsets come from libical's own reading of the file's VTIMEZONE, the starts from its
conversion of each event's local DTSTART through that zone: the test compares both with
zoneinfo. libical is Debian's gir1.2-ical-3.0 with python3-gi; the venv cannot import gi.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import gi  # type: ignore[import-not-found]

gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib  # type: ignore[import-not-found]  # noqa: E402

Kind = ICalGLib.ComponentKind
Prop = ICalGLib.PropertyKind


def _components(component: Any) -> list[Any]:
    found = [component]
    child = component.get_first_component(Kind.ANY_COMPONENT)
    while child is not None:
        found += _components(child)
        child = component.get_next_component(Kind.ANY_COMPONENT)
    return found


def _errors(root: Any) -> list[str]:
    errors = []
    for component in _components(root):
        prop = component.get_first_property(Prop.XLICERROR_PROPERTY)
        while prop is not None:
            kind = ICalGLib.Component.kind_to_string(component.isa())
            errors.append(f"{kind}: {prop.get_value_as_string()}")
            prop = component.get_next_property(Prop.XLICERROR_PROPERTY)
    return errors


def _utc(time: Any) -> str:
    return time.as_ical_string()


def _zones(root: Any, instants: list[str]) -> dict[str, Any]:
    zones: dict[str, Any] = {}
    for component in _components(root):
        if component.isa() != Kind.VTIMEZONE_COMPONENT:
            continue
        zone = ICalGLib.Timezone.new()
        zone.set_component(component.clone())
        offsets = {}
        for instant in instants:
            offset, _ = zone.get_utc_offset_of_utc_time(ICalGLib.Time.new_from_string(instant))
            offsets[instant] = offset
        zones[zone.get_tzid()] = {"zone": zone, "offsets": offsets}
    return zones


def _starts(root: Any, zones: dict[str, Any]) -> list[str]:
    starts = []
    utc = ICalGLib.Timezone.get_utc_timezone()
    for component in _components(root):
        if component.isa() != Kind.VEVENT_COMPONENT:
            continue
        prop = component.get_first_property(Prop.DTSTART_PROPERTY)
        start = prop.get_dtstart()
        if start.is_date():
            starts.append(start.as_ical_string())
            continue
        param = prop.get_first_parameter(ICalGLib.ParameterKind.TZID_PARAMETER)
        tzid = param.get_tzid() if param is not None else None
        if tzid not in zones:
            starts.append(f"no VTIMEZONE for TZID {tzid}")
            continue
        start.set_timezone(zones[tzid]["zone"])
        starts.append(start.convert_to_zone(utc).as_ical_string())
    return starts


def check(name: str, ics: str, instants: list[str]) -> dict[str, Any]:
    root = ICalGLib.Component.new_from_string(ics)
    if root is None:
        return {"name": name, "valid": 0, "errors": ["libical could not parse the file"]}
    valid = root.check_restrictions()
    zones = _zones(root, instants)
    method = root.get_first_property(Prop.METHOD_PROPERTY)
    return {
        "name": name,
        "valid": valid,
        "errors": _errors(root),
        "method": method.get_value_as_string() if method is not None else None,
        "zones": {tzid: zone["offsets"] for tzid, zone in zones.items()},
        "starts": _starts(root, zones),
    }


def main() -> None:
    request = json.load(sys.stdin)
    answers = [check(f["name"], f["ics"], f.get("instants", [])) for f in request["files"]]
    json.dump(answers, sys.stdout)


if __name__ == "__main__":
    main()
