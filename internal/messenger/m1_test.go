package messenger_test

import (
	"encoding/base64"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/helpdesk/helpdesk/internal/apitest"
	"github.com/helpdesk/helpdesk/internal/identity"
)

func TestM1_ForgedExpiredOrMissingIdentityIsRefusedAndCreatesNothing(t *testing.T) {
	e := start(t)
	ann := apitest.ID(e.MustDo(http.StatusOK, "POST", "/api/contacts", map[string]any{
		"role": "user", "external_id": "u-1", "email": "ann@example.com", "name": "Ann"}))
	contacts := e.contactCount()
	now := e.Clock.Now()

	// A token whose payload was changed after signing, and one that says it needs no signature.
	good := e.jwt("u-1", "", "")
	parts := strings.Split(good, ".")
	tampered := parts[0] + "." + b64(`{"user_id":"u-2","exp":`+itoa(now.Add(time.Hour).Unix())+`}`) + "." + parts[2]
	none := b64(`{"alg":"none","typ":"JWT"}`) + "." + b64(`{"user_id":"u-1","exp":`+itoa(now.Add(time.Hour).Unix())+`}`) + "."

	cases := []struct {
		name string
		body map[string]string
		want error
	}{
		{"missing", map[string]string{}, identity.ErrMissing},
		{"empty jwt", map[string]string{"user_jwt": ""}, identity.ErrMissing},
		{"forged: another secret", map[string]string{"user_jwt": e.jwtUntil("u-1", "mallory@example.com", "Mallory", now.Add(time.Hour), "not-the-secret")}, identity.ErrBadSignature},
		{"forged: payload changed", map[string]string{"user_jwt": tampered}, identity.ErrBadSignature},
		{"forged: alg none", map[string]string{"user_jwt": none}, identity.ErrWrongAlgorithm},
		{"expired", map[string]string{"user_jwt": e.jwtUntil("u-new", "new@example.com", "New", now.Add(-2*time.Hour), secret)}, identity.ErrExpired},
		{"garbage", map[string]string{"user_jwt": "not a jwt"}, identity.ErrMalformed},
		{"forged user_hash", map[string]string{"user_id": "u-1", "user_hash": identity.UserHash("u-1", []byte("not-the-secret"))}, identity.ErrBadUserHash},
		{"user_hash of another user", map[string]string{"user_id": "u-3", "user_hash": identity.UserHash("u-1", []byte(secret))}, identity.ErrBadUserHash},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// As the frame sends it (JSON): a refusal with the reason, and no session.
			p := e.postJSON("/messenger/session", tc.body)
			var answer struct {
				URL   string `json:"url"`
				Error string `json:"error"`
			}
			_ = json.Unmarshal([]byte(p.Body), &answer)
			if p.Status != http.StatusUnauthorized || answer.Error != tc.want.Error() || answer.URL != "" {
				t.Errorf("JSON: %d %s, want 401 saying %q", p.Status, p.Body, tc.want)
			}
			// As a plain form: a refusal page saying why, and no redirect into a session.
			form := url.Values{}
			for k, v := range tc.body {
				form.Set(k, v)
			}
			p = e.postForm("/messenger/session", form)
			if p.Status != http.StatusUnauthorized || p.Location != "" || !strings.Contains(html.UnescapeString(p.Body), tc.want.Error()) {
				t.Errorf("form: %d %q, want 401 saying %q: %s", p.Status, p.Location, tc.want, p.Body)
			}
			if p.Header.Get("Cache-Control") != "no-store" || p.Header.Get("Referrer-Policy") != "no-referrer" {
				t.Errorf("refusal headers: %v", p.Header)
			}
		})
	}
	// Nothing was created, and the existing user was not changed by the forged identity.
	if n := e.contactCount(); n != contacts {
		t.Errorf("contacts: %d, want %d", n, contacts)
	}
	c := e.MustDo(http.StatusOK, "GET", "/api/contacts/"+ann, nil)
	if c["name"] != "Ann" || c["email"] != "ann@example.com" {
		t.Errorf("the forged identity changed the contact: %v %v", c["name"], c["email"])
	}

	// An unknown session token gets the "please reload" page.
	for _, path := range []string{"/messenger/s/hdc_forged/", "/messenger/s/hd_apitoken/c/1", "/messenger/s/x/tickets"} {
		if p := e.get(path); p.Status != http.StatusUnauthorized || !p.has("Please reload") {
			t.Errorf("GET %s: %d, want 401 asking to reload", path, p.Status)
		}
	}

	t.Run("no secret configured", func(t *testing.T) {
		e := startWith(t, "")
		contacts := e.contactCount()
		p := e.postJSON("/messenger/session", map[string]string{"user_jwt": e.jwt("u-9", "nine@example.com", "Nine")})
		if p.Status != http.StatusUnauthorized || !strings.Contains(p.Body, identity.ErrNoSecret.Error()) {
			t.Errorf("no secret: %d %s", p.Status, p.Body)
		}
		if n := e.contactCount(); n != contacts {
			t.Errorf("contacts: %d, want %d", n, contacts)
		}
	})
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func TestM1_SignedUserIsMatchedByExternalID(t *testing.T) {
	e := start(t)
	// The host product's user u-42 is already a contact, with a conversation.
	ann := apitest.ID(e.MustDo(http.StatusOK, "POST", "/api/contacts", map[string]any{
		"role": "user", "external_id": "u-42", "email": "ann@example.com", "name": "Ann"}))
	msg := e.MustDo(http.StatusOK, "POST", "/api/conversations", map[string]any{
		"from": map[string]any{"type": "user", "id": ann}, "body": "<p>Where is my parcel?</p>"})
	conv, _ := msg["conversation_id"].(string)
	contacts := e.contactCount()

	// The embedding script points its iframe at the frame page of this server.
	js := e.get("/messenger.js")
	if js.Status != http.StatusOK || !strings.HasPrefix(js.Header.Get("Content-Type"), "text/javascript") ||
		!strings.Contains(js.Body, `"`+e.URL+`"`) || !strings.Contains(js.Body, "/messenger/frame#") {
		t.Fatalf("messenger.js: %d %s", js.Status, js.Header.Get("Content-Type"))
	}
	frame := e.get("/messenger/frame")
	csp := frame.Header.Get("Content-Security-Policy")
	if frame.Status != http.StatusOK || !strings.Contains(csp, "frame-ancestors *") || !strings.Contains(csp, "script-src 'self'") ||
		frame.Header.Get("Referrer-Policy") != "no-referrer" || frame.Header.Get("Cache-Control") != "no-store" || frame.Header.Get("X-Frame-Options") != "" {
		t.Errorf("frame page: %d %v", frame.Status, frame.Header)
	}

	// Signed in by user_id alone (the email is not needed), the user is Ann, and sees her
	// conversation.
	c := e.signIn("u-42", "", "")
	home := c.mustGet("/")
	if !home.has("Hi Ann") || !home.has("Where is my parcel?") || !home.has(`href="`+c.base+`/c/`+conv+`"`) {
		t.Errorf("home does not show Ann's conversation: %s", home.Body)
	}
	for _, h := range []string{"Content-Security-Policy", "Referrer-Policy", "Cache-Control"} {
		if home.Header.Get(h) != frame.Header.Get(h) && h != "Content-Security-Policy" {
			t.Errorf("home %s = %q", h, home.Header.Get(h))
		}
	}
	if !strings.Contains(home.Header.Get("Content-Security-Policy"), "frame-ancestors *") {
		t.Errorf("home CSP: %s", home.Header.Get("Content-Security-Policy"))
	}
	if n := e.contactCount(); n != contacts {
		t.Errorf("signing in made a contact: %d, want %d", n, contacts)
	}
	// What she writes in the Messenger is hers.
	id := c.startConversation("And my invoice?")
	got := e.MustDo(http.StatusOK, "GET", "/api/conversations/"+id, nil)
	contactsOf, _ := got["contacts"].(map[string]any)["contacts"].([]any)
	if len(contactsOf) != 1 || apitest.ID(contactsOf[0].(map[string]any)) != ann {
		t.Errorf("the new conversation's contacts: %v, want %s", got["contacts"], ann)
	}

	// The identity's name and email, when given, update the contact; the same user_id as a
	// number is the same user.
	e.signIn("u-42", "ann.new@example.com", "Ann Smith")
	after := e.MustDo(http.StatusOK, "GET", "/api/contacts/"+ann, nil)
	if after["email"] != "ann.new@example.com" || after["name"] != "Ann Smith" {
		t.Errorf("contact after sign-in: %v %v", after["email"], after["name"])
	}
	// A new user_id is a new user.
	e.signIn("u-43", "bob@example.com", "Bob")
	if n := e.contactCount(); n != contacts+1 {
		t.Errorf("contacts after a new user: %d, want %d", n, contacts+1)
	}
	if e.contactID("u-43") == ann {
		t.Error("u-43 matched Ann")
	}

	// Intercom's legacy user_hash signs Ann in too, as a form post redirecting to her pages.
	p := e.postForm("/messenger/session", url.Values{"user_id": {"u-42"}, "user_hash": {identity.UserHash("u-42", []byte(secret))}})
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/messenger/s/hdc_") {
		t.Fatalf("user_hash sign in: %d %q %s", p.Status, p.Location, p.Body)
	}
	if home := e.get(p.Location); home.Status != http.StatusOK || !home.has("Where is my parcel?") {
		t.Errorf("home after user_hash: %d", home.Status)
	}
}

