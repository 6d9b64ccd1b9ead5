package api_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/helpdesk/helpdesk/internal/apitest"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// ttAttrs returns a ticket type's attributes by name, and their names in order.
func ttAttrs(t *testing.T, typ map[string]any) (map[string]map[string]any, []string) {
	t.Helper()
	list, ok := typ["ticket_type_attributes"].(map[string]any)
	if !ok {
		t.Fatalf("ticket type without ticket_type_attributes: %s", apitest.Str(typ))
	}
	items, _ := list["ticket_type_attributes"].([]any)
	byName, names := map[string]map[string]any{}, []string{}
	for _, it := range items {
		a := it.(map[string]any)
		name := a["name"].(string)
		byName[name], names = a, append(names, name)
	}
	return byName, names
}

// ttData returns the objects of a {"type": "list", "data": [...]} answer.
func ttData(t *testing.T, list map[string]any) []map[string]any {
	t.Helper()
	if list["type"] != "list" {
		t.Fatalf("not a list: %s", apitest.Str(list))
	}
	var out []map[string]any
	for _, v := range list["data"].([]any) {
		out = append(out, v.(map[string]any))
	}
	return out
}

// ttTypeNames lists the names of every ticket type, read back through the API.
func ttTypeNames(t *testing.T, e *apitest.Env) []string {
	t.Helper()
	var names []string
	for _, typ := range ttData(t, e.MustDo(http.StatusOK, "GET", "/api/ticket_types", nil)) {
		names = append(names, typ["name"].(string))
	}
	return names
}

func TestTT1_TicketTypesHaveNameDescriptionIconAndCategory(t *testing.T) {
	e := apitest.Start(t)
	cases := []struct {
		body         map[string]any
		wantCategory string
		wantIcon     string
	}{
		{map[string]any{"name": "Address change", "description": "A customer moved", "icon": "🏠", "category": "Customer"}, "Customer", "🏠"},
		{map[string]any{"name": "Refund", "description": "Money back", "icon": "💸", "category": "Back-office"}, "Back-office", "💸"},
		{map[string]any{"name": "Outage", "category": "Tracker"}, "Tracker", "🎟️"},
		{map[string]any{"name": "Question"}, "Customer", "🎟️"}, // Intercom's defaults
	}
	var ids []string
	for _, c := range cases {
		typ := e.MustDo(http.StatusOK, "POST", "/api/ticket_types", c.body)
		ids = append(ids, apitest.ID(typ))
		if typ["type"] != "ticket_type" || typ["name"] != c.body["name"] || typ["category"] != c.wantCategory ||
			typ["icon"] != c.wantIcon || typ["archived"] != false {
			t.Errorf("created %v: %s", c.body, apitest.Str(typ))
		}
		if d, _ := c.body["description"].(string); typ["description"] != d {
			t.Errorf("description %v, want %q", typ["description"], d)
		}
		attrs, names := ttAttrs(t, typ)
		if !slices.Equal(names, []string{ticket.TitleAttribute, ticket.DescriptionAttribute}) {
			t.Errorf("a new type's attributes are %v, want the default title and description", names)
		}
		if a := attrs[ticket.DescriptionAttribute]; a["default"] != true || a["input_options"].(map[string]any)["multiline"] != true {
			t.Errorf("default description attribute = %s", apitest.Str(a))
		}
		states := typ["ticket_states"].(map[string]any)["data"].([]any)
		if len(states) != 4 {
			t.Errorf("a type shows %d states, want the four built-in ones", len(states))
		}
		got := e.MustDo(http.StatusOK, "GET", "/api/ticket_types/"+apitest.ID(typ), nil)
		if apitest.Str(got) != apitest.Str(typ) {
			t.Errorf("GET answers\n%s\nPOST answered\n%s", apitest.Str(got), apitest.Str(typ))
		}
	}
	var listed []string
	for _, typ := range ttData(t, e.MustDo(http.StatusOK, "GET", "/api/ticket_types", nil)) {
		listed = append(listed, apitest.ID(typ))
	}
	if !slices.Equal(listed, ids) {
		t.Errorf("GET /ticket_types lists %v, want %v", listed, ids)
	}

	// Every field can change, and the change is read back.
	upd := e.MustDo(http.StatusOK, "PUT", "/api/ticket_types/"+ids[0], map[string]any{
		"name": "Change of address", "description": "Moved house", "icon": "📦"})
	if upd["name"] != "Change of address" || upd["description"] != "Moved house" || upd["icon"] != "📦" || upd["category"] != "Customer" {
		t.Errorf("updated type = %s", apitest.Str(upd))
	}
	if got := e.MustDo(http.StatusOK, "GET", "/api/ticket_types/"+ids[0], nil); got["name"] != "Change of address" {
		t.Errorf("update not stored: %s", apitest.Str(got))
	}
}

