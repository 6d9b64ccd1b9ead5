package api_test

import (
	"context"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/helpdesk/helpdesk/internal/apitest"
	"github.com/helpdesk/helpdesk/internal/store"
)

// contactCompanyIDs returns the ids of GET /contacts/{id}/companies, checking that its two
// lists (data, as Intercom answers, and companies, as its schema says) agree.
func contactCompanyIDs(t *testing.T, e *apitest.Env, contactID int64) []string {
	t.Helper()
	list := e.MustDo(http.StatusOK, "GET", "/api/contacts/"+itoa(contactID)+"/companies", nil)
	if !reflect.DeepEqual(list["data"], list["companies"]) {
		t.Errorf("data and companies differ: %v", list)
	}
	ids := []string{}
	for _, c := range listData(t, list) {
		ids = append(ids, apitest.ID(c))
	}
	if list["total_count"] != float64(len(ids)) {
		t.Errorf("total_count = %v, want %d", list["total_count"], len(ids))
	}
	return ids
}

// companyContactIDs returns the ids of GET /companies/{id}/contacts.
func companyContactIDs(t *testing.T, e *apitest.Env, companyID string) []string {
	t.Helper()
	list := e.MustDo(http.StatusOK, "GET", "/api/companies/"+companyID+"/contacts", nil)
	ids := []string{}
	for _, c := range listData(t, list) {
		if c["type"] != "contact" {
			t.Errorf("contact of a company = %v", c)
		}
		ids = append(ids, apitest.ID(c))
	}
	if list["total_count"] != float64(len(ids)) {
		t.Errorf("total_count = %v, want %d", list["total_count"], len(ids))
	}
	return ids
}

