#!/usr/bin/env python3
"""The script an organiser might write instead of agendacal, with PyYAML
and python-icalendar: read the programme, write one calendar of every
session to standard output. It checks nothing and writes no VTIMEZONE
(a TZID that no VTIMEZONE in the file defines).

    python3 programme_ics.py programme.yaml > programme.ics
"""
import datetime
import sys

import pytz
import yaml
from icalendar import Calendar, Event


def clock(text):
    hours, minutes = text.strip().replace("h", ":").split(":")
    return datetime.time(int(hours), int(minutes))


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        programme = yaml.safe_load(f)
    zone = pytz.timezone(programme["timezone"])
    domain = programme.get("uid_domain", "example.org")
    cal = Calendar()
    cal.add("prodid", "-//anchor//python-icalendar//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", programme["title"])
    stamp = datetime.datetime.now(datetime.timezone.utc)
    for n, day in enumerate(programme["days"]):
        date = day["date"]
        for i, session in enumerate(day["sessions"]):
            start, end = session["time"].split("-")
            event = Event()
            event.add("uid", f"{date}-{n}-{i}@{domain}")
            event.add("dtstamp", stamp)
            event.add("dtstart", zone.localize(datetime.datetime.combine(date, clock(start))))
            event.add("dtend", zone.localize(datetime.datetime.combine(date, clock(end))))
            event.add("summary", session["title"])
            if "room" in session:
                event.add("location", session["room"])
            if "description" in session:
                event.add("description", session["description"])
            if "track" in session:
                event.add("categories", [session["track"]])
            cal.add_component(event)
    sys.stdout.buffer.write(cal.to_ical())


main()
