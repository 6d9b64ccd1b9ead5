package mail_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/helpdesk/helpdesk/internal/mail"
	"github.com/helpdesk/helpdesk/internal/mail/mailtest"
)

func TestE3_temporary_failures_are_told_apart(t *testing.T) {
	c := newComposer(t)
	m := compose(t, c, stateChange(mail.NewReplyToken()))
	ctx := context.Background()

	for _, tc := range []struct {
		name      string
		setup     func(*mailtest.Server)
		temporary bool
		code      int
	}{
		{"server down", func(s *mailtest.Server) { s.Down() }, true, 0},
		{"451 try again later", func(s *mailtest.Server) { s.Refuse(451) }, true, 451},
		{"421 service not available", func(s *mailtest.Server) { s.Refuse(421) }, true, 421},
		{"550 mailbox unavailable", func(s *mailtest.Server) { s.Refuse(550) }, false, 550},
		{"553 mailbox name not allowed", func(s *mailtest.Server) { s.Refuse(553) }, false, 553},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := mailtest.Start(t)
			s := sender(t, srv)
			tc.setup(srv)
			err := s.Send(ctx, m)
			if err == nil {
				t.Fatal("Send succeeded")
			}
			if got := mail.IsTemporary(err); got != tc.temporary {
				t.Errorf("IsTemporary(%v) = %v, want %v", err, got, tc.temporary)
			}
			var se *mail.SendError
			if !errors.As(err, &se) || se.Code != tc.code {
				t.Errorf("error %v: code %v, want a *SendError with code %d", err, se, tc.code)
			}
			if n := len(srv.Messages()); n != 0 {
				t.Errorf("server kept %d messages", n)
			}
		})
	}

	t.Run("bad address", func(t *testing.T) {
		srv := mailtest.Start(t)
		bad := *m
		bad.To.Address = "anna@customer.example\r\nRCPT TO:<victim@evil.example>"
		err := sender(t, srv).Send(ctx, &bad)
		if err == nil || mail.IsTemporary(err) || !errors.Is(err, mail.ErrBadAddress) {
			t.Errorf("Send to a bad address: %v, want a permanent ErrBadAddress", err)
		}
		if n := len(srv.Messages()); n != 0 {
			t.Errorf("server received %d messages", n)
		}
	})
}

// The worker's loop (E3): retried while the server is down, sent once when it is back, with the
// same Message-ID as every attempt.
func TestE3_retried_while_down_and_sent_once(t *testing.T) {
	c := newComposer(t)
	n := stateChange(mail.NewReplyToken())
	srv := mailtest.Start(t)
	s := sender(t, srv)
	srv.Down()

	var sent int
	for attempt := range 4 {
		if attempt == 2 {
			srv.Up()
		}
		err := s.Send(context.Background(), compose(t, c, n)) // composed again, as after a restart
		if err == nil {
			sent++
			break
		}
		if !mail.IsTemporary(err) {
			t.Fatalf("attempt %d: permanent %v", attempt, err)
		}
	}
	got := srv.Messages()
	if sent != 1 || len(got) != 1 {
		t.Fatalf("sent %d, server has %d messages; want 1 and 1", sent, len(got))
	}
	p, err := got[0].Parse()
	if err != nil {
		t.Fatal(err)
	}
	if id := p.Header.Get("Message-ID"); id != c.MessageID(n.Kind, n.ID, n.ReplyToken) {
		t.Errorf("Message-ID = %s", id)
	}
}

func TestE3_a_hung_server_times_out_as_temporary(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() { // accepts and says nothing
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			defer conn.Close()
		}
	}()
	cfg, err := mail.ParseSMTPURL("smtp://" + l.Addr().String() + "?starttls=none&timeout=200ms")
	if err != nil {
		t.Fatal(err)
	}
	m := compose(t, newComposer(t), stateChange(mail.NewReplyToken()))

	start := time.Now()
	err = mail.NewSender(cfg).Send(context.Background(), m)
	if err == nil || !mail.IsTemporary(err) {
		t.Errorf("Send to a silent server: %v, want a temporary error", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Send took %v with a 200ms timeout", d)
	}

	// A cancelled context stops the attempt too, however long the timeout.
	cfg.Timeout = time.Minute
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err = mail.NewSender(cfg).Send(ctx, m)
	if err == nil || !mail.IsTemporary(err) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Send with an expiring context: %v, want a temporary DeadlineExceeded", err)
	}
}

