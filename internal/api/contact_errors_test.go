package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/helpdesk/helpdesk/internal/apitest"
)

// badContactInputs are request bodies that POST /contacts and PUT /contacts/{id} both refuse
// with a 400 naming the field.
var badContactInputs = []struct {
	name   string
	body   any
	code   string
	naming string
}{
	{"malformed JSON", `{"email": "x@example.com"`, "parameter_invalid", "JSON"},
	{"not an object", `["email"]`, "parameter_invalid", "object"},
	{"two objects", `{"role": "lead"} {}`, "parameter_invalid", "one JSON object"},
	{"email not a string", map[string]any{"email": 5}, "parameter_invalid", "email"},
	{"email null", map[string]any{"email": nil, "role": "lead"}, "parameter_invalid", "email"},
	{"email malformed", map[string]any{"email": "not-an-email"}, "parameter_invalid", "email"},
	{"email with a display name", map[string]any{"email": "Wash <wash@example.com>"}, "parameter_invalid", "email"},
	{"email without a dotted domain", map[string]any{"email": "wash@localhost"}, "parameter_invalid", "email"},
	{"role unknown", map[string]any{"role": "admin"}, "parameter_invalid", "role"},
	{"role null", map[string]any{"role": nil, "email": "r@example.com"}, "parameter_invalid", "role"},
	{"role not a string", map[string]any{"role": true}, "parameter_invalid", "role"},
	{"external_id not a string", map[string]any{"external_id": 42}, "parameter_invalid", "external_id"},
	{"external_id null", map[string]any{"external_id": nil, "role": "lead"}, "parameter_invalid", "external_id"},
	{"external_id too long", map[string]any{"external_id": strings.Repeat("x", 256)}, "parameter_invalid", "external_id"},
	{"name not a string", map[string]any{"role": "lead", "name": []any{"a"}}, "parameter_invalid", "name"},
	{"name too long", map[string]any{"role": "lead", "name": strings.Repeat("n", 300)}, "parameter_invalid", "name"},
	{"avatar not a URL", map[string]any{"role": "lead", "avatar": "javascript:alert(1)"}, "parameter_invalid", "avatar"},
	{"signed_up_at a string", map[string]any{"role": "lead", "signed_up_at": "yesterday"}, "parameter_invalid", "signed_up_at"},
	{"signed_up_at a fraction", map[string]any{"role": "lead", "signed_up_at": 1.5}, "parameter_invalid", "signed_up_at"},
	{"last_seen_at negative", map[string]any{"role": "lead", "last_seen_at": -1}, "parameter_invalid", "last_seen_at"},
	{"owner_id not an id", map[string]any{"role": "lead", "owner_id": "abc"}, "parameter_invalid", "owner_id"},
	{"owner_id unknown", map[string]any{"role": "lead", "owner_id": "999999"}, "parameter_invalid", "owner_id"},
	{"unsubscribed_from_emails not a boolean", map[string]any{"role": "lead", "unsubscribed_from_emails": "yes"}, "parameter_invalid", "unsubscribed_from_emails"},
	{"custom_attributes not an object", map[string]any{"role": "lead", "custom_attributes": "plan=pro"}, "parameter_invalid", "custom_attributes"},
	{"custom attribute an object", map[string]any{"role": "lead", "custom_attributes": map[string]any{"plan": map[string]any{"a": 1}}}, "parameter_invalid", "custom_attributes.plan"},
	{"custom attribute a list", map[string]any{"role": "lead", "custom_attributes": map[string]any{"seats": []any{1}}}, "parameter_invalid", "custom_attributes.seats"},
	{"custom attribute without a name", map[string]any{"role": "lead", "custom_attributes": map[string]any{" ": 1}}, "parameter_invalid", "custom_attributes"},
	{"email_verified without email", map[string]any{"role": "lead", "email_verified": true}, "parameter_invalid", "email_verified"},
}

func TestAPI3_ContactCreateBadInputIsAnErrorListAndWritesNothing(t *testing.T) {
	e := apitest.Start(t)
	createContact(t, e, map[string]any{"email": "existing@example.com"})
	cases := append(badContactInputs[:len(badContactInputs):len(badContactInputs)], []struct {
		name   string
		body   any
		code   string
		naming string
	}{
		{"no identity", map[string]any{"name": "Nobody"}, "parameter_not_found", "email, external_id or role"},
		{"empty body", nil, "parameter_not_found", "email, external_id or role"},
		{"blank identity", map[string]any{"email": " ", "external_id": ""}, "parameter_not_found", "email, external_id or role"},
	}...)
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			r := e.Do("POST", "/api/contacts", tt.body)
			if r.Status != http.StatusBadRequest || r.ErrorCode() != tt.code || !strings.Contains(r.ErrorMessage(), tt.naming) {
				t.Errorf("%d %s, want 400 %s naming %q", r.Status, r.Body, tt.code, tt.naming)
			}
			if ids := listIDs(t, e); len(ids) != 1 {
				t.Errorf("a refused create wrote: contacts %v", ids)
			}
		})
	}
}