func TestTT1_TicketTypesCanBeArchived(t *testing.T) {
	e := apitest.Start(t)
	typ := e.MustDo(http.StatusOK, "POST", "/api/ticket_types", map[string]any{"name": "Refund", "category": "Back-office"})
	id := apitest.ID(typ)
	if got := e.MustDo(http.StatusOK, "PUT", "/api/ticket_types/"+id, map[string]any{"archived": true}); got["archived"] != true {
		t.Fatalf("archived type = %s", apitest.Str(got))
	}
	if got := e.MustDo(http.StatusOK, "GET", "/api/ticket_types/"+id, nil); got["archived"] != true || got["is_internal"] != true {
		t.Errorf("archiving is not stored, or changed the type's sharing: %s", apitest.Str(got))
	}
	c := e.CreateContact("casey@example.com", "Casey")
	r := e.Do("POST", "/api/tickets", map[string]any{"ticket_type_id": id, "contacts": []any{map[string]any{"id": itoa(c.ID)}}})
	if r.Status != http.StatusBadRequest || !containsFold(r.ErrorMessage(), "archived") {
		t.Errorf("ticket of an archived type: %d %s", r.Status, r.Body)
	}
	if got := e.MustDo(http.StatusOK, "PUT", "/api/ticket_types/"+id, map[string]any{"archived": false}); got["archived"] != false {
		t.Errorf("unarchived type = %s", apitest.Str(got))
	}
	e.MustDo(http.StatusOK, "POST", "/api/tickets", map[string]any{"ticket_type_id": id, "contacts": []any{map[string]any{"id": itoa(c.ID)}}})
}

func TestTT1_TicketsCannotBeCreatedBeforeATicketTypeExists(t *testing.T) {
	e := apitest.Start(t)
	c := e.CreateContact("casey@example.com", "Casey")
	for _, typeID := range []string{"999", "0x1"} {
		r := e.Do("POST", "/api/tickets", map[string]any{"ticket_type_id": typeID, "contacts": []any{map[string]any{"id": itoa(c.ID)}},
			"ticket_attributes": map[string]any{"_default_title_": "Help"}})
		if typeID == "999" && (r.Status != http.StatusNotFound || r.ErrorCode() != "not_found") {
			t.Errorf("ticket of unknown type %s: %d %s", typeID, r.Status, r.Body)
		}
		if r.Status < 400 {
			t.Errorf("ticket of type %q created: %s", typeID, r.Body)
		}
	}
	tickets, err := e.DB.Read().TicketPage(context.Background(), "", nil, 0, 10)
	if err != nil || len(tickets) != 0 {
		t.Errorf("refused tickets left %d rows (%v)", len(tickets), err)
	}
}

