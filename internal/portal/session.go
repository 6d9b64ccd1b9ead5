package portal

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/helpdesk/helpdesk/internal/desk"
	"github.com/helpdesk/helpdesk/internal/identity"
	"github.com/helpdesk/helpdesk/internal/store"
)

// cookieName holds the customer session token, for /portal only.
const cookieName = "helpdesk_portal"

// visitor is the signed-in user a request is for, once allowed in (P3).
type visitor struct {
	token string // the customer session's token, shared with the Messenger (P6)
	desk.PortalUser
}

type ctxKey struct{}

func visitorFrom(r *http.Request) (*visitor, bool) {
	v, ok := r.Context().Value(ctxKey{}).(*visitor)
	return v, ok
}

// signedIn runs h for a signed-in user allowed into the portal (P2, P3); anyone else gets the
// page that says how to get in, or why they may not.
func (p *Portal) signedIn(h func(w http.ResponseWriter, r *http.Request, v *visitor) error) http.Handler {
	return p.handle(func(w http.ResponseWriter, r *http.Request) error {
		c, err := r.Cookie(cookieName)
		if err != nil || c.Value == "" {
			return errNotSignedIn
		}
		contactID, err := p.desk.CustomerSession(r.Context(), c.Value)
		if errors.Is(err, store.ErrNotFound) {
			p.clearCookie(w)
			return errSessionEnded
		}
		if err != nil {
			return err
		}
		u, err := p.desk.EnterPortal(r.Context(), contactID)
		var refusal *desk.PortalRefusal
		var nf *desk.NotFoundError
		switch {
		case errors.As(err, &refusal):
			// Signed in, but not allowed in: the sign-out button still shows.
			v := &visitor{token: c.Value, PortalUser: u}
			r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, v))
			return p.refuse(w, r, refusal)
		case errors.As(err, &nf): // the contact was deleted since the session began
			p.clearCookie(w)
			return errSessionEnded
		case err != nil:
			return err
		}
		v := &visitor{token: c.Value, PortalUser: u}
		r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, v))
		if err := h(w, r, v); err != nil {
			p.fail(w, r, err)
		}
		return nil
	})
}

// refuse shows the P3 refusal, saying which of its conditions is missing.
func (p *Portal) refuse(w http.ResponseWriter, r *http.Request, refusal *desk.PortalRefusal) error {
	var hint string
	switch {
	case errors.Is(refusal, desk.ErrPortalNoEmail):
		hint = "Add an email address to your account in the product you use, then open the tickets portal again."
	case errors.Is(refusal, desk.ErrPortalNoCompany):
		hint = "Ask the support team to add you to your company, then open the tickets portal again."
	default:
		hint = "Tickets your company raises with support will appear here."
	}
	p.fail(w, r, &pageError{Status: http.StatusForbidden, Title: "The tickets portal is not open to you yet",
		Message: refusal.Message, Hint: hint})
	return nil
}

var (
	errNotSignedIn = &pageError{Status: http.StatusUnauthorized, Title: "Sign in through your product",
		Message: "The tickets portal shows the tickets of your company to the people your product signs in.",
		Hint:    howToGetIn}
	errSessionEnded = &pageError{Status: http.StatusUnauthorized, Title: "Your session has ended",
		Message: "You were signed out of the tickets portal, or your sign-in has expired.",
		Hint:    howToGetIn}
)

// login signs a user in (P2, P7) with the host product's identity (?jwt=, or Intercom's legacy
// ?user_id=&user_hash=) or with a Messenger session (?session=), keeps the session's token in a
// cookie and sends the browser on to the portal, so that no credential stays in the address bar,
// the history or a Referer. A refused identity creates nothing.
func (p *Portal) login(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	ctx := r.Context()
	var token string
	switch {
	case q.Has("jwt"):
		s, err := p.desk.SignInWithJWT(ctx, q.Get("jwt"), p.cfg.IdentitySecret)
		if err != nil {
			return identityRefusal(err)
		}
		token = s.Token
	case q.Has("user_id") || q.Has("user_hash"):
		s, err := p.desk.SignInWithUserHash(ctx, q.Get("user_id"), q.Get("user_hash"), p.cfg.IdentitySecret)
		if err != nil {
			return identityRefusal(err)
		}
		token = s.Token
	case q.Has("session"):
		token = q.Get("session")
		if _, err := p.desk.CustomerSession(ctx, token); errors.Is(err, store.ErrNotFound) {
			return &pageError{Status: http.StatusUnauthorized, Title: "This link has expired",
				Message: "The Messenger link that brought you here is no longer valid.",
				Hint:    "Open the Messenger again and follow its link to the tickets portal."}
		} else if err != nil {
			return err
		}
	default:
		return &pageError{Status: http.StatusUnauthorized, Title: "Sign in through your product",
			Message: "This sign-in link carries no identity.", Hint: howToGetIn}
	}
	// A cookie for the browser session: the server ends the session when its identity ends,
	// whatever the browser's clock says.
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: token, Path: "/portal",
		HttpOnly: true, Secure: p.secure, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, nextPath(q.Get("next")), http.StatusSeeOther)
	return nil
}

// portalPath is where a sign-in link may send the browser on to: the portal or one ticket,
// never another site or path.
var portalPath = regexp.MustCompile(`^/portal(/tickets/[1-9][0-9]{0,18})?$`)

func nextPath(next string) string {
	if portalPath.MatchString(next) {
		return next
	}
	return "/portal"
}

// identityRefusal shows why an identity was refused, in identity.Error's own words, which
// never repeat the token or the secret.
func identityRefusal(err error) error {
	var ie *identity.Error
	var conflict *desk.IdentityConflictError
	switch {
	case errors.As(err, &ie):
		status := http.StatusUnauthorized
		if errors.Is(err, identity.ErrNoSecret) {
			status = http.StatusForbidden
		}
		return &pageError{Status: status, Title: "Your sign-in was refused", Message: sentence(ie.Reason.Error()),
			Hint:  "Open the tickets portal again from your product. If this keeps happening, tell its support team what this page says.",
			Cause: err}
	case errors.As(err, &conflict):
		return &pageError{Status: http.StatusForbidden, Title: "Your sign-in was refused", Message: sentence(conflict.Message),
			Hint: "Tell the support team of your product what this page says.", Cause: err}
	}
	return err
}

// sentence starts text with a capital and ends it with a full stop.
func sentence(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	s = string(unicode.ToUpper(r)) + s[n:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// logout ends the session, the Messenger's too (one sign-in, one sign-out), and its cookie goes.
func (p *Portal) logout(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(cookieName); err == nil && c.Value != "" {
		if err := p.desk.SignOut(r.Context(), c.Value); err != nil {
			return err
		}
	}
	p.clearCookie(w)
	p.render(w, r, http.StatusOK, "message", messagePage{
		page:    page{Title: "Signed out"},
		Heading: "You are signed out",
		Message: "You have left the tickets portal on this browser.",
		Hint:    howToGetIn,
	})
	return nil
}

func (p *Portal) clearCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/portal", MaxAge: -1,
		HttpOnly: true, Secure: p.secure, SameSite: http.SameSiteLaxMode})
}
