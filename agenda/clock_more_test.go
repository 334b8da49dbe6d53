package agenda

import (
	"testing"
	"time"
)

func TestFriendlyClocks(t *testing.T) {
	tests := []struct {
		in   string
		want string // as 15:04, or the error
	}{
		{"18.00", "18:00"},
		{"9.30", "09:30"},
		{"6pm", "18:00"},
		{"6 PM", "18:00"},
		{"6:30 pm", "18:30"},
		{"9:00 AM", "09:00"},
		{"9 a.m.", "09:00"},
		{"12am", "00:00"},
		{"12:15 PM", "12:15"},
		{"12pm", "12:00"},
		{"13:00 PM", `invalid time "13:00 PM": with AM or PM, hours are 1 to 12; write 13:00 without it`},
		{"0:30 am", `invalid time "0:30 am": with AM or PM, hours are 1 to 12; write 00:30 without it`},
		{"noon", `invalid time "noon": write times as 09:30, 09h30 or 9:30 AM`},
		{"9", `invalid time "9": write times as 09:30, 09h30 or 9:30 AM`},
	}
	for _, tt := range tests {
		c, err := parseClock(tt.in, false)
		got := c.String()
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("%q: got %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestFriendlyDurations(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"90min", 90 * time.Minute},
		{"90 min", 90 * time.Minute},
		{"45 minutes", 45 * time.Minute},
		{"1h30", 90 * time.Minute},
		{"1h30m", 90 * time.Minute},
		{"2 hours", 2 * time.Hour},
		{"1.5h", 90 * time.Minute},
		{"1hr", time.Hour},
	}
	for _, tt := range tests {
		d, err := parseDuration(tt.in)
		if err != nil || d != tt.want {
			t.Errorf("%q: got %v, %v; want %v", tt.in, d, err, tt.want)
		}
	}
	if _, err := parseDuration("90"); err == nil || err.Error() != `invalid duration "90": give the unit, as in 90m or 1h30m` {
		t.Errorf("90: %v", err)
	}
}
