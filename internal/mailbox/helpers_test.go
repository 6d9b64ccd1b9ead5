package mailbox_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/helpdesk/helpdesk/internal/apitest"
	"github.com/helpdesk/helpdesk/internal/config"
	"github.com/helpdesk/helpdesk/internal/mail"
	"github.com/helpdesk/helpdesk/internal/mail/mailtest"
	"github.com/helpdesk/helpdesk/internal/store"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

const (
	replyDomain = "support.example.com"
	secret      = "inbound-s3cret-for-tests"
	// sampleToken is the reply token the samples of internal/inbound/testdata are addressed to.
	sampleToken = "k3vq7x2mzp4hfw6ta5bnrjcd2e"
)

// fixture is a running server with its inbound SMTP listener.
type fixture struct {
	*apitest.Env
	t        *testing.T
	smtpAddr string
}

// start runs a server on a fresh database, with the inbound HTTP endpoint on (secret) and the
// SMTP listener on a port of its own, stopped when the test ends.
func start(t *testing.T) *fixture {
	t.Helper()
	return startWith(t, nil)
}

// startWith is start with a change to the server before the listener starts.
func startWith(t *testing.T, configure func(*fixture)) *fixture {
	t.Helper()
	return listen(t, apitest.StartWith(t, inboundConfig), configure)
}

// inboundConfig turns the HTTP endpoint on, and sets the reply domain the listener accepts.
func inboundConfig(c *config.Config) {
	c.ReplyDomain = replyDomain
	c.InboundSecret = secret
}

// listen runs the inbound SMTP listener of e's server until the test ends; configure changes
// the server before.
func listen(t *testing.T, e *apitest.Env, configure func(*fixture)) *fixture {
	t.Helper()
	f := &fixture{Env: e, t: t}
	if configure != nil {
		configure(f)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f.smtpAddr = l.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Server.ServeInboundSMTP(ctx, l) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("inbound SMTP listener: %v", err)
		}
	})
	return f
}

// send delivers a raw message to the SMTP listener as a mail server would, and returns its
// answer to the message: nil for 250, else an error holding the *smtp.SMTPError.
func (f *fixture) send(from string, to []string, raw []byte) error {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return mailtest.Deliver(ctx, f.smtpAddr, from, to, raw)
}

// mustSend is send that fails the test unless the listener answered 250.
func (f *fixture) mustSend(from string, to []string, raw []byte) {
	f.t.Helper()
	if err := f.send(from, to, raw); err != nil {
		f.t.Fatalf("SMTP delivery refused: %v", err)
	}
}

// smtpCode is the reply code of an SMTP error, 0 for none.
func smtpCode(err error) int {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return se.Code
	}
	return 0
}

// post sends a raw message to POST /inbound/email with the headers given ("Authorization"
// among them, or none), and returns the status and the decoded answer.
func (f *fixture) post(query string, header map[string]string, raw []byte) (int, map[string]string) {
	f.t.Helper()
	req, err := http.NewRequest("POST", f.URL+"/inbound/email"+query, bytes.NewReader(raw))
	if err != nil {
		f.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "message/rfc822")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	out := map[string]string{}
	if len(body) > 0 && json.Unmarshal(body, &out) != nil {
		f.t.Errorf("POST /inbound/email answered %d with %q, not JSON", resp.StatusCode, body)
	}
	return resp.StatusCode, out
}

// mustPost posts with the secret and fails the test unless the answer is 200.
func (f *fixture) mustPost(raw []byte) map[string]string {
	f.t.Helper()
	status, out := f.post("", map[string]string{"Authorization": "Bearer " + secret}, raw)
	if status != http.StatusOK {
		f.t.Fatalf("POST /inbound/email: %d %v", status, out)
	}
	return out
}

