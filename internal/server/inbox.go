package server

import (
	"net"
	"net/http"
	"strconv"

	"github.com/helpdesk/helpdesk/internal/inbox"
	"github.com/helpdesk/helpdesk/internal/mail"
)

// inboxState is what the Inbox surface keeps: its pages, parsed once.
type inboxState struct {
	inbox *inbox.Inbox
}

// initInbox prepares the teammates' Inbox. Its templates and assets are embedded, so that
// failing here is a programming error, caught by every test.
func (s *Server) initInbox() {
	cfg := inbox.Config{BaseURL: s.cfg.BaseURL, IdentitySecret: s.cfg.IdentitySecret, Email: inbox.EmailConfig{
		MailFrom:        s.cfg.MailFrom,
		ReplyDomain:     s.inboundDomains().hostname,
		InboundSMTPAddr: s.cfg.InboundSMTPAddr,
		InboundEndpoint: s.cfg.InboundSecret != "",
		ReplyEmailDelay: s.cfg.ReplyEmailDelay,
	}}
	// The mail server by its address only: HELPDESK_SMTP_URL may hold a password.
	if smtp, err := mail.ParseSMTPURL(s.cfg.SMTPURL); err == nil {
		cfg.Email.SMTPServer = net.JoinHostPort(smtp.Host, strconv.Itoa(smtp.Port))
	}
	if s.delivery.off != nil {
		cfg.Email.Off = s.delivery.off.Error()
	}
	in, err := inbox.New(cfg, s.db, s.desk, s.clock, s.log)
	if err != nil {
		panic(err)
	}
	s.inbox.inbox = in
}

// mountInbox adds the Inbox's routes, under /inbox (and / redirects there). Every answer
// under /inbox says where the change log was when it was read, for live updates (IN5).
func (s *Server) mountInbox(mux *http.ServeMux) {
	routes := http.NewServeMux()
	s.inbox.inbox.Routes(routes)
	marked := s.inbox.inbox.LiveMarks(routes)
	mux.Handle("/inbox", marked)
	mux.Handle("/inbox/", marked)
	mux.Handle("/{$}", routes)
}
