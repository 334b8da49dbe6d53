// Package interop proves agendacal against real software: it builds the
// programmes in testdata/interop (and the Pristina example) and reads every
// calendar with independent readers — ical.js, libical, python-icalendar,
// vobject, KCalendarCore, Ruby's icalendar, khal and calcurse — through the
// adapters in readers/. Each reader must accept each file without a warning
// and give back exactly the events agendacal meant: the same UIDs, the same
// instants, the same text. It also serves folders with nginx and
// 'agendacal serve', opens the page in Chromium, publishes into a FAT
// image, sends invitations through Postfix, publishes to a versitygw
// bucket and syncs Radicale and Xandikos calendars, each started by the
// test on loopback.
//
// The suite runs only with AGENDACAL_INTEROP set, so that 'go test ./...'
// stays fast on a machine with only Go. The software is installed by
// scripts/install-interop.sh. With AGENDACAL_INTEROP=1 a program that is
// not installed skips its tests; with AGENDACAL_INTEROP=require, as in CI,
// it fails them.
package interop
