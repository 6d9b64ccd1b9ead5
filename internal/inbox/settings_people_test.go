package inbox_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/helpdesk/helpdesk/internal/auth"
	"github.com/helpdesk/helpdesk/internal/store"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

func TestSettings_TeamsAreRenamedAndDeleted(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	ctx := context.Background()
	billing := e.CreateTeam("Billing", e.Mate.ID)
	e.CreateTeam("Fraud")
	typ := e.CreateTicketType("Refund", ticket.Customer, nil)
	id := reportTicket(t, e, typ, billing.ID, "Double charge")

	// Renamed: the inbox view and the ticket's team follow; a taken or blank name is refused.
	path := fmt.Sprintf("/inbox/settings/teams/%d", billing.ID)
	if r := c.post(path, url.Values{"name": {"  Payments  "}}); r.status != http.StatusSeeOther {
		t.Fatalf("rename: %d %s", r.status, r.body)
	}
	if got, _ := e.DB.Read().Team(ctx, billing.ID); got.Name != "Payments" || len(got.AdminIDs) != 1 {
		t.Errorf("after rename: %+v", got)
	}
	if p := c.get("/inbox"); !strings.Contains(p.body, "Payments") || strings.Contains(p.body, "Billing") {
		t.Error("the inbox's team views do not show the new name")
	}
	for name, want := range map[string]string{"fraud": "already exists", " ": "blank"} {
		r := c.post(path, url.Values{"name": {name}})
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Payments: ") || !strings.Contains(r.body, want) {
			t.Errorf("rename to %q: %d, want the refusal %q named after the team", name, r.status, want)
		}
	}
	if got, _ := e.DB.Read().Team(ctx, billing.ID); got.Name != "Payments" {
		t.Errorf("a refused rename changed the name: %q", got.Name)
	}

	// Deleted only once no open or snoozed work is assigned to it.
	del := path + "/delete"
	r := c.post(del, nil)
	if r.status != http.StatusConflict || !strings.Contains(r.body, "1 open or snoozed conversation or ticket") {
		t.Fatalf("delete a team with open work: %d %s", r.status, r.body)
	}
	if _, err := e.DB.Read().Team(ctx, billing.ID); err != nil {
		t.Fatalf("a refused delete removed the team: %v", err)
	}
	e.MustDo(http.StatusOK, "PUT", "/api/tickets/"+id, map[string]any{"open": false})
	if r := c.post(del, nil); r.status != http.StatusSeeOther {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	if _, err := e.DB.Read().Team(ctx, billing.ID); err == nil {
		t.Error("the team is still there")
	}
	if r := e.Do("GET", fmt.Sprintf("/api/teams/%d", billing.ID), nil); r.Status != http.StatusNotFound {
		t.Errorf("the API still finds the team: %d", r.Status)
	}
	tk := e.MustDo(http.StatusOK, "GET", "/api/tickets/"+id, nil)
	if tk["team_assignee_id"] != nil && fmt.Sprint(tk["team_assignee_id"]) != "0" {
		t.Errorf("the closed ticket still names the deleted team: %v", tk["team_assignee_id"])
	}
	if p := c.get("/inbox/tickets/" + id); p.status != http.StatusOK || !regexp.MustCompile(`<option value="[^"]*"\s*selected>No team</option>`).MatchString(p.body) {
		t.Errorf("the ticket page after its team was deleted: %d", p.status)
	}
	if r := c.post(del, nil); r.status != http.StatusNotFound {
		t.Errorf("delete again: %d", r.status)
	}

	// Agents may do neither.
	agent, _ := settingsSignIn(t, e, "ann@example.com", store.RoleAgent)
	fraud, _ := e.DB.Read().TeamByName(ctx, "fraud")
	if r := agent.post(fmt.Sprintf("/inbox/settings/teams/%d", fraud.ID), url.Values{"name": {"X"}}); r.status != http.StatusForbidden {
		t.Errorf("an agent renames a team: %d", r.status)
	}
	if r := agent.post(fmt.Sprintf("/inbox/settings/teams/%d/delete", fraud.ID), nil); r.status != http.StatusForbidden {
		t.Errorf("an agent deletes a team: %d", r.status)
	}
}

