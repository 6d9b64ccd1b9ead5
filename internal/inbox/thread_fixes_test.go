package inbox_test

// Tests of what a newcomer's walk through the conversation and ticket pages found: controls
// offered where they cannot work, wording of the timeline, the Links section, the tracker's
// page, yes/no attributes.

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/helpdesk/helpdesk/internal/ticket"
)

// thrSharable is is_internal false: a Back-office type whose tickets may be shared (TT4).
func thrSharable() *bool { f := false; return &f }

// TestBO9_TagPickerOnlyWhereTagsAreTaken: an unshared Back-office ticket and a tracker say why
// they take no tags instead of offering a picker that is always refused; shared tickets and
// conversations offer it.
func TestBO9_TagPickerOnlyWhereTagsAreTaken(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	e.MustDo(http.StatusOK, "POST", "/api/tags", map[string]any{"name": "vip"})
	ana := e.CreateContact("ana@example.com", "Ana Customer")
	conv := thrConversation(t, e, ana, "Where is my parcel?")
	unshared := thrTicket(t, e, e.CreateTicketType("Fraud check", ticket.BackOffice, nil), "Check the payment",
		map[string]any{"conversation_to_link_id": strconv.FormatInt(conv, 10)}, ana)
	shared := thrTicket(t, e, e.CreateTicketType("Refund approval", ticket.BackOffice, thrSharable()), "Refund",
		map[string]any{"conversation_to_link_id": strconv.FormatInt(conv, 10), "is_shared": true}, ana)
	tracker := thrTicket(t, e, e.CreateTicketType("Outage", ticket.Tracker, nil), "Checkout is down", nil)
	customer := thrTicket(t, e, e.CreateTicketType("Question", ticket.Customer, nil), "A question", nil, ana)

	const hint = "Only tickets shared with the customer take tags."
	for _, tc := range []struct {
		what   string
		path   string
		picker bool
	}{
		{"an unshared Back-office ticket", fmt.Sprintf("/inbox/tickets/%d", unshared), false},
		{"a tracker", fmt.Sprintf("/inbox/tickets/%d", tracker), false},
		{"a shared Back-office ticket", fmt.Sprintf("/inbox/tickets/%d", shared), true},
		{"a Customer ticket", fmt.Sprintf("/inbox/tickets/%d", customer), true},
		{"a conversation", fmt.Sprintf("/inbox/conversations/%d", conv), true},
	} {
		page := thrPage(t, c, tc.path)
		if tc.picker {
			thrHas(t, tc.what, page, `id="thread-tag-add"`, ">Add tag</button>", `<option value="vip">`)
			thrHasNot(t, tc.what, page, hint)
		} else {
			thrHas(t, tc.what, page, hint, `id="thread-tags-h"`)
			thrHasNot(t, tc.what, page, `id="thread-tag-add"`, ">Add tag</button>")
		}
	}
}

// TestCV3_TimelineSaysThemselvesAndUntilWhen: an assignment to oneself reads "themselves", and
// the snooze in force says until when.
func TestCV3_TimelineSaysThemselvesAndUntilWhen(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	bob := e.CreateAdmin("bob@example.com", "Bob Backoffice")
	conv := thrConversation(t, e, e.CreateContact("ana@example.com", "Ana Customer"), "Where is my invoice?")
	path := fmt.Sprintf("/inbox/conversations/%d", conv)

	thrPost(t, c, path+"/assign", url.Values{"assignee_id": {strconv.FormatInt(e.Mate.ID, 10)}}, http.StatusSeeOther)
	thrPost(t, c, path+"/assign", url.Values{"assignee_id": {strconv.FormatInt(bob.ID, 10)}}, http.StatusSeeOther)
	until := e.Clock.Now().UTC().Add(48 * time.Hour).Truncate(time.Minute)
	thrPost(t, c, path+"/snooze", url.Values{"until": {until.Format("2006-01-02T15:04")}, "tz": {"0"}}, http.StatusSeeOther)
	page := thrPage(t, c, path)
	thrHas(t, "the timeline", page, "Mia Mate assigned this to themselves", "Mia Mate assigned this to Bob Backoffice",
		"Mia Mate snoozed this until "+until.Format("2 Jan 2006, 15:04")+" UTC")
	thrHasNot(t, "the timeline", page, "Mia Mate assigned this to Mia Mate")

	// Snoozed again: the newest snooze says its time; the one before, whose time the page does
	// not know, says none.
	later := until.Add(24 * time.Hour)
	thrPost(t, c, path+"/snooze", url.Values{"until": {later.Format("2006-01-02T15:04")}, "tz": {"0"}}, http.StatusSeeOther)
	page = thrPage(t, c, path)
	thrHas(t, "the timeline", page, "Mia Mate snoozed this until "+later.Format("2 Jan 2006, 15:04")+" UTC")
	thrHasNot(t, "the timeline", page, "snoozed this until "+until.Format("2 Jan 2006, 15:04"))
	if n := strings.Count(page, "Mia Mate snoozed this"); n != 2 {
		t.Errorf("%d snooze events, want 2", n)
	}
	// Open again, no snooze is in force: none says a time.
	thrPost(t, c, path+"/open", nil, http.StatusSeeOther)
	thrHasNot(t, "the timeline of an open conversation", thrPage(t, c, path), "snoozed this until")
}

