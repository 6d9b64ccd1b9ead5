package api_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/helpdesk/helpdesk/internal/apitest"
	"github.com/helpdesk/helpdesk/internal/desk"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// ownDocument checks exchanges against our own published OpenAPI document (SPEC API2), as
// apitest checks Intercom's operations against Intercom's description: apitest skips the
// operations Intercom does not have, which are the ticket forms' (and the parameter
// sendable_as_form, which Intercom's description does not declare).
type ownDocument struct {
	t      *testing.T
	e      *apitest.Env
	router routers.Router
}

func newOwnDocument(t *testing.T, e *apitest.Env) *ownDocument {
	t.Helper()
	doc := servedDocument(t, e)
	doc.Servers = nil // match on the path under /api alone, as package contract does
	router, err := legacy.NewRouter(doc, openapi3.DisableExamplesValidation())
	if err != nil {
		t.Fatal(err)
	}
	return &ownDocument{t: t, e: e, router: router}
}

// do sends a request as apitest.Env.Do does (Intercom's contract checked where it applies), and
// checks the exchange against our document: the request when the answer is not a 4xx, and the
// response's status and body always.
func (o *ownDocument) do(method, path string, body any) *apitest.Response {
	o.t.Helper()
	r := o.e.Do(method, path, body)
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			o.t.Fatal(err)
		}
	}
	req := httptest.NewRequestWithContext(o.t.Context(), method, strings.TrimPrefix(path, "/api"), bytes.NewReader(raw))
	if raw != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	route, params, err := o.router.FindRoute(req)
	if err != nil {
		o.t.Errorf("%s %s is not in our OpenAPI document: %v", method, path, err)
		return r
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}}
	if r.Status < 400 || r.Status > 499 {
		if err := openapi3filter.ValidateRequest(o.t.Context(), in); err != nil {
			o.t.Errorf("%s %s: request does not match our document: %v", method, path, err)
		}
	}
	if route.Operation.Responses.Status(r.Status) == nil {
		// Errors of statuses an operation does not list are Intercom's error.list (the
		// document's description says so); apitest checks them against its schema.
		if r.Status < 400 || r.ErrorCode() == "" {
			o.t.Errorf("%s %s: status %d is not in our document: %s", method, path, r.Status, r.Body)
		}
		return r
	}
	err = openapi3filter.ValidateResponse(o.t.Context(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: r.Status, Header: r.Header, Body: io.NopCloser(bytes.NewReader(r.Body)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	})
	if err != nil {
		o.t.Errorf("%s %s → %d: response does not match our document: %v\n%s", method, path, r.Status, err, r.Body)
	}
	return r
}

// mustDo is do that fails the test unless the status is want.
func (o *ownDocument) mustDo(want int, method, path string, body any) map[string]any {
	o.t.Helper()
	r := o.do(method, path, body)
	if r.Status != want {
		o.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.Status, want, r.Body)
	}
	return r.JSON()
}

// sendForm sends a ticket form of typ into conversation conv through the API.
func (o *ownDocument) sendForm(conv string, typ ticket.Type) *apitest.Response {
	o.t.Helper()
	return o.do("POST", "/api/conversations/"+conv+"/ticket_forms", map[string]any{"admin_id": itoa(o.e.Admin.ID), "ticket_type_id": itoa(typ.ID)})
}

// forms lists the ticket forms of a conversation (or of the ticket it became).
func (o *ownDocument) forms(conv string) []map[string]any {
	o.t.Helper()
	list := o.mustDo(http.StatusOK, "GET", "/api/conversations/"+conv+"/ticket_forms", nil)
	var out []map[string]any
	for _, f := range list["data"].([]any) {
		out = append(out, f.(map[string]any))
	}
	return out
}

// typeNames lists the names of the ticket types GET path answers with.
func (o *ownDocument) typeNames(path string) []string {
	o.t.Helper()
	var names []string
	for _, x := range o.mustDo(http.StatusOK, "GET", path, nil)["data"].([]any) {
		names = append(names, x.(map[string]any)["name"].(string))
	}
	return names
}