func TestCompanyContactsAttachListDetach(t *testing.T) {
	e := apitest.Start(t)
	ann := e.CreateContact("ann@example.com", "Ann")
	bob := e.CreateContact("bob@example.com", "Bob")
	acme := createCompany(t, e, map[string]any{"company_id": "acme", "name": "Acme"})
	acmeID := apitest.ID(acme)

	e.Clock.Advance(time.Minute)
	got := e.MustDo(http.StatusOK, "POST", "/api/contacts/"+itoa(ann.ID)+"/companies", map[string]any{"id": acmeID})
	if apitest.ID(got) != acmeID || got["user_count"] != 1.0 || got["updated_at"] != float64(e.Clock.Now().Unix()) {
		t.Errorf("attach = %v, want acme with user_count 1, updated now", got)
	}
	// Attaching again changes nothing.
	again := e.MustDo(http.StatusOK, "POST", "/api/contacts/"+itoa(ann.ID)+"/companies", map[string]any{"id": acmeID})
	if again["user_count"] != 1.0 {
		t.Errorf("attach twice: user_count = %v, want 1", again["user_count"])
	}
	got = e.MustDo(http.StatusOK, "POST", "/api/contacts/"+itoa(bob.ID)+"/companies", map[string]any{"id": acmeID})
	if got["user_count"] != 2.0 {
		t.Errorf("second contact: user_count = %v, want 2", got["user_count"])
	}
	if c := e.MustDo(http.StatusOK, "GET", "/api/companies/"+acmeID, nil); c["user_count"] != 2.0 {
		t.Errorf("GET company: user_count = %v, want 2", c["user_count"])
	}

	if ids := contactCompanyIDs(t, e, ann.ID); !reflect.DeepEqual(ids, []string{acmeID}) {
		t.Errorf("companies of ann = %v, want [%s]", ids, acmeID)
	}
	if ids := companyContactIDs(t, e, acmeID); !reflect.DeepEqual(ids, []string{itoa(ann.ID), itoa(bob.ID)}) {
		t.Errorf("contacts of acme = %v", ids)
	}
	contacts := e.MustDo(http.StatusOK, "GET", "/api/companies/"+acmeID+"/contacts", nil)
	first := listData(t, contacts)[0]
	if first["email"] != "ann@example.com" || first["name"] != "Ann" || first["role"] != "user" {
		t.Errorf("contact of a company = %v", first)
	}
	if refs, _ := first["companies"].(map[string]any); refs["total_count"] != 1.0 {
		t.Errorf("companies of a listed contact = %v, want acme", first["companies"])
	}

	// Contacts of a company page by cursor, with the count the company keeps.
	page1 := e.MustDo(http.StatusOK, "GET", "/api/companies/"+acmeID+"/contacts?per_page=1", nil)
	p := page1["pages"].(map[string]any)
	if d := listData(t, page1); len(d) != 1 || apitest.ID(d[0]) != itoa(ann.ID) || page1["total_count"] != 2.0 || p["total_pages"] != 2.0 {
		t.Errorf("first page of contacts = %v", page1)
	}
	cursor := p["next"].(map[string]any)["starting_after"].(string)
	page2 := e.MustDo(http.StatusOK, "GET", "/api/companies/"+acmeID+"/contacts?per_page=1&starting_after="+url.QueryEscape(cursor), nil)
	if d := listData(t, page2); len(d) != 1 || apitest.ID(d[0]) != itoa(bob.ID) || page2["pages"].(map[string]any)["next"] != nil {
		t.Errorf("second page of contacts = %v", page2)
	}
	byNumber := e.MustDo(http.StatusOK, "GET", "/api/companies/"+acmeID+"/contacts?per_page=1&page=2", nil)
	if d := listData(t, byNumber); len(d) != 1 || apitest.ID(d[0]) != itoa(bob.ID) {
		t.Errorf("page 2 of contacts = %v", byNumber)
	}

	e.Clock.Advance(time.Minute)
	left := e.MustDo(http.StatusOK, "DELETE", "/api/contacts/"+itoa(ann.ID)+"/companies/"+acmeID, nil)
	if apitest.ID(left) != acmeID || left["user_count"] != 1.0 || left["updated_at"] != float64(e.Clock.Now().Unix()) {
		t.Errorf("detach = %v, want acme with user_count 1", left)
	}
	if left := e.MustDo(http.StatusOK, "DELETE", "/api/contacts/"+itoa(ann.ID)+"/companies/"+acmeID, nil); left["user_count"] != 1.0 {
		t.Errorf("detach twice: user_count = %v, want 1", left["user_count"])
	}
	if ids := contactCompanyIDs(t, e, ann.ID); len(ids) != 0 {
		t.Errorf("companies of ann after leaving = %v", ids)
	}
	if ids := companyContactIDs(t, e, acmeID); !reflect.DeepEqual(ids, []string{itoa(bob.ID)}) {
		t.Errorf("contacts of acme after ann left = %v", ids)
	}

	// Deleting a contact ends its memberships, and user_count follows.
	carol := e.CreateContact("carol@example.com", "Carol")
	e.MustDo(http.StatusOK, "POST", "/api/contacts/"+itoa(carol.ID)+"/companies", map[string]any{"id": acmeID})
	e.MustDo(http.StatusOK, "DELETE", "/api/contacts/"+itoa(bob.ID), nil)
	if c := e.MustDo(http.StatusOK, "GET", "/api/companies/"+acmeID, nil); c["user_count"] != 1.0 {
		t.Errorf("after a member was deleted: user_count = %v, want 1", c["user_count"])
	}
	if ids := companyContactIDs(t, e, acmeID); !reflect.DeepEqual(ids, []string{itoa(carol.ID)}) {
		t.Errorf("contacts of acme after bob was deleted = %v", ids)
	}

	// Deleting a company ends its memberships; the contacts stay.
	e.MustDo(http.StatusOK, "DELETE", "/api/companies/"+acmeID, nil)
	if ids := contactCompanyIDs(t, e, carol.ID); len(ids) != 0 {
		t.Errorf("companies of carol after acme was deleted = %v", ids)
	}
}

