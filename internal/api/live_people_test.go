package api_test

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"testing"

	"github.com/helpdesk/helpdesk/internal/apitest"
)

// Open Inboxes show contacts' names and emails and companies' names beside conversations and
// tickets, and offer the participants' companies (CO2): an edit of those through the API is
// announced to them (IN5) as a change of every conversation and ticket that shows it. An edit
// of what the Inbox does not show announces nothing.
func TestIN5_ContactAndCompanyEditsAreAnnounced(t *testing.T) {
	e := apitest.Start(t)
	ctx := context.Background()
	ada := e.CreateContact("ada@example.com", "Ada")
	bob := e.CreateContact("bob@example.com", "Bob")
	start := func(id int64) int64 {
		c := e.MustDo(http.StatusOK, "POST", "/api/conversations", map[string]any{"from": map[string]any{"type": "user", "id": fmt.Sprint(id)}, "body": "Hi"})
		var n int64
		fmt.Sscan(fmt.Sprint(c["conversation_id"]), &n)
		return n
	}
	adas1, adas2, bobs := start(ada.ID), start(ada.ID), start(bob.ID)
	co := e.MustDo(http.StatusOK, "POST", "/api/companies", map[string]any{"company_id": "acme", "name": "Acme"})

	changed := func(what string, method, path string, body any) []int64 {
		t.Helper()
		_, before, err := e.DB.Read().ChangeBounds(ctx)
		if err != nil {
			t.Fatal(err)
		}
		e.MustDo(http.StatusOK, method, path, body)
		changes, err := e.DB.Read().ChangesAfter(ctx, before, nil, 100)
		if err != nil {
			t.Fatal(err)
		}
		ids := map[int64]bool{}
		for _, c := range changes {
			ids[c.ConversationID] = true
		}
		return slices.Sorted(maps.Keys(ids))
	}
	for _, tc := range []struct {
		what         string
		method, path string
		body         any
		want         []int64
	}{
		{"Ada's name", "PUT", fmt.Sprintf("/api/contacts/%d", ada.ID), map[string]any{"name": "Ada Lovelace"}, []int64{adas1, adas2}},
		{"Ada's custom attributes only", "PUT", fmt.Sprintf("/api/contacts/%d", ada.ID), map[string]any{"custom_attributes": map[string]any{}}, nil},
		{"Ada joins Acme", "POST", fmt.Sprintf("/api/contacts/%d/companies", ada.ID), map[string]any{"id": co["id"]}, []int64{adas1, adas2}},
		{"Acme renamed", "PUT", "/api/companies/" + apitest.ID(co), map[string]any{"name": "Acme Inc"}, []int64{adas1, adas2}},
		{"Acme's size only", "PUT", "/api/companies/" + apitest.ID(co), map[string]any{"size": 10}, nil},
		{"Acme renamed by company_id", "POST", "/api/companies", map[string]any{"company_id": "acme", "name": "Acme Corp"}, []int64{adas1, adas2}},
		{"Ada leaves Acme", "DELETE", fmt.Sprintf("/api/contacts/%d/companies/%s", ada.ID, apitest.ID(co)), nil, []int64{adas1, adas2}},
		{"Bob's email", "PUT", fmt.Sprintf("/api/contacts/%d", bob.ID), map[string]any{"email": "bob@example.org"}, []int64{bobs}},
	} {
		if got := changed(tc.what, tc.method, tc.path, tc.body); !slices.Equal(got, tc.want) {
			t.Errorf("%s: announced %v, want %v", tc.what, got, tc.want)
		}
	}
}