func TestTT1_TicketTypeNamesAreUniqueIgnoringCase(t *testing.T) {
	e := apitest.Start(t)
	e.MustDo(http.StatusOK, "POST", "/api/ticket_types", map[string]any{"name": "Bug report"})
	other := e.MustDo(http.StatusOK, "POST", "/api/ticket_types", map[string]any{"name": "École"})
	for _, name := range []string{"Bug report", "BUG REPORT", "  bug Report ", "école"} {
		r := e.Do("POST", "/api/ticket_types", map[string]any{"name": name})
		if r.Status != http.StatusConflict || r.ErrorCode() != "conflict" || !containsFold(r.ErrorMessage(), "already exists") {
			t.Errorf("second type named %q: %d %s", name, r.Status, r.Body)
		}
	}
	r := e.Do("PUT", "/api/ticket_types/"+apitest.ID(other), map[string]any{"name": "bug REPORT", "description": "changed"})
	if r.Status != http.StatusConflict || !containsFold(r.ErrorMessage(), "bug REPORT") {
		t.Errorf("renaming onto another type's name: %d %s", r.Status, r.Body)
	}
	if got := e.MustDo(http.StatusOK, "GET", "/api/ticket_types/"+apitest.ID(other), nil); got["name"] != "École" || got["description"] != "" {
		t.Errorf("refused rename wrote: %s", apitest.Str(got))
	}
	if names := ttTypeNames(t, e); !slices.Equal(names, []string{"Bug report", "École"}) {
		t.Errorf("types after refused requests: %v", names)
	}
	// A type may change the case of its own name.
	e.MustDo(http.StatusOK, "PUT", "/api/ticket_types/"+apitest.ID(other), map[string]any{"name": "ÉCOLE"})
}

func TestTT1_BadTicketTypeRequestsAreRefused(t *testing.T) {
	e := apitest.Start(t)
	typ := e.MustDo(http.StatusOK, "POST", "/api/ticket_types", map[string]any{"name": "Refund", "category": "Back-office"})
	cases := []struct {
		method, path string
		body         any
		status       int
		field        string
	}{
		{"POST", "/api/ticket_types", map[string]any{}, 400, "name"},
		{"POST", "/api/ticket_types", map[string]any{"name": "  "}, 400, "name"},
		{"POST", "/api/ticket_types", map[string]any{"name": 12}, 400, "name"},
		{"POST", "/api/ticket_types", map[string]any{"name": "X", "category": "Sales"}, 400, "category"},
		{"POST", "/api/ticket_types", map[string]any{"name": "X", "category": ""}, 400, "category"},
		{"POST", "/api/ticket_types", map[string]any{"name": "X", "category": 1}, 400, "category"},
		{"POST", "/api/ticket_types", map[string]any{"name": "X", "is_internal": "yes"}, 400, "is_internal"},
		{"POST", "/api/ticket_types", map[string]any{"name": "X", "description": []any{}}, 400, "description"},
		{"POST", "/api/ticket_types", `{"name": "X"`, 400, "JSON"},
		{"POST", "/api/ticket_types", `[]`, 400, "object"},
		{"POST", "/api/ticket_types", `{"name": "a\u0000b"}`, 400, "name"},
		{"POST", "/api/ticket_types", `{"name": "X", "description": "\u0000"}`, 400, "description"},
		{"POST", "/api/ticket_types", map[string]any{"name": strings.Repeat("é", 256)}, 400, "name"},
		{"PUT", "/api/ticket_types/" + apitest.ID(typ), `{"icon": "\u0000"}`, 400, "icon"},
		{"PUT", "/api/ticket_types/" + apitest.ID(typ), map[string]any{"name": strings.Repeat("x", 5000)}, 400, "name"},
		{"PUT", "/api/ticket_types/" + apitest.ID(typ), map[string]any{"name": ""}, 400, "name"},
		{"PUT", "/api/ticket_types/" + apitest.ID(typ), map[string]any{"category": "Sales"}, 400, "category"},
		{"PUT", "/api/ticket_types/" + apitest.ID(typ), map[string]any{"archived": "no"}, 400, "archived"},
		{"PUT", "/api/ticket_types/999", map[string]any{"name": "Y"}, 404, "Ticket type"},
		{"PUT", "/api/ticket_types/abc", map[string]any{"name": "Y"}, 404, "Ticket type"},
		{"GET", "/api/ticket_types/999", nil, 404, "Ticket type"},
		{"GET", "/api/ticket_types/-1", nil, 404, "Ticket type"},
		{"GET", "/api/ticket_types/99999999999999999999", nil, 404, "Ticket type"},
	}
	for _, c := range cases {
		r := e.Do(c.method, c.path, c.body)
		if r.Status != c.status || !containsFold(r.ErrorMessage(), c.field) {
			t.Errorf("%s %s %v: %d %s, want %d naming %s", c.method, c.path, c.body, r.Status, r.Body, c.status, c.field)
		}
	}
	if names := ttTypeNames(t, e); !slices.Equal(names, []string{"Refund"}) {
		t.Errorf("types after refused requests: %v", names)
	}
	if got := e.MustDo(http.StatusOK, "GET", "/api/ticket_types/"+apitest.ID(typ), nil); apitest.Str(got) != apitest.Str(typ) {
		t.Errorf("refused updates changed the type: %s", apitest.Str(got))
	}
}