// TestM1_SessionEndsWithTheIdentity: the session ends when the identity does (exp); its pages
// then ask to reload, and its event stream says so and closes.
func TestM1_SessionEndsWithTheIdentity(t *testing.T) {
	e := start(t)
	p := e.postJSON("/messenger/session", map[string]string{"user_jwt": e.jwtUntil("u-1", "", "", e.Clock.Now().Add(10*time.Minute), secret)})
	var answer struct {
		URL       string `json:"url"`
		ExpiresAt int64  `json:"expires_at"`
	}
	if err := json.Unmarshal([]byte(p.Body), &answer); err != nil || p.Status != http.StatusOK {
		t.Fatalf("sign in: %d %s", p.Status, p.Body)
	}
	c := &customer{e: e, base: strings.TrimSuffix(answer.URL, "/")}
	c.mustGet("/")
	events := c.events()
	nextUpdate(t, events, func(liveState) bool { return true })

	e.Clock.Advance(11 * time.Minute)
	if p := c.get("/"); p.Status != http.StatusUnauthorized || !p.has("Your session has ended") {
		t.Errorf("after exp: %d %s", p.Status, p.Body)
	}
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev, open := <-events:
			if !open {
				t.Fatal("the stream closed without saying the session expired")
			}
			if ev.Name == "expired" {
				if _, open := <-events; open {
					t.Error("the stream went on after expired")
				}
				return
			}
		case <-timeout:
			t.Fatal("no expired event within 10 seconds")
		}
	}
}
