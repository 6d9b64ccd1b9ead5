package mailbox_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/helpdesk/helpdesk/internal/apitest"
	"github.com/helpdesk/helpdesk/internal/inbound"
)

func TestE2_HTTPEndpointNeedsTheSecret(t *testing.T) {
	f := start(t)
	jane := f.customer("jane.doe@acme.example", "Jane Doe")
	tk := f.customerTicket(jane)
	addr := f.thread(jane.ID, tk)
	reply := func(to string) []byte {
		raw, _ := newMessageID("From: jane.doe@acme.example\r\nTo: " + to + "\r\nSubject: Re: Broken\r\n" +
			"Message-ID: <x>\r\n\r\nThanks!\r\n")
		return []byte(raw)
	}

	for _, tc := range []struct {
		name   string
		query  string
		header map[string]string
	}{
		{"no secret", "", nil},
		{"a wrong secret", "", map[string]string{"Authorization": "Bearer not-the-secret"}},
		{"the secret, but not as a Bearer token", "", map[string]string{"Authorization": "Basic " + secret}},
		{"the secret with one more character", "", map[string]string{"Authorization": "Bearer " + secret + "x"}},
		{"a wrong secret in the query", "?secret=nope", nil},
		{"a wrong Bearer token with the right query", "?secret=" + secret, map[string]string{"Authorization": "Bearer nope"}},
	} {
		status, out := f.post(tc.query, tc.header, reply(addr))
		if status != http.StatusUnauthorized || out["error"] == "" {
			t.Errorf("%s: %d %v, want 401", tc.name, status, out)
		}
	}
	if got := f.comments(tk, true); len(got) != 0 {
		t.Fatalf("refused requests were posted: %+v", got)
	}

	// With the secret, as a header or in the query.
	if status, out := f.post("", map[string]string{"Authorization": "Bearer " + secret}, reply(addr)); status != http.StatusOK ||
		out["result"] != "replied" || out["ticket_id"] != itoa(tk) {
		t.Errorf("Bearer secret: %d %v", status, out)
	}
	if status, out := f.post("?secret="+secret, nil, reply(addr)); status != http.StatusOK || out["result"] != "replied" {
		t.Errorf("secret in the query: %d %v", status, out)
	}
	// The envelope recipient, from a service that passes it, tells the thread when no header
	// does (the customer's client put the reply address in Bcc).
	status, out := f.post("", map[string]string{"Authorization": "Bearer " + secret, "X-Envelope-To": "other@x.example, <" + addr + ">"},
		reply("undisclosed-recipients:;"))
	if status != http.StatusOK || out["result"] != "replied" || out["ticket_id"] != itoa(tk) {
		t.Errorf("X-Envelope-To: %d %v", status, out)
	}
	if got := f.comments(tk, true); len(got) != 3 {
		t.Errorf("%d comments, want 3", len(got))
	}

	// Malformed: 400; over the limit: 413.
	auth := map[string]string{"Authorization": "Bearer " + secret}
	if status, _ := f.post("", auth, []byte("\r\n\r\n")); status != http.StatusBadRequest {
		t.Errorf("an empty message: %d, want 400", status)
	}
	if status, _ := f.post("", auth, []byte("To: a@b.example\r\n\r\nno sender\r\n")); status != http.StatusBadRequest {
		t.Errorf("a message without From: %d, want 400", status)
	}
	big := append(reply(addr), bytes.Repeat([]byte(strings.Repeat("y", 998)+"\r\n"), inbound.MaxSize/1000+1)...)
	if status, _ := f.post("", auth, big); status != http.StatusRequestEntityTooLarge {
		t.Errorf("a message over the limit: %d, want 413", status)
	}
	if got := f.comments(tk, true); len(got) != 3 {
		t.Errorf("%d comments, want 3", len(got))
	}
}

func TestE2_HTTPEndpointIsOffWithoutASecret(t *testing.T) {
	e := apitest.Start(t)
	resp, err := http.Post(e.URL+"/inbound/email", "message/rfc822",
		strings.NewReader("From: a@b.example\r\nTo: c@d.example\r\n\r\nHi\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("status %d, want 404: no secret, no endpoint", resp.StatusCode)
	}
}
