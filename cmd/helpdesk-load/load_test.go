package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"testing"

	"github.com/helpdesk/helpdesk/internal/apitest"
)

// TestAgainstRealServer runs every scenario, briefly, against a real server: the requests the tool
// sends must all succeed, and the limits must hold.
func TestAgainstRealServer(t *testing.T) {
	e := apitest.Start(t)
	var out, errOut bytes.Buffer
	args := []string{"-url", e.URL, "-token", e.Token, "-admin-id", strconv.FormatInt(e.Admin.ID, 10),
		"-clients", "4", "-contacts", "5", "-seed", "7", "-requests", "30", "-scenario", "write,me,list", "-json"}
	if err := run(context.Background(), args, func(string) string { return "" }, &out, &errOut); err != nil {
		t.Fatalf("run: %v\n%s", err, errOut.String())
	}
	var results []result
	if err := json.Unmarshal(out.Bytes(), &results); err != nil {
		t.Fatalf("-json printed %q: %v", out.String(), err)
	}
	want := []struct {
		scenario string
		ok       int
		perOp    int // 0: not fixed (a conversation's replies can fall after the request limit)
	}{{"seed", 21, 7}, {"write", 30, 0}, {"me", 30, 30}, {"list", 30, 30}}
	if len(results) != len(want) {
		t.Fatalf("got %d results, want %d: %s", len(results), len(want), out.String())
	}
	for i, w := range want {
		r := results[i]
		if r.Scenario != w.scenario || r.All.Count != w.ok || len(r.All.Errors) > 0 {
			t.Errorf("%s: %d ok, errors %v (first %q); want %s with %d ok", r.Scenario, r.All.Count, r.All.Errors, firstError(r), w.scenario, w.ok)
		}
		for _, op := range r.Ops {
			if w.perOp > 0 && op.Count != w.perOp {
				t.Errorf("%s: %s: %d ok, want %d", r.Scenario, op.Name, op.Count, w.perOp)
			}
		}
	}
}

func firstError(r result) string {
	for _, op := range r.Ops {
		if op.Example != "" {
			return op.Example
		}
	}
	return ""
}