func TestSettings_TeammateRolesAndPasswords(t *testing.T) {
	e := start(t) // Mia is an admin; Olive (e.Admin) is made the only owner
	mia := e.signedIn(t)
	ctx := context.Background()
	if err := e.DB.Tx(ctx, func(tx *store.Tx) error { return tx.SetAdminRole(ctx, e.Admin.ID, store.RoleOwner) }); err != nil {
		t.Fatal(err)
	}
	ann, annAdmin := settingsSignIn(t, e, "ann@example.com", store.RoleAgent)
	role := func(id int64) string {
		a, err := e.DB.Read().Admin(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return a.Role
	}

	// An admin makes an agent an admin, and the change applies at once.
	if r := ann.post("/inbox/settings/teams", url.Values{"name": {"Ann's team"}}); r.status != http.StatusForbidden {
		t.Fatalf("an agent changes settings: %d", r.status)
	}
	if r := mia.post(fmt.Sprintf("/inbox/settings/teammates/%d/role", annAdmin.ID), url.Values{"role": {"admin"}}); r.status != http.StatusSeeOther {
		t.Fatalf("change role: %d %s", r.status, r.body)
	}
	if role(annAdmin.ID) != store.RoleAdmin {
		t.Error("the role did not change")
	}
	if r := ann.post("/inbox/settings/teams", url.Values{"name": {"Ann's team"}}); r.status != http.StatusSeeOther {
		t.Errorf("the new admin still cannot change settings: %d", r.status)
	}

	// Only an owner makes or unmakes owners; there is always one.
	for _, tc := range []struct {
		who  *client
		id   int64
		role string
		want string
	}{
		{mia, annAdmin.ID, "owner", "only an owner"},
		{mia, e.Admin.ID, "agent", "only an owner"},
		{mia, annAdmin.ID, "king", "must be owner, admin or agent"},
	} {
		r := tc.who.post(fmt.Sprintf("/inbox/settings/teammates/%d/role", tc.id), url.Values{"role": {tc.role}})
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(strings.ToLower(r.body), tc.want) {
			t.Errorf("role %s for %d: %d, want %q", tc.role, tc.id, r.status, tc.want)
		}
	}
	olive := e.client(t)
	e.setPassword(t, e.Admin.ID, "olive's password")
	if r := olive.post("/inbox/login", url.Values{"email": {e.Admin.Email}, "password": {"olive's password"}}); r.status != http.StatusSeeOther {
		t.Fatalf("owner sign-in: %d", r.status)
	}
	if r := olive.post(fmt.Sprintf("/inbox/settings/teammates/%d/role", e.Admin.ID), url.Values{"role": {"admin"}}); r.status != http.StatusUnprocessableEntity ||
		!strings.Contains(r.body, "the only owner") {
		t.Errorf("the last owner steps down: %d", r.status)
	}
	if r := olive.post(fmt.Sprintf("/inbox/settings/teammates/%d/role", e.Mate.ID), url.Values{"role": {"owner"}}); r.status != http.StatusSeeOther {
		t.Errorf("an owner makes an owner: %d", r.status)
	}
	if role(e.Mate.ID) != store.RoleOwner || role(e.Admin.ID) != store.RoleOwner || role(annAdmin.ID) != store.RoleAdmin {
		t.Errorf("roles: mia %s, olive %s, ann %s", role(e.Mate.ID), role(e.Admin.ID), role(annAdmin.ID))
	}

	// A password set by an admin signs its teammate out everywhere; the new one works.
	if r := mia.post(fmt.Sprintf("/inbox/settings/teammates/%d/password", annAdmin.ID), url.Values{"password": {"short"}}); r.status != http.StatusUnprocessableEntity ||
		!strings.Contains(r.body, "at least 8") {
		t.Errorf("a short password: %d", r.status)
	}
	if r := ann.get("/inbox"); r.status != http.StatusOK {
		t.Fatalf("a refused password signed Ann out: %d", r.status)
	}
	if r := mia.post(fmt.Sprintf("/inbox/settings/teammates/%d/password", annAdmin.ID), url.Values{"password": {"ann's new password"}}); r.status != http.StatusSeeOther {
		t.Fatalf("set password: %d %s", r.status, r.body)
	}
	if r := ann.get("/inbox"); r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/inbox/login") {
		t.Errorf("Ann's old session still works: %d", r.status)
	}
	if r := e.client(t).post("/inbox/login", url.Values{"email": {"ann@example.com"}, "password": {"ann's new password"}}); r.status != http.StatusSeeOther {
		t.Errorf("the new password does not work: %d", r.status)
	}
	if r := e.client(t).post("/inbox/login", url.Values{"email": {"ann@example.com"}, "password": {"password of ann@example.com"}}); r.status != http.StatusUnauthorized {
		t.Errorf("the old password still works: %d", r.status)
	}
}

