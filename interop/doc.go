// Package interop proves agendacal's calendars in real calendar software:
// its test builds the programmes in testdata/interop (and the Pristina
// example) and reads every calendar with independent readers — ical.js,
// libical, python-icalendar, vobject, KCalendarCore, Ruby's icalendar, khal
// and calcurse — through the adapters in readers/. Each reader must accept
// each file without a warning and give back exactly the events agendacal
// meant: the same UIDs, the same instants, the same text.
//
// The readers are installed by scripts/install-interop.sh. A reader that is
// not installed is skipped, unless AGENDACAL_INTEROP=require, as in CI.
package interop
