package main

import (
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// recorder keeps one client's latencies and failures per operation, so that clients never share
// memory while the load runs; the recorders are merged once at the end.
type recorder struct {
	lat  map[string][]time.Duration
	errs map[string]map[string]int // operation → status ("503", "net") → count
	eg   map[string]string         // operation → the first error answer, to show what went wrong
}

func newRecorder() *recorder {
	return &recorder{lat: map[string][]time.Duration{}, errs: map[string]map[string]int{}, eg: map[string]string{}}
}

// ok records a successful request.
func (r *recorder) ok(op string, d time.Duration) { r.lat[op] = append(r.lat[op], d) }

// fail records a failed request by its status, or "net" when there was no answer.
func (r *recorder) fail(op, status, example string) {
	if r.errs[op] == nil {
		r.errs[op] = map[string]int{}
	}
	r.errs[op][status]++
	if _, seen := r.eg[op]; !seen {
		r.eg[op] = status + ": " + example
	}
}

// merge adds other's records to r.
func (r *recorder) merge(other *recorder) {
	for op, l := range other.lat {
		r.lat[op] = append(r.lat[op], l...)
	}
	for op, m := range other.errs {
		if r.errs[op] == nil {
			r.errs[op] = map[string]int{}
		}
		for s, n := range m {
			r.errs[op][s] += n
		}
	}
	for op, e := range other.eg {
		if _, seen := r.eg[op]; !seen {
			r.eg[op] = e
		}
	}
}

// opStats summarises one operation, or all of them.
type opStats struct {
	Name    string         `json:"name"`
	Count   int            `json:"count"`            // successful requests
	Errors  map[string]int `json:"errors,omitempty"` // failed requests by status
	RPS     float64        `json:"requests_per_second"`
	P50     ms             `json:"p50_ms"`
	P90     ms             `json:"p90_ms"`
	P99     ms             `json:"p99_ms"`
	Max     ms             `json:"max_ms"`
	Example string         `json:"first_error,omitempty"`
}

// ms is a duration shown in milliseconds.
type ms time.Duration

func (d ms) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, math.Round(float64(d)/1e3)/1e3, 'f', -1, 64), nil
}

func (d *ms) UnmarshalJSON(b []byte) error {
	v, err := strconv.ParseFloat(string(b), 64)
	*d = ms(v * 1e6)
	return err
}

func (d ms) String() string {
	v := float64(d) / 1e6
	switch {
	case v == 0:
		return "-"
	case v < 10:
		return strconv.FormatFloat(v, 'f', 2, 64) + "ms"
	case v < 100:
		return strconv.FormatFloat(v, 'f', 1, 64) + "ms"
	}
	return strconv.FormatFloat(v, 'f', 0, 64) + "ms"
}

// summarise turns the merged records into per-operation figures (in the order of ops) and a
// total over all of them; rates are over elapsed, the wall time of the whole run.
func summarise(r *recorder, ops []string, elapsed time.Duration) ([]opStats, opStats) {
	var out []opStats
	var all []time.Duration
	allErrs := map[string]int{}
	for _, op := range ops {
		l := r.lat[op]
		all = append(all, l...)
		for s, n := range r.errs[op] {
			allErrs[s] += n
		}
		out = append(out, stats(op, l, r.errs[op], elapsed))
		out[len(out)-1].Example = r.eg[op]
	}
	total := stats("all", all, allErrs, elapsed)
	return out, total
}

func stats(name string, l []time.Duration, errs map[string]int, elapsed time.Duration) opStats {
	slices.Sort(l)
	s := opStats{Name: name, Count: len(l)}
	if len(errs) > 0 {
		s.Errors = maps.Clone(errs)
	}
	if elapsed > 0 {
		s.RPS = float64(len(l)) / elapsed.Seconds()
	}
	if len(l) > 0 {
		s.P50, s.P90, s.P99 = ms(percentile(l, 50)), ms(percentile(l, 90)), ms(percentile(l, 99))
		s.Max = ms(l[len(l)-1])
	}
	return s
}

// percentile is the nearest-rank percentile p (0 < p ≤ 100) of sorted, which must not be empty.
func percentile(sorted []time.Duration, p float64) time.Duration {
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

// result is one scenario's run, as printed and as given by -json.
type result struct {
	Scenario string    `json:"scenario"`
	URL      string    `json:"url"`
	Database string    `json:"database,omitempty"`
	Clients  int       `json:"clients"`
	Elapsed  float64   `json:"elapsed_seconds"`
	Stopped  string    `json:"stopped_by"` // duration, requests, conversations or interrupt
	Ops      []opStats `json:"operations"`
	All      opStats   `json:"all"`
	CPU      *cpuUse   `json:"cpu,omitempty"`
}

// print writes r as a table.
func (r result) print(w io.Writer) {
	fmt.Fprintf(w, "\n%s: %d clients, %.1fs (stopped by %s), %s", r.Scenario, r.Clients, r.Elapsed, r.Stopped, r.URL)
	if r.Database != "" {
		fmt.Fprintf(w, " on %s", r.Database)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "operation\tok\terrors\treq/s\tp50\tp90\tp99\tmax\t")
	row := func(s opStats) {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.0f\t%s\t%s\t%s\t%s\t\n", s.Name, s.Count, sum(s.Errors), s.RPS, s.P50, s.P90, s.P99, s.Max)
	}
	for _, s := range r.Ops {
		row(s)
	}
	if len(r.Ops) > 1 {
		row(r.All)
	}
	tw.Flush()
	for _, s := range r.Ops {
		if len(s.Errors) > 0 {
			fmt.Fprintf(w, "  %s errors: %s; first: %s\n", s.Name, formatCounts(s.Errors), s.Example)
		}
	}
	if r.CPU != nil {
		fmt.Fprintf(w, "  cpu (%% of one core): %s\n", r.CPU)
	}
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// formatCounts writes {"503": 2, "net": 1} as "503×2 net×1".
func formatCounts(m map[string]int) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s×%d", k, m[k]))
	}
	return strings.Join(parts, " ")
}
