package api_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/helpdesk/helpdesk/internal/apitest"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// ttAttrPath is the path of a type's attributes, or of one of them.
func ttAttrPath(typeID string, attrID ...string) string {
	p := "/api/ticket_types/" + typeID + "/attributes"
	for _, id := range attrID {
		p += "/" + id
	}
	return p
}

func TestTT2_AttributesOfEveryDataType(t *testing.T) {
	e := apitest.Start(t)
	typ := e.MustDo(http.StatusOK, "POST", "/api/ticket_types", map[string]any{"name": "Bug", "category": "Back-office"})
	id := apitest.ID(typ)
	cases := []struct {
		body    map[string]any
		options map[string]any // input_options expected
	}{
		{map[string]any{"name": "Summary", "description": "One line", "data_type": "string"}, map[string]any{"multiline": false}},
		{map[string]any{"name": "Steps", "description": "How to reproduce", "data_type": "string", "multiline": true}, map[string]any{"multiline": true}},
		{map[string]any{"name": "Priority", "description": "How bad", "data_type": "list", "list_items": "Low Priority, Medium Priority,High Priority"},
			map[string]any{"allow_multiple_values": false, "list_items": []any{
				map[string]any{"label": "Low Priority", "archived": false}, map[string]any{"label": "Medium Priority", "archived": false},
				map[string]any{"label": "High Priority", "archived": false}}}},
		{map[string]any{"name": "Platforms", "description": "Where", "data_type": "list", "list_items": "iOS,Android", "allow_multiple_values": true},
			map[string]any{"allow_multiple_values": true, "list_items": []any{
				map[string]any{"label": "iOS", "archived": false}, map[string]any{"label": "Android", "archived": false}}}},
		{map[string]any{"name": "Users hit", "description": "", "data_type": "integer"}, map[string]any{}},
		{map[string]any{"name": "Cost", "description": "", "data_type": "decimal"}, map[string]any{}},
		{map[string]any{"name": "Regression", "description": "", "data_type": "boolean"}, map[string]any{}},
		{map[string]any{"name": "Seen at", "description": "", "data_type": "datetime"}, map[string]any{}},
		{map[string]any{"name": "Screenshots", "description": "", "data_type": "files", "allow_multiple_values": true}, map[string]any{"allow_multiple_values": true}},
		{map[string]any{"name": "Log", "description": "", "data_type": "files"}, map[string]any{"allow_multiple_values": false}},
	}
	for i, c := range cases {
		a := e.MustDo(http.StatusOK, "POST", ttAttrPath(id), c.body)
		if a["type"] != "ticket_type_attribute" || a["name"] != c.body["name"] || a["data_type"] != c.body["data_type"] ||
			a["description"] != c.body["description"] || a["default"] != false || a["archived"] != false || apitest.Str(a["ticket_type_id"]) != id {
			t.Errorf("created %v: %s", c.body, apitest.Str(a))
		}
		if apitest.Str(a["input_options"]) != apitest.Str(c.options) {
			t.Errorf("%s: input_options %s, want %s", c.body["name"], apitest.Str(a["input_options"]), apitest.Str(c.options))
		}
		if num(a["order"]) != int64(2+i) {
			t.Errorf("%s: order %v, want %d (after the others)", c.body["name"], a["order"], 2+i)
		}
		// Intercom's defaults: not required, visible.
		if a["required_to_create"] != false || a["required_to_create_for_contacts"] != false ||
			a["visible_on_create"] != true || a["visible_to_contacts"] != true {
			t.Errorf("%s: default flags %s", c.body["name"], apitest.Str(a))
		}
	}
	got := e.MustDo(http.StatusOK, "GET", "/api/ticket_types/"+id, nil)
	attrs, names := ttAttrs(t, got)
	if len(names) != 2+len(cases) || names[2] != "Summary" || names[len(names)-1] != "Log" {
		t.Errorf("attributes read back: %v", names)
	}
	if attrs["Priority"]["input_options"].(map[string]any)["list_items"].([]any)[2].(map[string]any)["label"] != "High Priority" {
		t.Errorf("list items read back: %s", apitest.Str(attrs["Priority"]))
	}

	// The attributes are what tickets of the type take (TT5).
	c := e.CreateContact("casey@example.com", "Casey")
	e.MustDo(http.StatusOK, "POST", "/api/tickets", map[string]any{"ticket_type_id": id, "contacts": []any{map[string]any{"id": itoa(c.ID)}},
		"ticket_attributes": map[string]any{"_default_title_": "Crash", "Steps": "1. open\n2. crash", "Priority": "High Priority",
			"Platforms": []string{"iOS", "Android"}, "Users hit": 3, "Cost": 2.5, "Regression": true, "Seen at": 1762074000}})
	r := e.Do("POST", "/api/tickets", map[string]any{"ticket_type_id": id, "contacts": []any{map[string]any{"id": itoa(c.ID)}},
		"ticket_attributes": map[string]any{"Priority": "Urgent"}})
	if r.Status != http.StatusBadRequest || !containsFold(r.ErrorMessage(), "Priority") {
		t.Errorf("list value that is not an item: %d %s", r.Status, r.Body)
	}
}

