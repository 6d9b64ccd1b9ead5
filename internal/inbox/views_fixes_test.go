package inbox_test

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/helpdesk/helpdesk/internal/store"
)

// Fixes from the newcomers' walk through the Inbox's lists and search.

// A conversation shows its id in the list and in the table, as a ticket shows its number; one
// without a title is called "Conversation #id", and its first message shows once.
func TestIN1_ConversationsShowTheirIDAndTheirFirstMessageOnce(t *testing.T) {
	w := newViewsWorld(t)
	fresh := w.start(t, w.jane, "<p>Where is my order?</p>") // no part but its first message
	c := w.signedIn(t)
	r := c.get("/inbox/views/all?state=any")

	// The parcel's newest part is a note: its first message shows under its title.
	row := viewsRowHTML(t, r.body, w.parcel.ID)
	if !strings.Contains(row, `<span class="views-row-title">Conversation #`+viewsID(w.parcel.ID)+`</span>`) ||
		!strings.Contains(row, `<span class="views-row-preview">My parcel is late</span>`) ||
		strings.Count(row, "My parcel is late") != 1 || !strings.Contains(row, "Checked with the carrier") {
		t.Errorf("the parcel's row: %s", row)
	}
	// The fresh one has only its first message: it shows once, as the newest part.
	row = viewsRowHTML(t, r.body, fresh.ID)
	if !strings.Contains(row, `<span class="views-row-title">Conversation #`+viewsID(fresh.ID)+`</span>`) ||
		strings.Count(row, "Where is my order?") != 1 || strings.Contains(row, "views-row-preview") ||
		!strings.Contains(row, "Message from Jane Doe") {
		t.Errorf("a new conversation's row: %s", row)
	}
	// A ticket keeps its number before its title.
	row = viewsRowHTML(t, r.body, w.refund.ID)
	if !strings.Contains(row, `<span class="views-ref">#`+viewsID(w.refund.Number)+`</span> Refund for order 42`) {
		t.Errorf("a ticket's row: %s", row)
	}

	// The table's ID column: a conversation's id, a ticket's number.
	r = c.get("/inbox/views/all?state=any&layout=table")
	for id, ref := range map[int64]int64{w.parcel.ID: w.parcel.ID, fresh.ID: fresh.ID, w.refund.ID: w.refund.Number} {
		row := viewsRowHTML(t, r.body, id)
		if !strings.Contains(row, `<td class="views-ref">#`+viewsID(ref)+`</td>`) {
			t.Errorf("row %d in the table: no ID #%d: %s", id, ref, row)
		}
	}
	if row := viewsRowHTML(t, r.body, w.parcel.ID); !strings.Contains(row, `>Conversation #`+viewsID(w.parcel.ID)+`</a><span class="views-row-preview">My parcel is late</span>`) {
		t.Errorf("the parcel in the table: %s", row)
	}
}

// In the table, a row's contacts and companies link to their pages.
func TestIN3_TableLinksToContactsAndCompanies(t *testing.T) {
	w := newViewsWorld(t)
	c := w.signedIn(t)
	r := c.get("/inbox/views/all?state=any&layout=table")
	for _, tc := range []struct {
		id                int64
		contacts, company string
	}{
		{w.parcel.ID, `<a href="/inbox/contacts/` + viewsID(w.jane.ID) + `">Jane Doe</a>`, `<a href="/inbox/companies/` + viewsID(w.acme) + `">Acme</a>`},
		{w.gadget.ID, `<a href="/inbox/contacts/` + viewsID(w.joe.ID) + `">Joe Bloggs</a>`, `<a href="/inbox/companies/` + viewsID(w.globex) + `">Globex</a>`},
		{w.outage.ID, ``, ``},
	} {
		row := viewsRowHTML(t, r.body, tc.id)
		if !strings.Contains(row, `<td class="views-contacts">`+tc.contacts+`</td>`) || !strings.Contains(row, `<td class="views-company">`+tc.company+`</td>`) {
			t.Errorf("row %d: %s", tc.id, row)
		}
	}
	// The links lead to the pages.
	for _, path := range []string{"/inbox/contacts/" + viewsID(w.jane.ID), "/inbox/companies/" + viewsID(w.acme)} {
		if r := c.get(path); r.status != http.StatusOK {
			t.Errorf("GET %s: %d", path, r.status)
		}
	}
}

