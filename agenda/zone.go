package agenda

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
	// The tz database is embedded so that zones resolve the same on a bare
	// machine with no /usr/share/zoneinfo.
	_ "time/tzdata"
)

// kosovoZone is the zone whose time Kosovo keeps: the tz database has no
// zone of Kosovo's own.
const kosovoZone = "Europe/Belgrade"

// zoneAlias maps a name people write for a place that has no zone of its
// own in the tz database, folded to lower case, to the zone it keeps.
func zoneAlias(lower string) (string, bool) {
	switch lower {
	case "pristina", "prishtina", "priština", "prishtinë", "prishtine",
		"europe/pristina", "europe/prishtina", "europe/priština":
		return kosovoZone, true
	}
	return "", false
}

// lookupZone resolves an IANA zone name or a known alias. It never falls
// back to UTC or the machine's zone: an unknown name is an error that
// suggests the closest real names. note is set when an alias was resolved.
func lookupZone(name string) (loc *time.Location, canonical, note string, err error) {
	n := strings.TrimSpace(name)
	if alias, ok := zoneAlias(strings.ToLower(n)); ok {
		loc, err := time.LoadLocation(alias)
		if err != nil {
			return nil, "", "", err
		}
		return loc, alias, fmt.Sprintf("%q has no zone of its own in the tz database; using %s, whose time Kosovo keeps (CET/CEST)", n, alias), nil
	}
	switch {
	case n == "":
		return nil, "", "", fmt.Errorf("timezone is empty: give an IANA zone name such as %s", kosovoZone)
	case n == "Local" || strings.HasPrefix(n, "/") || strings.Contains(n, ".."):
		return nil, "", "", fmt.Errorf("unknown time zone %q: give an IANA zone name such as %s", n, kosovoZone)
	}
	known := n != "Factory" && slices.Contains(ZoneNames(), n)
	if known {
		loc, err = time.LoadLocation(n)
	}
	if !known || err != nil {
		msg := fmt.Sprintf("unknown time zone %q", n)
		if s := suggestZones(n); len(s) > 0 {
			msg += "; did you mean " + orList(s) + "?"
		} else {
			msg += ": give an IANA zone name such as " + kosovoZone
		}
		return nil, "", "", fmt.Errorf("%s", msg)
	}
	return loc, n, "", nil
}

// suggestZones returns up to three zone names close to name, closest first,
// comparing both whole names and their last part (the city).
func suggestZones(name string) []string {
	type scored struct {
		name  string
		score int
	}
	if len(name) > maxSuggestible {
		return nil
	}
	want := strings.ToLower(strings.ReplaceAll(name, " ", "_"))
	var all []scored
	for _, z := range strings.Split(zoneNames, "\n") {
		if !strings.Contains(z, "/") || strings.HasPrefix(z, "Etc/") || z == "Factory" {
			continue
		}
		lz := strings.ToLower(z)
		d := editDistance(want, lz)
		if city := lz[strings.LastIndex(lz, "/")+1:]; editDistance(want, city) < d {
			d = editDistance(want, city)
		}
		if d <= len(want)/3+1 {
			all = append(all, scored{z, d})
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].score < all[j].score })
	var out []string
	for i := 0; i < len(all) && i < 3; i++ {
		out = append(out, all[i].name)
	}
	return out
}

// ZoneNames lists the IANA zone names agendacal knows, as in the tz
// database that comes with it.
func ZoneNames() []string {
	return strings.Split(zoneNames, "\n")
}