func TestTT2_AttributeFlags(t *testing.T) {
	e := apitest.Start(t)
	typ := e.MustDo(http.StatusOK, "POST", "/api/ticket_types", map[string]any{"name": "Address change"})
	id := apitest.ID(typ)
	a := e.MustDo(http.StatusOK, "POST", ttAttrPath(id), map[string]any{"name": "New address", "description": "Where to",
		"data_type": "string", "required_to_create": true, "required_to_create_for_contacts": true,
		"visible_on_create": true, "visible_to_contacts": true})
	if a["required_to_create"] != true || a["required_to_create_for_contacts"] != true {
		t.Errorf("flags = %s", apitest.Str(a))
	}
	internal := e.MustDo(http.StatusOK, "POST", ttAttrPath(id), map[string]any{"name": "Fraud score", "description": "",
		"data_type": "integer", "visible_on_create": false, "visible_to_contacts": false})
	if internal["visible_on_create"] != false || internal["visible_to_contacts"] != false {
		t.Errorf("hidden attribute = %s", apitest.Str(internal))
	}
	// A required attribute is required to create a ticket.
	c := e.CreateContact("casey@example.com", "Casey")
	r := e.Do("POST", "/api/tickets", map[string]any{"ticket_type_id": id, "contacts": []any{map[string]any{"id": itoa(c.ID)}}})
	if r.Status != http.StatusBadRequest || !containsFold(r.ErrorMessage(), "New address") {
		t.Errorf("ticket without a required attribute: %d %s", r.Status, r.Body)
	}
	// Flags change through PUT, each on its own.
	upd := e.MustDo(http.StatusOK, "PUT", ttAttrPath(id, apitest.ID(a)), map[string]any{"required_to_create": false, "description": "Where they live now"})
	if upd["required_to_create"] != false || upd["required_to_create_for_contacts"] != true || upd["description"] != "Where they live now" ||
		upd["name"] != "New address" || upd["data_type"] != "string" {
		t.Errorf("updated flags = %s", apitest.Str(upd))
	}
	e.MustDo(http.StatusOK, "POST", "/api/tickets", map[string]any{"ticket_type_id": id, "contacts": []any{map[string]any{"id": itoa(c.ID)}}})
	attrs, _ := ttAttrs(t, e.MustDo(http.StatusOK, "GET", "/api/ticket_types/"+id, nil))
	if attrs["New address"]["required_to_create"] != false || attrs["New address"]["description"] != "Where they live now" {
		t.Errorf("update not stored: %s", apitest.Str(attrs["New address"]))
	}
	// Renaming keeps the attribute, and a multiline string, list items and multiple values change.
	steps := e.MustDo(http.StatusOK, "POST", ttAttrPath(id), map[string]any{"name": "Notes", "description": "", "data_type": "string"})
	upd = e.MustDo(http.StatusOK, "PUT", ttAttrPath(id, apitest.ID(steps)), map[string]any{"name": "Remarks", "multiline": true})
	if upd["name"] != "Remarks" || upd["input_options"].(map[string]any)["multiline"] != true || apitest.ID(upd) != apitest.ID(steps) {
		t.Errorf("renamed multiline attribute = %s", apitest.Str(upd))
	}
	list := e.MustDo(http.StatusOK, "POST", ttAttrPath(id), map[string]any{"name": "Reason", "description": "", "data_type": "list", "list_items": "Moved,Typo"})
	upd = e.MustDo(http.StatusOK, "PUT", ttAttrPath(id, apitest.ID(list)), map[string]any{"list_items": "Moved,Typo,Other", "allow_multiple_values": true})
	opts := upd["input_options"].(map[string]any)
	if len(opts["list_items"].([]any)) != 3 || opts["allow_multiple_values"] != true {
		t.Errorf("list attribute update = %s", apitest.Str(upd))
	}
}

