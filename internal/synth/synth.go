// Package synth writes synthetic programmes of any size for benchmarks:
// days × rooms × slots a day, one track a room, with speakers, topics and
// long Unicode descriptions full of commas and semicolons, starting on 1
// October 2026 in Europe/Belgrade so that a programme of more than 24 days
// spans the end of daylight saving time.
package synth

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/agendacal/agendacal/agenda"
)

// Size is the shape of a programme.
type Size struct {
	Days, Rooms, Slots int
}

// Sessions is the number of sessions of a programme of this size.
func (s Size) Sessions() int { return s.Days * s.Rooms * s.Slots }

// Write writes the programme as YAML.
func Write(w io.Writer, size Size) error {
	b := &strings.Builder{}
	fmt.Fprintf(b, "title: Synthetic congress, %d sessions\n", size.Sessions())
	b.WriteString("project: agendacal benchmarks\ntimezone: Europe/Belgrade\nuid_domain: bench.example.org\nurl: https://bench.example.org/\n")
	b.WriteString("description: >\n  A programme made up for measuring agendacal; every session has speakers,\n  topics and a long description.\n")
	b.WriteString("venue:\n  name: Qendra e Kongreseve \"Sirius\"\n  floor: 8th floor\n  address: Rr. Agim Ramadani 15\n  city: Prishtinë\n  country: Kosovo\n  geo: {lat: 42.6629, lon: 21.1655}\n")
	b.WriteString("tracks:\n")
	for r := 0; r < size.Rooms; r++ {
		fmt.Fprintf(b, "  - {id: room-%d, name: \"Salla %d — Сала %d\", color: \"#%02x%02x%02x\"}\n", r+1, r+1, r+1, (r*37)%256, (r*91)%256, (r*53)%256)
	}
	b.WriteString("days:\n")
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	first := time.Date(2026, time.October, 1, 0, 0, 0, 0, time.UTC)
	for d := 0; d < size.Days; d++ {
		b.Reset()
		fmt.Fprintf(b, "  - date: %s\n    sessions:\n", first.AddDate(0, 0, d).Format("2006-01-02"))
		for r := 0; r < size.Rooms; r++ {
			for s := 0; s < size.Slots; s++ {
				session(b, d, r, s)
			}
		}
		if _, err := io.WriteString(w, b.String()); err != nil {
			return err
		}
	}
	return nil
}

// session writes one session: slots of 30 minutes from 07:00, so that 20
// slots end at 17:00.
func session(b *strings.Builder, d, r, s int) {
	start := 7*60 + 30*s
	fmt.Fprintf(b, "      - time: %02d:%02d-%02d:%02d\n", start/60, start%60, (start+30)/60, (start+30)%60)
	fmt.Fprintf(b, "        title: \"Bashkëpunimi %d.%d.%d: krimi kibernetik, sfidat; Сарадња и изазови 🔐\"\n", d+1, r+1, s+1)
	fmt.Fprintf(b, "        track: room-%d\n        room: \"Salla %d — Сала %d\"\n", r+1, r+1, r+1)
	b.WriteString("        speakers:\n")
	fmt.Fprintf(b, "          - {name: \"Dr. Arbërie Çeku %d\", role: \"ekspertja, Këshilli i Evropës\"}\n", s)
	fmt.Fprintf(b, "          - \"Љубиша Ђорђевић %d\"\n", r)
	b.WriteString("        topics: [\"Legjislacioni, sfidat etj.\", \"Trendet; kërcënimet\", \"Мере и препоруке\"]\n")
	b.WriteString("        description: \"Përshkrim i gjatë i seancës, me presje, pikëpresje; dhe tekst në shqip. " +
		"Дугачак опис са зарезима, тачком и зарезом; и ћирилицом. Emoji 👩🏽‍💻🌍 në fund, " +
		"and some English for good measure: cooperation, seizure; confiscation.\"\n")
}

// Sizes are the programmes the benchmarks use: 1,000, 10,000 and 100,000
// sessions, so that growth shows.
var Sizes = []Size{{Days: 5, Rooms: 10, Slots: 20}, {Days: 50, Rooms: 10, Slots: 20}, {Days: 500, Rooms: 10, Slots: 20}}

// Parsed writes the programme of a size and parses it: the programme and
// its YAML.
func Parsed(size Size) (*agenda.Programme, []byte, error) {
	var buf bytes.Buffer
	if err := Write(&buf, size); err != nil {
		return nil, nil, err
	}
	p, problems := agenda.Parse("bench.yaml", buf.Bytes())
	if p == nil {
		return nil, nil, problems.Err(false)
	}
	return p, buf.Bytes(), nil
}
