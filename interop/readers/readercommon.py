"""Shared output helpers for the Python-based reader adapters.

Not an adapter itself. Imported by icalendar-py, vobject, khal and calcurse
(all run with /usr/bin/python3, Debian's interpreter).

Output contract (see README.md): one JSON object per VEVENT, keys in the
order uid, start, end, summary, location; sorted by uid then start (by UTF-8
bytes, i.e. code point order, a missing value sorting as ""; ties broken
by end, summary, location so the order is total); raw UTF-8,
no ASCII escaping.
"""
import datetime as _dt
import json
import sys

EXIT_ERROR = 1
EXIT_MISSING = 77


def missing(what):
    sys.stderr.write("missing: %s\n" % what)
    sys.exit(EXIT_MISSING)


def fail(messages):
    for m in messages:
        sys.stderr.write(m.rstrip("\n") + "\n")
    sys.exit(EXIT_ERROR)


def fmt_time(value):
    """datetime/date -> output string.

    aware datetime -> UTC "YYYY-MM-DDTHH:MM:SSZ"; naive (floating) datetime ->
    "YYYY-MM-DDTHH:MM:SS" without Z; date -> "YYYY-MM-DD"; None -> None.
    """
    if value is None:
        return None
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            return value.strftime("%Y-%m-%dT%H:%M:%S")
        return value.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, _dt.date):
        return value.strftime("%Y-%m-%d")
    raise TypeError("not a date/datetime: %r" % (value,))


def text(value):
    """Text property value -> str ('' when absent)."""
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("utf-8")
    return str(value)


def row(uid, start, end, summary, location):
    return {"uid": uid, "start": start, "end": end,
            "summary": summary, "location": location}


def _key(r):
    def b(v):
        return (v if v is not None else "").encode("utf-8", "surrogatepass")
    return tuple(b(r[k]) for k in ("uid", "start", "end", "summary", "location"))


def emit(rows):
    out = sys.stdout.buffer
    for r in sorted(rows, key=_key):
        line = json.dumps(r, ensure_ascii=False, separators=(",", ":"))
        out.write(line.encode("utf-8") + b"\n")
    out.flush()