// TestBO12_LinksMarkTheSharedTicketAndUnlinkAsksFirst: the Links tell which Back-office ticket
// the customer sees; Unlink asks before it acts.
func TestBO12_LinksMarkTheSharedTicketAndUnlinkAsksFirst(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	ana := e.CreateContact("ana@example.com", "Ana Customer")
	conv := thrConversation(t, e, ana, "My card was charged twice")
	unshared := thrTicket(t, e, e.CreateTicketType("Fraud check", ticket.BackOffice, nil), "Check the payment",
		map[string]any{"conversation_to_link_id": strconv.FormatInt(conv, 10)}, ana)
	shared := thrTicket(t, e, e.CreateTicketType("Refund approval", ticket.BackOffice, thrSharable()), "Refund the charge",
		map[string]any{"conversation_to_link_id": strconv.FormatInt(conv, 10), "is_shared": true}, ana)

	page := thrPage(t, c, fmt.Sprintf("/inbox/conversations/%d", conv))
	const pill = `<span class="thread-pill thread-pill-shared">Shared with the customer</span>`
	if n := strings.Count(page, pill); n != 1 {
		t.Fatalf("%d links marked shared, want 1", n)
	}
	line := func(id int64) string { // the ticket's line in the Links
		t.Helper()
		links := page[strings.Index(page, `id="thread-links-h"`):]
		i := strings.Index(links, fmt.Sprintf(`<a href="/inbox/tickets/%d">`, id))
		if i < 0 {
			t.Fatalf("no link to ticket %d", id)
		}
		end := strings.Index(links[i:], "</li>")
		return links[i : i+end]
	}
	thrHas(t, "the shared ticket's line", line(shared), pill)
	thrHasNot(t, "the unshared ticket's line", line(unshared), pill)
	// The ticket's own Links do not call the conversation shared: the head says the ticket is.
	own := thrPage(t, c, fmt.Sprintf("/inbox/tickets/%d", shared))
	thrHas(t, "the shared ticket's head", own, pill)
	thrHasNot(t, "the shared ticket's Links", own[strings.Index(own, `id="thread-links-h"`):], pill)

	// Unlink is a second step: "Unlink…" opens the button that unlinks.
	thrHas(t, "the Unlink step", line(unshared), `<details class="thread-unlink">`, `<summary class="button thread-small">Unlink…`,
		fmt.Sprintf(`hx-post="/inbox/tickets/%d/unlink/%d"`, unshared, conv), `Yes, unlink`)
}

// TestBO12_PreviewShowsTheFirstMessage: the preview of a linked conversation starts with the
// customer's first message, then its newest entries; a ticket's shows its description.
func TestBO12_PreviewShowsTheFirstMessage(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	id, conv := thrBackOffice(t, e, "Investigate the charge", "My card was charged twice for order 1182")
	for i := range 6 {
		thrPost(t, c, fmt.Sprintf("/inbox/conversations/%d/reply", conv), url.Values{"body": {fmt.Sprintf("note number %d", i)}, "type": {"note"}}, http.StatusSeeOther)
	}
	r := c.get(fmt.Sprintf("/inbox/preview/%d", conv), "HX-Request", "true")
	if r.status != http.StatusOK {
		t.Fatalf("preview: %d", r.status)
	}
	thrHas(t, "the preview", r.body, "My card was charged twice for order 1182", "Ana Customer", "Earlier entries are not shown here.",
		"note number 5", "note number 2", `id="thread-preview-h" tabindex="-1"`)
	thrHasNot(t, "the preview", r.body, "note number 1<")
	if first, last := strings.Index(r.body, "charged twice for order 1182"), strings.Index(r.body, "note number 5"); first > last {
		t.Error("the first message is not first")
	}
	// A ticket's preview: its description (what it is about), then its entries.
	r = c.get(fmt.Sprintf("/inbox/preview/%d", id), "HX-Request", "true")
	thrHas(t, "the ticket's preview", r.body, `<div class="thread-rich thread-preview-description"><p>First words</p></div>`, "created the ticket")
	thrHasNot(t, "the ticket's preview", r.body, "Earlier entries are not shown here.")
}

