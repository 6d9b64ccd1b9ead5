package server

import (
	"net/http"

	"github.com/helpdesk/helpdesk/internal/inbox"
)

// inboxState is what the Inbox surface keeps: its pages, parsed once.
type inboxState struct {
	inbox *inbox.Inbox
}

// initInbox prepares the teammates' Inbox. Its templates and assets are embedded, so that
// failing here is a programming error, caught by every test.
func (s *Server) initInbox() {
	in, err := inbox.New(inbox.Config{BaseURL: s.cfg.BaseURL, IdentitySecret: s.cfg.IdentitySecret}, s.db, s.desk, s.clock, s.log)
	if err != nil {
		panic(err)
	}
	s.inbox.inbox = in
}

// mountInbox adds the Inbox's routes, under /inbox (and / redirects there).
func (s *Server) mountInbox(mux *http.ServeMux) {
	s.inbox.inbox.Routes(mux)
}
