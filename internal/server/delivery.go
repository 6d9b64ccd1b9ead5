package server

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/helpdesk/helpdesk/internal/delivery"
	"github.com/helpdesk/helpdesk/internal/mail"
)

// deliveryState is the delivery of notification emails (N1-N4, E1, E3): a worker, or why
// there is none.
type deliveryState struct {
	worker *delivery.Worker // nil: email is off
	off    error            // why email is off: not configured, or configured wrongly
}

// deliveryInterval is how often the worker looks for due notifications.
const deliveryInterval = time.Second

// ErrEmailOff is DeliverDue's answer when the server sends no email: HELPDESK_SMTP_URL is
// unset (or the mail settings are wrong, as the log says). Notifications then stay pending,
// and go once email is configured.
var ErrEmailOff = errors.New("notification email is off")

// initDelivery prepares the worker from the mail settings.
func (s *Server) initDelivery() {
	if s.cfg.SMTPURL == "" {
		s.delivery.off = errors.New("HELPDESK_SMTP_URL is not set")
		return
	}
	smtp, err := mail.ParseSMTPURL(s.cfg.SMTPURL)
	if err != nil {
		s.delivery.off = err
		return
	}
	composer, err := mail.NewComposer(mail.Config{From: s.cfg.MailFrom, BaseURL: s.cfg.BaseURL, ReplyDomain: s.cfg.ReplyDomain}, s.clock)
	if err != nil {
		s.delivery.off = err
		return
	}
	s.delivery.worker = delivery.New(s.db, composer, mail.NewSender(smtp), s.clock, s.log, delivery.Options{})
}

// runDelivery delivers notification emails until ctx ends; with email off, it says so once and
// leaves the notifications pending.
func (s *Server) runDelivery(ctx context.Context) {
	if s.delivery.worker == nil {
		if s.cfg.SMTPURL == "" {
			s.log.Info("notification email is off: notifications stay pending until HELPDESK_SMTP_URL is set")
		} else {
			s.log.Error("notification email is off: the mail settings are wrong; notifications stay pending", "err", s.delivery.off)
		}
		return
	}
	s.delivery.worker.Run(ctx, deliveryInterval)
}

// DeliverDue makes one delivery pass: every notification email due now, by the server's clock,
// is sent (or skipped, retried later, or given up) before it returns. The background worker
// does the same every second; tests, which run no background work, call this instead. With
// email off it returns ErrEmailOff, wrapping why.
func (s *Server) DeliverDue(ctx context.Context) (delivery.Stats, error) {
	if s.delivery.worker == nil {
		return delivery.Stats{}, fmt.Errorf("%w: %w", ErrEmailOff, s.delivery.off)
	}
	return s.delivery.worker.RunOnce(ctx)
}
