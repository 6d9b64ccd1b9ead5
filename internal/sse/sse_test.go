package sse_test

import (
	"bufio"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/helpdesk/helpdesk/internal/sse"
)

// A stream sends each event at once, and ends when its server shuts down.
func TestStreamSendsAtOnceAndEndsOnShutdown(t *testing.T) {
	var shutdowns sse.Shutdowns
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		stop := shutdowns.Signal(r)
		s := sse.Start(w)
		s.Send("event: hello\ndata: %d\n\n", 1)
		<-stop
		s.Send("event: bye\ndata: {}\n\n")
	}))
	srv.Start()
	defer srv.Close()

	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Errorf("Content-Type %q", ct)
	}
	lines := bufio.NewReader(resp.Body)
	first, err := lines.ReadString('\n')
	if err != nil || first != "event: hello\n" {
		t.Fatalf("first line %q %v: not sent at once", first, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	go func() { _ = srv.Config.Shutdown(ctx) }()
	rest := new(strings.Builder)
	for {
		line, err := lines.ReadString('\n')
		rest.WriteString(line)
		if err != nil {
			break
		}
	}
	if !strings.Contains(rest.String(), "event: bye") {
		t.Errorf("the stream did not end with the shutdown: %q", rest.String())
	}
}