// A conversation's Company column agrees with the company filter: a participant at Acme and
// Globex makes the conversation Acme's when the search is for Acme's. Without that filter, the
// participants' companies show by name, two at most.
func TestIN3_TheCompanyColumnAgreesWithTheCompanyFilter(t *testing.T) {
	w := newViewsWorld(t)
	c := w.signedIn(t)
	link := func(id int64, name string) string {
		return `<a href="/inbox/companies/` + viewsID(id) + `">` + name + `</a>`
	}
	for _, tc := range []struct {
		company int64
		want    string
	}{{w.acme, link(w.acme, "Acme")}, {w.globex, link(w.globex, "Globex")}} {
		r := c.get(fmt.Sprintf("/inbox/search?category=conversation&company=%d&layout=table", tc.company))
		if got := viewsRows(r.body); !slices.Contains(got, w.nap.ID) {
			t.Fatalf("company %d: rows %v lack the conversation of Max", tc.company, got)
		}
		if row := viewsRowHTML(t, r.body, w.nap.ID); !strings.Contains(row, `<td class="views-company">`+tc.want+`</td>`) {
			t.Errorf("company %d: %s", tc.company, row)
		}
	}
	// Max joins a third company: two show, by name, and "…" says there are more.
	initech := w.company(t, "initech", "Initech", w.multi)
	r := c.get("/inbox/views/all?state=any&layout=table")
	want := link(w.acme, "Acme") + ", " + link(w.globex, "Globex") + ", …"
	if row := viewsRowHTML(t, r.body, w.nap.ID); !strings.Contains(row, `<td class="views-company">`+want+`</td>`) {
		t.Errorf("three companies: %s", row)
	}
	r = c.get(fmt.Sprintf("/inbox/search?company=%d&layout=table", initech))
	if row := viewsRowHTML(t, r.body, w.nap.ID); !strings.Contains(row, `<td class="views-company">`+link(initech, "Initech")+`</td>`) {
		t.Errorf("searched for Initech: %s", row)
	}
}

// A list goes back to newer pages as it goes to older ones (keyset, both ways, never counted),
// also through many rows of one second.
func TestIN1_ListsPageToNewerPages(t *testing.T) {
	e := start(t)
	ctx := t.Context()
	d := e.Server.Desk()
	ann := e.CreateContact("ann@example.com", "Ann")
	var newestFirst []int64
	for i := range 75 {
		if i%10 == 0 {
			e.Clock.Advance(time.Minute) // groups of ten share a second
		}
		c, err := d.StartConversation(ctx, ann.ID, fmt.Sprintf("Question %d", i))
		if err != nil {
			t.Fatal(err)
		}
		newestFirst = append([]int64{c.ID}, newestFirst...)
	}
	c := e.signedIn(t)
	link := func(body, label string) string {
		m := regexp.MustCompile(`<a href="([^"]+)"(?: rel="[a-z]+")?>` + label + `</a>`).FindStringSubmatch(body)
		if m == nil {
			return ""
		}
		return strings.ReplaceAll(m[1], "&amp;", "&")
	}
	get := func(path string) (string, []int64) {
		t.Helper()
		r := c.get(path)
		if r.status != http.StatusOK {
			t.Fatalf("GET %s: %d", path, r.status)
		}
		return r.body, viewsRows(r.body)
	}

	first, rows1 := get("/inbox/views/all")
	if !slices.Equal(rows1, newestFirst[:30]) || link(first, "Newer") != "" || link(first, "Newest") != "" {
		t.Fatalf("the first page: %v", rows1)
	}
	second, rows2 := get(link(first, "Older"))
	third, rows3 := get(link(second, "Older"))
	if !slices.Equal(rows2, newestFirst[30:60]) || !slices.Equal(rows3, newestFirst[60:]) || link(third, "Older") != "" {
		t.Fatalf("older pages: %v, %v", rows2, rows3)
	}
	// Newer from the third page is the second, with its own links, and its address for live
	// refreshes and sharing.
	newer := link(third, "Newer")
	back, rows := get(newer)
	if !strings.Contains(newer, "after=") || !slices.Equal(rows, rows2) {
		t.Fatalf("newer than the third page (%s): %v, want %v", newer, rows, rows2)
	}
	if link(back, "Older") == "" || link(back, "Newest") != "/inbox/views/all" ||
		!strings.Contains(back, `hx-get="`+strings.ReplaceAll(newer, "&", "&amp;")+`"`) {
		t.Errorf("the second page, reached backwards: older %q, newest %q", link(back, "Older"), link(back, "Newest"))
	}
	if _, rows := get(link(back, "Older")); !slices.Equal(rows, rows3) {
		t.Errorf("older again: %v", rows)
	}
	// Newer from there is the newest page, as the list opens.
	top, rows := get(link(back, "Newer"))
	if !slices.Equal(rows, rows1) || link(top, "Newer") != "" || link(top, "Older") == "" {
		t.Errorf("back at the top: %v", rows)
	}
	// The same in the table, and in a search.
	_, rows = get("/inbox/search?q=question&layout=table&after=" + viewsCursorOfRow(t, e, newestFirst[45]))
	if !slices.Equal(rows, newestFirst[15:45]) {
		t.Errorf("a search's newer page: %v, want %v", rows, newestFirst[15:45])
	}
	// A cursor that means nothing is the newest page.
	if _, rows := get("/inbox/views/all?after=nonsense"); !slices.Equal(rows, rows1) {
		t.Errorf("a bad cursor: %v", rows)
	}
}

