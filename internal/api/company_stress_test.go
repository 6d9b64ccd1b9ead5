package api_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/helpdesk/helpdesk/internal/apitest"
)

// Deleting contacts and companies, and changing memberships, all at once and over shared
// memberships, never fails a request: the locks are taken in one order (PostgreSQL).
func TestCompanyMembershipsUnderConcurrentDeletes(t *testing.T) {
	e := apitest.Start(t)
	const n = 8
	var contacts, companies []string
	for i := range n {
		contacts = append(contacts, itoa(e.CreateContact("c"+itoa(int64(i))+"@example.com", "").ID))
		companies = append(companies, apitest.ID(createCompany(t, e, map[string]any{"company_id": "co" + itoa(int64(i))})))
	}
	for _, c := range contacts {
		for _, co := range companies {
			e.MustDo(http.StatusOK, "POST", "/api/contacts/"+c+"/companies", map[string]any{"id": co})
		}
	}
	var wg sync.WaitGroup
	ok := func(r *apitest.Response, what string) {
		if r.Status != http.StatusOK && r.Status != http.StatusNotFound {
			t.Errorf("%s: %d %s", what, r.Status, r.Body)
		}
	}
	for i := range n {
		wg.Go(func() { ok(e.Do("DELETE", "/api/contacts/"+contacts[i], nil), "delete contact") })
		wg.Go(func() { ok(e.Do("DELETE", "/api/companies/"+companies[i], nil), "delete company") })
		wg.Go(func() {
			ok(e.Do("DELETE", "/api/contacts/"+contacts[(i+1)%n]+"/companies/"+companies[(i+2)%n], nil), "detach")
		})
		wg.Go(func() {
			ok(e.Do("POST", "/api/contacts/"+contacts[(i+3)%n]+"/companies", map[string]any{"id": companies[(i+4)%n]}), "attach")
		})
	}
	wg.Wait()

	// Whatever order things happened in, user_count is the number of members.
	for _, co := range companies {
		r := e.Do("GET", "/api/companies/"+co, nil)
		if r.Status == http.StatusNotFound {
			continue
		}
		want := len(companyContactIDs(t, e, co))
		if got := r.JSON()["user_count"]; got != float64(want) {
			t.Errorf("company %s: user_count %v, has %d contacts", co, got, want)
		}
	}
}