func TestTT2_AttributesCanBeReorderedAndArchived(t *testing.T) {
	e := apitest.Start(t)
	typ := e.MustDo(http.StatusOK, "POST", "/api/ticket_types", map[string]any{"name": "Refund", "category": "Back-office"})
	id := apitest.ID(typ)
	ids := map[string]string{}
	for _, name := range []string{"Amount", "Reason", "Order number"} {
		ids[name] = apitest.ID(e.MustDo(http.StatusOK, "POST", ttAttrPath(id), map[string]any{"name": name, "description": "", "data_type": "string"}))
	}
	order := func() []string {
		t.Helper()
		attrs, names := ttAttrs(t, e.MustDo(http.StatusOK, "GET", "/api/ticket_types/"+id, nil))
		for i, n := range names {
			if num(attrs[n]["order"]) != int64(i) {
				t.Errorf("%s is at %d but has order %v", n, i, attrs[n]["order"])
			}
		}
		return names
	}
	moved := e.MustDo(http.StatusOK, "PUT", ttAttrPath(id, ids["Order number"]), map[string]any{"order": 2})
	if num(moved["order"]) != 2 {
		t.Errorf("moved attribute = %s", apitest.Str(moved))
	}
	want := []string{ticket.TitleAttribute, ticket.DescriptionAttribute, "Order number", "Amount", "Reason"}
	if got := order(); !slices.Equal(got, want) {
		t.Errorf("after moving Order number up: %v, want %v", got, want)
	}
	e.MustDo(http.StatusOK, "PUT", ttAttrPath(id, ids["Order number"]), map[string]any{"order": 4})
	want = []string{ticket.TitleAttribute, ticket.DescriptionAttribute, "Amount", "Reason", "Order number"}
	if got := order(); !slices.Equal(got, want) {
		t.Errorf("after moving Order number last: %v, want %v", got, want)
	}
	for _, bad := range []int{-1, 5} {
		r := e.Do("PUT", ttAttrPath(id, ids["Amount"]), map[string]any{"order": bad, "description": "x"})
		if r.Status != http.StatusBadRequest || !containsFold(r.ErrorMessage(), "order") {
			t.Errorf("order %d: %d %s", bad, r.Status, r.Body)
		}
	}
	if got := order(); !slices.Equal(got, want) {
		t.Errorf("after refused moves: %v, want %v", got, want)
	}

	// Archiving keeps the attribute on the type but takes it off new tickets.
	arch := e.MustDo(http.StatusOK, "PUT", ttAttrPath(id, ids["Reason"]), map[string]any{"archived": true})
	if arch["archived"] != true {
		t.Errorf("archived attribute = %s", apitest.Str(arch))
	}
	attrs, _ := ttAttrs(t, e.MustDo(http.StatusOK, "GET", "/api/ticket_types/"+id, nil))
	if attrs["Reason"]["archived"] != true {
		t.Errorf("archiving not stored: %s", apitest.Str(attrs["Reason"]))
	}
	c := e.CreateContact("casey@example.com", "Casey")
	r := e.Do("POST", "/api/tickets", map[string]any{"ticket_type_id": id, "contacts": []any{map[string]any{"id": itoa(c.ID)}},
		"ticket_attributes": map[string]any{"Reason": "Broken"}})
	if r.Status != http.StatusBadRequest || !containsFold(r.ErrorMessage(), "archived") {
		t.Errorf("value for an archived attribute: %d %s", r.Status, r.Body)
	}
	// Its name stays taken, and it can come back.
	if r := e.Do("POST", ttAttrPath(id), map[string]any{"name": "reason", "description": "", "data_type": "string"}); r.Status != http.StatusBadRequest {
		t.Errorf("new attribute named like an archived one: %d %s", r.Status, r.Body)
	}
	if got := e.MustDo(http.StatusOK, "PUT", ttAttrPath(id, ids["Reason"]), map[string]any{"archived": false}); got["archived"] != false {
		t.Errorf("unarchived attribute = %s", apitest.Str(got))
	}
}

