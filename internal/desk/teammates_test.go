package desk_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/helpdesk/helpdesk/internal/auth"
	"github.com/helpdesk/helpdesk/internal/clock"
	"github.com/helpdesk/helpdesk/internal/desk"
	"github.com/helpdesk/helpdesk/internal/store"
	"github.com/helpdesk/helpdesk/internal/store/storetest"
)

// teammatesEnv is a workspace with two owners, Olive and Otto, who sign in with "password of"
// and their email.
type teammatesEnv struct {
	db          *store.DB
	d           *desk.Desk
	olive, otto store.Admin
}

func newTeammatesEnv(t *testing.T) *teammatesEnv {
	t.Helper()
	e := &teammatesEnv{db: storetest.Open(t)}
	e.d = desk.New(e.db, clock.NewFake(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)), nil)
	e.olive, e.otto = e.add(t, "olive@example.com", store.RoleOwner), e.add(t, "otto@example.com", store.RoleOwner)
	return e
}

func (e *teammatesEnv) add(t *testing.T, email, role string) store.Admin {
	t.Helper()
	hash, err := auth.HashPassword("password of " + email)
	if err != nil {
		t.Fatal(err)
	}
	a := store.Admin{Email: email, Name: email, Role: role, PasswordHash: hash}
	if err := e.db.Tx(context.Background(), func(tx *store.Tx) error { return tx.CreateAdmin(context.Background(), &a) }); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestDeactivateTeammate_TwoOwnersDeactivatingEachOtherLeaveOne(t *testing.T) {
	e := newTeammatesEnv(t)
	ctx := context.Background()
	// Each owner, signed in, deactivates the other at the same moment: one of them must stay.
	for round := range 5 {
		var wg sync.WaitGroup
		errs := make([]error, 2)
		pairs := [][2]store.Admin{{e.olive, e.otto}, {e.otto, e.olive}}
		for i, p := range pairs {
			wg.Go(func() { errs[i] = e.d.DeactivateTeammate(ctx, p[0], p[1].ID) })
		}
		wg.Wait()
		owners, err := e.db.Read().CountOwners(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if owners != 1 || (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("round %d: %d active owners left; errors %v", round, owners, errs)
		}
		for _, err := range errs {
			var fe *desk.FieldError
			if err != nil && !errors.Is(err, desk.ErrSettingsRefused) && !errors.As(err, &fe) {
				t.Fatalf("round %d: %v", round, err)
			}
		}
		// The one who stayed brings the other back, for the next round.
		stayed, left := e.olive, e.otto
		if errs[1] == nil {
			stayed, left = e.otto, e.olive
		}
		if err := e.d.ReactivateTeammate(ctx, stayed, left.ID); err != nil {
			t.Fatal(err)
		}
	}
}

func TestDeactivateTeammate_SignInIsRefusedAsForAWrongPassword(t *testing.T) {
	e := newTeammatesEnv(t)
	ctx := context.Background()
	if _, _, err := e.d.SignInTeammate(ctx, "otto@example.com", "password of otto@example.com"); err != nil {
		t.Fatalf("Otto cannot sign in before: %v", err)
	}
	if err := e.d.DeactivateTeammate(ctx, e.olive, e.otto.ID); err != nil {
		t.Fatal(err)
	}
	for _, password := range []string{"password of otto@example.com", "no one has this password", ""} {
		if _, _, err := e.d.SignInTeammate(ctx, "otto@example.com", password); !errors.Is(err, desk.ErrBadCredentials) {
			t.Errorf("deactivated Otto signs in with %q: %v", password, err)
		}
	}
	// Deactivating again changes nothing; the one who left cannot act any more.
	if err := e.d.DeactivateTeammate(ctx, e.olive, e.otto.ID); err != nil {
		t.Errorf("deactivate again: %v", err)
	}
	if err := e.d.DeactivateTeammate(ctx, e.otto, e.olive.ID); !errors.Is(err, desk.ErrSettingsRefused) {
		t.Errorf("a deactivated owner deactivates: %v", err)
	}
	if _, _, err := e.d.CreateAPIToken(ctx, e.otto.ID, "made while leaving"); !errors.Is(err, desk.ErrSettingsRefused) {
		t.Errorf("a deactivated teammate makes a token: %v", err)
	}
	// Reactivated, Otto has no password until one is set.
	if err := e.d.ReactivateTeammate(ctx, e.olive, e.otto.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.d.SignInTeammate(ctx, "otto@example.com", "password of otto@example.com"); !errors.Is(err, desk.ErrBadCredentials) {
		t.Errorf("reactivated Otto signs in with his old password: %v", err)
	}
	if err := e.d.SetTeammatePassword(ctx, e.olive, e.otto.ID, "a fresh start"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.d.SignInTeammate(ctx, "otto@example.com", "a fresh start"); err != nil {
		t.Errorf("Otto cannot sign in with his new password: %v", err)
	}
}