func TestSettings_EveryoneChangesTheirOwnPassword(t *testing.T) {
	e := start(t)
	agent, a := settingsSignIn(t, e, "ann@example.com", store.RoleAgent)
	other := e.client(t)
	if r := other.post("/inbox/login", url.Values{"email": {a.Email}, "password": {"password of ann@example.com"}}); r.status != http.StatusSeeOther {
		t.Fatal("second session")
	}
	if p := agent.get("/inbox/settings/account"); p.status != http.StatusOK || !strings.Contains(p.body, `id="own-password"`) {
		t.Fatalf("an agent's account page: %d", p.status)
	}
	for _, tc := range []struct {
		form    url.Values
		control string
		want    string
	}{
		{url.Values{"current_password": {"wrong"}, "password": {"a new password"}, "confirm": {"a new password"}}, "current-password", "not right"},
		{url.Values{"current_password": {"password of ann@example.com"}, "password": {"short"}, "confirm": {"short"}}, "new-password", "at least 8"},
		{url.Values{"current_password": {"password of ann@example.com"}, "password": {"a new password"}, "confirm": {"another"}}, "confirm-password", "not the same"},
	} {
		r := agent.post("/inbox/settings/account/password", tc.form)
		if r.status != http.StatusUnprocessableEntity {
			t.Errorf("%v: %d", tc.form, r.status)
			continue
		}
		if msg := settingsFieldError(t, r.body, tc.control); !strings.Contains(msg, tc.want) {
			t.Errorf("%v: %q", tc.form, msg)
		}
	}
	r := agent.post("/inbox/settings/account/password", url.Values{"current_password": {"password of ann@example.com"},
		"password": {"a new password"}, "confirm": {"a new password"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("change: %d %s", r.status, r.body)
	}
	if r := agent.get("/inbox"); r.status != http.StatusOK {
		t.Errorf("the session that changed the password ended: %d", r.status)
	}
	if r := other.get("/inbox"); r.status != http.StatusSeeOther {
		t.Errorf("the other session goes on: %d", r.status)
	}
	if r := e.client(t).post("/inbox/login", url.Values{"email": {a.Email}, "password": {"a new password"}}); r.status != http.StatusSeeOther {
		t.Errorf("the new password: %d", r.status)
	}
	// A cross-site form is refused.
	if r := agent.post("/inbox/settings/account/password", url.Values{"current_password": {"a new password"}, "password": {"hijacked!!"},
		"confirm": {"hijacked!!"}}, "Sec-Fetch-Site", "cross-site"); r.status != http.StatusForbidden {
		t.Errorf("a cross-site password change: %d", r.status)
	}
}

// setPassword gives a teammate a password directly in the database.
func (e *env) setPassword(t *testing.T, id int64, password string) {
	t.Helper()
	hash, err := auth.HashPassword(password)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.DB.Tx(context.Background(), func(tx *store.Tx) error { return tx.SetAdminPassword(context.Background(), id, hash) }); err != nil {
		t.Fatal(err)
	}
}

// Everyone changes their own name and email (the first-run owner starts as "Owner"); the email
// is their sign-in from then on, and one another teammate has is refused.
func TestSettings_EveryoneChangesTheirOwnNameAndEmail(t *testing.T) {
	e := start(t)
	agent, a := settingsSignIn(t, e, "ann@example.com", store.RoleAgent)
	for _, tc := range []struct {
		form          url.Values
		control, want string
	}{
		{url.Values{"name": {" "}, "email": {"ann@example.com"}}, "own-name", "blank"},
		{url.Values{"name": {"Ann"}, "email": {"not an email"}}, "own-email", "email address"},
		{url.Values{"name": {"Ann"}, "email": {strings.ToUpper(mateEmail)}}, "own-email", "Another teammate has the email"},
	} {
		r := agent.post("/inbox/settings/account/profile", tc.form)
		if r.status != http.StatusUnprocessableEntity {
			t.Errorf("%v: %d", tc.form, r.status)
			continue
		}
		if msg := settingsFieldError(t, r.body, tc.control); !strings.Contains(msg, tc.want) {
			t.Errorf("%v: %q", tc.form, msg)
		}
	}
	if r := agent.post("/inbox/settings/account/profile", url.Values{"name": {"Ann Smith"}, "email": {"ann.smith@example.com"}}); r.status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", r.status, r.body)
	}
	got, err := e.DB.Read().Admin(context.Background(), a.ID)
	if err != nil || got.Name != "Ann Smith" || got.Email != "ann.smith@example.com" {
		t.Errorf("after saving: %+v %v", got, err)
	}
	if r := e.client(t).post("/inbox/login", url.Values{"email": {"ann.smith@example.com"}, "password": {"password of ann@example.com"}}); r.status != http.StatusSeeOther {
		t.Errorf("signing in with the new email: %d", r.status)
	}
}
