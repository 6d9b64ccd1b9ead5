// Package apitest runs a real Helpdesk server on a fresh database for black-box API tests, and
// checks every exchange against Intercom's API description on the way (SPEC API1).
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/helpdesk/helpdesk/internal/auth"
	"github.com/helpdesk/helpdesk/internal/clock"
	"github.com/helpdesk/helpdesk/internal/config"
	"github.com/helpdesk/helpdesk/internal/contract"
	"github.com/helpdesk/helpdesk/internal/server"
	"github.com/helpdesk/helpdesk/internal/store"
	"github.com/helpdesk/helpdesk/internal/store/storetest"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// Env is a running server with one teammate and a token for it.
type Env struct {
	t      testing.TB
	URL    string
	DB     *store.DB
	Clock  *clock.Fake
	Server *server.Server
	Config config.Config
	Admin  store.Admin
	Token  string
	client *http.Client
	// Exchanges, when set, is told of every exchange that passed the contract check.
	Exchanges func(method, path string, status int)
}

// Start starts a server on a fresh database (SQLite, or PostgreSQL when
// HELPDESK_TEST_DATABASE_URL is set), with a fake clock at a fixed time.
func Start(t testing.TB) *Env {
	t.Helper()
	return StartWith(t, nil)
}

// StartWith is Start with settings of the test's own: configure changes the configuration
// before the server is made (HELPDESK_BASE_URL is the test server's URL unless it sets one).
func StartWith(t testing.TB, configure func(*config.Config)) *Env {
	t.Helper()
	db := storetest.Open(t)
	clk := clock.NewFake(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	cfg := config.Defaults()
	hs := httptest.NewUnstartedServer(nil)
	hs.Start()
	t.Cleanup(hs.Close)
	cfg.BaseURL = hs.URL
	if configure != nil {
		configure(&cfg)
	}
	if err := cfg.Finish(); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv := server.New(cfg, db, log, clk)
	hs.Config.Handler = srv.Handler()
	e := &Env{t: t, URL: hs.URL, DB: db, Clock: clk, Server: srv, Config: cfg, client: hs.Client()}
	e.Admin = e.CreateAdmin("owner@example.com", "Olive Owner")
	e.Token = e.CreateToken(e.Admin.ID)
	return e
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// CreateAdmin adds a teammate directly in the database.
func (e *Env) CreateAdmin(email, name string) store.Admin {
	e.t.Helper()
	a := store.Admin{Email: email, Name: name, Role: store.RoleAdmin, PasswordHash: "-", CreatedAt: e.Clock.Now()}
	e.tx(func(tx *store.Tx) error { return tx.CreateAdmin(context.Background(), &a) })
	return a
}

// CreateAdminWithPassword adds a teammate who can sign in to the Inbox with password.
func (e *Env) CreateAdminWithPassword(email, name, password string) store.Admin {
	e.t.Helper()
	hash, err := auth.HashPassword(password)
	if err != nil {
		e.t.Fatal(err)
	}
	a := store.Admin{Email: email, Name: name, Role: store.RoleAdmin, PasswordHash: hash, CreatedAt: e.Clock.Now()}
	e.tx(func(tx *store.Tx) error { return tx.CreateAdmin(context.Background(), &a) })
	return a
}

// CreateTeam adds a team with members directly in the database.
func (e *Env) CreateTeam(name string, members ...int64) store.Team {
	e.t.Helper()
	team := store.Team{Name: name, CreatedAt: e.Clock.Now()}
	e.tx(func(tx *store.Tx) error {
		if err := tx.CreateTeam(context.Background(), &team); err != nil {
			return err
		}
		for _, m := range members {
			if err := tx.AddTeamMember(context.Background(), team.ID, m); err != nil {
				return err
			}
		}
		return nil
	})
	return team
}

// CreateToken makes an API token for a teammate.
func (e *Env) CreateToken(adminID int64) string {
	e.t.Helper()
	token, hash := auth.NewToken()
	e.tx(func(tx *store.Tx) error {
		return tx.CreateToken(context.Background(), &store.Token{AdminID: adminID, Name: "test", Hash: hash, CreatedAt: e.Clock.Now()})
	})
	return token
}

func (e *Env) tx(fn func(tx *store.Tx) error) {
	e.t.Helper()
	if err := e.DB.Tx(context.Background(), fn); err != nil {
		e.t.Fatalf("apitest: %v", err)
	}
}

// Response is an API answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a generic value.
func (r *Response) JSON() map[string]any {
	var v map[string]any
	_ = json.Unmarshal(r.Body, &v)
	return v
}

// Decode decodes the body into v.
func (r *Response) Decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// ErrorCode returns the code of the first error of an error.list, or "".
func (r *Response) ErrorCode() string {
	var e struct {
		Type   string `json:"type"`
		Errors []struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	if json.Unmarshal(r.Body, &e) != nil || e.Type != "error.list" || len(e.Errors) == 0 {
		return ""
	}
	return e.Errors[0].Code
}

// ErrorMessage returns the message of the first error of an error.list, or "".
func (r *Response) ErrorMessage() string {
	var e struct {
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if json.Unmarshal(r.Body, &e) != nil || len(e.Errors) == 0 {
		return ""
	}
	return e.Errors[0].Message
}

// Do sends a request with the env's token. body may be nil, a string or []byte (sent as is), or
// any value (sent as JSON). The exchange is checked against Intercom's API description unless
// the path is one of our extensions.
func (e *Env) Do(method, path string, body any) *Response {
	e.t.Helper()
	return e.DoWith(e.Token, method, path, body)
}

// DoWith is Do with another token ("" sends none).
func (e *Env) DoWith(token, method, path string, body any) *Response {
	e.t.Helper()
	return e.do(token, method, path, body, true)
}

// DoUnchecked is Do without the contract check, for requests that are deliberately outside
// Intercom's description (a 5xx answer still fails the test).
func (e *Env) DoUnchecked(method, path string, body any) *Response {
	e.t.Helper()
	return e.do(e.Token, method, path, body, false)
}

func (e *Env) do(token, method, path string, body any, check bool) *Response {
	e.t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	case []byte:
		raw = b
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			e.t.Fatalf("apitest: marshal: %v", err)
		}
	}
	req, err := http.NewRequest(method, e.URL+path, bytes.NewReader(raw))
	if err != nil {
		e.t.Fatalf("apitest: %v", err)
	}
	if raw != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Intercom-Version", "2.16")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := e.client.Do(req)
	if err != nil {
		e.t.Fatalf("apitest: %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	respBody, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatalf("apitest: read: %v", err)
	}
	if resp.StatusCode >= 500 {
		e.t.Errorf("%s %s answered %d: %s", method, path, resp.StatusCode, respBody)
	}
	if check && e.checkContract(req, raw, resp, respBody) && e.Exchanges != nil {
		e.Exchanges(method, req.URL.Path, resp.StatusCode)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: respBody}
}

// checkContract checks an exchange against Intercom's description and reports whether it
// matched one of its operations.
func (e *Env) checkContract(req *http.Request, reqBody []byte, resp *http.Response, respBody []byte) bool {
	e.t.Helper()
	v, err := contract.Load()
	if err != nil {
		e.t.Fatalf("apitest: %v", err)
	}
	err = v.CheckResponse(req, reqBody, resp.StatusCode, resp.Header, respBody)
	if err != nil && !errors.Is(err, contract.ErrNoOperation) {
		e.t.Errorf("%v", err)
	}
	return err == nil
}

// MustDo is Do that fails the test unless the status is want; it returns the decoded body.
func (e *Env) MustDo(want int, method, path string, body any) map[string]any {
	e.t.Helper()
	r := e.Do(method, path, body)
	if r.Status != want {
		e.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.Status, want, r.Body)
	}
	return r.JSON()
}

// ID reads the "id" of an object, as a string.
func ID(v map[string]any) string {
	id, _ := v["id"].(string)
	return id
}

// Str formats v for messages.
func Str(v any) string {
	b, _ := json.Marshal(v)
	return fmt.Sprint(string(b))
}

// CreateContact adds a user contact directly in the database.
func (e *Env) CreateContact(email, name string) store.Contact {
	e.t.Helper()
	now := e.Clock.Now()
	c := store.Contact{Role: "user", Email: email, CreatedAt: now, UpdatedAt: now}
	c.Name.String, c.Name.Valid = name, name != ""
	e.tx(func(tx *store.Tx) error { return tx.CreateContact(context.Background(), &c) })
	return c
}

// CreateTicketType adds a ticket type directly in the database, with the default attributes and
// the extra ones given. internal is Intercom's is_internal (nil: the category's default).
func (e *Env) CreateTicketType(name string, category ticket.Category, internal *bool, attrs ...ticket.Attribute) ticket.Type {
	e.t.Helper()
	now := e.Clock.Now()
	typ, err := ticket.NewType(name, "", "", category, internal, now)
	if err != nil {
		e.t.Fatalf("apitest: %v", err)
	}
	for i, a := range attrs {
		a.Order, a.CreatedAt, a.UpdatedAt = len(typ.Attributes)+i, now, now
		typ.Attributes = append(typ.Attributes, a)
	}
	e.tx(func(tx *store.Tx) error { return tx.CreateTicketType(context.Background(), &typ) })
	return typ
}
