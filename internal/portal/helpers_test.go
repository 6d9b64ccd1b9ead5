package portal_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/helpdesk/helpdesk/internal/apitest"
	"github.com/helpdesk/helpdesk/internal/config"
	"github.com/helpdesk/helpdesk/internal/identity"
)

// secret is the workspace's identity secret in these tests.
const secret = "portal-test-identity-secret"

// world is a workspace set up through the API as a support team would: companies, their
// users, ticket types of every category, and tickets customers may and may not see.
type world struct {
	t     *testing.T
	e     *apitest.Env
	admin string
	// Contacts by external id (the host product's user_id).
	ann, bob, carl, dora, fay string
	// Companies.
	acme, globex, initech, umbrella string
	// Ticket types.
	refund, escalation, tracker string
	// Tickets customers of Acme and Globex see (P1, BO10)...
	annRefund, bobInvoice, globexDelay, sharedBO tk
	bobConversation, sharedConversation          string
	// ...and tickets they never see (N5).
	initechProject, unsharedBO, standaloneBO, outage tk
}

// tk is a ticket as the API returned it.
type tk struct {
	ID, Number, Title string
}

// The text of internal things that must never reach a customer (N5).
const (
	noteOnCustomerTicket = "NOTE-ON-CUSTOMER-TICKET refund looks like fraud"
	crossPostedNote      = "CROSS-POSTED-NOTE back office suspects the card"
	noteOnConversation   = "NOTE-ON-CONVERSATION ask finance first"
	internalValue        = "FRAUD-SCORE-93"
	internalAttribute    = "Fraud score"
)

func newWorld(t *testing.T) *world {
	t.Helper()
	e := apitest.StartWith(t, func(c *config.Config) { c.IdentitySecret = secret })
	w := &world{t: t, e: e, admin: strconv.FormatInt(e.Admin.ID, 10)}

	w.ann = w.contact("ann", "ann@acme.example", "Ann Archer")
	w.bob = w.contact("bob", "bob@acme.example", "Bob Baker")
	w.carl = w.contact("carl", "carl@initech.example", "Carl Cole")
	w.dora = w.contact("dora", "dora@nowhere.example", "Dora Dunn")
	w.fay = w.contact("fay", "fay@umbrella.example", "Fay Fox")
	w.acme = w.company("acme", "Acme", w.ann, w.bob)
	w.globex = w.company("globex", "Globex", w.ann)
	w.initech = w.company("initech", "Initech", w.carl)
	w.umbrella = w.company("umbrella", "Umbrella", w.fay)

	w.refund = w.ticketType("Refund", "Customer", nil)
	w.attribute(w.refund, "Order number", "string", true)
	w.attribute(w.refund, "Refund amount", "decimal", true)
	w.attribute(w.refund, "Delivered", "boolean", true)
	w.attribute(w.refund, internalAttribute, "string", false)
	allow := false
	w.escalation = w.ticketType("Escalation", "Back-office", &allow)
	w.tracker = w.ticketType("Payment outage", "Tracker", nil)

	w.annRefund = w.ticket(w.refund, w.ann, w.acme, "Refund for order A-1001", "The parcel arrived **broken**.",
		map[string]any{"Order number": "A-1001", "Refund amount": 12.5, "Delivered": true, internalAttribute: internalValue})
	w.bobInvoice = w.ticket(w.refund, w.bob, w.acme, "Invoice shows the wrong VAT", "Please correct it.", nil)
	w.globexDelay = w.ticket(w.refund, w.ann, w.globex, "Globex shipment delayed", "Still waiting.", nil)
	w.initechProject = w.ticket(w.refund, w.carl, w.initech, "Initech confidential rollout", "Secret.", nil)

	w.bobConversation = w.conversation(w.bob, "Where is my parcel?")
	w.sharedConversation = w.conversation(w.bob, "My card was charged twice")
	w.sharedBO = w.ticket(w.escalation, w.bob, w.acme, "Duplicate charge investigation", "We are checking with the bank.",
		nil, "conversation_to_link_id", w.sharedConversation, "is_shared", true)
	w.unsharedBO = w.ticket(w.escalation, w.bob, w.acme, "Internal fraud review of Bob", "Do not share.",
		nil, "conversation_to_link_id", w.bobConversation)
	w.standaloneBO = w.ticket(w.escalation, w.bob, w.acme, "Standalone audit of Acme", "Audit.", nil)
	w.outage = w.ticket(w.tracker, w.bob, w.acme, "Payment provider outage", "Provider down.", nil)

	w.note(w.annRefund.ID, noteOnCustomerTicket, false)
	w.note(w.sharedBO.ID, crossPostedNote, true)
	e.MustDo(http.StatusOK, "POST", "/api/conversations/"+w.sharedConversation+"/reply", map[string]any{
		"type": "admin", "admin_id": w.admin, "message_type": "note", "body": noteOnConversation})

	w.setState(w.annRefund.ID, "waiting_on_customer")
	w.setState(w.bobInvoice.ID, "in_progress")
	w.setState(w.globexDelay.ID, "resolved")
	return w
}

// contact creates a user through the API and returns their id.
func (w *world) contact(externalID, email, name string) string {
	w.t.Helper()
	body := map[string]any{"role": "user", "external_id": externalID, "name": name}
	if email != "" {
		body["email"] = email
	}
	return apitest.ID(w.e.MustDo(http.StatusOK, "POST", "/api/contacts", body))
}

// company creates a company through the API with members.
func (w *world) company(companyID, name string, members ...string) string {
	w.t.Helper()
	id := apitest.ID(w.e.MustDo(http.StatusOK, "POST", "/api/companies", map[string]any{"company_id": companyID, "name": name}))
	for _, m := range members {
		w.e.MustDo(http.StatusOK, "POST", "/api/contacts/"+m+"/companies", map[string]any{"id": id})
	}
	return id
}

