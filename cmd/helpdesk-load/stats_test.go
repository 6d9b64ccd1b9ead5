package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	var l []time.Duration
	for i := 1; i <= 100; i++ {
		l = append(l, time.Duration(i)*time.Millisecond)
	}
	for _, c := range []struct {
		p    float64
		want time.Duration
	}{{50, 50 * time.Millisecond}, {90, 90 * time.Millisecond}, {99, 99 * time.Millisecond}, {100, 100 * time.Millisecond}, {0.1, time.Millisecond}} {
		if got := percentile(l, c.p); got != c.want {
			t.Errorf("p%v = %v, want %v", c.p, got, c.want)
		}
	}
	if got := percentile([]time.Duration{7}, 99); got != 7 {
		t.Errorf("p99 of one = %v", got)
	}
}

func TestSummarise(t *testing.T) {
	a, b := newRecorder(), newRecorder()
	a.ok("x", 3*time.Millisecond)
	a.ok("x", time.Millisecond)
	b.ok("x", 2*time.Millisecond)
	b.ok("y", 10*time.Millisecond)
	b.fail("y", "503", "busy")
	a.fail("y", "net", "reset")
	a.fail("y", "503", "later")
	a.merge(b)
	ops, all := summarise(a, []string{"x", "y"}, 2*time.Second)
	if ops[0].Count != 3 || ops[0].P50 != ms(2*time.Millisecond) || ops[0].Max != ms(3*time.Millisecond) || ops[0].RPS != 1.5 {
		t.Errorf("x: %+v", ops[0])
	}
	if ops[1].Count != 1 || ops[1].Errors["503"] != 2 || ops[1].Errors["net"] != 1 {
		t.Errorf("y: %+v", ops[1])
	}
	if all.Count != 4 || all.RPS != 2 || all.Max != ms(10*time.Millisecond) || sum(all.Errors) != 3 {
		t.Errorf("all: %+v", all)
	}
	if got := formatCounts(ops[1].Errors); got != "503×2 net×1" {
		t.Errorf("formatCounts = %q", got)
	}
}

func TestGateStopsAtRequests(t *testing.T) {
	g := newGate(context.Background(), limits{duration: time.Minute, requests: 5})
	n := 0
	for g.request() {
		n++
	}
	if n != 5 || g.why() != "requests" {
		t.Errorf("sent %d, stopped by %q; want 5, requests", n, g.why())
	}
}

func TestGateStopsAtConversations(t *testing.T) {
	g := newGate(context.Background(), limits{duration: time.Minute, conversations: 2})
	n := 0
	for g.round() {
		n++
		g.request()
		g.request()
	}
	if n != 2 || g.why() != "conversations" {
		t.Errorf("started %d, stopped by %q; want 2, conversations", n, g.why())
	}
}

func TestGateStopsAtDurationAndInterrupt(t *testing.T) {
	g := newGate(context.Background(), limits{duration: 20 * time.Millisecond})
	start := time.Now()
	for g.request() {
		time.Sleep(time.Millisecond)
	}
	if g.why() != "duration" || time.Since(start) > time.Second {
		t.Errorf("stopped by %q after %v", g.why(), time.Since(start))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	g = newGate(ctx, limits{duration: time.Minute})
	if g.request() || g.why() != "interrupt" {
		t.Errorf("a cancelled run went on, or stopped by %q", g.why())
	}
}

func TestCheckLoopback(t *testing.T) {
	for _, c := range []struct{ in, want, err string }{
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080", ""},
		{"http://localhost:8080/", "http://localhost:8080", ""},
		{"http://[::1]:8080/api", "http://[::1]:8080", ""},
		{"https://127.0.0.2", "https://127.0.0.2", ""},
		{"http://example.com", "", "not a loopback"},
		{"http://10.0.0.1:8080", "", "not a loopback"},
		{"127.0.0.1:8080", "", "must be like"},
	} {
		got, err := checkLoopback(c.in)
		if got != c.want || (err == nil) != (c.err == "") || (err != nil && !strings.Contains(err.Error(), c.err)) {
			t.Errorf("checkLoopback(%q) = %q, %v; want %q, %q", c.in, got, err, c.want, c.err)
		}
	}
}

func TestParseFlags(t *testing.T) {
	env := func(string) string { return "" }
	for _, c := range []struct {
		args []string
		err  string
	}{
		{[]string{"-token", "t", "-admin-id", "1"}, ""},
		{[]string{"-spawn", "-scenario", "write,me,list", "-seed", "10"}, ""},
		{[]string{}, "-token is required"},
		{[]string{"-token", "t", "-scenario", "delete"}, "unknown"},
		{[]string{"-token", "t", "-clients", "0"}, "-clients"},
		{[]string{"-token", "t", "-database", "sqlite:x.db"}, "go with -spawn"},
		{[]string{"-spawn", "-token", "t"}, "leave out"},
	} {
		_, err := parseFlags(c.args, env, io.Discard)
		if (err == nil) != (c.err == "") || (err != nil && !strings.Contains(err.Error(), c.err)) {
			t.Errorf("parseFlags(%q) = %v, want %q", c.args, err, c.err)
		}
	}
	cfg, err := parseFlags([]string{"-token", "t", "-requests", "100"}, env, io.Discard)
	if err != nil || cfg.limits.duration != 10*time.Minute || cfg.limits.requests != 100 {
		t.Errorf("-requests alone: %+v, %v; want a 10m cap", cfg.limits, err)
	}
}

func TestProcCPU(t *testing.T) {
	if _, ok := sampleCPU(0); !ok {
		t.Skip("no /proc here")
	}
	// Burn a little CPU so that the counter of this process moves.
	before := procCPU("self")
	x := 0
	for start := time.Now(); time.Since(start) < 50*time.Millisecond; x++ {
		_ = percentile([]time.Duration{time.Duration(x)}, 50)
	}
	if after := procCPU("self"); after <= before {
		t.Errorf("own CPU time did not grow: %d then %d", before, after)
	}
}
