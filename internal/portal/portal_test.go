package portal_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/helpdesk/helpdesk/internal/apitest"
	"github.com/helpdesk/helpdesk/internal/config"
	"github.com/helpdesk/helpdesk/internal/conversation"
	"github.com/helpdesk/helpdesk/internal/desk"
	"github.com/helpdesk/helpdesk/internal/identity"
	"github.com/helpdesk/helpdesk/internal/store"
)

func TestP1_PortalListsEveryCustomerVisibleTicketOfTheUsersCompanies(t *testing.T) {
	w := newWorld(t)

	// Ann belongs to Acme and Globex: her own tickets, her colleague Bob's, and the Back-office
	// ticket shared with Bob (BO10), newest activity first.
	ann := w.signIn("ann", "ann@acme.example", "Ann Archer")
	status, body := ann.get("/portal")
	if status != http.StatusOK {
		t.Fatalf("GET /portal: %d %s", status, body)
	}
	want := []tk{w.annRefund, w.bobInvoice, w.globexDelay, w.sharedBO}
	got := listed(body)
	for _, x := range want {
		if !slices.Contains(got, x.Number) || !strings.Contains(body, x.Title) {
			t.Errorf("Ann's portal lacks #%s %q; lists %v", x.Number, x.Title, got)
		}
	}
	if len(got) != len(want) {
		t.Errorf("Ann's portal lists %v, want exactly %v", got, numbers(want...))
	}
	for _, x := range []tk{w.initechProject, w.unsharedBO, w.standaloneBO, w.outage} {
		if slices.Contains(got, x.Number) || strings.Contains(body, x.Title) {
			t.Errorf("Ann's portal shows #%s %q, which customers of her companies must not see", x.Number, x.Title)
		}
	}
	// Each row: title, ticket ID, type, company, the state's external label, the last update.
	for _, s := range []string{"#" + w.annRefund.Number, "Refund", "Escalation", "Acme", "Globex",
		"Waiting on you", "In progress", "Resolved", "Submitted", "2 Nov 2026, 09:00 UTC"} {
		if !strings.Contains(body, s) {
			t.Errorf("Ann's portal does not show %q", s)
		}
	}

	// Bob belongs to Acme only: Ann's Acme ticket is there, her Globex ticket is not.
	bob := w.signIn("bob", "bob@acme.example", "Bob Baker")
	_, body = bob.get("/portal")
	got = listed(body)
	if !slices.Contains(got, w.annRefund.Number) || slices.Contains(got, w.globexDelay.Number) || len(got) != 3 {
		t.Errorf("Bob's portal lists %v, want Acme's %v", got, numbers(w.annRefund, w.bobInvoice, w.sharedBO))
	}

	// Carl of Initech sees Initech's ticket and nothing of Acme's.
	carl := w.signIn("carl", "carl@initech.example", "")
	_, body = carl.get("/portal")
	if got := listed(body); !slices.Equal(got, numbers(w.initechProject)) {
		t.Errorf("Carl's portal lists %v, want %v", got, numbers(w.initechProject))
	}
}

func TestP1_ALongListShowsMoreOnRequest(t *testing.T) {
	w := newWorld(t)
	for i := range 60 {
		w.ticket(w.refund, w.bob, w.acme, "Bulk ticket "+strconv.Itoa(i), "", nil)
	}
	bob := w.signIn("bob", "bob@acme.example", "")
	_, body := bob.get("/portal")
	if n := len(listed(body)); n != 50 || !strings.Contains(body, "Show more tickets") {
		t.Fatalf("first page: %d tickets, more link %v; want 50 and a link", n, strings.Contains(body, "Show more tickets"))
	}
	_, body = bob.get("/portal?shown=100")
	if n := len(listed(body)); n != 63 || strings.Contains(body, "Show more tickets") {
		t.Errorf("second page: %d tickets, more link %v; want all 63 and no link", n, strings.Contains(body, "Show more tickets"))
	}
}