func TestSend_over_STARTTLS_with_authentication(t *testing.T) {
	srv := mailtest.Start(t, mailtest.WithStartTLS(), mailtest.WithAuth("helpdesk", "p@ss:w/rd"))
	m := compose(t, newComposer(t), stateChange(mail.NewReplyToken()))
	if err := sender(t, srv).Send(context.Background(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := srv.Messages()
	if len(got) != 1 || !got[0].TLS || got[0].User != "helpdesk" {
		t.Fatalf("received %+v, want one message over TLS from user helpdesk", got)
	}
}

func TestSend_over_implicit_TLS(t *testing.T) {
	srv := mailtest.Start(t, mailtest.WithImplicitTLS(), mailtest.WithAuth("helpdesk", "secret"))
	if !strings.HasPrefix(srv.URL(), "smtps://") {
		t.Fatalf("URL = %s", srv.URL())
	}
	m := compose(t, newComposer(t), stateChange(mail.NewReplyToken()))
	if err := sender(t, srv).Send(context.Background(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if got := srv.Messages(); len(got) != 1 || !got[0].TLS || got[0].User != "helpdesk" {
		t.Fatalf("received %+v, want one message over TLS from user helpdesk", got)
	}
}

// Failures of the connection or the configuration keep the mail queued (temporary) until an
// operator fixes them, instead of dropping it.
func TestSend_configuration_failures_are_temporary(t *testing.T) {
	m := compose(t, newComposer(t), stateChange(mail.NewReplyToken()))
	for _, tc := range []struct {
		name   string
		server []mailtest.Option
		change func(*mail.SMTPConfig)
	}{
		{"STARTTLS required, not offered", nil, func(c *mail.SMTPConfig) { c.Security = mail.StartTLSRequired }},
		{"certificate not trusted", []mailtest.Option{mailtest.WithStartTLS()}, func(c *mail.SMTPConfig) { c.TLSConfig = nil }},
		{"wrong password", []mailtest.Option{mailtest.WithAuth("helpdesk", "secret")}, func(c *mail.SMTPConfig) { c.Password = "guess" }},
		{"no credentials where needed", []mailtest.Option{mailtest.WithAuth("helpdesk", "secret")}, func(c *mail.SMTPConfig) { c.Username, c.Password = "", "" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := mailtest.Start(t, tc.server...)
			cfg, err := mail.ParseSMTPURL(srv.URL())
			if err != nil {
				t.Fatal(err)
			}
			cfg.TLSConfig = srv.ClientTLSConfig()
			tc.change(&cfg)
			err = mail.NewSender(cfg).Send(context.Background(), m)
			if err == nil || !mail.IsTemporary(err) {
				t.Fatalf("Send: %v, want a temporary error", err)
			}
			if strings.Contains(err.Error(), "secret") || strings.Contains(err.Error(), "guess") {
				t.Errorf("error shows the password: %v", err)
			}
			if n := len(srv.Messages()); n != 0 {
				t.Errorf("server received %d messages", n)
			}
		})
	}
}

// smtp://localhost without options needs no TLS: local development servers have none.
func TestSend_loopback_default_works_without_TLS(t *testing.T) {
	srv := mailtest.Start(t)
	cfg, err := mail.ParseSMTPURL("smtp://" + srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	m := compose(t, newComposer(t), stateChange(mail.NewReplyToken()))
	if err := mail.NewSender(cfg).Send(context.Background(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("server received %d messages", n)
	}
}

func TestIsTemporary(t *testing.T) {
	for err, want := range map[error]bool{
		nil:                      false,
		errors.New("something"):  false,
		context.DeadlineExceeded: true,
		context.Canceled:         true,
		&mail.SendError{Temporary: true, Err: errors.New("x")}:          true,
		&mail.SendError{Err: errors.New("x")}:                           false,
		&net.OpError{Op: "dial", Err: errors.New("connection refused")}: true,
	} {
		if got := mail.IsTemporary(err); got != want {
			t.Errorf("IsTemporary(%v) = %v, want %v", err, got, want)
		}
	}
}

func TestMailtest_Wait_and_Deliver(t *testing.T) {
	srv := mailtest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	raw := []byte("From: anna@customer.example\r\nTo: reply+x@acme.example\r\nSubject: Re: hi\r\n\r\nThanks!\r\n")
	go func() {
		_ = mailtest.Deliver(ctx, srv.Addr(), "anna@customer.example", []string{"reply+x@acme.example"}, raw)
	}()
	got := srv.Wait(t, 1, 5*time.Second)
	p, err := got[0].Parse()
	if err != nil || got[0].From != "anna@customer.example" || p.Text != "Thanks!\n" || p.Header.Get("Subject") != "Re: hi" {
		t.Errorf("received %+v, %+v, %v", got[0], p, err)
	}
}