// viewsCursorOfRow writes the list cursor of conversation id, as the list writes it.
func viewsCursorOfRow(t *testing.T, e *env, id int64) string {
	t.Helper()
	c, err := e.DB.Read().Conversation(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return strconv.FormatInt(store.Unix(c.UpdatedAt), 10) + "-" + viewsID(id)
}

// A search limited to a contact (the contact page's link) says so, in a chip that takes the
// limit away, and keeps it when other filters change.
func TestIN3_ASearchForOneContactShowsItsChip(t *testing.T) {
	w := newViewsWorld(t)
	c := w.signedIn(t)
	contact := c.get("/inbox/contacts/" + viewsID(w.multi.ID))
	link := `href="/inbox/search?contact_id=` + viewsID(w.multi.ID) + `"`
	if !strings.Contains(contact.body, link) {
		t.Fatalf("the contact page has no link to their search")
	}
	r := c.get("/inbox/search?contact_id=" + viewsID(w.multi.ID))
	if got := viewsRows(r.body); !slices.Equal(got, []int64{w.nap.ID}) {
		t.Errorf("Max's: %v", got)
	}
	for _, want := range []string{
		`<span class="views-chip" id="views-contact-chip">Contact: Max Multi`,
		`<input type="hidden" name="contact_id" value="` + viewsID(w.multi.ID) + `">`,
		`<a href="/inbox/search" class="views-chip-remove" aria-label="Remove the filter Contact: Max Multi"`,
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the search lacks %s", want)
		}
	}
	// With other filters, the chip takes away the contact only.
	r = c.get("/inbox/search?contact_id=" + viewsID(w.multi.ID) + "&state=snoozed&layout=table")
	if !strings.Contains(r.body, `<a href="/inbox/search?layout=table&amp;state=snoozed" class="views-chip-remove"`) {
		t.Errorf("the chip's link with other filters")
	}
	// Without the limit, there is no chip.
	if r := c.get("/inbox/search"); strings.Contains(r.body, "views-contact-chip") {
		t.Error("a chip without a contact")
	}
}

// A search's category is understood however its URL writes it (the search's own style or the
// API's names), and the search writes it one way: in lower case.
func TestIN3_CategoriesAreWrittenOneWay(t *testing.T) {
	w := newViewsWorld(t)
	c := w.signedIn(t)
	for written, canonical := range map[string]string{
		"conversation": "conversation", "Conversation": "conversation",
		"Back-office": "back-office", "back-office": "back-office", "back_office": "back-office",
		"Customer": "customer", "tracker": "tracker",
	} {
		r := c.get("/inbox/search?category=" + written)
		if !strings.Contains(r.body, `<a class="views-link" href="/inbox/search?category=`+canonical+`">`) ||
			!strings.Contains(r.body, `<option value="`+canonical+`" selected>`) {
			t.Errorf("category=%s is not written as %s", written, canonical)
		}
	}
	r := c.get("/inbox/search")
	for _, v := range []string{"conversation", "customer", "back-office", "tracker"} {
		if !strings.Contains(r.body, `<option value="`+v+`">`) {
			t.Errorf("the form offers no %q", v)
		}
	}
}
