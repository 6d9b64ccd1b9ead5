package inbox_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/helpdesk/helpdesk/internal/apitest"
	"github.com/helpdesk/helpdesk/internal/browsertest"
	"github.com/helpdesk/helpdesk/internal/store"
)

// env is a running server with a teammate who can sign in to the Inbox.
type env struct {
	*apitest.Env
	Mate     store.Admin // signs in with mateEmail and matePassword
	password string
}

const (
	mateEmail    = "mia@example.com"
	matePassword = "correct horse battery staple"
)

func start(t *testing.T) *env {
	t.Helper()
	e := &env{Env: apitest.Start(t), password: matePassword}
	e.Mate = e.CreateAdminWithPassword(mateEmail, "Mia Mate", matePassword)
	return e
}

// client is a browser-like HTTP client with its own cookies, that does not follow redirects.
type client struct {
	t    *testing.T
	base string
	http *http.Client
}

func (e *env) client(t *testing.T) *client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &client{t: t, base: e.URL, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// signedIn is a client signed in as the env's teammate.
func (e *env) signedIn(t *testing.T) *client {
	t.Helper()
	c := e.client(t)
	if resp := c.post("/inbox/login", url.Values{"email": {mateEmail}, "password": {matePassword}}); resp.status != http.StatusSeeOther {
		t.Fatalf("sign in: %d %s", resp.status, resp.body)
	}
	return c
}

type response struct {
	status   int
	body     string
	location string
	header   http.Header
}

func (c *client) do(req *http.Request) response {
	c.t.Helper()
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return response{status: resp.StatusCode, body: string(b), location: resp.Header.Get("Location"), header: resp.Header}
}

// get fetches a page; headers are extra request headers, such as HX-Request.
func (c *client) get(path string, headers ...string) response {
	c.t.Helper()
	req, err := http.NewRequest("GET", c.base+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return c.do(req)
}

// post sends a form as the browser would from one of our pages; headers are extra headers
// (such as Sec-Fetch-Site: cross-site for an attack).
func (c *client) post(path string, form url.Values, headers ...string) response {
	c.t.Helper()
	req, err := http.NewRequest("POST", c.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return c.do(req)
}

// browser starts chromium signed in as the env's teammate, on the inbox.
func (e *env) browser(t *testing.T) context.Context {
	t.Helper()
	ctx := browsertest.New(t)
	err := chromedp.Run(ctx,
		chromedp.Navigate(e.URL+"/inbox/login"),
		chromedp.WaitVisible("#email", chromedp.ByID),
		chromedp.SendKeys("#email", mateEmail, chromedp.ByID),
		chromedp.SendKeys("#password", matePassword, chromedp.ByID),
		chromedp.Submit("#password", chromedp.ByID),
		chromedp.WaitVisible("header.top", chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("browser sign-in: %v", err)
	}
	return ctx
}
