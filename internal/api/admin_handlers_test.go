package api_test

import (
	"net/http"
	"testing"

	"github.com/helpdesk/helpdesk/internal/apitest"
)

func TestMeAdminsTeams(t *testing.T) {
	e := apitest.Start(t)
	agent := e.CreateAdmin("agent@example.com", "Ada Agent")
	team := e.CreateTeam("Billing", agent.ID)

	me := e.MustDo(http.StatusOK, "GET", "/api/me", nil)
	if me["type"] != "admin" || me["email"] != "owner@example.com" || apitest.ID(me) != itoa(e.Admin.ID) {
		t.Errorf("GET /me = %v", me)
	}
	admins := e.MustDo(http.StatusOK, "GET", "/api/admins", nil)
	if list, _ := admins["admins"].([]any); len(list) != 2 {
		t.Errorf("GET /admins = %v, want 2 admins", admins)
	}
	got := e.MustDo(http.StatusOK, "GET", "/api/admins/"+itoa(agent.ID), nil)
	if ids, _ := got["team_ids"].([]any); len(ids) != 1 || ids[0].(float64) != float64(team.ID) {
		t.Errorf("agent team_ids = %v, want [%d]", got["team_ids"], team.ID)
	}
	teams := e.MustDo(http.StatusOK, "GET", "/api/teams", nil)
	if list, _ := teams["teams"].([]any); len(list) != 1 {
		t.Errorf("GET /teams = %v", teams)
	}
	tm := e.MustDo(http.StatusOK, "GET", "/api/teams/"+itoa(team.ID), nil)
	if tm["name"] != "Billing" {
		t.Errorf("GET /teams/id = %v", tm)
	}
	for _, path := range []string{"/api/admins/999", "/api/admins/abc", "/api/teams/999"} {
		if r := e.Do("GET", path, nil); r.Status != http.StatusNotFound || r.ErrorCode() != "not_found" {
			t.Errorf("GET %s = %d %s, want 404 not_found", path, r.Status, r.Body)
		}
	}
}

func TestAPI3_AuthenticationErrors(t *testing.T) {
	e := apitest.Start(t)
	for _, token := range []string{"", "hd_wrong", "garbage token"} {
		r := e.DoWith(token, "GET", "/api/me", nil)
		if r.Status != http.StatusUnauthorized || r.ErrorCode() != "unauthorized" {
			t.Errorf("token %q: %d %s, want 401 unauthorized", token, r.Status, r.Body)
		}
	}
	if r := e.DoWith("", "GET", "/api/openapi.json", nil); r.Status != http.StatusOK {
		t.Errorf("GET /api/openapi.json without token = %d, want 200", r.Status)
	}
}

func TestTags(t *testing.T) {
	e := apitest.Start(t)
	tag := e.MustDo(http.StatusOK, "POST", "/api/tags", map[string]any{"name": "VIP"})
	if tag["type"] != "tag" || tag["name"] != "VIP" {
		t.Fatalf("POST /tags = %v", tag)
	}
	again := e.MustDo(http.StatusOK, "POST", "/api/tags", map[string]any{"name": "vip"})
	if apitest.ID(again) != apitest.ID(tag) {
		t.Errorf("creating a tag of the same name made another: %v", again)
	}
	renamed := e.MustDo(http.StatusOK, "POST", "/api/tags", map[string]any{"name": "Very Important", "id": apitest.ID(tag)})
	if renamed["name"] != "Very Important" || apitest.ID(renamed) != apitest.ID(tag) {
		t.Errorf("rename = %v", renamed)
	}
	list := e.MustDo(http.StatusOK, "GET", "/api/tags", nil)
	if data, _ := list["data"].([]any); len(data) != 1 {
		t.Errorf("GET /tags = %v", list)
	}
	e.MustDo(http.StatusOK, "GET", "/api/tags/"+apitest.ID(tag), nil)
	if r := e.Do("POST", "/api/tags", map[string]any{"name": ""}); r.Status != http.StatusBadRequest {
		t.Errorf("blank name: %d", r.Status)
	}
	if r := e.Do("POST", "/api/tags", map[string]any{}); r.Status != http.StatusBadRequest || r.ErrorCode() != "parameter_not_found" {
		t.Errorf("no name: %d %s", r.Status, r.Body)
	}
	e.MustDo(http.StatusOK, "DELETE", "/api/tags/"+apitest.ID(tag), nil)
	if r := e.Do("GET", "/api/tags/"+apitest.ID(tag), nil); r.Status != http.StatusNotFound {
		t.Errorf("deleted tag still there: %d", r.Status)
	}
}

// TestAPI3_FailedRequestWritesNothing makes a request fail after it has written: the tag is
// created and the first contact tagged before the second contact is found missing. The
// transaction must take all of it back.
func TestAPI3_FailedRequestWritesNothing(t *testing.T) {
	e := apitest.Start(t)
	c := e.CreateContact("casey@example.com", "Casey")
	r := e.Do("POST", "/api/tags", map[string]any{"name": "half-done", "users": []any{
		map[string]any{"id": itoa(c.ID)}, map[string]any{"id": "987654"}}})
	if r.Status != http.StatusNotFound || r.ErrorCode() != "not_found" {
		t.Fatalf("tagging an unknown user: %d %s, want 404", r.Status, r.Body)
	}
	list := e.MustDo(http.StatusOK, "GET", "/api/tags", nil)
	if data, _ := list["data"].([]any); len(data) != 0 {
		t.Errorf("the failed request left tags behind: %v", data)
	}
	tags := e.MustDo(http.StatusOK, "GET", "/api/contacts/"+itoa(c.ID)+"/tags", nil)
	if data, _ := tags["data"].([]any); len(data) != 0 {
		t.Errorf("the failed request left the contact tagged: %v", tags)
	}
}
