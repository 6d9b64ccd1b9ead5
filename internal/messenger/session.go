package messenger

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/helpdesk/helpdesk/internal/desk"
	"github.com/helpdesk/helpdesk/internal/identity"
	"github.com/helpdesk/helpdesk/internal/store"
)

// visit is one request of a signed-in contact.
type visit struct {
	token     string
	contactID int64
	base      string // "/messenger/s/{token}"
}

// session checks the session token of the path on every request (N5): an unknown or ended
// session gets the "please reload" page, and fn never runs.
func (m *Messenger) session(fn func(http.ResponseWriter, *http.Request, *visit) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok := r.PathValue("tok")
		contactID, err := m.desk.CustomerSession(r.Context(), tok)
		if errors.Is(err, store.ErrNotFound) {
			m.expired(w, r)
			return
		}
		v := &visit{token: tok, contactID: contactID, base: "/messenger/s/" + tok}
		if err == nil {
			err = fn(w, r, v)
		}
		if err != nil {
			m.fail(w, r, v, err)
		}
	})
}

// signInRequest is the identity the frame posts (M1, P2): a JWT, or Intercom's legacy user_id
// with its user_hash.
type signInRequest struct {
	UserJWT  string `json:"user_jwt"`
	UserID   string `json:"user_id"`
	UserHash string `json:"user_hash"`
}

// signInAnswer tells the frame where the session's pages are.
type signInAnswer struct {
	URL       string `json:"url"`
	ExpiresAt int64  `json:"expires_at"`
}

// signInError is a refusal, with text the user or the host's developer can act on.
type signInError struct {
	Error string `json:"error"`
}

// maxSignInBody bounds a sign-in request; a real identity is a few hundred bytes.
const maxSignInBody = 16 << 10

// signIn opens a session for a verified identity (M1), as JSON or as a form: the answer is the
// session's URL, or a refusal saying why (the identity.Error text). A refused identity creates
// nothing.
func (m *Messenger) signIn(w http.ResponseWriter, r *http.Request) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	asJSON := ct == "application/json" || strings.Contains(r.Header.Get("Accept"), "application/json")
	var req signInRequest
	r.Body = http.MaxBytesReader(w, r.Body, maxSignInBody)
	if ct == "application/json" {
		body, err := io.ReadAll(r.Body)
		if err == nil && len(body) > 0 {
			err = json.Unmarshal(body, &req)
		}
		if err != nil {
			writeJSON(w, http.StatusBadRequest, signInError{Error: "the identity must be sent as a JSON object with user_jwt, or user_id and user_hash"})
			return
		}
	} else {
		if err := r.ParseForm(); err != nil {
			m.refuse(w, r, false, http.StatusBadRequest, "the identity could not be read")
			return
		}
		req = signInRequest{UserJWT: r.PostFormValue("user_jwt"), UserID: r.PostFormValue("user_id"), UserHash: r.PostFormValue("user_hash")}
	}

	var s desk.Session
	var err error
	if req.UserJWT == "" && (req.UserID != "" || req.UserHash != "") {
		s, err = m.desk.SignInWithUserHash(r.Context(), req.UserID, req.UserHash, m.secret)
	} else {
		s, err = m.desk.SignInWithJWT(r.Context(), req.UserJWT, m.secret)
	}
	var refused *identity.Error
	var conflict *desk.IdentityConflictError
	switch {
	case errors.As(err, &refused):
		m.log.Info("messenger: identity refused", "reason", refused.Error())
		m.refuse(w, r, asJSON, http.StatusUnauthorized, refused.Reason.Error())
		return
	case errors.As(err, &conflict):
		m.refuse(w, r, asJSON, http.StatusConflict, conflict.Message)
		return
	case err != nil:
		m.log.Error("messenger: sign in", "err", err)
		m.refuse(w, r, asJSON, http.StatusInternalServerError, "we could not sign you in just now; please try again in a moment")
		return
	}
	url := "/messenger/s/" + s.Token + "/"
	if asJSON {
		writeJSON(w, http.StatusOK, signInAnswer{URL: url, ExpiresAt: s.ExpiresAt.Unix()})
		return
	}
	securityHeaders(w, "")
	http.Redirect(w, r, url, http.StatusSeeOther)
}

// refusedPage says why the Messenger cannot sign the user in.
type refusedPage struct {
	Page
	Reason string
}

func (m *Messenger) refuse(w http.ResponseWriter, r *http.Request, asJSON bool, status int, reason string) {
	if asJSON {
		writeJSON(w, status, signInError{Error: reason})
		return
	}
	m.render(w, r, status, "refused", &refusedPage{Page: Page{Title: "Cannot sign you in"}, Reason: reason})
}

// framePage is the page the launcher's iframe opens: its script posts the identity from the
// URL fragment to POST /messenger/session and goes on to the session's pages.
type framePage struct{ Page }

func (m *Messenger) serveFrame(w http.ResponseWriter, r *http.Request) {
	m.render(w, r, http.StatusOK, "frame", &framePage{Page{Title: "Messenger"}})
}

// serveEmbedScript is the one script a host page includes (M1).
func (m *Messenger) serveEmbedScript(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=300")
	h.Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(m.embedJS)
}

// serveAsset serves a static file by its content-hashed name, cached for good.
func (m *Messenger) serveAsset(w http.ResponseWriter, r *http.Request) {
	a, ok := m.assets[r.PathValue("name")]
	if !ok {
		m.notFoundPage(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(a.body)
}

// badge answers the contact's badge count (M3) as JSON, for scripts that poll instead of
// listening to the event stream.
func (m *Messenger) badge(w http.ResponseWriter, r *http.Request, v *visit) error {
	n, err := m.db.Read().UnseenThreads(r.Context(), v.contactID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]int{"count": n})
	return nil
}
