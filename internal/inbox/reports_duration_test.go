package inbox

import (
	"testing"
	"time"
)

// Durations as a teammate reads them, and the round scales of their bars.
func TestIN6_ReportDurationsAndScales(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                               "0 min",
		20 * time.Second:                "under 1 min",
		4 * time.Minute:                 "4 min",
		4*time.Minute + 20*time.Second:  "4 min",
		59*time.Minute + 50*time.Second: "1 h",
		time.Hour:                       "1 h",
		3*time.Hour + 20*time.Minute:    "3 h 20 min",
		23*time.Hour + 59*time.Minute:   "23 h 59 min",
		24 * time.Hour:                  "1 d",
		52 * time.Hour:                  "2 d 4 h",
		52*time.Hour + 29*time.Minute:   "2 d 4 h",
		40 * 24 * time.Hour:             "40 d",
	} {
		if got := reportDuration(d); got != want {
			t.Errorf("reportDuration(%v) = %q, want %q", d, got, want)
		}
	}
	for longest, want := range map[time.Duration]time.Duration{
		0:                            time.Hour,
		4 * time.Minute:              time.Hour,
		3*time.Hour + 20*time.Minute: 4 * time.Hour,
		13 * time.Hour:               24 * time.Hour,
		52 * time.Hour:               4 * 24 * time.Hour,
		400 * 24 * time.Hour:         2 * 365 * 24 * time.Hour,
	} {
		if got := reportScale(longest); got != want {
			t.Errorf("reportScale(%v) = %v, want %v", longest, got, want)
		}
	}
}