func TestP2_UnsignedForgedOrExpiredIdentityIsRefused(t *testing.T) {
	w := newWorld(t)
	now := w.e.Clock.Now()
	sign := func(c identity.Claims, key string) string {
		t.Helper()
		s, err := identity.Sign(c, []byte(key))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	newcomer := identity.Claims{UserID: "newcomer", Email: "new@acme.example", ExpiresAt: now.Add(time.Hour)}
	expired := newcomer
	expired.ExpiresAt = now.Add(-time.Hour)

	cases := []struct {
		name   string
		path   string
		status int
		says   string
	}{
		{"no identity", "/portal/login", http.StatusUnauthorized, "Sign in through your product"},
		{"empty jwt", "/portal/login?jwt=", http.StatusUnauthorized, "No identity was given"},
		{"not a jwt", "/portal/login?jwt=hello", http.StatusUnauthorized, "not a well-formed JWT"},
		{"forged: another secret", "/portal/login?jwt=" + sign(newcomer, "not-the-secret"), http.StatusUnauthorized, "signature does not match"},
		{"expired", "/portal/login?jwt=" + sign(expired, secret), http.StatusUnauthorized, "has expired"},
		{"unsigned (alg none)", "/portal/login?jwt=eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJ1c2VyX2lkIjoibmV3Y29tZXIiLCJleHAiOjQxMDI0NDQ4MDB9.", http.StatusUnauthorized, "HS256"},
		{"forged user_hash", "/portal/login?user_id=newcomer&user_hash=" + identity.UserHash("newcomer", []byte("wrong")), http.StatusUnauthorized, "user_hash does not match"},
		{"user_hash without hash", "/portal/login?user_id=newcomer", http.StatusUnauthorized, "No identity was given"},
		{"unknown Messenger session", "/portal/login?session=hdc_nonsense", http.StatusUnauthorized, "no longer valid"},
		{"portal without a session", "/portal", http.StatusUnauthorized, "Sign in through your product"},
		{"ticket without a session", "/portal/tickets/" + w.annRefund.ID, http.StatusUnauthorized, "Sign in through your product"},
	}
	for _, c := range cases {
		b := w.browser()
		p := b.getPage(c.path)
		if p.status != c.status || !strings.Contains(p.body, c.says) {
			t.Errorf("%s: %d, want %d saying %q:\n%s", c.name, p.status, c.status, c.says, p.body)
		}
		if strings.Contains(p.body, "Refund for order") || len(listed(p.body)) > 0 {
			t.Errorf("%s: the refusal shows tickets", c.name)
		}
		if u, _ := url.Parse(b.base); len(b.c.Jar.Cookies(&url.URL{Scheme: "http", Host: u.Host, Path: "/portal"})) != 0 {
			t.Errorf("%s: a cookie was set", c.name)
		}
	}
	// Nothing was created for a refused identity.
	if _, err := w.e.DB.Read().ContactByExternalID(t.Context(), "newcomer"); err == nil {
		t.Errorf("a refused identity created a contact")
	}

	// A workspace without an identity secret signs no one in.
	bare := apitest.Start(t)
	b := &browser{t: t, base: bare.URL, c: &http.Client{}}
	if status, body := b.get("/portal/login?jwt=" + sign(newcomer, secret)); status != http.StatusForbidden || !strings.Contains(body, "not set up") {
		t.Errorf("without a secret: %d %s", status, body)
	}

	// The legacy user_hash signs the user in.
	b = w.browser()
	if status, body := b.get("/portal/login?user_id=ann&user_hash=" + identity.UserHash("ann", []byte(secret))); status != http.StatusOK || !strings.Contains(body, w.annRefund.Title) {
		t.Errorf("user_hash sign-in: %d %s", status, body)
	}

	// A good identity: the session goes into an HttpOnly, SameSite=Lax cookie for /portal and
	// the browser lands on /portal, the token gone from the address bar.
	b = w.browser()
	b.c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	p := b.getPage("/portal/login?jwt=" + url.QueryEscape(w.jwt("ann", "ann@acme.example", "")))
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/portal" {
		t.Fatalf("sign-in answer: %d to %q", p.status, p.header.Get("Location"))
	}
	cookie := p.header.Get("Set-Cookie")
	for _, s := range []string{"HttpOnly", "SameSite=Lax", "Path=/portal", "hdc_"} {
		if !strings.Contains(cookie, s) {
			t.Errorf("Set-Cookie %q lacks %s", cookie, s)
		}
	}
	if strings.Contains(cookie, "Secure") {
		t.Errorf("Set-Cookie %q is Secure on an http base URL", cookie)
	}
	b.c.CheckRedirect = nil
	p = b.getPage("/portal")
	if p.status != http.StatusOK || strings.Contains(b.url, "jwt") {
		t.Fatalf("after sign-in: %d at %s", p.status, b.url)
	}
	// Pages are kept out of frames, caches and Referer headers.
	for h, want := range map[string]string{"Referrer-Policy": "no-referrer", "Cache-Control": "no-store",
		"X-Frame-Options": "DENY", "Content-Security-Policy": "frame-ancestors 'none'"} {
		if !strings.Contains(p.header.Get(h), want) {
			t.Errorf("%s = %q, want %q", h, p.header.Get(h), want)
		}
	}

	// A form sent from another site is refused, and changes nothing.
	status, body := b.post("/portal/tickets/"+w.bobInvoice.ID+"/join", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"})
	if status != http.StatusForbidden || !strings.Contains(body, "another site") {
		t.Errorf("cross-site join: %d %s", status, body)
	}
	annID := contactID(t, w, "ann")
	if in, _ := w.e.DB.Read().IsParticipant(t.Context(), annID, mustInt(t, w.bobInvoice.ID)); in {
		t.Errorf("a cross-site join made Ann a participant")
	}
	status, _ = b.post("/portal/logout", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"})
	if status != http.StatusForbidden {
		t.Errorf("cross-site sign-out: %d", status)
	}

	// Signing out ends the portal's session on this browser.
	if status, body := b.post("/portal/logout", nil); status != http.StatusOK || !strings.Contains(body, "signed out") {
		t.Errorf("sign out: %d %s", status, body)
	}
	if status, _ := b.get("/portal"); status != http.StatusUnauthorized {
		t.Errorf("after signing out: %d, want 401", status)
	}

	// The session ends with its identity (exp honoured).
	b = w.signIn("ann", "ann@acme.example", "")
	w.e.Clock.Advance(2 * time.Hour)
	if status, body := b.get("/portal"); status != http.StatusUnauthorized || !strings.Contains(body, "has ended") {
		t.Errorf("after the identity expired: %d %s", status, body)
	}
}

func TestP2_CookieIsSecureOnAnHTTPSBaseURL(t *testing.T) {
	e := apitest.StartWith(t, func(c *config.Config) {
		c.IdentitySecret = secret
		c.BaseURL = "https://help.example.com"
	})
	w := &world{t: t, e: e}
	b := w.browser()
	b.c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	p := b.getPage("/portal/login?jwt=" + url.QueryEscape(w.jwt("ann", "ann@acme.example", "")))
	if c := p.header.Get("Set-Cookie"); p.status != http.StatusSeeOther || !strings.Contains(c, "Secure") {
		t.Errorf("https base URL: %d, Set-Cookie %q, want Secure", p.status, c)
	}
}

func TestP3_UserWithoutEmailCompanyOrTicketsIsRefusedWithAClearMessage(t *testing.T) {
	w := newWorld(t)
	// Eve's product signs her in without an email; her contact is in Acme, which has tickets.
	eve := w.browser()
	if status, _ := eve.get("/portal/login?jwt=" + url.QueryEscape(w.jwt("eve", "", "Eve"))); status != http.StatusForbidden {
		t.Errorf("Eve (no email): %d, want 403", status)
	}
	w.e.MustDo(http.StatusOK, "POST", "/api/contacts/"+strconv.FormatInt(contactID(t, w, "eve"), 10)+"/companies", map[string]any{"id": w.acme})

	// Umbrella has only tickets customers may not see: they do not count (N5).
	w.ticket(w.escalation, w.fay, w.umbrella, "Umbrella internal review", "", nil)
	w.ticket(w.tracker, w.fay, w.umbrella, "Umbrella outage", "", nil)

	cases := []struct {
		name                string
		userID, email       string
		says, doesNotReveal string
	}{
		{"no email", "eve", "", "no email address", w.annRefund.Title},
		{"no company", "dora", "dora@nowhere.example", "not linked to a company", ""},
		{"no tickets", "fay", "fay@umbrella.example", "There are no tickets for Umbrella", "Umbrella internal review"},
	}
	for _, c := range cases {
		b := w.browser()
		status, body := b.get("/portal/login?jwt=" + url.QueryEscape(w.jwt(c.userID, c.email, "")))
		if status != http.StatusForbidden || !strings.Contains(body, c.says) {
			t.Errorf("%s: %d, want 403 saying %q:\n%s", c.name, status, c.says, body)
		}
		if c.doesNotReveal != "" && strings.Contains(body, c.doesNotReveal) {
			t.Errorf("%s: the refusal shows %q", c.name, c.doesNotReveal)
		}
		// A refused user cannot open a ticket by its id either.
		if status, _ := b.get("/portal/tickets/" + w.annRefund.ID); status != http.StatusForbidden {
			t.Errorf("%s: a ticket page answered %d, want 403", c.name, status)
		}
		// They can still sign out.
		if !strings.Contains(body, "Sign out") {
			t.Errorf("%s: no sign-out on the refusal", c.name)
		}
	}
	// Once Fay's company has a ticket she may see, she is let in.
	w.ticket(w.refund, w.fay, w.umbrella, "Umbrella umbrella broke", "", nil)
	fay := w.signIn("fay", "fay@umbrella.example", "")
	if _, body := fay.get("/portal"); !strings.Contains(body, "Umbrella umbrella broke") || strings.Contains(body, "Umbrella internal review") {
		t.Errorf("Fay's portal once Umbrella has a ticket:\n%s", body)
	}
}

func TestP4_OneStateFilterAtATime(t *testing.T) {
	w := newWorld(t)
	ann := w.signIn("ann", "ann@acme.example", "")
	cases := []struct {
		state string
		want  []tk
		label string
	}{
		{"", []tk{w.annRefund, w.bobInvoice, w.globexDelay, w.sharedBO}, "All"},
		{"submitted", []tk{w.sharedBO}, "Submitted"},
		{"in_progress", []tk{w.bobInvoice}, "In progress"},
		{"waiting_on_customer", []tk{w.annRefund}, "Waiting on you"},
		{"resolved", []tk{w.globexDelay}, "Resolved"},
	}
	for _, c := range cases {
		path := "/portal"
		if c.state != "" {
			path += "?state=" + c.state
		}
		status, body := ann.get(path)
		got := listed(body)
		slices.Sort(got)
		want := numbers(c.want...)
		slices.Sort(want)
		if status != http.StatusOK || !slices.Equal(got, want) {
			t.Errorf("%s: %d, lists %v, want %v", path, status, got, want)
		}
		// The current filter is marked, and it is the only one.
		if n := strings.Count(body, `aria-current="page"`); n != 1 || !strings.Contains(body, `aria-current="page">`+c.label+`</a>`) {
			t.Errorf("%s: current tab is not %q alone", path, c.label)
		}
	}
	// Every filter is one link; none combines two states.
	_, body := ann.get("/portal")
	for _, s := range []string{"submitted", "in_progress", "waiting_on_customer", "resolved"} {
		if !strings.Contains(body, `href="/portal?state=`+s+`"`) {
			t.Errorf("no filter link for %s", s)
		}
	}
	if status, body := ann.get("/portal?state=open"); status != http.StatusBadRequest || !strings.Contains(body, "Unknown state") {
		t.Errorf("unknown state: %d", status)
	}
	// A filter that matches nothing says so.
	w.setState(w.sharedBO.ID, "resolved")
	if _, body := ann.get("/portal?state=submitted"); len(listed(body)) != 0 || !strings.Contains(body, "No tickets of your company are Submitted") {
		t.Errorf("empty filter:\n%s", body)
	}
}

func TestP5_TicketDetailsShowCustomerVisibleAttributesOnly(t *testing.T) {
	w := newWorld(t)
	hostile := w.ticket(w.refund, w.ann, w.acme, "Hostile description",
		`<p>Hello <a href="javascript:alert(1)">click</a><script>alert(2)</script><img src=x onerror=alert(3)></p>`, nil)
	ann := w.signIn("ann", "ann@acme.example", "")

	status, body := ann.get("/portal/tickets/" + w.annRefund.ID)
	if status != http.StatusOK {
		t.Fatalf("ticket page: %d %s", status, body)
	}
	for _, s := range []string{
		"Refund for order A-1001", // title
		"#" + w.annRefund.Number,  // ticket ID
		">Refund<",                // type
		"Waiting on you",          // state, external label
		"The parcel arrived <strong>broken</strong>.", // description, rich text
		"Order number", "A-1001", "Refund amount", "12.5", "Delivered", "Yes", // visible attributes
		"Acme",
	} {
		if !strings.Contains(body, s) {
			t.Errorf("ticket page lacks %q", s)
		}
	}
	for _, s := range []string{internalAttribute, internalValue, "Waiting on customer", noteOnCustomerTicket} {
		if strings.Contains(body, s) {
			t.Errorf("ticket page shows %q, which is internal", s)
		}
	}
	// The history: submitted, then waiting on the customer, now.
	history := body[strings.Index(body, `id="history"`):]
	history = history[:strings.Index(history, "</ol>")]
	if strings.Count(history, "<li>") != 2 || strings.Index(history, "Submitted") > strings.Index(history, "Waiting on you") ||
		!strings.Contains(history, ", now") {
		t.Errorf("history:\n%s", history)
	}

	// A shared Back-office ticket looks like a Customer ticket (BO10).
	_, body = ann.get("/portal/tickets/" + w.sharedBO.ID)
	for _, s := range []string{"Duplicate charge investigation", "Escalation", "Submitted", "We are checking with the bank."} {
		if !strings.Contains(body, s) {
			t.Errorf("shared Back-office ticket page lacks %q", s)
		}
	}
	if strings.Contains(body, crossPostedNote) || strings.Contains(body, noteOnConversation) {
		t.Errorf("shared Back-office ticket page shows a note")
	}

	// Descriptions are sanitised: no script, no event handler, no javascript: link.
	_, body = ann.get("/portal/tickets/" + hostile.ID)
	desc := body[strings.Index(body, `id="description"`):]
	desc = desc[:strings.Index(desc, "</section>")]
	for _, s := range []string{"<script", "alert(2)", "onerror", "javascript:", "<img"} {
		if strings.Contains(desc, s) {
			t.Errorf("description shows %q:\n%s", s, desc)
		}
	}
}

func TestP6_JoinConversationAddsTheUserAndTheTicketReachesTheirMessenger(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	q := w.e.DB.Read()
	bobID, annID := contactID(t, w, "bob"), contactID(t, w, "ann")
	annRefund := mustInt(t, w.annRefund.ID)

	// Ann raised her ticket: she takes part, and the portal opens it in her Messenger.
	ann := w.signIn("ann", "ann@acme.example", "")
	_, body := ann.get("/portal/tickets/" + w.annRefund.ID)
	if !strings.Contains(body, "Send us a message") || strings.Contains(body, "Join conversation") {
		t.Errorf("Ann's own ticket: want Send us a message only")
	}
	if !strings.Contains(body, `/c/`+w.annRefund.ID+`"`) || !strings.Contains(body, `href="/messenger/s/hdc_`) {
		t.Errorf("Ann's own ticket: no Messenger link to thread %s", w.annRefund.ID)
	}

	// Bob, her colleague, does not take part yet: he may join.
	bob := w.signIn("bob", "bob@acme.example", "")
	_, body = bob.get("/portal/tickets/" + w.annRefund.ID)
	if !strings.Contains(body, "Join conversation") || strings.Contains(body, "Send us a message") {
		t.Fatalf("Bob on Ann's ticket: want Join conversation only:\n%s", body)
	}
	if threadsOf(t, q, bobID)[annRefund] {
		t.Fatalf("Bob's Messenger has Ann's ticket before he joined")
	}
	// Two clicks at once (a double submit) join once.
	var wg sync.WaitGroup
	results := make([]int, 2)
	for i := range results {
		wg.Go(func() { results[i], _ = bob.post("/portal/tickets/"+w.annRefund.ID+"/join", nil) })
	}
	wg.Wait()
	status, body := bob.post("/portal/tickets/"+w.annRefund.ID+"/join", nil)
	if status != http.StatusOK || results[0] != http.StatusOK || results[1] != http.StatusOK {
		t.Fatalf("join: %d %v %s", status, results, body)
	}
	if !strings.Contains(body, "You joined the conversation") || !strings.Contains(body, "Send us a message") ||
		!strings.Contains(bob.url, "/portal/tickets/"+w.annRefund.ID) {
		t.Errorf("after joining, at %s:\n%s", bob.url, body)
	}
	// The ticket is in Bob's Messenger tickets space now, with its ticket shown (M2).
	if th, ok := threadsOfWithTicket(t, q, bobID)[annRefund]; !ok || th.Ticket == nil || th.Ticket.ID != annRefund {
		t.Errorf("Bob's Messenger threads lack Ann's ticket after joining")
	}
	parts, err := q.Parts(ctx, annRefund)
	if err != nil {
		t.Fatal(err)
	}
	joined := 0
	for _, p := range parts {
		if p.Type == conversation.PartParticipantAdded {
			joined++
			if p.Author.Type != conversation.AuthorUser || p.Author.ID != bobID || p.Visible {
				t.Errorf("participant_added part: %+v, want Bob's own, internal", p)
			}
		}
	}
	c, err := q.Conversation(ctx, annRefund)
	if err != nil {
		t.Fatal(err)
	}
	if joined != 1 || !slices.Equal(c.ContactIDs, []int64{annID, bobID}) {
		t.Errorf("after three joins: %d participant_added parts, participants %v", joined, c.ContactIDs)
	}

	// The shared Back-office ticket's conversation is Bob's; Ann joins it (BO10).
	shared := mustInt(t, w.sharedConversation)
	_, body = ann.get("/portal/tickets/" + w.sharedBO.ID)
	if !strings.Contains(body, "Join conversation") {
		t.Fatalf("Ann on the shared Back-office ticket: no Join conversation")
	}
	if status, body := ann.post("/portal/tickets/"+w.sharedBO.ID+"/join", nil); status != http.StatusOK ||
		!strings.Contains(body, `/c/`+w.sharedConversation+`"`) {
		t.Errorf("join the shared ticket's conversation: %d\n%s", status, body)
	}
	if th, ok := threadsOfWithTicket(t, q, annID)[shared]; !ok || th.Ticket == nil || th.Ticket.ID != mustInt(t, w.sharedBO.ID) {
		t.Errorf("Ann's Messenger lacks the conversation of the shared ticket, shown with it")
	}

	// A shared ticket whose conversation was unlinked has no conversation: no button.
	w.e.MustDo(http.StatusOK, "DELETE", "/api/tickets/"+w.sharedBO.ID+"/linked_conversations/"+w.sharedConversation, nil)
	if status, body := bob.get("/portal/tickets/" + w.sharedBO.ID); status == http.StatusOK &&
		(strings.Contains(body, "Join conversation") || strings.Contains(body, "Send us a message")) {
		t.Errorf("a ticket without a conversation offers one")
	}
	if status, _ := bob.post("/portal/tickets/"+w.sharedBO.ID+"/join", nil); status != http.StatusConflict && status != http.StatusNotFound {
		t.Errorf("join a ticket without a conversation: %d", status)
	}
}

func TestP7_DirectURLAndMessengerSessionLink(t *testing.T) {
	w := newWorld(t)
	// The Messenger signed Bob in (M1); its banner links to the portal with that session.
	s, err := w.e.Server.Desk().SignInWithJWT(context.Background(), w.jwt("bob", "bob@acme.example", ""), secret)
	if err != nil {
		t.Fatal(err)
	}
	b := w.browser()
	status, body := b.get("/portal/login?session=" + url.QueryEscape(s.Token))
	if status != http.StatusOK || !strings.HasSuffix(b.url, "/portal") || !strings.Contains(body, w.bobInvoice.Title) {
		t.Fatalf("Messenger banner link: %d at %s", status, b.url)
	}
	// The portal opens the Messenger with the same session.
	_, body = b.get("/portal/tickets/" + w.bobInvoice.ID)
	if !strings.Contains(body, `href="/messenger/s/`+s.Token+`/c/`+w.bobInvoice.ID+`"`) {
		t.Errorf("the Messenger link does not carry the Messenger's session")
	}
	// ...where the Messenger shows the ticket's thread.
	if status, body := b.get("/messenger/s/" + s.Token + "/c/" + w.bobInvoice.ID); status != http.StatusOK || !strings.Contains(body, w.bobInvoice.Title) {
		t.Errorf("the Messenger link answers %d:\n%s", status, body)
	}

	// The direct URL may go straight to one ticket, and never off the portal.
	jwt := url.QueryEscape(w.jwt("bob", "bob@acme.example", ""))
	b = w.browser()
	if status, _ := b.get("/portal/login?jwt=" + jwt + "&next=" + url.QueryEscape("/portal/tickets/"+w.annRefund.ID)); status != http.StatusOK ||
		!strings.HasSuffix(b.url, "/portal/tickets/"+w.annRefund.ID) {
		t.Errorf("direct URL to a ticket: %d at %s", status, b.url)
	}
	for _, next := range []string{"https://evil.example/", "//evil.example/portal", "/api/tickets", "/portal/../api"} {
		b = w.browser()
		b.c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		p := b.getPage("/portal/login?jwt=" + jwt + "&next=" + url.QueryEscape(next))
		if loc := p.header.Get("Location"); loc != "/portal" {
			t.Errorf("next=%s: sent to %q, want /portal", next, loc)
		}
	}
}

func TestN5_PortalNeverShowsInternalTickets(t *testing.T) {
	w := newWorld(t)
	// A ticket moved to another company leaves Acme's portal.
	moved := w.ticket(w.refund, w.ann, w.acme, "Moved to Globex", "", nil)
	w.e.MustDo(http.StatusOK, "PUT", "/api/tickets/"+moved.ID, map[string]any{"company_id": w.globex})
	bob := w.signIn("bob", "bob@acme.example", "")
	bobID := contactID(t, w, "bob")

	for _, c := range []struct{ name, id string }{
		{"guessed id", "999999"},
		{"id zero", "0"},
		{"not a number", "abc"},
		{"negative", "-1"},
		{"another company's ticket", w.initechProject.ID},
		{"Acme ticket moved to Globex, not Bob's company", moved.ID},
		{"Tracker ticket", w.outage.ID},
		{"unshared Back-office ticket linked to Bob's conversation", w.unsharedBO.ID},
		{"standalone unshared Back-office ticket", w.standaloneBO.ID},
		{"a plain conversation's id", w.bobConversation},
	} {
		status, body := bob.get("/portal/tickets/" + c.id)
		if status != http.StatusNotFound || !strings.Contains(body, "Not found") {
			t.Errorf("%s: GET %d, want the 404 page", c.name, status)
		}
		status, _ = bob.post("/portal/tickets/"+c.id+"/join", nil)
		if status != http.StatusNotFound {
			t.Errorf("%s: join %d, want 404", c.name, status)
		}
	}
	// The refused joins made Bob a participant of nothing.
	for _, id := range []string{w.initechProject.ID, moved.ID} {
		if in, _ := w.e.DB.Read().IsParticipant(t.Context(), bobID, mustInt(t, id)); in {
			t.Errorf("Bob takes part in %s after a refused join", id)
		}
	}

	// The desk checks again, whoever calls it: Carl of Initech cannot join Acme's ticket, and
	// Bob cannot once he has left Acme.
	var nf *desk.NotFoundError
	if _, err := w.e.Server.Desk().JoinConversation(t.Context(), contactID(t, w, "carl"), mustInt(t, w.annRefund.ID)); !errors.As(err, &nf) {
		t.Errorf("Carl joins Acme's ticket: %v, want a NotFoundError", err)
	}

	// No page Bob can reach shows a note, an internal ticket, an internal attribute or an
	// internal state label.
	pages := []string{"/portal", "/portal?state=submitted", "/portal?state=in_progress",
		"/portal?state=waiting_on_customer", "/portal?state=resolved"}
	for _, x := range []tk{w.annRefund, w.bobInvoice, w.sharedBO} {
		pages = append(pages, "/portal/tickets/"+x.ID)
	}
	forbidden := []string{noteOnCustomerTicket, crossPostedNote, noteOnConversation, internalAttribute, internalValue,
		w.initechProject.Title, w.outage.Title, w.unsharedBO.Title, w.standaloneBO.Title, "Waiting on customer", moved.Title}
	for _, path := range pages {
		status, body := bob.get(path)
		if status != http.StatusOK {
			t.Errorf("%s: %d", path, status)
		}
		for _, s := range forbidden {
			if strings.Contains(body, s) {
				t.Errorf("%s shows %q", path, s)
			}
		}
	}

	w.e.MustDo(http.StatusOK, "DELETE", "/api/contacts/"+w.bob+"/companies/"+w.acme, nil)
	if _, err := w.e.Server.Desk().JoinConversation(t.Context(), bobID, mustInt(t, w.annRefund.ID)); !errors.As(err, &nf) {
		t.Errorf("Bob joins Acme's ticket after leaving Acme: %v, want a NotFoundError", err)
	}
	if in, _ := w.e.DB.Read().IsParticipant(t.Context(), bobID, mustInt(t, w.annRefund.ID)); in {
		t.Errorf("Bob joined Acme's ticket after leaving Acme")
	}
	if status, _ := bob.get("/portal/tickets/" + w.bobInvoice.ID); status != http.StatusForbidden {
		t.Errorf("Bob, in no company now, opens Acme's ticket: %d, want 403 (P3)", status)
	}
}

// contactID finds a contact by the user_id their product gives them.
func contactID(t *testing.T, w *world, externalID string) int64 {
	t.Helper()
	c, err := w.e.DB.Read().ContactByExternalID(t.Context(), externalID)
	if err != nil {
		t.Fatalf("contact %s: %v", externalID, err)
	}
	return c.ID
}

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return n
}

// threadsOf is the set of a contact's Messenger threads (M2).
func threadsOf(t *testing.T, q *store.Q, contactID int64) map[int64]bool {
	t.Helper()
	out := map[int64]bool{}
	for id := range threadsOfWithTicket(t, q, contactID) {
		out[id] = true
	}
	return out
}

func threadsOfWithTicket(t *testing.T, q *store.Q, contactID int64) map[int64]store.CustomerThread {
	t.Helper()
	threads, err := q.CustomerThreads(t.Context(), contactID, 1000)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]store.CustomerThread{}
	for _, th := range threads {
		out[th.ID] = th
	}
	return out
}
