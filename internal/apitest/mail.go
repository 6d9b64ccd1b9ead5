package apitest

import (
	"context"
	"testing"

	"github.com/helpdesk/helpdesk/internal/config"
	"github.com/helpdesk/helpdesk/internal/delivery"
	"github.com/helpdesk/helpdesk/internal/mail/mailtest"
)

// MailFrom is the From address of the servers StartWithMail starts.
const MailFrom = "Acme Support <support@acme.example>"

// StartWithMail is StartWith with notification email on: the server sends to an SMTP server
// of the test's own (package mailtest), from MailFrom. configure may change more settings.
// The server runs no background work: DeliverDue sends what is due.
func StartWithMail(t testing.TB, configure func(*config.Config)) (*Env, *mailtest.Server) {
	t.Helper()
	smtp := mailtest.Start(t)
	e := StartWith(t, func(c *config.Config) {
		c.SMTPURL = smtp.URL()
		c.MailFrom = MailFrom
		if configure != nil {
			configure(c)
		}
	})
	return e, smtp
}

// DeliverDue makes one delivery pass of the notification emails due by the env's clock, and
// fails the test on an error.
func (e *Env) DeliverDue() delivery.Stats {
	e.t.Helper()
	st, err := e.Server.DeliverDue(context.Background())
	if err != nil {
		e.t.Fatalf("apitest: deliver due emails: %v", err)
	}
	return st
}