func TestContactCompaniesPages(t *testing.T) {
	e := apitest.Start(t)
	ann := e.CreateContact("ann@example.com", "Ann")
	var ids []string
	for i := range 3 {
		c := createCompany(t, e, map[string]any{"company_id": "co" + itoa(int64(i))})
		ids = append(ids, apitest.ID(c))
		e.MustDo(http.StatusOK, "POST", "/api/contacts/"+itoa(ann.ID)+"/companies", map[string]any{"id": apitest.ID(c)})
	}
	first := e.MustDo(http.StatusOK, "GET", "/api/contacts/"+itoa(ann.ID)+"/companies?per_page=2", nil)
	p := first["pages"].(map[string]any)
	if d := listData(t, first); len(d) != 2 || apitest.ID(d[0]) != ids[0] || first["total_count"] != 3.0 ||
		p["page"] != 1.0 || p["total_pages"] != 2.0 {
		t.Errorf("first page = %v", first)
	}
	next, _ := p["next"].(string)
	if !strings.HasPrefix(next, "/api/contacts/"+itoa(ann.ID)+"/companies?") {
		t.Fatalf("next = %q, want a path to the next page", next)
	}
	second := e.MustDo(http.StatusOK, "GET", next, nil)
	if d := listData(t, second); len(d) != 1 || apitest.ID(d[0]) != ids[2] || second["pages"].(map[string]any)["next"] != nil {
		t.Errorf("second page = %v", second)
	}
	if past := e.MustDo(http.StatusOK, "GET", "/api/contacts/"+itoa(ann.ID)+"/companies?page=9", nil); len(listData(t, past)) != 0 {
		t.Errorf("page past the end = %v", past)
	}
}

// TestAPI3_CompanyMembershipBadInputWritesNothing: unknown contacts and companies are 404s
// (company_not_found for companies, as Intercom answers), bad bodies 400s naming the field,
// and memberships stay as they were.
func TestAPI3_CompanyMembershipBadInputWritesNothing(t *testing.T) {
	e := apitest.Start(t)
	ann := e.CreateContact("ann@example.com", "Ann")
	acmeID := apitest.ID(createCompany(t, e, map[string]any{"company_id": "acme"}))
	e.MustDo(http.StatusOK, "POST", "/api/contacts/"+itoa(ann.ID)+"/companies", map[string]any{"id": acmeID})
	other := apitest.ID(createCompany(t, e, map[string]any{"company_id": "other"}))
	annPath := "/api/contacts/" + itoa(ann.ID) + "/companies"

	for _, c := range []struct {
		method, path string
		body         any
		status       int
		code, field  string
	}{
		{"POST", annPath, nil, 400, "parameter_not_found", "id"},
		{"POST", annPath, map[string]any{"id": nil}, 400, "parameter_not_found", "id"},
		{"POST", annPath, map[string]any{"id": true}, 400, "parameter_invalid", "id"},
		{"POST", annPath, map[string]any{"id": 12}, 400, "parameter_invalid", "id"},
		{"POST", annPath, `{"id": "` + other + `"`, 400, "parameter_invalid", ""},
		{"POST", annPath, map[string]any{"id": "999999"}, 404, "company_not_found", ""},
		{"POST", annPath, map[string]any{"id": "6762f09a1bb69f9f2193bb34"}, 404, "company_not_found", ""},
		{"POST", "/api/contacts/999999/companies", map[string]any{"id": other}, 404, "not_found", "User"},
		{"POST", "/api/contacts/abc/companies", map[string]any{"id": other}, 404, "not_found", "User"},
		{"DELETE", annPath + "/999999", nil, 404, "company_not_found", ""},
		{"DELETE", annPath + "/abc", nil, 404, "company_not_found", ""},
		{"DELETE", "/api/contacts/999999/companies/" + acmeID, nil, 404, "not_found", "User"},
		{"GET", "/api/contacts/999999/companies", nil, 404, "not_found", "User"},
		{"GET", annPath + "?per_page=0", nil, 400, "parameter_invalid", "per_page"},
		{"GET", annPath + "?page=-1", nil, 400, "parameter_invalid", "page"},
		{"GET", "/api/companies/999999/contacts", nil, 404, "company_not_found", ""},
		{"GET", "/api/companies/" + acmeID + "/contacts?starting_after=zzz", nil, 400, "parameter_invalid", "starting_after"},
		{"GET", "/api/companies/" + acmeID + "/contacts?per_page=151", nil, 400, "parameter_invalid", "per_page"},
	} {
		r := e.Do(c.method, c.path, c.body)
		if r.Status != c.status || r.ErrorCode() != c.code || !strings.Contains(r.ErrorMessage(), c.field) {
			t.Errorf("%s %s %v = %d %s, want %d %s naming %q", c.method, c.path, c.body, r.Status, r.Body, c.status, c.code, c.field)
		}
	}
	if ids := contactCompanyIDs(t, e, ann.ID); !reflect.DeepEqual(ids, []string{acmeID}) {
		t.Errorf("companies of ann = %v, want only [%s]", ids, acmeID)
	}
	for id, want := range map[string]float64{acmeID: 1, other: 0} {
		if c := e.MustDo(http.StatusOK, "GET", "/api/companies/"+id, nil); c["user_count"] != want {
			t.Errorf("company %s: user_count = %v, want %v", id, c["user_count"], want)
		}
	}
}

