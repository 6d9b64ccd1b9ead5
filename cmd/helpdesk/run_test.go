package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/helpdesk/helpdesk/internal/store/storetest"
)

// TestCommandLine drives the binary's commands as a newcomer would: first run, a teammate, a
// token, the server answering with it, and a graceful stop.
func TestCommandLine(t *testing.T) {
	dbURL := storetest.URL(t)
	addr := freeAddr(t)
	env := map[string]string{"HELPDESK_DATABASE_URL": dbURL, "HELPDESK_ADDR": addr}
	getenv := func(k string) string { return env[k] }
	cli := func(stdin string, args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := run(context.Background(), args, getenv, strings.NewReader(stdin), &out, &errOut)
		return out.String(), err
	}

	if out, err := cli("", "migrate"); err != nil || !strings.Contains(out, "up to date") {
		t.Fatalf("migrate: %q %v", out, err)
	}
	if _, err := cli("short\n", "admin", "create", "--email", "ada@example.com", "--name", "Ada"); err == nil {
		t.Errorf("admin create accepted a 5-character password")
	}
	if out, err := cli("correct horse battery\n", "admin", "create", "--email", "ada@example.com", "--name", "Ada", "--role", "agent"); err != nil || !strings.Contains(out, "created agent Ada") {
		t.Fatalf("admin create: %q %v", out, err)
	}
	if _, err := cli("correct horse battery\n", "admin", "create", "--email", "ADA@example.com", "--name", "Ada again"); err == nil {
		t.Errorf("admin create accepted a taken email")
	}
	if _, err := cli("", "team", "create", "--name", "Billing", "--member", "ada@example.com"); err != nil {
		t.Fatalf("team create: %v", err)
	}
	if _, err := cli("", "token", "create", "--admin", "nobody@example.com", "--name", "x"); err == nil {
		t.Errorf("token create for an unknown teammate succeeded")
	}
	out, err := cli("", "token", "create", "--admin", "ada@example.com", "--name", "ci")
	if err != nil {
		t.Fatalf("token create: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	token := lines[len(lines)-1]
	if !strings.HasPrefix(token, "hd_") {
		t.Fatalf("token create's last line %q is not a token", token)
	}

	ctx, cancel := context.WithCancel(context.Background())
	var serveOut syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, nil, getenv, strings.NewReader(""), &serveOut, io.Discard) }()
	base := "http://" + addr
	waitUp(t, base+"/healthz")

	get := func(path, token string) (int, string) {
		req, _ := http.NewRequest("GET", base+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := get("/readyz", ""); code != http.StatusOK {
		t.Errorf("/readyz = %d", code)
	}
	code, body := get("/api/me", token)
	var me struct{ Email string }
	_ = json.Unmarshal([]byte(body), &me)
	if code != http.StatusOK || me.Email != "ada@example.com" {
		t.Errorf("/api/me = %d %s", code, body)
	}
	if code, _ := get("/api/teams", token); code != http.StatusOK {
		t.Errorf("/api/teams = %d", code)
	}
	if serveOut.String() != "" {
		t.Errorf("serve printed a first-run message on a database that has teammates: %s", serveOut.String())
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v after SIGTERM-like cancel", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}
}

// TestFirstRunTellsHowToSignIn checks that an empty database gets an owner and a printed password.
func TestFirstRunTellsHowToSignIn(t *testing.T) {
	env := map[string]string{"HELPDESK_DATABASE_URL": storetest.URL(t), "HELPDESK_ADDR": freeAddr(t)}
	getenv := func(k string) string { return env[k] }
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, getenv, strings.NewReader(""), &out, io.Discard) }()
	waitUp(t, "http://"+env["HELPDESK_ADDR"]+"/healthz")
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{"owner@example.com", "password:", "helpdesk token create --admin owner@example.com"} {
		if !strings.Contains(text, want) {
			t.Errorf("first-run message lacks %q:\n%s", want, text)
		}
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func waitUp(t *testing.T, url string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s did not come up", url)
}
