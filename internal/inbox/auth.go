package inbox

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/helpdesk/helpdesk/internal/desk"
	"github.com/helpdesk/helpdesk/internal/store"
)

// cookieName holds the teammate's session token.
const cookieName = "helpdesk_session"

// loginPage is the sign-in form.
type loginPage struct {
	Page
	Email string
	Next  string
	Error string
}

func (in *Inbox) loginForm(w http.ResponseWriter, r *http.Request) error {
	if _, err := in.sessionAdmin(r); err == nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return nil
	}
	in.render(w, r, http.StatusOK, "login", &loginPage{Page: Page{Title: "Sign in"}, Next: safeNext(r.URL.Query().Get("next"))})
	return nil
}

func (in *Inbox) login(w http.ResponseWriter, r *http.Request) error {
	email, password, next := r.PostFormValue("email"), r.PostFormValue("password"), safeNext(r.PostFormValue("next"))
	s, _, err := in.desk.SignInTeammate(r.Context(), email, password)
	if errors.Is(err, desk.ErrBadCredentials) {
		in.render(w, r, http.StatusUnauthorized, "login", &loginPage{Page: Page{Title: "Sign in"},
			Email: email, Next: next, Error: "That email and password do not match a teammate."})
		return nil
	}
	if err != nil {
		return err
	}
	// A browser-session cookie: the server ends the session (desk.TeammateSessionLength), and
	// the browser forgets the cookie when it closes.
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: s.Token, Path: "/",
		HttpOnly: true, Secure: in.secure, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (in *Inbox) logout(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(cookieName); err == nil && c.Value != "" {
		if err := in.desk.SignOutTeammate(r.Context(), c.Value); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: in.secure, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/inbox/login", http.StatusSeeOther)
	return nil
}

// sessionAdmin is the teammate of the request's session cookie.
func (in *Inbox) sessionAdmin(r *http.Request) (store.Admin, error) {
	c, err := r.Cookie(cookieName)
	if err != nil || c.Value == "" {
		return store.Admin{}, store.ErrNotFound
	}
	return in.desk.TeammateSession(r.Context(), c.Value)
}

// requireAdmin lets signed-in teammates through, with the teammate in the context; others go
// to the sign-in page (htmx requests are told to go there with HX-Redirect).
func (in *Inbox) requireAdmin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		admin, err := in.sessionAdmin(r)
		if errors.Is(err, store.ErrNotFound) {
			to := "/inbox/login?next=" + url.QueryEscape(r.URL.RequestURI())
			if r.Header.Get("HX-Request") == "true" {
				w.Header().Set("HX-Redirect", to)
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			http.Redirect(w, r, to, http.StatusSeeOther)
			return
		}
		if err != nil {
			in.fail(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), adminKey, admin)))
	})
}

// safeNext keeps a redirect after sign-in inside the Inbox.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/inbox") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return "/inbox"
	}
	return next
}
