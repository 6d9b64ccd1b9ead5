package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/helpdesk/helpdesk/internal/apitest"
)

// createContact creates a contact through the API and returns it.
func createContact(t *testing.T, e *apitest.Env, body map[string]any) map[string]any {
	t.Helper()
	c := e.MustDo(http.StatusOK, "POST", "/api/contacts", body)
	if c["type"] != "contact" || apitest.ID(c) == "" {
		t.Fatalf("POST /contacts = %v", c)
	}
	return c
}

// listIDs lists every contact id through GET /contacts.
func listIDs(t *testing.T, e *apitest.Env) []string {
	t.Helper()
	return dataIDs(e.MustDo(http.StatusOK, "GET", "/api/contacts?per_page=150", nil))
}

// dataIDs returns the ids of a list's data.
func dataIDs(list map[string]any) []string {
	data, _ := list["data"].([]any)
	ids := make([]string, len(data))
	for i, d := range data {
		ids[i] = apitest.ID(d.(map[string]any))
	}
	return ids
}

func TestContactCreateGetUpdateDelete(t *testing.T) {
	e := apitest.Start(t)
	owner := e.CreateAdmin("agent@example.com", "Ada Agent")
	c := createContact(t, e, map[string]any{
		"role": "user", "external_id": "u-1", "email": "Wash@Serenity.io", "phone": "+1123456789",
		"name": "Hoban Washburn", "avatar": "https://example.org/wash.jpg", "signed_up_at": 1571069751,
		"last_seen_at": 1571069800, "owner_id": itoa(owner.ID), "unsubscribed_from_emails": true,
		"custom_attributes": map[string]any{"paid_subscriber": true, "monthly_spend": 155.5, "plan": "pro"},
	})
	id := apitest.ID(c)
	now := e.Clock.Now().Unix()
	want := map[string]any{
		"type": "contact", "workspace_id": "helpdesk", "role": "user", "external_id": "u-1",
		"email": "Wash@Serenity.io", "email_domain": "serenity.io", "phone": "+1123456789", "name": "Hoban Washburn",
		"owner_id": itoa(owner.ID), "has_hard_bounced": false, "marked_email_as_spam": false,
		"unsubscribed_from_emails": true, "created_at": float64(now), "updated_at": float64(now),
		"signed_up_at": float64(1571069751), "last_seen_at": float64(1571069800),
	}
	for k, v := range want {
		if c[k] != v {
			t.Errorf("created %s = %v, want %v", k, c[k], v)
		}
	}
	if av, _ := c["avatar"].(map[string]any); av["type"] != "avatar" || av["image_url"] != "https://example.org/wash.jpg" {
		t.Errorf("avatar = %v", c["avatar"])
	}
	if ca := apitest.Str(c["custom_attributes"]); ca != `{"monthly_spend":155.5,"paid_subscriber":true,"plan":"pro"}` {
		t.Errorf("custom_attributes = %s", ca)
	}
	for _, list := range []string{"tags", "notes", "companies"} {
		l, _ := c[list].(map[string]any)
		if l["type"] != "list" || l["url"] != "/contacts/"+id+"/"+list || l["total_count"] != float64(0) || l["has_more"] != false {
			t.Errorf("%s = %v", list, c[list])
		}
	}

	got := e.MustDo(http.StatusOK, "GET", "/api/contacts/"+id, nil)
	if apitest.Str(got) != apitest.Str(c) {
		t.Errorf("GET = %v\nwant %v", got, c)
	}

	// A partial update: what is sent changes, null clears, custom attributes merge.
	e.Clock.Advance(time.Hour)
	up := e.MustDo(http.StatusOK, "PUT", "/api/contacts/"+id, map[string]any{
		"name": "Wash", "phone": nil, "avatar": nil, "owner_id": nil, "signed_up_at": nil,
		"custom_attributes": map[string]any{"plan": "team", "paid_subscriber": nil, "seats": 3},
	})
	if up["name"] != "Wash" || up["phone"] != nil || up["avatar"] != nil || up["owner_id"] != nil || up["signed_up_at"] != nil {
		t.Errorf("after update: %v", up)
	}
	if up["email"] != "Wash@Serenity.io" || up["external_id"] != "u-1" || up["last_seen_at"] != float64(1571069800) || up["unsubscribed_from_emails"] != true {
		t.Errorf("update changed what was not sent: %v", up)
	}
	if up["updated_at"] != float64(now+3600) || up["created_at"] != float64(now) {
		t.Errorf("times after update: created %v updated %v", up["created_at"], up["updated_at"])
	}
	if ca := apitest.Str(up["custom_attributes"]); ca != `{"monthly_spend":155.5,"plan":"team","seats":3}` {
		t.Errorf("custom_attributes = %s", ca)
	}
	up = e.MustDo(http.StatusOK, "PUT", "/api/contacts/"+id, map[string]any{"email": "wash@firefly.example", "external_id": ""})
	if up["email"] != "wash@firefly.example" || up["email_domain"] != "firefly.example" || up["external_id"] != nil {
		t.Errorf("after email update: %v", up)
	}

	del := e.MustDo(http.StatusOK, "DELETE", "/api/contacts/"+id, nil)
	if del["type"] != "contact" || apitest.ID(del) != id || del["deleted"] != true || del["external_id"] != nil {
		t.Errorf("DELETE = %v", del)
	}
	for _, m := range []string{"GET", "DELETE"} {
		if r := e.Do(m, "/api/contacts/"+id, nil); r.Status != http.StatusNotFound || r.ErrorCode() != "not_found" {
			t.Errorf("%s deleted contact: %d %s", m, r.Status, r.Body)
		}
	}
	if ids := listIDs(t, e); len(ids) != 0 {
		t.Errorf("contacts after delete: %v", ids)
	}
}