func TestTT1_ACategoryIsFixedOnceTheTypeHasTickets(t *testing.T) {
	e := apitest.Start(t)
	typ := e.MustDo(http.StatusOK, "POST", "/api/ticket_types", map[string]any{"name": "Address change"})
	id := apitest.ID(typ)
	// Without tickets, the category may change, and TT4 applies to the new one.
	if got := e.MustDo(http.StatusOK, "PUT", "/api/ticket_types/"+id, map[string]any{"category": "Back-office"}); got["category"] != "Back-office" || got["is_internal"] != true {
		t.Errorf("Customer type made Back-office: %s", apitest.Str(got))
	}
	e.MustDo(http.StatusOK, "PUT", "/api/ticket_types/"+id, map[string]any{"category": "Customer"})
	c := e.CreateContact("casey@example.com", "Casey")
	e.MustDo(http.StatusOK, "POST", "/api/tickets", map[string]any{"ticket_type_id": id, "contacts": []any{map[string]any{"id": itoa(c.ID)}}})
	r := e.Do("PUT", "/api/ticket_types/"+id, map[string]any{"category": "Tracker", "name": "Renamed"})
	if r.Status != http.StatusBadRequest || !containsFold(r.ErrorMessage(), "category") {
		t.Errorf("category change of a type with tickets: %d %s", r.Status, r.Body)
	}
	if got := e.MustDo(http.StatusOK, "GET", "/api/ticket_types/"+id, nil); got["category"] != "Customer" || got["name"] != "Address change" {
		t.Errorf("refused change wrote: %s", apitest.Str(got))
	}
	// Restating the category is no change.
	e.MustDo(http.StatusOK, "PUT", "/api/ticket_types/"+id, map[string]any{"category": "Customer", "icon": "🏠"})
}

func TestTT1_ConcurrentCreatesKeepNamesUnique(t *testing.T) {
	e := apitest.Start(t)
	typ := apitest.ID(e.MustDo(http.StatusOK, "POST", "/api/ticket_types", map[string]any{"name": "Bug"}))
	const n = 8
	var wg sync.WaitGroup
	statuses := make(chan [2]int, 2*n)
	for i := range n {
		wg.Go(func() {
			r := e.Do("POST", "/api/ticket_types", map[string]any{"name": []string{"Refund", "REFUND"}[i%2]})
			a := e.Do("POST", ttAttrPath(typ), map[string]any{"name": []string{"Amount", "amount"}[i%2], "description": "", "data_type": "decimal"})
			statuses <- [2]int{r.Status, a.Status}
		})
	}
	wg.Wait()
	close(statuses)
	created := [2]int{}
	for s := range statuses {
		for i, status := range s {
			switch status {
			case http.StatusOK:
				created[i]++
			case http.StatusConflict, http.StatusBadRequest:
			default:
				t.Errorf("concurrent create answered %d", status)
			}
		}
	}
	if created != [2]int{1, 1} {
		t.Errorf("%d types and %d attributes created under one name, want one of each", created[0], created[1])
	}
	if names := ttTypeNames(t, e); len(names) != 2 {
		t.Errorf("types: %v", names)
	}
	if _, names := ttAttrs(t, e.MustDo(http.StatusOK, "GET", "/api/ticket_types/"+typ, nil)); len(names) != 3 {
		t.Errorf("attributes: %v", names)
	}
}