// TestBO1_LinkActionsOnTicketPages: a Back-office ticket links to a conversation or ticket from
// its Links; a Customer ticket starts a Back-office ticket, which the form creates linked to it.
func TestBO1_LinkActionsOnTicketPages(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	bo, conv := thrBackOffice(t, e, "Investigate the charge", "My card was charged twice")
	ana := e.CreateContact("bo@example.com", "Bo Customer")
	customer := thrTicket(t, e, e.CreateTicketType("Order problem", ticket.Customer, nil), "Broken parcel", nil, ana)
	tracker := thrTicket(t, e, e.CreateTicketType("Outage", ticket.Tracker, nil), "Checkout is down", nil)

	linkTo := fmt.Sprintf(`<a href="/inbox/tickets/%d/link">Link to a conversation or ticket</a>`, bo)
	thrHas(t, "a Back-office ticket's Links", thrPage(t, c, fmt.Sprintf("/inbox/tickets/%d", bo)), linkTo)
	for _, path := range []string{fmt.Sprintf("/inbox/tickets/%d", customer), fmt.Sprintf("/inbox/tickets/%d", tracker), fmt.Sprintf("/inbox/conversations/%d", conv)} {
		thrHasNot(t, path, thrPage(t, c, path), "Link to a conversation or ticket")
	}

	// The Customer ticket's action, followed as a teammate would.
	create := fmt.Sprintf("/inbox/conversations/%d/back-office/new", customer)
	page := thrPage(t, c, fmt.Sprintf("/inbox/tickets/%d", customer))
	thrHas(t, "a Customer ticket's page", page, fmt.Sprintf(`<a class="button" href="%s">Create back-office ticket</a>`, create))
	thrHasNot(t, "a Back-office ticket's page", thrPage(t, c, fmt.Sprintf("/inbox/tickets/%d", bo)), "/back-office/new")
	thrHasNot(t, "a tracker's page", thrPage(t, c, fmt.Sprintf("/inbox/tickets/%d", tracker)), "/back-office/new")
	typ := thrLoadTicket(t, e, bo).Type
	thrHas(t, "the form", thrPage(t, c, create+"?type_id="+strconv.FormatInt(typ.ID, 10)), "Broken parcel", "Create back-office ticket")
	r := thrPost(t, c, create, url.Values{"type_id": {strconv.FormatInt(typ.ID, 10)}, "title": {"Ask the carrier"}}, http.StatusSeeOther)
	newID, err := strconv.ParseInt(strings.TrimPrefix(r.location, "/inbox/tickets/"), 10, 64)
	if err != nil {
		t.Fatalf("created: went to %q", r.location)
	}
	links, _, err := e.DB.Read().LinkedObjects(context.Background(), customer, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(links) != 1 || links[0].TicketID != newID || links[0].ConversationID != customer {
		t.Fatalf("links of the Customer ticket: %+v", links)
	}
	thrHas(t, "the Customer ticket's Links", thrPage(t, c, fmt.Sprintf("/inbox/tickets/%d", customer)),
		fmt.Sprintf(`<a href="/inbox/tickets/%d">Back-office ticket #%d Ask the carrier</a>`, newID, thrLoadTicket(t, e, newID).Number))
}

// TestTR2_ConversationLinkedToATrackerNamesIt: a conversation that has its tracker (one at
// most) names it instead of offering "Link to tracker".
func TestTR2_ConversationLinkedToATrackerNamesIt(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	ana := e.CreateContact("ana@example.com", "Ana Customer")
	linked := thrConversation(t, e, ana, "Checkout fails")
	alone := thrConversation(t, e, ana, "Another question")
	tr := thrTicket(t, e, e.CreateTicketType("Outage", ticket.Tracker, nil), "Checkout is down",
		map[string]any{"conversation_to_link_id": strconv.FormatInt(linked, 10)})
	number := thrLoadTicket(t, e, tr).Number

	page := thrPage(t, c, fmt.Sprintf("/inbox/conversations/%d", linked))
	thrHas(t, "a conversation with a tracker", page,
		fmt.Sprintf(`Tracker: <a href="/inbox/tickets/%d">Tracker ticket #%d Checkout is down</a>`, tr, number))
	thrHasNot(t, "a conversation with a tracker", page, ">Link to tracker</a>")
	thrHas(t, "a conversation without one", thrPage(t, c, fmt.Sprintf("/inbox/conversations/%d", alone)),
		fmt.Sprintf(`<a class="button" href="/inbox/conversations/%d/tracker">Link to tracker</a>`, alone))
}

// TestTR1_TrackerPageHasNoPeopleOrCompany: a tracker has no customers of its own (its linked
// list names them): no People box, no company picker.
func TestTR1_TrackerPageHasNoPeopleOrCompany(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	tr := thrTicket(t, e, e.CreateTicketType("Outage", ticket.Tracker, nil), "Checkout is down", nil)
	page := thrPage(t, c, fmt.Sprintf("/inbox/tickets/%d", tr))
	thrHasNot(t, "a tracker's sidebar", page, `id="thread-people-h"`, "No one", `id="thread-company"`, "No company")
	thrHas(t, "a tracker's sidebar", page, `id="thread-assign-h"`, `id="thread-links-h"`)
	// A Back-office ticket keeps both.
	bo, _ := thrBackOffice(t, e, "Check the warehouse", "My parcel is missing")
	thrHas(t, "a Back-office ticket's sidebar", thrPage(t, c, fmt.Sprintf("/inbox/tickets/%d", bo)), `id="thread-people-h"`, `id="thread-company-h"`)
}

// TestTT2_YesNoAttributeIsYesNoOrNotSet: on the ticket page a yes/no attribute is the create
// form's three-way choice, so that "not set" is not shown as No and can be chosen again, unless
// the attribute is required.
func TestTT2_YesNoAttributeIsYesNoOrNotSet(t *testing.T) {
	e := start(t)
	c := e.signedIn(t)
	ana := e.CreateContact("ana@example.com", "Ana Customer")
	typ := e.CreateTicketType("Delivery problem", ticket.Customer, nil,
		ticket.Attribute{Name: "Fragile", DataType: ticket.Boolean, VisibleOnCreate: true},
		ticket.Attribute{Name: "Insured", DataType: ticket.Boolean, VisibleOnCreate: true, RequiredToCreate: true})
	id := thrTicket(t, e, typ, "Parcel never arrived", map[string]any{"ticket_attributes": map[string]any{
		"_default_title_": "Parcel never arrived", "Insured": true}}, ana)
	path := fmt.Sprintf("/inbox/tickets/%d", id)
	field := func(page, name string) string {
		t.Helper()
		i := strings.Index(page, `<input type="hidden" name="name" value="`+name+`">`)
		if i < 0 {
			t.Fatalf("no field %s", name)
		}
		end := strings.Index(page[i:], "</form>")
		return page[i : i+end]
	}

	page := thrPage(t, c, path)
	thrHas(t, "Fragile, not set", field(page, "Fragile"), `<option value="" selected>—</option><option value="true">Yes</option><option value="false">No</option></select>`)
	thrHas(t, "Insured, required and set", field(page, "Insured"), `<option value="true" selected>Yes</option><option value="false">No</option></select>`)
	thrHasNot(t, "Insured, required and set", field(page, "Insured"), `<option value="">`)
	thrHasNot(t, "the attributes", page, `type="checkbox"`)

	thrPost(t, c, path+"/attributes", url.Values{"name": {"Fragile"}, "value": {"false"}}, http.StatusSeeOther)
	if v, ok := thrLoadTicket(t, e, id).Attributes["Fragile"]; !ok || v != false {
		t.Fatalf("Fragile: %v %v, want false", v, ok)
	}
	thrHas(t, "Fragile, No", field(thrPage(t, c, path), "Fragile"), `<option value="">—</option><option value="true">Yes</option><option value="false" selected>No</option>`)
	// Cleared: not set again.
	thrPost(t, c, path+"/attributes", url.Values{"name": {"Fragile"}, "value": {""}}, http.StatusSeeOther)
	if v, ok := thrLoadTicket(t, e, id).Attributes["Fragile"]; ok {
		t.Fatalf("Fragile after clearing: %v", v)
	}
	page = thrPage(t, c, path)
	thrHas(t, "Fragile, cleared", field(page, "Fragile"), `<option value="" selected>—</option>`)
	thrHas(t, "the timeline", page, "Mia Mate set Fragile to No", "Mia Mate cleared Fragile")
	// A required one cannot be cleared: refused next to it, and kept.
	r := thrPost(t, c, path+"/attributes", url.Values{"name": {"Insured"}, "value": {""}}, http.StatusUnprocessableEntity)
	thrHas(t, "clearing a required one", field(r.body, "Insured"), "cannot be cleared", `aria-invalid="true"`)
	if v := thrLoadTicket(t, e, id).Attributes["Insured"]; v != true {
		t.Errorf("Insured: %v", v)
	}
	// Neither yes nor no is refused, as typed.
	thrPost(t, c, path+"/attributes", url.Values{"name": {"Fragile"}, "value": {"maybe"}}, http.StatusUnprocessableEntity)
}
