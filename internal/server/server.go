// Package server assembles Helpdesk's HTTP surfaces and background work into one process that
// starts, serves and shuts down gracefully.
package server

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/helpdesk/helpdesk/internal/api"
	"github.com/helpdesk/helpdesk/internal/clock"
	"github.com/helpdesk/helpdesk/internal/config"
	"github.com/helpdesk/helpdesk/internal/desk"
	"github.com/helpdesk/helpdesk/internal/store"
	"github.com/helpdesk/helpdesk/internal/web"
)

// Server is a running Helpdesk.
type Server struct {
	cfg   config.Config
	db    *store.DB
	desk  *desk.Desk
	log   *slog.Logger
	clock clock.Clock
	// Each surface keeps its own state, in its own file.
	delivery  deliveryState  // delivery.go: notification emails (N1-N4, E1, E3)
	inbound   inboundState   // inbound.go: email in (E2, CV1)
	messenger messengerState // messenger.go: the Messenger (M1-M3, CT3, CT4)
	portal    portalState    // portal.go: the tickets portal (P1-P7)
	inbox     inboxState     // inbox.go: the teammates' Inbox (IN1-IN6)
}

// New assembles a server on an open, migrated database.
func New(cfg config.Config, db *store.DB, log *slog.Logger, clk clock.Clock) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	d := desk.New(db, clk, log)
	d.ReplyEmailDelay = cfg.ReplyEmailDelay
	s := &Server{cfg: cfg, db: db, desk: d, log: log, clock: clk}
	s.initDelivery()
	s.initInbound()
	s.initMessenger()
	s.initPortal()
	s.initInbox()
	return s
}

// Desk is the server's operations, for tests and tools that act as a teammate would.
func (s *Server) Desk() *desk.Desk { return s.desk }

// Config is the server's configuration.
func (s *Server) Config() config.Config {
	return s.cfg
}

// Handler is every HTTP route of the server.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/svg+xml")
		w.Header().Set("Cache-Control", "public, max-age=86400")
		_, _ = w.Write(web.Favicon)
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := s.db.Ping(ctx); err != nil {
			s.log.Warn("not ready", "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("database unreachable\n"))
			return
		}
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.Handle("/api/", api.New(s.db, s.desk, s.log, s.clock))
	mux.Handle("/api", http.RedirectHandler("/api/openapi.json", http.StatusFound))
	s.mountInbound(mux)
	s.mountMessenger(mux)
	s.mountPortal(mux)
	s.mountInbox(mux)
	return mux
}

// Background starts the background work (the snooze sweep) and returns when ctx ends and the
// work has stopped.
func (s *Server) Background(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Go(func() { s.desk.RunSnoozeSweeper(ctx, s.cfg.SnoozeSweepPeriod) })
	wg.Go(func() { s.sweepSessions(ctx, time.Hour) })
	wg.Go(func() { s.runDelivery(ctx) })
	wg.Go(func() { s.runInbound(ctx) })
	wg.Go(func() { s.runLive(ctx) })
	wg.Wait()
}

// sweepSessions removes ended customer and teammate sessions every period, until ctx ends.
func (s *Server) sweepSessions(ctx context.Context, period time.Duration) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		err := s.db.Tx(ctx, func(tx *store.Tx) error {
			return errors.Join(tx.DeleteExpiredCustomerSessions(ctx, s.clock.Now()), tx.DeleteExpiredAdminSessions(ctx, s.clock.Now()))
		})
		if err != nil && ctx.Err() == nil {
			s.log.Warn("sweeping customer sessions", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Serve listens on l until ctx ends, then stops accepting, lets requests in flight finish (up to
// 15 seconds) and stops the background work.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	bgCtx, stopBackground := context.WithCancel(context.WithoutCancel(ctx))
	bgDone := make(chan struct{})
	go func() {
		s.Background(bgCtx)
		close(bgDone)
	}()
	errc := make(chan error, 1)
	go func() {
		if s.cfg.TLSCert != "" { // HTTPS, and so HTTP/2 (net/http offers it over TLS by itself)
			errc <- srv.ServeTLS(l, s.cfg.TLSCert, s.cfg.TLSKey)
			return
		}
		errc <- srv.Serve(l)
	}()
	var err error
	select {
	case err = <-errc:
	case <-ctx.Done():
		s.log.Info("shutting down")
		shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
		defer cancel()
		err = srv.Shutdown(shutdownCtx)
	}
	stopBackground()
	<-bgDone
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}