func TestTT5_AttributeDefinitionErrors(t *testing.T) {
	e := apitest.Start(t)
	typ := e.MustDo(http.StatusOK, "POST", "/api/ticket_types", map[string]any{"name": "Bug", "category": "Back-office"})
	id := apitest.ID(typ)
	attrs, _ := ttAttrs(t, typ)
	title, description := apitest.ID(attrs[ticket.TitleAttribute]), apitest.ID(attrs[ticket.DescriptionAttribute])
	list := apitest.ID(e.MustDo(http.StatusOK, "POST", ttAttrPath(id), map[string]any{"name": "Priority", "description": "", "data_type": "list", "list_items": "Low,High"}))
	count := apitest.ID(e.MustDo(http.StatusOK, "POST", ttAttrPath(id), map[string]any{"name": "Count", "description": "", "data_type": "integer"}))
	other := apitest.ID(e.MustDo(http.StatusOK, "POST", "/api/ticket_types", map[string]any{"name": "Other"}))
	attr := func(extra map[string]any) map[string]any {
		b := map[string]any{"name": "New", "description": "", "data_type": "string"}
		for k, v := range extra {
			if v == nil {
				delete(b, k)
			} else {
				b[k] = v
			}
		}
		return b
	}
	before := apitest.Str(e.MustDo(http.StatusOK, "GET", "/api/ticket_types/"+id, nil))
	cases := []struct {
		method, path string
		body         any
		status       int
		field        string
	}{
		{"POST", ttAttrPath(id), attr(map[string]any{"name": nil}), 400, "name"},
		{"POST", ttAttrPath(id), attr(map[string]any{"description": nil}), 400, "description"},
		{"POST", ttAttrPath(id), attr(map[string]any{"data_type": nil}), 400, "data_type"},
		{"POST", ttAttrPath(id), attr(map[string]any{"name": " "}), 400, "name"},
		{"POST", ttAttrPath(id), attr(map[string]any{"name": "_default_title_"}), 400, "name"},
		{"POST", ttAttrPath(id), attr(map[string]any{"name": "priority"}), 400, "Priority"},
		{"POST", ttAttrPath(id), attr(map[string]any{"data_type": "money"}), 400, "data_type"},
		{"POST", ttAttrPath(id), attr(map[string]any{"data_type": ""}), 400, "data_type"},
		{"POST", ttAttrPath(id), attr(map[string]any{"data_type": 3}), 400, "data_type"},
		{"POST", ttAttrPath(id), attr(map[string]any{"data_type": "list"}), 400, "list_items"},
		{"POST", ttAttrPath(id), attr(map[string]any{"data_type": "list", "list_items": ""}), 400, "list_items"},
		{"POST", ttAttrPath(id), attr(map[string]any{"data_type": "list", "list_items": "a,,b"}), 400, "list_items"},
		{"POST", ttAttrPath(id), attr(map[string]any{"data_type": "list", "list_items": "a,A"}), 400, "list_items"},
		{"POST", ttAttrPath(id), attr(map[string]any{"data_type": "list", "list_items": []string{"a", "b"}}), 400, "list_items"},
		{"POST", ttAttrPath(id), attr(map[string]any{"list_items": "a,b"}), 400, "list_items"},
		{"POST", ttAttrPath(id), attr(map[string]any{"data_type": "integer", "multiline": true}), 400, "multiline"},
		{"POST", ttAttrPath(id), attr(map[string]any{"allow_multiple_values": true}), 400, "allow_multiple_values"},
		{"POST", ttAttrPath(id), attr(map[string]any{"required_to_create_for_contacts": true, "visible_to_contacts": false}), 400, "required_to_create_for_contacts"},
		{"POST", ttAttrPath(id), attr(map[string]any{"required_to_create": true, "visible_on_create": false}), 400, "required_to_create"},
		{"POST", ttAttrPath(id), attr(map[string]any{"required_to_create": "yes"}), 400, "required_to_create"},
		{"POST", ttAttrPath(id), `{"name": "New",`, 400, "JSON"},
		{"POST", ttAttrPath(id), `{"name": "a\u0000", "description": "", "data_type": "string"}`, 400, "name"},
		{"POST", ttAttrPath(id), `{"name": "L", "description": "", "data_type": "list", "list_items": "a,\u0000"}`, 400, "list_items"},
		{"POST", ttAttrPath(id), attr(map[string]any{"name": strings.Repeat("x", 256)}), 400, "name"},
		{"PUT", ttAttrPath(id, list), map[string]any{"name": strings.Repeat("x", 5000)}, 400, "name"},
		{"PUT", ttAttrPath(id, list), `{"description": "\u0000"}`, 400, "description"},
		{"POST", ttAttrPath("999"), attr(nil), 404, "Ticket type"},
		{"POST", ttAttrPath("x"), attr(nil), 404, "Ticket type"},
		{"PUT", ttAttrPath(id, list), map[string]any{"data_type": "string"}, 400, "data_type"},
		{"PUT", ttAttrPath(id, list), map[string]any{"name": "count"}, 400, "Count"},
		{"PUT", ttAttrPath(id, list), map[string]any{"name": "_default_x"}, 400, "name"},
		{"PUT", ttAttrPath(id, list), map[string]any{"list_items": ""}, 400, "list_items"},
		{"PUT", ttAttrPath(id, list), map[string]any{"multiline": true}, 400, "multiline"},
		{"PUT", ttAttrPath(id, list), map[string]any{"order": 1.5}, 400, "order"},
		{"PUT", ttAttrPath(id, count), map[string]any{"list_items": "a,b"}, 400, "list_items"},
		{"PUT", ttAttrPath(id, count), map[string]any{"archived": "yes"}, 400, "archived"},
		{"PUT", ttAttrPath(id, title), map[string]any{"name": "Subject"}, 400, "name"},
		{"PUT", ttAttrPath(id, title), map[string]any{"archived": true}, 400, "archived"},
		{"PUT", ttAttrPath(id, title), map[string]any{"multiline": true}, 400, "multiline"},
		{"PUT", ttAttrPath(id, description), map[string]any{"multiline": false}, 400, "multiline"},
		{"PUT", ttAttrPath(id, "999"), map[string]any{"description": "x"}, 404, "attribute"},
		{"PUT", ttAttrPath(id, "x"), map[string]any{"description": "x"}, 404, "attribute"},
		{"PUT", ttAttrPath(other, list), map[string]any{"description": "x"}, 404, "attribute"},
		{"PUT", ttAttrPath("999", list), map[string]any{"description": "x"}, 404, "Ticket type"},
	}
	for _, c := range cases {
		r := e.Do(c.method, c.path, c.body)
		if r.Status != c.status || !containsFold(r.ErrorMessage(), c.field) {
			t.Errorf("%s %s %s: %d %s, want %d naming %s", c.method, c.path, apitest.Str(c.body), r.Status, r.Body, c.status, c.field)
		}
	}
	if after := apitest.Str(e.MustDo(http.StatusOK, "GET", "/api/ticket_types/"+id, nil)); after != before {
		t.Errorf("refused requests changed the type:\nbefore %s\nafter  %s", before, after)
	}
	// Built-in attributes keep their name but their description and flags may change, and
	// restating an attribute's own data type or name is no change.
	e.MustDo(http.StatusOK, "PUT", ttAttrPath(id, title), map[string]any{"name": ticket.TitleAttribute, "description": "Subject", "visible_to_contacts": true})
	e.MustDo(http.StatusOK, "PUT", ttAttrPath(id, list), map[string]any{"data_type": "list", "name": "PRIORITY"})
}