func TestAPI3_ContactUpdateBadInputIsAnErrorListAndWritesNothing(t *testing.T) {
	e := apitest.Start(t)
	c := createContact(t, e, map[string]any{"role": "lead", "email": "keep@example.com", "name": "Keep Me", "external_id": "k-1",
		"custom_attributes": map[string]any{"plan": "pro"}})
	path := "/api/contacts/" + apitest.ID(c)
	before := apitest.Str(e.MustDo(http.StatusOK, "GET", path, nil))
	for _, tt := range badContactInputs {
		t.Run(tt.name, func(t *testing.T) {
			// Each body also carries a valid change, which must not be written either.
			body := tt.body
			if m, ok := body.(map[string]any); ok {
				m2 := map[string]any{"phone": "+1 555 0100"}
				for k, v := range m {
					m2[k] = v
				}
				body = m2
			}
			r := e.Do("PUT", path, body)
			if r.Status != http.StatusBadRequest || r.ErrorCode() != tt.code || !strings.Contains(r.ErrorMessage(), tt.naming) {
				t.Errorf("%d %s, want 400 %s naming %q", r.Status, r.Body, tt.code, tt.naming)
			}
			if after := apitest.Str(e.MustDo(http.StatusOK, "GET", path, nil)); after != before {
				t.Errorf("a refused update wrote:\n%s\nwas\n%s", after, before)
			}
		})
	}
}

func TestAPI3_ContactUnknownIDsAreNotFound(t *testing.T) {
	e := apitest.Start(t)
	c := createContact(t, e, map[string]any{"email": "known@example.com"})
	id := apitest.ID(c)
	tag := apitest.ID(e.MustDo(http.StatusOK, "POST", "/api/tags", map[string]any{"name": "VIP"}))
	tests := []struct {
		method, path string
		body         any
	}{
		{"GET", "/api/contacts/999999", nil},
		{"GET", "/api/contacts/abc", nil},
		{"GET", "/api/contacts/-1", nil},
		{"PUT", "/api/contacts/999999", map[string]any{"name": "X"}},
		{"DELETE", "/api/contacts/999999", nil},
		{"GET", "/api/contacts/999999/tags", nil},
		{"POST", "/api/contacts/999999/tags", map[string]any{"id": tag}},
		{"POST", "/api/contacts/" + id + "/tags", map[string]any{"id": "999999"}},
		{"DELETE", "/api/contacts/999999/tags/" + tag, nil},
		{"DELETE", "/api/contacts/" + id + "/tags/999999", nil},
		{"DELETE", "/api/contacts/" + id + "/tags/" + tag, nil}, // not applied
		{"GET", "/api/contacts/find_by_external_id/nobody", nil},
	}
	for _, tt := range tests {
		r := e.Do(tt.method, tt.path, tt.body)
		if r.Status != http.StatusNotFound || r.ErrorCode() != "not_found" {
			t.Errorf("%s %s: %d %s, want 404 not_found", tt.method, tt.path, r.Status, r.Body)
		}
	}
	// Bad bodies on the tag endpoints.
	for _, body := range []any{map[string]any{}, map[string]any{"id": "vip"}, `{"id":`} {
		r := e.Do("POST", "/api/contacts/"+id+"/tags", body)
		if r.Status != http.StatusBadRequest || !strings.Contains(r.ErrorMessage(), "id") {
			t.Errorf("POST tags %v: %d %s, want 400 naming id", body, r.Status, r.Body)
		}
	}
	if list := e.MustDo(http.StatusOK, "GET", "/api/contacts/"+id+"/tags", nil); len(list["data"].([]any)) != 0 {
		t.Errorf("refused taggings wrote: %v", list)
	}
	// Bad list parameters.
	for _, q := range []string{"per_page=0", "per_page=151", "per_page=x", "starting_after=nonsense"} {
		if r := e.Do("GET", "/api/contacts?"+q, nil); r.Status != http.StatusBadRequest || r.ErrorCode() != "parameter_invalid" {
			t.Errorf("GET /contacts?%s: %d %s", q, r.Status, r.Body)
		}
	}
}
