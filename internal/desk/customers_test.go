package desk_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/helpdesk/helpdesk/internal/desk"
	"github.com/helpdesk/helpdesk/internal/identity"
	"github.com/helpdesk/helpdesk/internal/store"
)

func TestE2_EmailedReplyIsPostedOnceWhateverTheRedeliveries(t *testing.T) {
	e := newTrackerEnv(t)
	ctx := context.Background()
	c, err := e.d.StartConversation(ctx, e.contact, "<p>My order is late</p>")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		err := e.d.ContactReplyByEmail(ctx, c.ID, e.contact, false, "<p>Any news?</p>", "<reply-1@mail.example>")
		switch {
		case i == 0 && err != nil:
			t.Fatalf("first delivery: %v", err)
		case i > 0 && !errors.Is(err, desk.ErrEmailTaken):
			t.Fatalf("redelivery %d: err = %v, want ErrEmailTaken", i, err)
		}
	}
	parts, err := e.db.Read().Parts(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	comments := 0
	for _, p := range parts {
		if p.Body == "<p>Any news?</p>" {
			comments++
		}
	}
	if comments != 1 {
		t.Fatalf("the reply was posted %d times, want once", comments)
	}
	th, err := e.db.Read().EmailMessage(ctx, "<reply-1@mail.example>")
	if err != nil || th.ConversationID != c.ID || th.ContactID != e.contact {
		t.Fatalf("Message-ID recorded as %+v, %v", th, err)
	}
}

func TestP2_IdentityIsMatchedToOneContactAndAConflictCreatesNothing(t *testing.T) {
	e := newTrackerEnv(t)
	ctx := context.Background()
	exp := e.clk.Now().Add(time.Hour)
	// The env's contact (casey@example.com, no external_id) takes the user_id on first sign-in.
	s, err := e.d.SignIn(ctx, identity.Claims{UserID: "u-1", Email: "Casey@Example.com", Name: "Casey", ExpiresAt: exp})
	if err != nil {
		t.Fatal(err)
	}
	if s.ContactID != e.contact || !s.ExpiresAt.Equal(exp) {
		t.Fatalf("session %+v, want contact %d ending at %v", s, e.contact, exp)
	}
	if id, err := e.d.CustomerSession(ctx, s.Token); err != nil || id != e.contact {
		t.Fatalf("session lookup: %d, %v", id, err)
	}
	// The same user_id again: the same contact.
	if s2, err := e.d.SignIn(ctx, identity.Claims{UserID: "u-1", ExpiresAt: exp}); err != nil || s2.ContactID != e.contact {
		t.Fatalf("second sign-in: %+v, %v", s2, err)
	}
	// A new user_id with Casey's email belongs to someone else: refused, nothing made.
	before := countContacts(t, e)
	_, err = e.d.SignIn(ctx, identity.Claims{UserID: "u-2", Email: "casey@example.com", ExpiresAt: exp})
	var conflict *desk.IdentityConflictError
	if !errors.As(err, &conflict) {
		t.Fatalf("err = %v, want an identity conflict", err)
	}
	if after := countContacts(t, e); after != before {
		t.Fatalf("a refused identity made contacts: %d → %d", before, after)
	}
	// A new user_id without an email: a new user.
	s3, err := e.d.SignIn(ctx, identity.Claims{UserID: "u-3", ExpiresAt: exp})
	if err != nil || s3.ContactID == e.contact {
		t.Fatalf("new user: %+v, %v", s3, err)
	}
	// The session ends with the identity, and signing out ends it at once.
	e.clk.Advance(2 * time.Hour)
	if _, err := e.d.CustomerSession(ctx, s.Token); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("session after exp: %v", err)
	}
	s4, err := e.d.SignIn(ctx, identity.Claims{UserID: "u-1", ExpiresAt: e.clk.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.d.SignOut(ctx, s4.Token); err != nil {
		t.Fatal(err)
	}
	if _, err := e.d.CustomerSession(ctx, s4.Token); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("session after sign-out: %v", err)
	}
}

func countContacts(t *testing.T, e *trackerEnv) int {
	t.Helper()
	var n int
	if err := e.raw(t).QueryRow(`SELECT COUNT(*) FROM contacts`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