func (w *world) ticketType(name, category string, internal *bool) string {
	w.t.Helper()
	body := map[string]any{"name": name, "category": category}
	if internal != nil {
		body["is_internal"] = *internal
	}
	return apitest.ID(w.e.MustDo(http.StatusOK, "POST", "/api/ticket_types", body))
}

func (w *world) attribute(typeID, name, dataType string, visible bool) {
	w.t.Helper()
	w.e.MustDo(http.StatusOK, "POST", "/api/ticket_types/"+typeID+"/attributes", map[string]any{
		"name": name, "description": name, "data_type": dataType, "visible_on_create": true, "visible_to_contacts": visible})
}

// ticket creates a ticket through the API for contact ("" for none) and company; extra holds
// more request members as name, value pairs.
func (w *world) ticket(typeID, contact, company, title, description string, attrs map[string]any, extra ...any) tk {
	w.t.Helper()
	a := map[string]any{"_default_title_": title, "_default_description_": description}
	for k, v := range attrs {
		a[k] = v
	}
	body := map[string]any{"ticket_type_id": typeID, "ticket_attributes": a}
	if company != "" {
		body["company_id"] = company
	}
	if contact != "" {
		body["contacts"] = []any{map[string]any{"id": contact}}
	}
	for i := 0; i+1 < len(extra); i += 2 {
		body[extra[i].(string)] = extra[i+1]
	}
	r := w.e.DoUnchecked("POST", "/api/tickets", body)
	if r.Status != http.StatusOK {
		w.t.Fatalf("create ticket %q: %d %s", title, r.Status, r.Body)
	}
	got := r.JSON()
	number, _ := got["ticket_id"].(string)
	return tk{ID: apitest.ID(got), Number: number, Title: title}
}

func (w *world) conversation(contact, body string) string {
	w.t.Helper()
	msg := w.e.MustDo(http.StatusOK, "POST", "/api/conversations", map[string]any{
		"from": map[string]any{"type": "user", "id": contact}, "body": body})
	id, _ := msg["conversation_id"].(string)
	return id
}

func (w *world) note(ticketID, body string, crossPost bool) {
	w.t.Helper()
	req := map[string]any{"type": "admin", "admin_id": w.admin, "message_type": "note", "body": body}
	if crossPost {
		req["cross_post"] = true
	}
	w.e.MustDo(http.StatusOK, "POST", "/api/tickets/"+ticketID+"/reply", req)
}

// setState moves a ticket to the first state of a category, through the API.
func (w *world) setState(ticketID, category string) {
	w.t.Helper()
	states := w.e.MustDo(http.StatusOK, "GET", "/api/ticket_states", nil)
	for _, s := range states["data"].([]any) {
		st := s.(map[string]any)
		if st["category"] == category {
			w.e.MustDo(http.StatusOK, "PUT", "/api/tickets/"+ticketID, map[string]any{"ticket_state_id": st["id"], "admin_id": w.e.Admin.ID})
			return
		}
	}
	w.t.Fatalf("no ticket state of category %s", category)
}

// jwt signs an identity as the host product does, valid for an hour of the server's clock.
func (w *world) jwt(userID, email, name string) string {
	w.t.Helper()
	token, err := identity.Sign(identity.Claims{UserID: userID, Email: email, Name: name,
		ExpiresAt: w.e.Clock.Now().Add(time.Hour)}, []byte(secret))
	if err != nil {
		w.t.Fatal(err)
	}
	return token
}

// browser is a customer's browser: a client with a cookie jar that follows redirects.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
	// url is where the last request ended, after redirects; mu guards it against a test's
	// requests at once (a double submit).
	mu  sync.Mutex
	url string
}

func (w *world) browser() *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		w.t.Fatal(err)
	}
	return &browser{t: w.t, base: w.e.URL, c: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

// signIn opens the host product's portal link for a user and returns their browser.
func (w *world) signIn(userID, email, name string) *browser {
	w.t.Helper()
	b := w.browser()
	status, body := b.get("/portal/login?jwt=" + url.QueryEscape(w.jwt(userID, email, name)))
	if status != http.StatusOK {
		w.t.Fatalf("sign in %s: %d %s", userID, status, body)
	}
	return b
}

// page is a response as the browser shows it.
type page struct {
	status int
	body   string
	header http.Header
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	b.mu.Lock()
	b.url = resp.Request.URL.String()
	b.mu.Unlock()
	if resp.StatusCode >= 500 {
		b.t.Errorf("%s %s answered %d: %s", req.Method, req.URL.Path, resp.StatusCode, raw)
	}
	return page{status: resp.StatusCode, body: string(raw), header: resp.Header}
}

func (b *browser) get(path string) (int, string) {
	b.t.Helper()
	p := b.getPage(path)
	return p.status, p.body
}

func (b *browser) getPage(path string) page {
	b.t.Helper()
	req, err := http.NewRequest("GET", b.base+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

// post sends a form as a same-origin page would.
func (b *browser) post(path string, header map[string]string) (int, string) {
	b.t.Helper()
	req, err := http.NewRequest("POST", b.base+path, strings.NewReader(""))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	p := b.do(req)
	return p.status, p.body
}

var rowNumber = regexp.MustCompile(`<tr class="ticket" data-number="(\d+)">`)

// listed returns the ticket numbers a list page shows, in order.
func listed(body string) []string {
	var out []string
	for _, m := range rowNumber.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

func numbers(ts ...tk) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Number
	}
	return out
}
