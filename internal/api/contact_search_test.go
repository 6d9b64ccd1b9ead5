package api_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/helpdesk/helpdesk/internal/apitest"
)

// f is a search filter.
func f(field, op string, value any) map[string]any {
	return map[string]any{"field": field, "operator": op, "value": value}
}

// group is an AND or OR group of filters and groups.
func group(op string, members ...map[string]any) map[string]any {
	return map[string]any{"operator": op, "value": members}
}

// searchIDs searches contacts and returns the ids found on the first page.
func searchIDs(t *testing.T, e *apitest.Env, body map[string]any) []string {
	t.Helper()
	return dataIDs(e.MustDo(http.StatusOK, "POST", "/api/contacts/search", body))
}

func TestContactSearchQueryLanguage(t *testing.T) {
	e := apitest.Start(t)
	owner := e.CreateAdmin("agent@example.com", "Ada Agent")
	vip := apitest.ID(e.MustDo(http.StatusOK, "POST", "/api/tags", map[string]any{"name": "VIP"}))
	beta := apitest.ID(e.MustDo(http.StatusOK, "POST", "/api/tags", map[string]any{"name": "Beta"}))

	// Contacts created on three days, at 09:00 UTC: Nov 2, Nov 3, Nov 4 2026.
	day := func(n int) int64 { return time.Date(2026, 11, 2+n, 0, 0, 0, 0, time.UTC).Unix() }
	ann := createContact(t, e, map[string]any{"email": "ann@acme.com", "name": "Ann Archer", "external_id": "A-1",
		"phone": "+44 20 7946 0001", "owner_id": itoa(owner.ID), "signed_up_at": day(-10) + 3600})
	e.Clock.Advance(24 * time.Hour)
	bob := createContact(t, e, map[string]any{"email": "Bob@ACME.com", "name": "Bob Baker", "external_id": "a-1",
		"unsubscribed_from_emails": true})
	lea := createContact(t, e, map[string]any{"role": "lead", "name": "Lea Lead"})
	e.Clock.Advance(24 * time.Hour)
	cat := createContact(t, e, map[string]any{"email": "cat@globex.org", "name": "Cat 50%_off", "signed_up_at": day(-10) + 7200})
	ids := map[string]string{apitest.ID(ann): "ann", apitest.ID(bob): "bob", apitest.ID(lea): "lea", apitest.ID(cat): "cat"}
	e.MustDo(http.StatusOK, "POST", "/api/contacts/"+apitest.ID(ann)+"/tags", map[string]any{"id": vip})
	e.MustDo(http.StatusOK, "POST", "/api/contacts/"+apitest.ID(bob)+"/tags", map[string]any{"id": vip})
	e.MustDo(http.StatusOK, "POST", "/api/contacts/"+apitest.ID(bob)+"/tags", map[string]any{"id": beta})

	tests := []struct {
		name  string
		query map[string]any
		want  string // names, newest first
	}{
		{"email equals, ignoring case", f("email", "=", "BOB@acme.com"), "bob"},
		{"email is none", f("email", "=", nil), "lea"},
		{"email_domain", f("email_domain", "=", "Acme.com"), "bob ann"},
		{"email_domain IN", f("email_domain", "IN", []any{"globex.org", "nowhere.net"}), "cat"},
		{"name contains", f("name", "~", "ba"), "bob"},
		{"name does not contain", f("name", "!~", "B"), "cat lea ann"},
		{"name contains LIKE characters literally", f("name", "~", "50%_"), "cat"},
		{"name starts with", f("name", "^", "ca"), "cat"},
		{"name ends with", f("name", "$", "LEAD"), "lea"},
		{"phone starts with", f("phone", "^", "+44"), "ann"},
		{"external_id is exact", f("external_id", "=", "a-1"), "bob"},
		{"role", f("role", "=", "lead"), "lea"},
		{"role NIN", f("role", "NIN", []any{"lead"}), "cat bob ann"},
		{"id IN", f("id", "IN", []any{apitest.ID(ann), apitest.ID(cat)}), "cat ann"},
		{"owner_id", f("owner_id", "=", itoa(owner.ID)), "ann"},
		{"no owner", f("owner_id", "=", nil), "cat lea bob"},
		{"unsubscribed", f("unsubscribed_from_emails", "=", true), "bob"},
		{"created on a day", f("created_at", "=", day(1)+5*3600), "lea bob"},
		{"created after a day", f("created_at", ">", day(0)+23*3600), "cat lea bob"},
		{"created before a day", f("created_at", "<", day(1)+3600), "ann"},
		{"signed up on a day", f("signed_up_at", "=", day(-10)), "cat ann"},
		{"never signed up", f("signed_up_at", "=", nil), "lea bob"},
		{"tag", f("tag_id", "=", vip), "bob ann"},
		{"not tag", f("tag_id", "!=", vip), "cat lea"},
		{"no tags", f("tag_id", "=", nil), "cat lea"},
		{"AND", group("AND", f("tag_id", "=", vip), f("tag_id", "=", beta)), "bob"},
		{"OR", group("OR", f("name", "^", "ann"), f("role", "=", "lead")), "lea ann"},
		{"(1 OR 2) AND (3 OR 4)", group("AND",
			group("OR", f("email", "=", "bob@acme.com"), f("email_domain", "=", "globex.org")),
			group("OR", f("tag_id", "=", beta), f("signed_up_at", "=", day(-10)))), "cat bob"},
		{"nothing", f("email", "=", "nobody@example.com"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, id := range searchIDs(t, e, map[string]any{"query": tt.query}) {
				got = append(got, ids[id])
			}
			if strings.Join(got, " ") != tt.want {
				t.Errorf("found %v, want %s", got, tt.want)
			}
		})
	}
}

