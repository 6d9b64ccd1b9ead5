// Package sse writes server-sent event streams (the Inbox's live updates, the Messenger's), and
// ends them when their server shuts down.
package sse

import (
	"fmt"
	"net/http"
	"sync"
)

// Stream is an event stream being written to a client.
type Stream struct {
	w  http.ResponseWriter
	rc *http.ResponseController
}

// Start answers a request with an event stream: the headers (after those the caller set, such
// as its security headers) and the status. Events follow with Send.
func Start(w http.ResponseWriter) *Stream {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: do not hold the events back
	w.WriteHeader(http.StatusOK)
	return &Stream{w: w, rc: http.NewResponseController(w)}
}

// Send writes text in the stream's format (an event, a comment such as ": ping\n\n") and sends
// it at once; false when the client has gone.
func (s *Stream) Send(format string, args ...any) bool {
	if _, err := fmt.Fprintf(s.w, format, args...); err != nil {
		return false
	}
	return s.rc.Flush() == nil
}

// Shutdowns tells event streams that their server is shutting down: http.Server.Shutdown waits
// for requests in flight, and a stream is one until it ends. The zero value is ready to use.
type Shutdowns struct {
	mu    sync.Mutex
	stops map[*http.Server]chan struct{}
}

// Signal is closed when the http.Server serving r shuts down; nil (never closed) when r was
// not served by one. Take it before the stream's first event: a shutdown may follow at once.
func (s *Shutdowns) Signal(r *http.Request) <-chan struct{} {
	srv, _ := r.Context().Value(http.ServerContextKey).(*http.Server)
	if srv == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, ok := s.stops[srv]
	if !ok {
		if s.stops == nil {
			s.stops = map[*http.Server]chan struct{}{}
		}
		ch = make(chan struct{})
		s.stops[srv] = ch
		srv.RegisterOnShutdown(func() {
			close(ch)
			s.mu.Lock()
			delete(s.stops, srv)
			s.mu.Unlock()
		})
	}
	return ch
}
