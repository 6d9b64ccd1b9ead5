package inbox_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

func TestInbox_TeammateSignsInAndOut(t *testing.T) {
	e := start(t)
	c := e.client(t)

	// Signed out, the inbox sends to the sign-in page, remembering where to go back.
	if r := c.get("/inbox"); r.status != http.StatusSeeOther || r.location != "/inbox/login?next=%2Finbox" {
		t.Fatalf("signed out: %d %q", r.status, r.location)
	}
	// A wrong password, or an email no one has, is refused with one message for both.
	for _, creds := range [][2]string{{mateEmail, "wrong"}, {"nobody@example.com", matePassword}} {
		r := c.post("/inbox/login", url.Values{"email": {creds[0]}, "password": {creds[1]}})
		if r.status != http.StatusUnauthorized || !strings.Contains(r.body, "do not match") {
			t.Errorf("sign in as %s: %d", creds[0], r.status)
		}
	}
	// The right ones set an HttpOnly session cookie and go to the inbox.
	r := c.post("/inbox/login", url.Values{"email": {mateEmail}, "password": {matePassword}, "next": {"/inbox"}})
	if r.status != http.StatusSeeOther || r.location != "/inbox" {
		t.Fatalf("sign in: %d %q %s", r.status, r.location, r.body)
	}
	if cookie := r.header.Get("Set-Cookie"); !strings.Contains(cookie, "HttpOnly") || !strings.Contains(cookie, "SameSite=Lax") {
		t.Errorf("session cookie: %s", cookie)
	}
	if r := c.get("/inbox"); r.status != http.StatusOK || !strings.Contains(r.body, "Mia Mate") {
		t.Fatalf("signed in: %d", r.status)
	}
	// A redirect after sign-in stays in the Inbox.
	r = e.client(t).post("/inbox/login", url.Values{"email": {mateEmail}, "password": {matePassword}, "next": {"https://evil.example/"}})
	if r.location != "/inbox" {
		t.Errorf("next to another site went to %q", r.location)
	}
	// Signing out from another site is refused; from ours it ends the session.
	if r := c.post("/inbox/logout", nil, "Sec-Fetch-Site", "cross-site"); r.status != http.StatusForbidden {
		t.Errorf("cross-site sign-out: %d", r.status)
	}
	if r := c.post("/inbox/logout", nil); r.status != http.StatusSeeOther {
		t.Fatalf("sign out: %d", r.status)
	}
	if r := c.get("/inbox"); r.status != http.StatusSeeOther {
		t.Errorf("after sign-out: %d", r.status)
	}
}

func TestInbox_SignInInARealBrowser(t *testing.T) {
	e := start(t)
	ctx := e.browser(t)
	var who string
	if err := chromedp.Run(ctx, chromedp.Text("header.top .me span", &who, chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	if who != "Mia Mate" {
		t.Errorf("signed in as %q", who)
	}
}

// Browsers ask every site for /favicon.ico: it is there, so that no page logs a 404.
func TestInbox_FaviconIsServed(t *testing.T) {
	e := start(t)
	r := e.client(t).get("/favicon.ico")
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "image/svg+xml" || !strings.HasPrefix(r.body, "<svg") {
		t.Errorf("/favicon.ico: %d %q", r.status, r.header.Get("Content-Type"))
	}
}

// Keyboard users skip the navigation: the first thing on every page is a link to its content.
func TestInbox_SkipLinkComesFirst(t *testing.T) {
	e := start(t)
	for _, p := range []response{e.client(t).get("/inbox/login"), e.signedIn(t).get("/inbox")} {
		body := p.body[strings.Index(p.body, "<body>"):]
		if !strings.HasPrefix(strings.TrimSpace(strings.TrimPrefix(body, "<body>")), `<a class="skip" href="#main">Skip to content</a>`) {
			t.Errorf("no skip link first: %.200s", body)
		}
	}
}