// attrs encodes ticket attributes as a ticket form's submission carries them.
func attrs(t *testing.T, m map[string]any) map[string]json.RawMessage {
	t.Helper()
	out := map[string]json.RawMessage{}
	for k, v := range m {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		out[k] = b
	}
	return out
}

// errorField is the field a rule error names, or "" when err is none.
func errorField(err error) string {
	var e *ticket.Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// notFoundWhat is what a desk.NotFoundError says is missing, or "".
func notFoundWhat(err error) string {
	var e *desk.NotFoundError
	if errors.As(err, &e) {
		return e.What
	}
	return ""
}

func ptrTo[T any](v T) *T { return &v }

// formAttributes are a form's custom attributes: one the customer must fill, one they may, and
// one teammates keep to themselves.
var formAttributes = []ticket.Attribute{
	{Name: "Order number", DataType: ticket.Integer, RequiredForContacts: true, VisibleToContacts: true},
	{Name: "Priority", DataType: ticket.List, ListItems: []string{"Low", "High"}, VisibleToContacts: true},
	{Name: "Internal score", DataType: ticket.Integer},
}

func TestBO11_TypesThatAllowSharingAppearInTheSendTicketFormList(t *testing.T) {
	e := apitest.Start(t)
	own := newOwnDocument(t, e)
	e.CreateTicketType("Question", ticket.Customer, nil)
	e.CreateTicketType("Refund review", ticket.BackOffice, ptrTo(false))
	fraud := e.CreateTicketType("Fraud investigation", ticket.BackOffice, nil) // TT4: no sharing by default
	e.CreateTicketType("Outage", ticket.Tracker, nil)
	for _, typ := range []ticket.Type{
		e.CreateTicketType("Old question", ticket.Customer, nil),
		e.CreateTicketType("Old refund review", ticket.BackOffice, ptrTo(false)),
	} {
		own.mustDo(http.StatusOK, "PUT", "/api/ticket_types/"+itoa(typ.ID), map[string]any{"archived": true})
	}

	sendable := own.typeNames("/api/ticket_types?sendable_as_form=true")
	if strings.Join(sendable, ",") != "Question,Refund review" {
		t.Errorf("sendable_as_form=true lists %v, want Question and Refund review", sendable)
	}
	all := own.typeNames("/api/ticket_types")
	if len(all) != 6 {
		t.Errorf("GET /ticket_types lists %v, want all six types", all)
	}
	if got := own.typeNames("/api/ticket_types?sendable_as_form=false"); !slices.Equal(got, all) {
		t.Errorf("sendable_as_form=false lists %v, want all: %v", got, all)
	}
	if r := e.Do("GET", "/api/ticket_types?sendable_as_form=yes", nil); r.Status != http.StatusBadRequest ||
		r.ErrorCode() != "parameter_invalid" || !strings.Contains(r.ErrorMessage(), "sendable_as_form") {
		t.Errorf("sendable_as_form=yes: %d %s", r.Status, r.Body)
	}

	// The list and the action agree: every listed type can be sent as a form, and every other
	// type is refused with a 400 naming ticket_type_id, which writes nothing.
	c := e.CreateContact("casey@example.com", "Casey")
	conv := tkConversation(t, e, c, "Hello")
	types, err := e.DB.Read().TicketTypes(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range types {
		before := e.MustDo(http.StatusOK, "GET", "/api/conversations/"+conv, nil)
		r := own.sendForm(conv, typ)
		switch {
		case slices.Contains(sendable, typ.Name):
			if r.Status != http.StatusOK || r.JSON()["type"] != "ticket_form" {
				t.Errorf("send a %s form: %d %s", typ.Name, r.Status, r.Body)
			}
		case r.Status != http.StatusBadRequest || r.ErrorCode() != "parameter_invalid" || !strings.Contains(r.ErrorMessage(), "ticket_type_id"):
			t.Errorf("send a %s form: %d %s, want a 400 naming ticket_type_id", typ.Name, r.Status, r.Body)
		default:
			if after := e.MustDo(http.StatusOK, "GET", "/api/conversations/"+conv, nil); apitest.Str(after) != apitest.Str(before) {
				t.Errorf("a refused %s form changed the conversation", typ.Name)
			}
		}
	}
	if n := len(own.forms(conv)); n != len(sendable) {
		t.Errorf("%d forms sent, want %d", n, len(sendable))
	}

	// TT4: a Back-office type that allows sharing joins the list; that shares nothing by itself.
	own.mustDo(http.StatusOK, "PUT", "/api/ticket_types/"+itoa(fraud.ID), map[string]any{"is_internal": false})
	if got := own.typeNames("/api/ticket_types?sendable_as_form=true"); !slices.Contains(got, "Fraud investigation") {
		t.Errorf("after allowing sharing, sendable_as_form=true lists %v", got)
	}
}

func TestCT3_SendTicketFormThenSubmitCreatesTheLinkedTicket(t *testing.T) {
	t.Run("Customer type", func(t *testing.T) {
		e := apitest.Start(t)
		own := newOwnDocument(t, e)
		d, ctx := e.Server.Desk(), t.Context()
		typ := e.CreateTicketType("Refund", ticket.Customer, nil, formAttributes...)
		casey := e.CreateContact("casey@example.com", "Casey")
		dana := e.CreateContact("dana@example.com", "Dana")
		conv := tkConversation(t, e, casey, "My parcel never came")

		sent := own.do("POST", "/api/conversations/"+conv+"/ticket_forms", map[string]any{"admin_id": itoa(e.Admin.ID), "ticket_type_id": itoa(typ.ID)})
		if sent.Status != http.StatusOK {
			t.Fatalf("send: %d %s", sent.Status, sent.Body)
		}
		form := sent.JSON()
		if form["type"] != "ticket_form" || form["conversation_id"] != conv || form["ticket_type_id"] != itoa(typ.ID) ||
			form["admin_id"] != itoa(e.Admin.ID) || tkNum(form["sent_at"]) != e.Clock.Now().Unix() ||
			form["ticket_id"] != nil || form["submitted_at"] != nil {
			t.Errorf("ticket_form = %v", form)
		}
		if p := lastPart(t, e.MustDo(http.StatusOK, "GET", "/api/conversations/"+conv, nil)); p["part_type"] != "ticket_form" || p["body"] != "Refund" {
			t.Errorf("the conversation's last part = %v, want the form", p)
		}
		formID := tkNum(form["id"])

		// Refused submissions write nothing.
		before := e.MustDo(http.StatusOK, "GET", "/api/conversations/"+conv, nil)
		refused := []struct {
			name      string
			contactID int64
			formID    int64
			attrs     map[string]any
			field     string // of a ticket.Error
			notFound  string // of a desk.NotFoundError
		}{
			{"required attribute missing", casey.ID, formID, map[string]any{"_default_title_": "Lost parcel"}, "ticket_attributes.Order number", ""},
			{"bad value", casey.ID, formID, map[string]any{"Order number": "many"}, "ticket_attributes.Order number", ""},
			{"attribute customers do not see", casey.ID, formID, map[string]any{"Order number": 1, "Internal score": 5}, "ticket_attributes.Internal score", ""},
			{"not a participant", dana.ID, formID, map[string]any{"Order number": 1}, "", "Ticket form"},
			{"unknown form", casey.ID, formID + 1000, map[string]any{"Order number": 1}, "", "Ticket form"},
			{"unknown contact", 999999, formID, map[string]any{"Order number": 1}, "", "Contact"},
		}
		for _, tc := range refused {
			_, err := d.SubmitTicketForm(ctx, tc.formID, tc.contactID, attrs(t, tc.attrs))
			if errorField(err) != tc.field || notFoundWhat(err) != tc.notFound || err == nil {
				t.Errorf("%s: %v, want field %q or not found %q", tc.name, err, tc.field, tc.notFound)
			}
		}
		if after := e.MustDo(http.StatusOK, "GET", "/api/conversations/"+conv, nil); apitest.Str(after) != apitest.Str(before) {
			t.Errorf("refused submissions changed the conversation:\nbefore %s\nafter  %s", apitest.Str(before), apitest.Str(after))
		}
		if f := own.forms(conv); len(f) != 1 || f[0]["ticket_id"] != nil || f[0]["submitted_at"] != nil {
			t.Errorf("forms after refused submissions = %v", f)
		}

		e.Clock.Advance(time.Minute)
		tk, err := d.SubmitTicketForm(ctx, formID, casey.ID, attrs(t, map[string]any{
			"_default_title_": "Lost parcel", "_default_description_": "Never came", "Order number": 1234, "Priority": "High"}))
		if err != nil {
			t.Fatal(err)
		}
		// The conversation became the ticket, in place (as CT2's conversion).
		if itoa(tk.ID) != conv {
			t.Fatalf("ticket %d, conversation %s: the conversation is the ticket", tk.ID, conv)
		}
		got := own.mustDo(http.StatusOK, "GET", "/api/tickets/"+conv, nil)
		a := got["ticket_attributes"].(map[string]any)
		if got["category"] != "Customer" || got["is_shared"] != true || got["ticket_type"].(map[string]any)["id"] != itoa(typ.ID) ||
			got["ticket_state"].(map[string]any)["category"] != "submitted" ||
			a["_default_title_"] != "Lost parcel" || a["Order number"] != float64(1234) || a["Priority"] != "High" || a["Internal score"] != nil {
			t.Errorf("ticket = %s", apitest.Str(got))
		}
		if cs := got["contacts"].(map[string]any)["contacts"].([]any); len(cs) != 1 || cs[0].(map[string]any)["id"] != itoa(casey.ID) {
			t.Errorf("contacts = %v", cs)
		}
		if fs := own.forms(conv); len(fs) != 1 || fs[0]["ticket_id"] != conv || tkNum(fs[0]["submitted_at"]) != e.Clock.Now().Unix() {
			t.Errorf("forms after submission = %v", fs)
		}

		// Submitted once.
		if _, err := d.SubmitTicketForm(ctx, formID, casey.ID, attrs(t, map[string]any{"Order number": 1})); errorField(err) != "form" {
			t.Errorf("second submission: %v, want refused naming form", err)
		}
		// And no form goes into it now that it is a ticket.
		if r := own.sendForm(conv, typ); r.Status != http.StatusBadRequest || !strings.Contains(r.ErrorMessage(), "id") {
			t.Errorf("a form into the ticket: %d %s", r.Status, r.Body)
		}
	})

	t.Run("Back-office type that allows sharing", func(t *testing.T) {
		e := apitest.Start(t)
		own := newOwnDocument(t, e)
		d, ctx := e.Server.Desk(), t.Context()
		serial := ticket.Attribute{Name: "Serial number", DataType: ticket.String, RequiredForContacts: true, VisibleToContacts: true}
		typ := e.CreateTicketType("Replacement", ticket.BackOffice, ptrTo(false), serial)
		question := e.CreateTicketType("Question", ticket.Customer, nil)
		casey := e.CreateContact("casey@example.com", "Casey")
		dana := e.CreateContact("dana@example.com", "Dana")
		conv := tkConversation(t, e, casey, "My kettle broke")

		formID := tkNum(own.mustDo(http.StatusOK, "POST", "/api/conversations/"+conv+"/ticket_forms", map[string]any{"ticket_type_id": itoa(typ.ID)})["id"])
		before := e.MustDo(http.StatusOK, "GET", "/api/conversations/"+conv, nil)
		if _, err := d.SubmitTicketForm(ctx, formID, casey.ID, attrs(t, map[string]any{"_default_title_": "Broken kettle"})); errorField(err) != "ticket_attributes.Serial number" {
			t.Errorf("without the required attribute: %v", err)
		}
		if _, err := d.SubmitTicketForm(ctx, formID, dana.ID, attrs(t, map[string]any{"Serial number": "K-1"})); notFoundWhat(err) != "Ticket form" {
			t.Errorf("not a participant: %v", err)
		}
		if after := e.MustDo(http.StatusOK, "GET", "/api/conversations/"+conv, nil); apitest.Str(after) != apitest.Str(before) {
			t.Errorf("refused submissions changed the conversation")
		}
		if n := tkNum(own.mustDo(http.StatusOK, "POST", "/api/tickets/search", map[string]any{"query": f("open", "=", true)})["total_count"]); n != 0 {
			t.Errorf("refused submissions created %d tickets", n)
		}

		tk, err := d.SubmitTicketForm(ctx, formID, casey.ID, attrs(t, map[string]any{"_default_title_": "Broken kettle", "Serial number": "K-1"}))
		if err != nil {
			t.Fatal(err)
		}
		id := itoa(tk.ID)
		if id == conv || tk.Category != ticket.BackOffice || !tk.IsShared {
			t.Fatalf("ticket %s %s shared %v, want a shared Back-office ticket beside conversation %s", id, tk.Category, tk.IsShared, conv)
		}
		got := own.mustDo(http.StatusOK, "GET", "/api/tickets/"+id, nil)
		if got["category"] != "Back-office" || got["is_shared"] != true || got["ticket_attributes"].(map[string]any)["Serial number"] != "K-1" {
			t.Errorf("ticket = %s", apitest.Str(got))
		}
		links := got["linked_objects"].(map[string]any)["data"].([]any)
		if len(links) != 1 || links[0].(map[string]any)["id"] != conv || links[0].(map[string]any)["type"] != "conversation" {
			t.Errorf("ticket's linked_objects = %v, want conversation %s", links, conv)
		}
		linked := own.mustDo(http.StatusOK, "GET", "/api/tickets/"+id+"/linked_conversations", nil)["data"].([]any)
		if len(linked) != 1 || linked[0].(map[string]any)["id"] != conv {
			t.Errorf("linked_conversations = %v", linked)
		}
		c := e.MustDo(http.StatusOK, "GET", "/api/conversations/"+conv, nil) // still a conversation
		if l := c["linked_objects"].(map[string]any)["data"].([]any); len(l) != 1 || l[0].(map[string]any)["id"] != id {
			t.Errorf("conversation's linked_objects = %v, want ticket %s", l, id)
		}
		if f := own.forms(conv); len(f) != 1 || f[0]["ticket_id"] != id || f[0]["submitted_at"] == nil {
			t.Errorf("forms after submission = %v", f)
		}
		if _, err := d.SubmitTicketForm(ctx, formID, casey.ID, attrs(t, map[string]any{"Serial number": "K-2"})); errorField(err) != "form" {
			t.Errorf("second submission: %v, want refused naming form", err)
		}
		// BO7: no second shared Back-office form; BO8: no Customer form, whose ticket could not
		// keep the shared Back-office ticket.
		for _, other := range []ticket.Type{typ, question} {
			if r := own.sendForm(conv, other); r.Status != http.StatusBadRequest || !strings.Contains(r.ErrorMessage(), "ticket_type_id") {
				t.Errorf("a %s form beside the shared ticket: %d %s", other.Name, r.Status, r.Body)
			}
		}

		// Two forms sent before either is submitted: the second submission is refused (BO7).
		conv2 := tkConversation(t, e, casey, "And my toaster")
		first := tkNum(own.sendForm(conv2, typ).JSON()["id"])
		second := tkNum(own.sendForm(conv2, typ).JSON()["id"])
		if _, err := d.SubmitTicketForm(ctx, first, casey.ID, attrs(t, map[string]any{"Serial number": "T-1"})); err != nil {
			t.Fatal(err)
		}
		if _, err := d.SubmitTicketForm(ctx, second, casey.ID, attrs(t, map[string]any{"Serial number": "T-2"})); errorField(err) == "" {
			t.Errorf("second shared Back-office ticket on a conversation: %v", err)
		}
		if f := own.forms(conv2); len(f) != 2 || f[0]["ticket_id"] == nil || f[1]["ticket_id"] != nil {
			t.Errorf("forms = %v, want the first submitted and the second not", f)
		}
	})
}

func TestCT4_CustomerCreatesATicketWithoutAConversation(t *testing.T) {
	e := apitest.Start(t)
	d, ctx := e.Server.Desk(), t.Context()
	typ := e.CreateTicketType("Refund", ticket.Customer, nil, formAttributes...)
	casey := e.CreateContact("casey@example.com", "Casey")
	search := map[string]any{"query": f("open", "=", true)}

	// Refused: types customers do not create, missing or hidden attributes, unknown contacts.
	archived := e.CreateTicketType("Old refund", ticket.Customer, nil)
	e.MustDo(http.StatusOK, "PUT", "/api/ticket_types/"+itoa(archived.ID), map[string]any{"archived": true})
	for _, tc := range []struct {
		name      string
		contactID int64
		typ       ticket.Type
		attrs     map[string]any
		field     string
		notFound  string
	}{
		{"Back-office type", casey.ID, e.CreateTicketType("Replacement", ticket.BackOffice, ptrTo(false)), nil, "", "Ticket type"},
		{"Tracker type", casey.ID, e.CreateTicketType("Outage", ticket.Tracker, nil), nil, "", "Ticket type"},
		{"archived type", casey.ID, archived, nil, "ticket_type_id", ""},
		{"required attribute missing", casey.ID, typ, map[string]any{"_default_title_": "Lost"}, "ticket_attributes.Order number", ""},
		{"attribute customers do not see", casey.ID, typ, map[string]any{"Order number": 1, "Internal score": 9}, "ticket_attributes.Internal score", ""},
		{"unknown contact", 999999, typ, map[string]any{"Order number": 1}, "", "Contact"},
	} {
		_, err := d.CustomerCreateTicket(ctx, tc.contactID, tc.typ.ID, attrs(t, tc.attrs))
		if err == nil || errorField(err) != tc.field || notFoundWhat(err) != tc.notFound {
			t.Errorf("%s: %v, want field %q or not found %q", tc.name, err, tc.field, tc.notFound)
		}
	}
	if n := tkNum(e.MustDo(http.StatusOK, "POST", "/api/tickets/search", search)["total_count"]); n != 0 {
		t.Errorf("refused creations made %d tickets", n)
	}

	tk, err := d.CustomerCreateTicket(ctx, casey.ID, typ.ID, attrs(t, map[string]any{"_default_title_": "Lost parcel", "Order number": 77}))
	if err != nil {
		t.Fatal(err)
	}
	got := e.MustDo(http.StatusOK, "GET", "/api/tickets/"+itoa(tk.ID), nil)
	if got["category"] != "Customer" || got["is_shared"] != true || got["ticket_attributes"].(map[string]any)["Order number"] != float64(77) ||
		got["ticket_state"].(map[string]any)["category"] != "submitted" {
		t.Errorf("ticket = %s", apitest.Str(got))
	}
	if cs := got["contacts"].(map[string]any)["contacts"].([]any); len(cs) != 1 || cs[0].(map[string]any)["id"] != itoa(casey.ID) {
		t.Errorf("contacts = %v", cs)
	}
	// No conversation was started for it.
	if ids := conversationIDs(e.MustDo(http.StatusOK, "GET", "/api/conversations", nil)); len(ids) != 0 {
		t.Errorf("conversations = %v, want none", ids)
	}
}

func TestAPI3_TicketFormBadInputIsAnErrorListAndWritesNothing(t *testing.T) {
	e := apitest.Start(t)
	own := newOwnDocument(t, e)
	question := e.CreateTicketType("Question", ticket.Customer, nil)
	review := e.CreateTicketType("Refund review", ticket.BackOffice, ptrTo(false))
	fraud := e.CreateTicketType("Fraud investigation", ticket.BackOffice, nil)
	outage := e.CreateTicketType("Outage", ticket.Tracker, nil)
	old := e.CreateTicketType("Old question", ticket.Customer, nil)
	e.MustDo(http.StatusOK, "PUT", "/api/ticket_types/"+itoa(old.ID), map[string]any{"archived": true})
	c := e.CreateContact("casey@example.com", "Casey")
	conv := tkConversation(t, e, c, "Hello")
	tk := apitest.ID(tkCreate(t, e, question, c, nil))
	// A conversation with a shared Back-office ticket (BO6).
	shared := tkConversation(t, e, c, "Broken again")
	tkCreate(t, e, review, c, map[string]any{"conversation_to_link_id": shared, "is_shared": true})

	path := func(id string) string { return "/api/conversations/" + id + "/ticket_forms" }
	body := func(typ ticket.Type) map[string]any { return map[string]any{"ticket_type_id": itoa(typ.ID)} }
	cases := []struct {
		name, method, path string
		body               any
		status             int
		code               string
		mentions           string
	}{
		{"malformed JSON", "POST", path(conv), `{"ticket_type_id": `, 400, "parameter_invalid", "JSON"},
		{"an array", "POST", path(conv), `[]`, 400, "parameter_invalid", "object"},
		{"no type", "POST", path(conv), map[string]any{}, 400, "parameter_not_found", "ticket_type_id"},
		{"type not an id", "POST", path(conv), map[string]any{"ticket_type_id": "question"}, 400, "parameter_invalid", "ticket_type_id"},
		{"type overflows", "POST", path(conv), `{"ticket_type_id": 99999999999999999999}`, 400, "parameter_invalid", "ticket_type_id"},
		{"type with NUL", "POST", path(conv), `{"ticket_type_id": "1\u0000"}`, 400, "parameter_invalid", "ticket_type_id"},
		{"admin_id an object", "POST", path(conv), map[string]any{"ticket_type_id": itoa(question.ID), "admin_id": map[string]any{}}, 400, "parameter_invalid", "admin_id"},
		{"unknown type", "POST", path(conv), map[string]any{"ticket_type_id": "999999"}, 404, "not_found", "Ticket type"},
		{"unknown admin", "POST", path(conv), map[string]any{"ticket_type_id": itoa(question.ID), "admin_id": "999999"}, 404, "not_found", "Admin"},
		{"unknown conversation", "POST", path("999999"), body(question), 404, "not_found", "Conversation"},
		{"conversation id not a number", "POST", path("abc"), body(question), 404, "not_found", "Conversation"},
		{"a ticket", "POST", path(tk), body(question), 400, "parameter_invalid", "id"},
		{"a Tracker type", "POST", path(conv), body(outage), 400, "parameter_invalid", "ticket_type_id"},
		{"a Back-office type that does not allow sharing", "POST", path(conv), body(fraud), 400, "parameter_invalid", "ticket_type_id"},
		{"an archived type", "POST", path(conv), body(old), 400, "parameter_invalid", "ticket_type_id"},
		{"BO7: a second shared Back-office ticket", "POST", path(shared), body(review), 400, "parameter_invalid", "ticket_type_id"},
		{"BO8: a Customer form beside a shared Back-office ticket", "POST", path(shared), body(question), 400, "parameter_invalid", "ticket_type_id"},
		{"list: unknown conversation", "GET", path("999999"), nil, 404, "not_found", "Conversation"},
		{"list: conversation id overflows", "GET", path("99999999999999999999"), nil, 404, "not_found", "Conversation"},
		{"types: sendable_as_form not a boolean", "GET", "/api/ticket_types?sendable_as_form=1", nil, 400, "parameter_invalid", "sendable_as_form"},
		{"types: sendable_as_form with NUL", "GET", "/api/ticket_types?sendable_as_form=%00", nil, 400, "parameter_invalid", "NUL"},
	}
	snapshot := func() string {
		t.Helper()
		var b strings.Builder
		for _, id := range []string{conv, shared} {
			b.WriteString(apitest.Str(e.MustDo(http.StatusOK, "GET", "/api/conversations/"+id, nil)))
			b.WriteString(apitest.Str(own.forms(id)))
		}
		b.WriteString(apitest.Str(e.MustDo(http.StatusOK, "GET", "/api/tickets/"+tk, nil)))
		return b.String()
	}
	before := snapshot()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var r *apitest.Response
			if _, raw := tc.body.(string); raw {
				r = e.DoUnchecked(tc.method, tc.path, tc.body) // not JSON, or not our schema's
			} else {
				r = own.do(tc.method, tc.path, tc.body)
			}
			if r.Status != tc.status || r.ErrorCode() != tc.code || !strings.Contains(r.ErrorMessage(), tc.mentions) {
				t.Errorf("%s %s: %d %s, want %d %s naming %q", tc.method, tc.path, r.Status, r.Body, tc.status, tc.code, tc.mentions)
			}
		})
	}
	if after := snapshot(); after != before {
		t.Errorf("bad input wrote something:\nbefore %s\nafter  %s", before, after)
	}
	for _, id := range []string{conv, shared, tk} {
		if list, err := e.DB.Read().TicketForms(t.Context(), tkNum(id)); err != nil || len(list) != 0 {
			t.Errorf("ticket forms stored in %s: %v, %v", id, list, err)
		}
	}
}