func TestContactRoles(t *testing.T) {
	e := apitest.Start(t)
	lead := createContact(t, e, map[string]any{"role": "lead"})
	if lead["role"] != "lead" || lead["email"] != "" || lead["email_domain"] != "" || lead["external_id"] != nil || lead["name"] != nil {
		t.Errorf("lead = %v", lead)
	}
	if u := createContact(t, e, map[string]any{"email": "default@example.com"}); u["role"] != "user" {
		t.Errorf("role without one = %v, want user", u["role"])
	}
	// Leads may share an email address, with each other and with a user.
	createContact(t, e, map[string]any{"role": "lead", "email": "shared@example.com"})
	createContact(t, e, map[string]any{"role": "lead", "email": "shared@example.com"})
	createContact(t, e, map[string]any{"role": "user", "email": "shared@example.com"})

	// A lead becomes a user; a user never becomes a lead.
	id := apitest.ID(lead)
	if u := e.MustDo(http.StatusOK, "PUT", "/api/contacts/"+id, map[string]any{"role": "user", "email": "lead@example.com"}); u["role"] != "user" {
		t.Errorf("converted lead = %v", u)
	}
	r := e.Do("PUT", "/api/contacts/"+id, map[string]any{"role": "lead"})
	if r.Status != http.StatusBadRequest || r.ErrorCode() != "client_error" || !strings.Contains(r.ErrorMessage(), "role") {
		t.Errorf("user to lead: %d %s", r.Status, r.Body)
	}
}

func TestContactConflicts(t *testing.T) {
	e := apitest.Start(t)
	user := createContact(t, e, map[string]any{"email": "taken@example.com", "external_id": "ext-1"})
	lead := createContact(t, e, map[string]any{"role": "lead", "email": "taken@example.com"})
	other := createContact(t, e, map[string]any{"email": "other@example.com", "external_id": "ext-2"})
	userID := apitest.ID(user)
	tests := []struct {
		name         string
		method, path string
		body         map[string]any
	}{
		{"create with a taken external_id", "POST", "/api/contacts", map[string]any{"external_id": "ext-1"}},
		{"create a lead with a taken external_id", "POST", "/api/contacts", map[string]any{"role": "lead", "external_id": "ext-1"}},
		{"create a user with a taken email", "POST", "/api/contacts", map[string]any{"email": "taken@example.com"}},
		{"create a user with a taken email in other case", "POST", "/api/contacts", map[string]any{"role": "user", "email": "TAKEN@Example.COM"}},
		{"update to a taken external_id", "PUT", "/api/contacts/" + apitest.ID(other), map[string]any{"external_id": "ext-1"}},
		{"update a user to a taken email", "PUT", "/api/contacts/" + apitest.ID(other), map[string]any{"email": "Taken@example.com"}},
		{"convert a lead whose email a user has", "PUT", "/api/contacts/" + apitest.ID(lead), map[string]any{"role": "user"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := listIDs(t, e)
			r := e.Do(tt.method, tt.path, tt.body)
			if r.Status != http.StatusConflict || r.ErrorCode() != "conflict" ||
				r.ErrorMessage() != "A contact matching those details already exists with id="+userID {
				t.Errorf("%d %s, want 409 conflict naming id=%s", r.Status, r.Body, userID)
			}
			if after := listIDs(t, e); len(after) != len(before) {
				t.Errorf("contacts %v, then %v", before, after)
			}
		})
	}
	if got := e.MustDo(http.StatusOK, "GET", "/api/contacts/"+apitest.ID(other), nil); got["email"] != "other@example.com" || got["external_id"] != "ext-2" {
		t.Errorf("refused updates changed the contact: %v", got)
	}
	if got := e.MustDo(http.StatusOK, "GET", "/api/contacts/"+apitest.ID(lead), nil); got["role"] != "lead" {
		t.Errorf("refused conversion changed the lead: %v", got)
	}
	// Keeping one's own identity is no conflict.
	e.MustDo(http.StatusOK, "PUT", "/api/contacts/"+userID, map[string]any{"email": "TAKEN@example.com", "external_id": "ext-1"})
}