func TestTT4_SharingThroughTheAPI(t *testing.T) {
	e := apitest.Start(t)
	cases := []struct {
		category     string
		isInternal   any // nil: not sent
		status       int
		wantInternal bool
	}{
		{"Back-office", nil, 200, true}, // sharing off by default
		{"Back-office", false, 200, false},
		{"Back-office", true, 200, true},
		{"Customer", nil, 200, false},
		{"Customer", false, 200, false},
		{"Customer", true, 400, false},
		{"Tracker", nil, 200, true},
		{"Tracker", true, 200, true},
		{"Tracker", false, 400, false},
	}
	for i, c := range cases {
		body := map[string]any{"name": "Type " + itoa(int64(i)), "category": c.category}
		if c.isInternal != nil {
			body["is_internal"] = c.isInternal
		}
		r := e.Do("POST", "/api/ticket_types", body)
		if r.Status != c.status {
			t.Errorf("%v: %d %s, want %d", body, r.Status, r.Body, c.status)
			continue
		}
		if c.status != 200 {
			if !containsFold(r.ErrorMessage(), "is_internal") {
				t.Errorf("%v: error %s does not name is_internal", body, r.Body)
			}
			continue
		}
		if got := r.JSON()["is_internal"]; got != c.wantInternal {
			t.Errorf("%v: is_internal %v, want %v", body, got, c.wantInternal)
		}
	}

	// A Back-office type toggles sharing with is_internal; the choice survives other changes.
	bo := e.MustDo(http.StatusOK, "POST", "/api/ticket_types", map[string]any{"name": "Fraud investigation", "category": "Back-office"})
	id := apitest.ID(bo)
	if got := e.MustDo(http.StatusOK, "PUT", "/api/ticket_types/"+id, map[string]any{"is_internal": false}); got["is_internal"] != false {
		t.Errorf("sharing allowed: %s", apitest.Str(got))
	}
	if got := e.MustDo(http.StatusOK, "PUT", "/api/ticket_types/"+id, map[string]any{"description": "Checks", "category": "Back-office"}); got["is_internal"] != false {
		t.Errorf("another change turned sharing off: %s", apitest.Str(got))
	}
	if got := e.MustDo(http.StatusOK, "PUT", "/api/ticket_types/"+id, map[string]any{"is_internal": true}); got["is_internal"] != true {
		t.Errorf("sharing disallowed: %s", apitest.Str(got))
	}
	// Enabling sharing shares nothing by itself: a ticket of the type starts unshared.
	e.MustDo(http.StatusOK, "PUT", "/api/ticket_types/"+id, map[string]any{"is_internal": false})
	c := e.CreateContact("casey@example.com", "Casey")
	tk := e.MustDo(http.StatusOK, "POST", "/api/tickets", map[string]any{"ticket_type_id": id, "contacts": []any{map[string]any{"id": itoa(c.ID)}}})
	if tk["is_shared"] != false {
		t.Errorf("Back-office ticket of a type that allows sharing starts shared: %s", apitest.Str(tk))
	}

	// Customer and Tracker types have fixed sharing.
	cust := apitest.ID(e.MustDo(http.StatusOK, "POST", "/api/ticket_types", map[string]any{"name": "Address change"}))
	tr := apitest.ID(e.MustDo(http.StatusOK, "POST", "/api/ticket_types", map[string]any{"name": "Outage", "category": "Tracker"}))
	for _, c := range []struct {
		id       string
		internal bool
	}{{cust, true}, {tr, false}} {
		r := e.Do("PUT", "/api/ticket_types/"+c.id, map[string]any{"is_internal": c.internal, "name": "Renamed " + c.id})
		if r.Status != http.StatusBadRequest || !containsFold(r.ErrorMessage(), "is_internal") {
			t.Errorf("is_internal %v on type %s: %d %s", c.internal, c.id, r.Status, r.Body)
		}
		if got := e.MustDo(http.StatusOK, "GET", "/api/ticket_types/"+c.id, nil); got["is_internal"] == c.internal || containsFold(got["name"].(string), "Renamed") {
			t.Errorf("refused change wrote: %s", apitest.Str(got))
		}
	}
}

