// Package api is Helpdesk's REST API: Intercom's API 2.16 (SPEC API1), mounted under /api, plus
// the extensions Intercom lacks (SPEC API2), published in our own OpenAPI document.
//
// Every handler reads the request, runs its writes in one store transaction and answers with
// Intercom's objects; every failure is an error.list (SPEC API3).
package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/helpdesk/helpdesk/internal/auth"
	"github.com/helpdesk/helpdesk/internal/clock"
	"github.com/helpdesk/helpdesk/internal/desk"
	"github.com/helpdesk/helpdesk/internal/store"
)

// Server serves the API.
type Server struct {
	db     *store.DB
	desk   *desk.Desk
	log    *slog.Logger
	clock  clock.Clock
	tokens tokenCache
}

// New returns the API's handler, to be mounted at /api (it strips the prefix itself).
func New(db *store.DB, d *desk.Desk, log *slog.Logger, clk clock.Clock) http.Handler {
	s := &Server{db: db, desk: d, log: log, clock: clk}
	mux := http.NewServeMux()
	s.routes(mux)
	var h http.Handler = mux
	h = s.authenticate(h)
	h = checkText(h)
	h = checkVersion(h)
	h = s.recoverPanics(h)
	h = withRequestID(h)
	return http.StripPrefix("/api", h)
}

// handlerFunc is an API handler: it writes its answer, or returns the error to answer with.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// handle adapts a handlerFunc to net/http.
func (s *Server) handle(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

type ctxKey int

const (
	requestIDKey ctxKey = iota
	adminKey
)

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 10)
		_, _ = rand.Read(b)
		id := hex.EncodeToString(b)
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey, id)))
	})
}

func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.writeError(w, r, fmt.Errorf("panic: %v\n%s", v, debug.Stack()))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

var versionPattern = regexp.MustCompile(`^(\d+\.\d+|Unstable)$`)

// checkVersion accepts Intercom's Intercom-Version header: this API answers as version 2.16
// whatever the client asks, but a value that is no version at all is refused as Intercom does.
func checkVersion(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if v := r.Header.Get("Intercom-Version"); v != "" && !versionPattern.MatchString(strings.TrimSpace(v)) {
			writeJSON(w, http.StatusBadRequest, errorList{Type: "error.list", RequestID: requestID(r.Context()),
				Errors: []errorItem{{Code: codeVersionInvalid, Message: "Intercom-Version " + strconv.Quote(v) + " is not a valid version"}}})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// checkText refuses paths and query strings that are not UTF-8 text or hold NUL: no id or
// parameter of this API can, and PostgreSQL cannot store them.
func checkText(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		query, err := url.QueryUnescape(r.URL.RawQuery)
		if err != nil {
			query = r.URL.RawQuery
		}
		for _, s := range []string{r.URL.Path, query} {
			if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
				writeJSON(w, http.StatusBadRequest, errorList{Type: "error.list", RequestID: requestID(r.Context()),
					Errors: []errorItem{{Code: codeParameterInvalid, Message: "the URL holds a NUL character or bytes that are not UTF-8"}}})
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// public paths need no token.
func public(path string) bool { return path == "/openapi.json" }

// authenticate checks the Bearer token and puts its teammate in the request's context.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if public(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		h := r.Header.Get("Authorization")
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || strings.TrimSpace(token) == "" {
			s.writeError(w, r, &Error{Status: http.StatusUnauthorized, Code: codeUnauthorized, Message: "Access Token Invalid: send Authorization: Bearer <token>"})
			return
		}
		admin, err := s.tokens.admin(r.Context(), s.db, auth.HashToken(token), s.clock.Now())
		if errors.Is(err, store.ErrNotFound) {
			s.writeError(w, r, &Error{Status: http.StatusUnauthorized, Code: codeUnauthorized, Message: "Access Token Invalid"})
			return
		}
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), adminKey, admin)))
	})
}

// currentAdmin is the teammate whose token signed the request.
func currentAdmin(r *http.Request) store.Admin {
	a, _ := r.Context().Value(adminKey).(store.Admin)
	return a
}

// pathID reads a numeric id from the path; anything else names no object, so it is a 404.
func pathID(r *http.Request, name, what string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, notFound(what)
	}
	return id, nil
}

// unix formats a time as Intercom does: Unix seconds.
func unix(t time.Time) int64 { return t.Unix() }
