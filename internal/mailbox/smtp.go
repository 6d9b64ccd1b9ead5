package mailbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/helpdesk/helpdesk/internal/inbound"
)

// SMTPConfig is how the built-in listener presents itself and what it accepts.
type SMTPConfig struct {
	// Hostname is the name the listener greets with (its MX host name); "localhost" when empty.
	Hostname string
	// Domains are the domains whose recipients are accepted, such as the reply domain; any
	// other recipient is refused with 550. Empty: every recipient is accepted, which is safe
	// because the listener never relays: mail is only ever stored here, never passed on.
	Domains []string
}

// Limits and timeouts of the listener.
const (
	// smtpReadTimeout bounds the wait for each command, and for the whole of a message once
	// DATA is sent (go-smtp sets the deadline when it reads a command line): RFC 5321's five
	// minutes, 25 MB at 85 kB/s.
	smtpReadTimeout  = 5 * time.Minute
	smtpWriteTimeout = time.Minute
	// smtpMaxRecipients is RFC 5321's minimum; a reply has one or two.
	smtpMaxRecipients = 100
	// smtpMaxLineLength is generous: RFC 5321 lines are 1,000 bytes, but some senders write
	// longer HTML lines, and a reply should not bounce for it.
	smtpMaxLineLength = 64 << 10
	// smtpShutdownGrace is how long a shutdown waits for sessions to end before closing them.
	// A message being stored is stored even then: only its acknowledgement may be lost, and the
	// sender's retry is then a duplicate, taken once.
	smtpShutdownGrace = 10 * time.Second
)

// ServeSMTP runs the SMTP listener on l until ctx ends (E2, CV1), then stops accepting,
// lets sessions finish for a few seconds, closes the rest, and returns once every message
// being stored has been. Each message is answered 250 only once Deliver has stored it (or
// decided to drop it), so that an acknowledged email is never lost; 451 when storing failed
// for a reason that may pass (the database), so that the sender retries; 552 over
// inbound.MaxSize; 554 for a message that cannot be read. It returns the listener's error, or
// nil after ctx ended.
func (m *Mailbox) ServeSMTP(ctx context.Context, l net.Listener, cfg SMTPConfig) error {
	b := &backend{m: m, ctx: context.WithoutCancel(ctx), domains: map[string]bool{}}
	for _, d := range cfg.Domains {
		if d = normalizeDomain(d); d != "" {
			b.domains[d] = true
		}
	}
	srv := smtp.NewServer(b)
	srv.Domain = cfg.Hostname
	if srv.Domain == "" {
		srv.Domain = "localhost"
	}
	// go-smtp refuses a message once it has read MaxMessageBytes bytes of it, so a message of
	// exactly inbound.MaxSize is refused too; what it advertises in SIZE is exactly the limit.
	srv.MaxMessageBytes = inbound.MaxSize
	srv.MaxRecipients = smtpMaxRecipients
	srv.MaxLineLength = smtpMaxLineLength
	srv.ReadTimeout = smtpReadTimeout
	srv.WriteTimeout = smtpWriteTimeout
	srv.ErrorLog = slog.NewLogLogger(m.log.Handler(), slog.LevelWarn)

	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	var err error
	select {
	case err = <-served:
		_ = srv.Close()
	case <-ctx.Done():
		grace, cancel := context.WithTimeout(context.WithoutCancel(ctx), smtpShutdownGrace)
		if srv.Shutdown(grace) != nil {
			_ = srv.Close()
		}
		cancel()
		_ = l.Close() // in case Serve had not yet registered it
		err = <-served
	}
	b.storing.Wait()
	if errors.Is(err, net.ErrClosed) {
		err = nil
	}
	if err != nil {
		return fmt.Errorf("mailbox: smtp: %w", err)
	}
	return nil
}

func normalizeDomain(d string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(d)), ".")
}

// backend makes a session per connection.
type backend struct {
	m       *Mailbox
	ctx     context.Context // not cancelled by shutdown: a message being stored is stored
	domains map[string]bool // empty: any
	storing sync.WaitGroup
}

func (b *backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{b: b, remote: c.Conn().RemoteAddr().String()}, nil
}

// session is one SMTP connection's transaction: MAIL FROM, RCPT TO, DATA.
type session struct {
	b      *backend
	remote string
	from   string
	to     []string
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from // "" is the null sender <> of bounces and auto-replies: taken, then dropped
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if len(s.b.domains) > 0 {
		at := strings.LastIndexByte(to, '@')
		if at < 0 || !s.b.domains[normalizeDomain(to[at+1:])] {
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1},
				Message: "No such mailbox here; this server does not relay"}
		}
	}
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) (err error) {
	s.b.storing.Add(1)
	defer s.b.storing.Done()
	log := s.b.m.log.With("remote", s.remote, "mail_from", s.from)
	defer func() {
		if p := recover(); p != nil {
			log.Error("inbound SMTP message failed", "panic", p)
			err = errTryLater
		}
	}()

	e, err := inbound.Read(r, inbound.MaxSize)
	received := err == nil
	if received {
		// The envelope sender is the message's Return-Path, as the final delivery agent
		// writes it: <> marks a bounce or an auto-reply (RFC 3834).
		e.ReturnPath = "<" + s.from + ">"
		_, err = s.b.m.Deliver(s.b.ctx, e, s.to)
	}
	switch {
	case err == nil:
		return nil
	case errors.Is(err, inbound.ErrTooLarge), errors.Is(err, smtp.ErrDataTooLarge):
		log.Info("inbound SMTP message refused: too large")
		return smtp.ErrDataTooLarge
	case errors.Is(err, smtp.ErrTooLongLine):
		log.Info("inbound SMTP message refused: line too long")
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "Line too long"}
	case errors.Is(err, inbound.ErrMalformed):
		log.Info("inbound SMTP message refused: malformed", "err", err)
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "Malformed message"}
	case !Temporary(err):
		log.Warn("inbound SMTP message refused", "err", err)
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Message refused"}
	}
	if !received {
		log.Warn("inbound SMTP message not received whole", "err", err)
	} else {
		log.Error("inbound SMTP message not stored: the sender will retry", "err", err)
	}
	return errTryLater
}

// errTryLater asks the sender to retry: nothing was stored.
var errTryLater = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0},
	Message: "Temporary failure, please try again later"}

func (s *session) Reset() { s.from, s.to = "", nil }

func (s *session) Logout() error { return nil }
