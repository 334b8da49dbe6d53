package agenda

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
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
// own in the tz database to the zone it keeps: Kosovo, Pristina and their
// spellings (Prishtina, Priština, Prishtinë, Kosova), with or without
// "Europe/", accents or a typo (two letters at most).
func zoneAlias(name string) (string, bool) {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		if r == '/' {
			b.WriteRune(r)
		} else if t := transliterate(r); t != "\x00" {
			b.WriteString(t)
		}
	}
	folded := strings.TrimPrefix(b.String(), "europe/")
	for _, place := range []string{"pristina", "prishtina", "prishtine", "kosovo", "kosova"} {
		if editDistance(folded, place) <= 2 {
			return kosovoZone, true
		}
	}
	return "", false
}

// legacyZones are the old zone names of the tz database that are not
// cities (CET, EST5EDT, …), with the city zone to use instead: before 1970
// they differ between builds of the tz database, and readers get them wrong.
var legacyZones = map[string]string{
	"CET": "Europe/Brussels", "MET": "Europe/Brussels", "EET": "Europe/Athens", "WET": "Europe/Lisbon",
	"EST": "America/Panama", "MST": "America/Phoenix", "HST": "Pacific/Honolulu",
	"EST5EDT": "America/New_York", "CST6CDT": "America/Chicago", "MST7MDT": "America/Denver", "PST8PDT": "America/Los_Angeles",
}

// lookupZone resolves an IANA zone name or a known alias. It never falls
// back to UTC or the machine's zone: an unknown name is an error that
// suggests the closest real names. note is set when an alias was resolved.
func lookupZone(name string) (loc *time.Location, canonical, note string, err error) {
	n := strings.TrimSpace(name)
	if alias, ok := zoneAlias(n); ok && n != "" {
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
			// A zone with another offset would shift every time: each
			// suggestion says its offset.
			for i, z := range s {
				s[i] = fmt.Sprintf("%q (%s)", z, standardOffset(z))
			}
			msg += "; did you mean " + orOf(s) + "?"
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
		// A zone under a folder of the system's tz files (right/, posix/).
		if _, rest, ok := strings.Cut(want, "/"); ok && strings.Contains(rest, "/") && editDistance(rest, lz) < d {
			d = editDistance(rest, lz)
		}
		// Close enough to be a typo: an edit or two, more in a long name.
		if d <= 1+len(want)/6 {
			all = append(all, scored{z, d})
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].score < all[j].score })
	var out []string
	for i := 0; i < len(all) && i < 3 && all[i].score <= all[0].score+1; i++ {
		out = append(out, all[i].name)
	}
	return out
}

// standardOffset is a zone's offset from UTC in its standard time, as
// UTC+01:00: the lesser of its offsets in January and July 2026.
func standardOffset(zone string) string {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return "?"
	}
	_, jan := time.Date(2026, 1, 15, 12, 0, 0, 0, loc).Zone()
	_, jul := time.Date(2026, 7, 15, 12, 0, 0, 0, loc).Zone()
	return "UTC" + formatOffset(min(jan, jul))
}

// ZoneNames lists the IANA zone names agendacal knows, as in the tz
// database that comes with it.
func ZoneNames() []string {
	return strings.Split(zoneNames, "\n")
}

// TZDatabase says which tz database resolves zones: the system's, with its
// version when it says one, or the copy embedded in the binary, which is
// that of the Go release it was built with.
func TZDatabase() string {
	dir := os.Getenv("ZONEINFO")
	if dir == "" {
		for _, d := range []string{"/usr/share/zoneinfo/", "/usr/share/lib/zoneinfo/", "/usr/lib/locale/TZ/", "/etc/zoneinfo/"} {
			if _, err := os.Stat(filepath.Join(d, "UTC")); err == nil {
				dir = d
				break
			}
		}
	}
	if dir == "" {
		return "tz database embedded (that of " + runtime.Version() + ")"
	}
	if data, err := os.ReadFile(filepath.Join(dir, "tzdata.zi")); err == nil {
		first, _, _ := strings.Cut(string(data), "\n")
		if v, ok := strings.CutPrefix(first, "# version "); ok {
			return "tz database " + strings.TrimSpace(v) + " (" + filepath.Clean(dir) + ")"
		}
	}
	if data, err := os.ReadFile(filepath.Join(dir, "+VERSION")); err == nil {
		return "tz database " + strings.TrimSpace(string(data)) + " (" + filepath.Clean(dir) + ")"
	}
	// No version to read: when the files were last replaced tells an
	// update apart all the same.
	if fi, err := os.Stat(filepath.Join(dir, "UTC")); err == nil {
		return "tz database of " + filepath.Clean(dir) + " (" + fi.ModTime().UTC().Format(time.RFC3339) + ")"
	}
	return "tz database of " + filepath.Clean(dir)
}

// ResolveZone resolves a zone name as the timezone: key does, aliases such
// as Pristina included: the zone and its canonical name.
func ResolveZone(name string) (*time.Location, string, error) {
	loc, canonical, _, err := lookupZone(name)
	return loc, canonical, err
}
