package api_test

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/helpdesk/helpdesk/internal/apitest"
)

// TestAPI3_NoClientInputCausesA500 sends every operation of our published document a set of
// hostile inputs: ids that name nothing, are not numbers or overflow 64 bits, and bodies that are
// not JSON, are the wrong JSON type, or put objects, nulls and huge numbers where values go. Every
// answer must be a 2xx or a 4xx error.list, never a 5xx (apitest fails the test on any 5xx). The
// contract check is off here: these requests are outside Intercom's description on purpose.
func TestAPI3_NoClientInputCausesA500(t *testing.T) {
	e := apitest.Start(t)
	contact := e.CreateContact("casey@example.com", "Casey")
	_, conv := startConversation(t, e, "dana@example.com", "Hello")
	doc := servedDocument(t, e)

	ids := []string{"%00", "%ff%fe", "1", itoa(contact.ID), conv, "0", "-1", "abc", "99999999999999999999", "%27%20OR%201=1", "1.5"}
	bodies := []string{
		``, `{`, `[]`, `null`, `"text"`, `42`, `{"a":1}{"b":2}`,
		`{"id":{},"admin_id":[],"body":{},"type":1,"message_type":null,"from":"x","query":[]}`,
		`{"id":"1","admin_id":"1","body":null,"type":"admin","message_type":"comment","email":7}`,
		`{"query":{"operator":"AND","value":[{"operator":"OR","value":[{"operator":"AND","value":[]}]}]}}`,
		`{"query":{"field":"id","operator":"IN","value":[` + strings.Repeat(`1,`, 500) + `1]}}`,
		`{"role":"user","email":"` + strings.Repeat("x", 5000) + `@example.com","custom_attributes":{"a":{"b":[1,2]}}}`,
		`{"company_id":"c","name":1e400,"size":-1,"monthly_spend":"lots","custom_attributes":[]}`,
		`{"snoozed_until":1e30,"message_type":"snoozed","admin_id":"1"}`,
		`{"from":{"type":"user","id":"99999999999999999999"},"body":"x"}`,
		`{"name":"a\u0000b","email":"x\u0000@example.com","body":"\u0000","company_id":"\u0000","query":{"field":"email","operator":"=","value":"\u0000"}}`,
		`{"pagination":{"per_page":-5,"starting_after":"!!!"},"query":{"field":"state","operator":"=","value":"open"}}`,
	}
	param := regexp.MustCompile(`\{[^}]+\}`)
	var paths []string
	for path := range doc.Paths.Map() {
		paths = append(paths, path)
	}
	slices.Sort(paths)
	for _, path := range paths {
		for method := range doc.Paths.Find(path).Operations() {
			for _, id := range ids {
				url := "/api" + param.ReplaceAllString(path, id)
				if method == http.MethodGet || method == http.MethodDelete {
					e.DoUnchecked(method, url+"?per_page=abc&starting_after=%00&page=-1&company_id=%00&name=%00", nil)
					e.DoUnchecked(method, url+"?company_id=%00&name=%00&email=%00", nil)
					e.DoUnchecked(method, url, nil)
					continue
				}
				for _, body := range bodies {
					r := e.DoUnchecked(method, url, body)
					if r.Status >= 400 && r.ErrorCode() == "" {
						t.Errorf("%s %s with %.60q: %d without an error.list: %s", method, url, body, r.Status, r.Body)
					}
				}
			}
		}
	}
}
