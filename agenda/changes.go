package agenda

import "time"

// ClockChange is a change of a zone's offset, abbreviation or daylight
// saving flag: the clocks going forward or back, or a zone adopting new
// rules.
type ClockChange struct {
	At           time.Time // the instant of the change
	OffsetBefore int       // seconds east of UTC before the change
	OffsetAfter  int       // seconds east of UTC after it
	Name         string    // the abbreviation after the change, such as CEST
	DST          bool      // whether daylight saving time is in force after it
}

// WallBefore is the reading of the clocks as the change happened, 02:00
// when they go forward from 02:00 to 03:00, as a time in UTC: a wall time
// with no zone, the form RFC 5545 (3.6.5) wants for an observance's
// DTSTART.
func (c ClockChange) WallBefore() time.Time {
	return c.At.Add(time.Duration(c.OffsetBefore) * time.Second).UTC()
}

// zoneState is what a zone's clocks show at an instant.
type zoneState struct {
	off  int
	name string
	dst  bool
}

func stateAt(t time.Time, loc *time.Location) zoneState {
	lt := t.In(loc)
	name, off := lt.Zone()
	return zoneState{off: off, name: name, dst: lt.IsDST()}
}

// probeStep is the stride of the scan for changes. No zone in the tz
// database changes twice within six hours.
const probeStep = 6 * time.Hour

// ClockChanges lists the changes of loc in [from, to). It probes the
// zone's offset and bisects to the second, rather than trusting
// Time.ZoneBounds, which reports false boundaries with the slim data of
// time/tzdata and, in a gap, may describe the change before it.
func ClockChanges(loc *time.Location, from, to time.Time) []ClockChange {
	var out []ClockChange
	t := from
	cur := stateAt(t, loc)
	for t.Before(to) {
		next := t.Add(probeStep)
		st := stateAt(next, loc)
		if st == cur {
			t = next
			continue
		}
		lo, hi := t, next // the change lies in (lo, hi]
		for hi.Sub(lo) > time.Second {
			mid := lo.Add(hi.Sub(lo) / 2).Truncate(time.Second)
			if stateAt(mid, loc) == cur {
				lo = mid
			} else {
				hi = mid
			}
		}
		st = stateAt(hi, loc)
		if hi.Before(to) {
			out = append(out, ClockChange{At: hi, OffsetBefore: cur.off, OffsetAfter: st.off, Name: st.name, DST: st.dst})
		}
		t, cur = hi, st
	}
	return out
}
