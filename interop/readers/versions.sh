#!/usr/bin/env bash
# Print one line per reader adapter: "<reader> <version> (<package> <packaged version>)".
# "missing" when the reader is not installed (see scripts/install-interop.sh).
set -u
here=$(cd "$(dirname "$0")" && pwd)
interop=$(cd "$here/.." && pwd)

deb() { # Debian package version or "missing"
    local v
    v=$(dpkg-query -W -f='${Version}' "$1" 2>/dev/null) && [ -n "$v" ] && echo "$v" || echo missing
}
line() { printf '%-15s %s\n' "$1" "$2"; }

icaljs_pkg="$interop/node/node_modules/ical.js/package.json"
if [ -f "$icaljs_pkg" ] && command -v node >/dev/null 2>&1; then
    v=$(node -p "require(process.argv[1]).version" "$icaljs_pkg")
    line icaljs "$v (npm ical.js; node $(node --version))"
else
    line icaljs "missing (npm ical.js)"
fi

if command -v pkg-config >/dev/null 2>&1 && pkg-config --exists libical; then
    line libical "$(pkg-config --modversion libical) (Debian libical3 $(deb libical3))"
else
    line libical "missing (Debian libical-dev)"
fi

if v=$(/usr/bin/python3 -c 'import icalendar; print(icalendar.__version__)' 2>/dev/null); then
    line icalendar-py "$v (Debian python3-icalendar $(deb python3-icalendar); pytz $(deb python3-tz))"
else
    line icalendar-py "missing (Debian python3-icalendar)"
fi

if /usr/bin/python3 -c 'import vobject, dateutil' 2>/dev/null; then
    du=$(/usr/bin/python3 -c 'import dateutil; print(dateutil.__version__)')
    line vobject "$(deb python3-vobject) (Debian python3-vobject; dateutil $du)"
else
    line vobject "missing (Debian python3-vobject)"
fi

v=$(deb libkf5calendarcore5abi2)
if [ "$v" != missing ]; then
    line kcalendarcore "$(pkg-config --modversion KF5CalendarCore 2>/dev/null || echo "$v") (Debian libkf5calendarcore5abi2 $v; Qt $(pkg-config --modversion Qt5Core 2>/dev/null || echo '?'))"
else
    line kcalendarcore "missing (Debian libkf5calendarcore-dev)"
fi

if v=$(ruby -e "require 'icalendar'; print Icalendar::VERSION" 2>/dev/null); then
    line ruby-icalendar "$v (Debian ruby-icalendar $(deb ruby-icalendar); ruby $(ruby -e 'print RUBY_VERSION'))"
else
    line ruby-icalendar "missing (Debian ruby-icalendar)"
fi

if command -v khal >/dev/null 2>&1; then
    line khal "$(khal --version 2>/dev/null | sed 's/^khal, version //') (Debian khal $(deb khal))"
else
    line khal "missing (Debian khal)"
fi

if command -v calcurse >/dev/null 2>&1; then
    line calcurse "$(calcurse --version | head -n1 | sed -e 's/^calcurse //' -e 's/ --.*//') (Debian calcurse $(deb calcurse))"
else
    line calcurse "missing (Debian calcurse)"
fi