func TestContactSearchPagesAndSorts(t *testing.T) {
	e := apitest.Start(t)
	names := []string{"dora", "abe", "eve", "cid", "bea", "fay", "gus"}
	byID := map[string]string{}
	for i, n := range names {
		c := createContact(t, e, map[string]any{"email": n + "@example.com", "name": n, "last_seen_at": 1000 * (7 - i)})
		byID[apitest.ID(c)] = n
		e.Clock.Advance(time.Minute)
	}
	all := f("email_domain", "=", "example.com")
	tests := []struct {
		name string
		sort map[string]any
		want []string
	}{
		{"default: newest first", nil, []string{"gus", "fay", "bea", "cid", "eve", "abe", "dora"}},
		{"name ascending", map[string]any{"field": "name", "order": "ascending"}, []string{"abe", "bea", "cid", "dora", "eve", "fay", "gus"}},
		{"name descending", map[string]any{"field": "name", "order": "descending"}, []string{"gus", "fay", "eve", "dora", "cid", "bea", "abe"}},
		{"created_at ascending", map[string]any{"field": "created_at", "order": "ascending"}, names},
		{"last_seen_at, descending by default", map[string]any{"field": "last_seen_at"}, names},
		{"id ascending", map[string]any{"field": "id", "order": "ascending"}, names},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			body := map[string]any{"query": all, "pagination": map[string]any{"per_page": 3}}
			if tt.sort != nil {
				body["sort"] = tt.sort
			}
			for range 4 {
				list := e.MustDo(http.StatusOK, "POST", "/api/contacts/search", body)
				for _, id := range dataIDs(list) {
					got = append(got, byID[id])
				}
				next, _ := list["pages"].(map[string]any)["next"].(map[string]any)
				if next == nil {
					break
				}
				body["pagination"] = map[string]any{"per_page": 3, "starting_after": next["starting_after"]}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("pages gave %v, want %v", got, tt.want)
			}
		})
	}

	// A cursor belongs to its sort.
	body := map[string]any{"query": all, "pagination": map[string]any{"per_page": 2}, "sort": map[string]any{"field": "name", "order": "ascending"}}
	next := e.MustDo(http.StatusOK, "POST", "/api/contacts/search", body)["pages"].(map[string]any)["next"].(map[string]any)
	body["sort"] = map[string]any{"field": "name", "order": "descending"}
	body["pagination"] = map[string]any{"starting_after": next["starting_after"]}
	if r := e.Do("POST", "/api/contacts/search", body); r.Status != http.StatusBadRequest || !strings.Contains(r.ErrorMessage(), "starting_after") {
		t.Errorf("cursor of another sort: %d %s", r.Status, r.Body)
	}
	delete(body, "sort")
	if r := e.Do("POST", "/api/contacts/search", body); r.Status != http.StatusBadRequest || !strings.Contains(r.ErrorMessage(), "starting_after") {
		t.Errorf("sorted cursor without the sort: %d %s", r.Status, r.Body)
	}
}