func TestST1_BuiltInTicketStates(t *testing.T) {
	e := apitest.Start(t)
	typ := e.MustDo(http.StatusOK, "POST", "/api/ticket_types", map[string]any{"name": "Refund", "category": "Back-office", "icon": "💸"})
	list := e.MustDo(http.StatusOK, "GET", "/api/ticket_states", nil)
	want := [][3]string{
		{"submitted", "Submitted", "Submitted"},
		{"in_progress", "In progress", "In progress"},
		{"waiting_on_customer", "Waiting on customer", "Waiting on you"},
		{"resolved", "Resolved", "Resolved"},
	}
	states := ttData(t, list)
	if len(states) != len(want) {
		t.Fatalf("ticket states: %s", apitest.Str(list))
	}
	for i, st := range states {
		got := [3]string{st["category"].(string), st["internal_label"].(string), st["external_label"].(string)}
		if got != want[i] || st["type"] != "ticket_state" || st["archived"] != false || apitest.ID(st) == "" {
			t.Errorf("state %d = %s, want %v", i, apitest.Str(st), want[i])
		}
		types := st["ticket_types"].(map[string]any)
		data := types["data"].([]any)
		if types["type"] != "list" || len(data) != 1 {
			t.Errorf("state %s types: %s", got[0], apitest.Str(types))
			continue
		}
		tt := data[0].(map[string]any)
		if tt["type"] != "ticket_type" || apitest.ID(tt) != apitest.ID(typ) || tt["name"] != "Refund" || tt["icon"] != "💸" ||
			tt["category"] != "Back-office" || tt["is_internal"] != true {
			t.Errorf("state %s lists type %s", got[0], apitest.Str(tt))
		}
	}
	// Each type lists the same states, by the same ids.
	typeStates := typ["ticket_states"].(map[string]any)["data"].([]any)
	for i, st := range typeStates {
		s := st.(map[string]any)
		if apitest.ID(s) != apitest.ID(states[i]) || s["external_label"] != want[i][2] {
			t.Errorf("type's state %d = %s", i, apitest.Str(s))
		}
	}
}
