package mail_test

import (
	"context"
	netmail "net/mail"
	"testing"
	"time"

	"github.com/helpdesk/helpdesk/internal/clock"
	"github.com/helpdesk/helpdesk/internal/mail"
	"github.com/helpdesk/helpdesk/internal/mail/mailtest"
)

var now = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

func newComposer(t *testing.T) *mail.Composer {
	t.Helper()
	c, err := mail.NewComposer(mail.Config{
		From:        "Acme Support <support@acme.example>",
		BaseURL:     "https://help.acme.example/",
		ReplyDomain: "reply.acme.example",
	}, clock.NewFake(now))
	if err != nil {
		t.Fatalf("NewComposer: %v", err)
	}
	return c
}

// stateChange is a typical N3 notification; tests change what they are about.
func stateChange(token string) mail.Notification {
	return mail.Notification{
		Kind:       mail.TicketStateChanged,
		ID:         42,
		To:         netmail.Address{Name: "Anna Müller", Address: "anna@customer.example"},
		Date:       now,
		ReplyToken: token,
		Ticket:     &mail.Ticket{Number: 1234, Title: "Printer on fire", State: "In progress"},
		Author:     "Bob from Acme",
		Body:       "<p>Hello <strong>Anna</strong>, we are on it.</p><ul><li>checked the toner</li></ul>",
		LogoURL:    "https://cdn.acme.example/logo.png",
		Path:       "/portal/tickets/1234",
	}
}

func compose(t *testing.T, c *mail.Composer, n mail.Notification) *mail.Message {
	t.Helper()
	m, err := c.Compose(n)
	if err != nil {
		t.Fatalf("Compose: %v", err)
	}
	return m
}

func sender(t *testing.T, srv *mailtest.Server) *mail.Sender {
	t.Helper()
	cfg, err := mail.ParseSMTPURL(srv.URL())
	if err != nil {
		t.Fatalf("ParseSMTPURL(%q): %v", srv.URL(), err)
	}
	cfg.TLSConfig = srv.ClientTLSConfig()
	cfg.Timeout = 5 * time.Second
	return mail.NewSender(cfg)
}

// deliver sends m to a fresh server and returns what arrived there, read back.
func deliver(t *testing.T, m *mail.Message) (mailtest.Message, mailtest.Parsed) {
	t.Helper()
	srv := mailtest.Start(t)
	if err := sender(t, srv).Send(context.Background(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := srv.Messages()
	if len(got) != 1 {
		t.Fatalf("server received %d messages, want 1", len(got))
	}
	p, err := got[0].Parse()
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return got[0], p
}