// A contact belongs to at most 1,000 companies, as in Intercom; the refusal writes nothing.
func TestAPI3_ContactCompanyLimit(t *testing.T) {
	e := apitest.Start(t)
	ann := e.CreateContact("ann@example.com", "Ann")
	ctx := context.Background()
	now := e.Clock.Now()
	err := e.DB.Tx(ctx, func(tx *store.Tx) error {
		for i := range 1000 {
			c := store.Company{CompanyID: "bulk-" + itoa(int64(i)), CreatedAt: now, UpdatedAt: now}
			if err := tx.CreateCompany(ctx, &c); err != nil {
				return err
			}
			if _, err := tx.AttachContactCompany(ctx, ann.ID, c.ID, 1000, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	extra := apitest.ID(createCompany(t, e, map[string]any{"company_id": "one-too-many"}))
	r := e.Do("POST", "/api/contacts/"+itoa(ann.ID)+"/companies", map[string]any{"id": extra})
	if r.Status != http.StatusBadRequest || r.ErrorCode() != "contact_company_limit_exceeded" {
		t.Errorf("1001st company: %d %s, want 400 contact_company_limit_exceeded", r.Status, r.Body)
	}
	if c := e.MustDo(http.StatusOK, "GET", "/api/companies/"+extra, nil); c["user_count"] != 0.0 {
		t.Errorf("refused company: user_count = %v, want 0", c["user_count"])
	}
	list := e.MustDo(http.StatusOK, "GET", "/api/contacts/"+itoa(ann.ID)+"/companies?per_page=150&page=7", nil)
	if list["total_count"] != 1000.0 || len(listData(t, list)) != 100 {
		t.Errorf("last page of 1000 companies: total_count %v, %d companies", list["total_count"], len(listData(t, list)))
	}
}

// GET /contacts/find_by_external_id/companies is the contact whose external_id is "companies",
// not the companies of a contact with id find_by_external_id.
func TestCompanyRoutesLeaveFindByExternalID(t *testing.T) {
	e := apitest.Start(t)
	c := e.MustDo(http.StatusOK, "POST", "/api/contacts", map[string]any{"role": "user", "external_id": "companies", "email": "x@example.com"})
	got := e.MustDo(http.StatusOK, "GET", "/api/contacts/find_by_external_id/companies", nil)
	if got["type"] != "contact" || apitest.ID(got) != apitest.ID(c) {
		t.Errorf("find_by_external_id/companies = %v, want contact %s", got, apitest.ID(c))
	}
}