func TestContactListPagesWithCursor(t *testing.T) {
	e := apitest.Start(t)
	var created []string
	for i := range 7 {
		created = append(created, apitest.ID(createContact(t, e, map[string]any{"email": "c" + itoa(int64(i)) + "@example.com"})))
	}
	var seen []string
	path := "/api/contacts?per_page=3"
	for pages := 0; ; pages++ {
		if pages > 3 {
			t.Fatalf("too many pages: %v", seen)
		}
		list := e.MustDo(http.StatusOK, "GET", path, nil)
		if list["type"] != "list" {
			t.Fatalf("list = %v", list)
		}
		if _, ok := list["total_count"]; ok {
			t.Errorf("total_count sent: %v", list["total_count"])
		}
		ids := dataIDs(list)
		seen = append(seen, ids...)
		p, _ := list["pages"].(map[string]any)
		next, _ := p["next"].(map[string]any)
		if next == nil {
			if len(ids) != 1 {
				t.Errorf("last page has %d contacts, want 1", len(ids))
			}
			break
		}
		if len(ids) != 3 || p["per_page"] != float64(3) {
			t.Errorf("page = %v", list)
		}
		path = "/api/contacts?per_page=3&starting_after=" + url.QueryEscape(next["starting_after"].(string))
	}
	if len(seen) != 7 {
		t.Fatalf("listed %v, want 7 contacts", seen)
	}
	for i, id := range seen { // newest first
		if id != created[6-i] {
			t.Errorf("listed %v, want newest first of %v", seen, created)
			break
		}
	}
	if ids := dataIDs(e.MustDo(http.StatusOK, "GET", "/api/contacts", nil)); len(ids) != 7 {
		t.Errorf("default page has %d contacts", len(ids))
	}
}

func TestContactFindByExternalID(t *testing.T) {
	e := apitest.Start(t)
	for _, ext := range []string{"u-42", "a b/c", "tags"} {
		c := createContact(t, e, map[string]any{"external_id": ext, "name": "N " + ext})
		got := e.MustDo(http.StatusOK, "GET", "/api/contacts/find_by_external_id/"+url.PathEscape(ext), nil)
		if apitest.ID(got) != apitest.ID(c) || got["external_id"] != ext {
			t.Errorf("find %q = %v", ext, got)
		}
	}
	createContact(t, e, map[string]any{"role": "lead", "external_id": "lead-1"})
	for _, ext := range []string{"lead-1", "nobody", "U-42"} {
		if r := e.Do("GET", "/api/contacts/find_by_external_id/"+ext, nil); r.Status != http.StatusNotFound || r.ErrorCode() != "not_found" {
			t.Errorf("find %q: %d %s, want 404", ext, r.Status, r.Body)
		}
	}
	if r := e.Do("GET", "/api/contacts/1/nothing", nil); r.Status != http.StatusNotFound {
		t.Errorf("GET /contacts/1/nothing: %d", r.Status)
	}
}