// sample reads a message of internal/inbound/testdata.
func sample(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "inbound", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var messageIDHeader = regexp.MustCompile(`(?im)^Message-ID:[^\r\n]*`)

var uniq atomic.Int64

// newMessageID gives a sample a Message-ID of its own, so that it can be delivered again as
// another message.
func newMessageID(raw string) (string, string) {
	id := fmt.Sprintf("test-%d-%d@mail.example", time.Now().UnixNano(), uniq.Add(1))
	return messageIDHeader.ReplaceAllLiteralString(raw, "Message-ID: <"+id+">"), id
}

// customer adds a user contact.
func (f *fixture) customer(email, name string) store.Contact {
	return f.CreateContact(email, name)
}

// customerTicket creates a Customer ticket for contact through the API (shared with them, CT1).
func (f *fixture) customerTicket(contact store.Contact) int64 {
	f.t.Helper()
	typ := f.CreateTicketType(fmt.Sprintf("Problem %d", uniq.Add(1)), ticket.Customer, nil)
	tk := f.MustDo(http.StatusOK, "POST", "/api/tickets", map[string]any{
		"ticket_type_id": itoa(typ.ID), "contacts": []any{map[string]any{"id": itoa(contact.ID)}},
		"ticket_attributes": map[string]any{"_default_title_": "Broken", "_default_description_": "It broke"}})
	return atoi(f.t, apitest.ID(tk))
}

// conversation starts a conversation from contact through the API.
func (f *fixture) conversation(contact store.Contact, body string) int64 {
	f.t.Helper()
	msg := f.MustDo(http.StatusOK, "POST", "/api/conversations", map[string]any{
		"from": map[string]any{"type": "user", "id": itoa(contact.ID)}, "body": body})
	id, _ := msg["conversation_id"].(string)
	return atoi(f.t, id)
}

// thread makes the email thread of a contact and a conversation or ticket, as the delivery
// worker does before it emails them, and returns its reply address.
func (f *fixture) thread(contactID, conversationID int64) string {
	f.t.Helper()
	var th store.EmailThread
	err := f.DB.Tx(context.Background(), func(tx *store.Tx) error {
		var err error
		th, err = tx.EnsureEmailThread(context.Background(), contactID, conversationID, mail.NewReplyToken(), f.Clock.Now())
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return "reply+" + th.ReplyToken + "@" + replyDomain
}

// sent records an email we sent in a thread, as the delivery worker does: its Message-ID as the
// header has it, in angle brackets.
func (f *fixture) sent(messageID string, contactID, conversationID int64) {
	f.t.Helper()
	f.sentAs("<"+messageID+">", contactID, conversationID)
}

// sentAs records a Message-ID written as given.
func (f *fixture) sentAs(messageID string, contactID, conversationID int64) {
	f.t.Helper()
	err := f.DB.Tx(context.Background(), func(tx *store.Tx) error {
		_, err := tx.AddEmailMessage(context.Background(), messageID, contactID, conversationID, false, f.Clock.Now())
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
}

// part is a comment as the API shows it.
type part struct {
	Body       string
	AuthorType string
	AuthorID   int64
}

// comments returns the comments of a conversation, or a ticket, through the API.
func (f *fixture) comments(id int64, isTicket bool) []part {
	f.t.Helper()
	var list []any
	if isTicket {
		tk := f.MustDo(http.StatusOK, "GET", "/api/tickets/"+itoa(id), nil)
		tp, _ := tk["ticket_parts"].(map[string]any)
		list, _ = tp["ticket_parts"].([]any)
	} else {
		c := f.MustDo(http.StatusOK, "GET", "/api/conversations/"+itoa(id), nil)
		cp, _ := c["conversation_parts"].(map[string]any)
		list, _ = cp["conversation_parts"].([]any)
	}
	var out []part
	for _, x := range list {
		p := x.(map[string]any)
		if p["part_type"] != "comment" {
			continue
		}
		author, _ := p["author"].(map[string]any)
		body, _ := p["body"].(string)
		aid, _ := author["id"].(string)
		atype, _ := author["type"].(string)
		out = append(out, part{Body: body, AuthorType: atype, AuthorID: atoi(f.t, aid)})
	}
	return out
}

// conversations returns every conversation (not ticket) through the API, newest first.
func (f *fixture) conversations() []map[string]any {
	f.t.Helper()
	list := f.MustDo(http.StatusOK, "GET", "/api/conversations?per_page=150", nil)
	items, _ := list["conversations"].([]any)
	out := make([]map[string]any, len(items))
	for i, it := range items {
		out[i] = it.(map[string]any)
	}
	return out
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

func atoi(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("not an id: %q", s)
	}
	return n
}

// replace rewrites a sample: pairs of old and new strings.
func replace(raw string, pairs ...string) string {
	return strings.NewReplacer(pairs...).Replace(raw)
}