func TestAPI3_ContactSearchBadQueriesAreErrorLists(t *testing.T) {
	e := apitest.Start(t)
	createContact(t, e, map[string]any{"email": "one@example.com"})
	tests := []struct {
		name   string
		body   any
		code   string
		naming string // part of the message: the field at fault
	}{
		{"malformed JSON", `{"query": {`, "parameter_invalid", "JSON"},
		{"no query", map[string]any{}, "parameter_not_found", "query"},
		{"query not an object", map[string]any{"query": "email"}, "parameter_invalid", "query"},
		{"unknown field", map[string]any{"query": f("shoe_size", "=", "9")}, "parameter_invalid", "query.field"},
		{"unknown operator", map[string]any{"query": f("email", "LIKE", "x")}, "parameter_invalid", "query.operator"},
		{"date with !=", map[string]any{"query": f("created_at", "!=", 1)}, "parameter_invalid", "query.operator"},
		{"date with >=", map[string]any{"query": f("created_at", ">=", 1)}, "parameter_invalid", "query.operator"},
		{"date with IN", map[string]any{"query": f("updated_at", "IN", []any{1})}, "parameter_invalid", "query.operator"},
		{"date not a number", map[string]any{"query": f("created_at", ">", "yesterday")}, "parameter_invalid", "query.value"},
		{"tag_id with IN", map[string]any{"query": f("tag_id", "IN", []any{"1"})}, "parameter_invalid", "query.operator"},
		{"tag_id not an id", map[string]any{"query": f("tag_id", "=", "vip")}, "parameter_invalid", "query.value"},
		{"role outside its values", map[string]any{"query": f("role", "=", "admin")}, "parameter_invalid", "query.value"},
		{"string operator on a boolean", map[string]any{"query": f("unsubscribed_from_emails", "~", "t")}, "parameter_invalid", "query.operator"},
		{"IN without a list", map[string]any{"query": f("email", "IN", "a@example.com")}, "parameter_invalid", "query.value"},
		{"empty group", map[string]any{"query": group("AND")}, "parameter_invalid", "query.value"},
		{"nested too deep", map[string]any{"query": group("AND", group("OR", group("AND", f("email", "=", "x"))))}, "parameter_invalid", "query.value[0].value[0]"},
		{"per_page too large", map[string]any{"query": f("email", "=", "x"), "pagination": map[string]any{"per_page": 151}}, "parameter_invalid", "per_page"},
		{"per_page not a number", map[string]any{"query": f("email", "=", "x"), "pagination": map[string]any{"per_page": "ten"}}, "parameter_invalid", "per_page"},
		{"starting_after not ours", map[string]any{"query": f("email", "=", "x"), "pagination": map[string]any{"starting_after": "abc"}}, "parameter_invalid", "starting_after"},
		{"sort order", map[string]any{"query": f("email", "=", "x"), "sort": map[string]any{"field": "name", "order": "desc"}}, "invalid_sort_order", "sort.order"},
		{"sort field", map[string]any{"query": f("email", "=", "x"), "sort": map[string]any{"field": "tag_id"}}, "parameter_invalid", "sort.field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.Do("POST", "/api/contacts/search", tt.body)
			if r.Status != http.StatusBadRequest || r.ErrorCode() != tt.code || !strings.Contains(r.ErrorMessage(), tt.naming) {
				t.Errorf("%d %s, want 400 %s naming %s", r.Status, r.Body, tt.code, tt.naming)
			}
		})
	}
}

// TestContactCompaniesAndCompanyIDSearch covers a contact's companies: the references in the
// contact object and search by the client's company_id. It drives the companies endpoints.
func TestContactCompaniesAndCompanyIDSearch(t *testing.T) {
	e := apitest.Start(t)
	r := e.Do("POST", "/api/companies", map[string]any{"company_id": "acme-1", "name": "Acme"})
	if r.Status == http.StatusNotFound {
		t.Skip("POST /companies is not served yet")
	}
	acme := r.JSON()
	globex := e.MustDo(http.StatusOK, "POST", "/api/companies", map[string]any{"company_id": "globex-1", "name": "Globex"})
	ann := createContact(t, e, map[string]any{"email": "ann@example.com"})
	bob := createContact(t, e, map[string]any{"email": "bob@example.com"})
	createContact(t, e, map[string]any{"email": "cat@example.com"})
	e.MustDo(http.StatusOK, "POST", "/api/contacts/"+apitest.ID(ann)+"/companies", map[string]any{"id": apitest.ID(acme)})
	e.MustDo(http.StatusOK, "POST", "/api/contacts/"+apitest.ID(ann)+"/companies", map[string]any{"id": apitest.ID(globex)})
	e.MustDo(http.StatusOK, "POST", "/api/contacts/"+apitest.ID(bob)+"/companies", map[string]any{"id": apitest.ID(globex)})

	got := e.MustDo(http.StatusOK, "GET", "/api/contacts/"+apitest.ID(ann), nil)
	companies := got["companies"].(map[string]any)
	data, _ := companies["data"].([]any)
	if companies["total_count"] != float64(2) || len(data) != 2 || companies["url"] != "/contacts/"+apitest.ID(ann)+"/companies" {
		t.Fatalf("companies = %v", companies)
	}
	if first := data[0].(map[string]any); first["type"] != "company" || first["id"] != apitest.ID(acme) || first["url"] != "/companies/"+apitest.ID(acme) {
		t.Errorf("company reference = %v", first)
	}
	for _, tt := range []struct {
		query map[string]any
		want  []string
	}{
		{f("company_id", "=", "acme-1"), []string{apitest.ID(ann)}},
		{f("company_id", "IN", []any{"acme-1", "globex-1"}), []string{apitest.ID(bob), apitest.ID(ann)}},
		{f("company_id", "!=", "globex-1"), nil},
		{f("company_id", "=", "ACME-1"), nil}, // the client's ids are exact
	} {
		got := searchIDs(t, e, map[string]any{"query": group("AND", tt.query, f("email", "!=", "cat@example.com"))})
		if !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
			t.Errorf("%v found %v, want %v", tt.query, got, tt.want)
		}
	}
}