func TestContactTags(t *testing.T) {
	e := apitest.Start(t)
	c := createContact(t, e, map[string]any{"email": "tagged@example.com"})
	id := apitest.ID(c)
	var tagIDs []string
	for _, name := range []string{"VIP", "Beta"} {
		tagIDs = append(tagIDs, apitest.ID(e.MustDo(http.StatusOK, "POST", "/api/tags", map[string]any{"name": name})))
	}
	e.Clock.Advance(time.Minute)
	tag := e.MustDo(http.StatusOK, "POST", "/api/contacts/"+id+"/tags", map[string]any{"id": tagIDs[0]})
	by, _ := tag["applied_by"].(map[string]any)
	if tag["type"] != "tag" || apitest.ID(tag) != tagIDs[0] || tag["name"] != "VIP" ||
		tag["applied_at"] != float64(e.Clock.Now().Unix()) || by["id"] != itoa(e.Admin.ID) {
		t.Errorf("POST tags = %v", tag)
	}
	e.Clock.Advance(time.Minute)
	again := e.MustDo(http.StatusOK, "POST", "/api/contacts/"+id+"/tags", map[string]any{"id": tagIDs[0]})
	if again["applied_at"] != tag["applied_at"] {
		t.Errorf("tagging again = %v, want the first tagging %v", again, tag)
	}
	e.MustDo(http.StatusOK, "POST", "/api/contacts/"+id+"/tags", map[string]any{"id": tagIDs[1]})

	list := e.MustDo(http.StatusOK, "GET", "/api/contacts/"+id+"/tags", nil)
	if data, _ := list["data"].([]any); list["type"] != "list" || len(data) != 2 || apitest.ID(data[0].(map[string]any)) != tagIDs[0] {
		t.Errorf("GET tags = %v", list)
	}
	got := e.MustDo(http.StatusOK, "GET", "/api/contacts/"+id, nil)
	tags, _ := got["tags"].(map[string]any)
	data, _ := tags["data"].([]any)
	if tags["total_count"] != float64(2) || len(data) != 2 {
		t.Fatalf("contact tags = %v", tags)
	}
	if first := data[0].(map[string]any); first["type"] != "tag" || first["id"] != tagIDs[0] || first["url"] != "/tags/"+tagIDs[0] {
		t.Errorf("tag reference = %v", first)
	}
	if got["updated_at"] != float64(e.Clock.Now().Unix()) {
		t.Errorf("tagging left updated_at at %v", got["updated_at"])
	}

	removed := e.MustDo(http.StatusOK, "DELETE", "/api/contacts/"+id+"/tags/"+tagIDs[0], nil)
	if apitest.ID(removed) != tagIDs[0] || removed["name"] != "VIP" {
		t.Errorf("DELETE tag = %v", removed)
	}
	if r := e.Do("DELETE", "/api/contacts/"+id+"/tags/"+tagIDs[0], nil); r.Status != http.StatusNotFound {
		t.Errorf("removing a tag twice: %d %s", r.Status, r.Body)
	}
	list = e.MustDo(http.StatusOK, "GET", "/api/contacts/"+id+"/tags", nil)
	if data, _ := list["data"].([]any); len(data) != 1 || apitest.ID(data[0].(map[string]any)) != tagIDs[1] {
		t.Errorf("tags after removal = %v", list)
	}
}

// TestContactShowsManyTagsAsTenAndACount checks the list references of a contact object.
func TestContactShowsManyTagsAsTenAndACount(t *testing.T) {
	e := apitest.Start(t)
	c := createContact(t, e, map[string]any{"email": "many@example.com"})
	for i := range 12 {
		tag := e.MustDo(http.StatusOK, "POST", "/api/tags", map[string]any{"name": "t" + itoa(int64(i))})
		e.MustDo(http.StatusOK, "POST", "/api/contacts/"+apitest.ID(c)+"/tags", map[string]any{"id": apitest.ID(tag)})
	}
	list := e.MustDo(http.StatusOK, "GET", "/api/contacts", nil)
	first := list["data"].([]any)[0].(map[string]any)
	tags := first["tags"].(map[string]any)
	if data, _ := tags["data"].([]any); len(data) != 10 || tags["total_count"] != float64(12) || tags["has_more"] != true {
		t.Errorf("tags = %v", tags)
	}
}

// TestContactConcurrentCreatesMakeOneUser checks that uniqueness holds when requests race past
// each other's checks: one user is made, the others are told which one exists.
func TestContactConcurrentCreatesMakeOneUser(t *testing.T) {
	e := apitest.Start(t)
	const n = 8
	var wg sync.WaitGroup
	statuses := make([]int, n)
	messages := make([]string, n)
	for i := range n {
		wg.Go(func() {
			body := map[string]any{"email": "race@example.com"}
			if i%2 == 1 {
				body = map[string]any{"external_id": "race-1"}
			}
			r := e.Do("POST", "/api/contacts", body)
			statuses[i], messages[i] = r.Status, r.ErrorMessage()
		})
	}
	wg.Wait()
	ids := listIDs(t, e)
	if len(ids) != 2 {
		t.Fatalf("%d contacts made, want 2 (one per identity): statuses %v", len(ids), statuses)
	}
	for i, st := range statuses {
		switch {
		case st == http.StatusOK:
		case st == http.StatusConflict && strings.HasPrefix(messages[i], "A contact matching those details already exists"):
			if !strings.HasSuffix(messages[i], "id="+ids[0]) && !strings.HasSuffix(messages[i], "id="+ids[1]) {
				t.Errorf("conflict names no existing contact: %s", messages[i])
			}
		default:
			t.Errorf("request %d: %d %s", i, st, messages[i])
		}
	}
}
