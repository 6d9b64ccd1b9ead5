package server_test

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/helpdesk/helpdesk/internal/apitest"
	"github.com/helpdesk/helpdesk/internal/config"
	"github.com/helpdesk/helpdesk/internal/identity"
	"github.com/helpdesk/helpdesk/internal/mail"
	"github.com/helpdesk/helpdesk/internal/mail/mailtest"
)

// The texts of internal things (N5, TR1, BO10, ST1), each unique, so that finding one in what a
// customer receives proves which thing leaked. None of them may reach any customer.
const (
	convNote           = "SECRET-NOTE-7f3a"           // a note in Ann's conversation
	convTag            = "SECRET-TAG-41c9"            // a tag on Ann's conversation (CV4)
	assigneeName       = "Asa SECRET-ASSIGNEE-2d6e"   // the teammate Ann's conversation is assigned to (CV3)
	ticketNote         = "SECRET-TICKET-NOTE-b81e"    // a note on Ann's Customer ticket
	hiddenAttrName     = "SECRET-ATTR-NAME-5a0c"      // an attribute not visible to customers (TT2)
	hiddenAttrValue    = "SECRET-ATTR-VALUE-93d1"     // its value on Ann's ticket
	unsharedBOTypeName = "SECRET-BO-TYPE-6e2f"        // a Back-office type that never shares (TT4)
	unsharedBOTitle    = "SECRET-BO-TITLE-c4a7"       // the unshared Back-office ticket
	unsharedBODesc     = "SECRET-BO-DESC-0b3d"        // its description
	unsharedBONote     = "SECRET-BO-NOTE-77fa"        // a note added to it only
	crossPosted        = "SECRET-XPOST-NOTE-e15b"     // a note cross-posted from it (BO3)
	sharedBONote       = "SECRET-SHARED-BO-NOTE-d2c8" // a note cross-posted from the shared one
	trackerTypeName    = "SECRET-TRACKER-TYPE-8b4f"   // the Tracker type (TR1)
	trackerTitle       = "SECRET-TRACKER-TITLE-3e9a"  // the Tracker ticket
	trackerDesc        = "SECRET-TRACKER-DESC-a6c2"   // its description
	trackerNote        = "SECRET-TRACKER-NOTE-f08d"   // a note in it (TR3)
	visibleComment     = "VISIBLE-COMMENT-5b7e"       // a teammate's comment in Ann's conversation
	broadcastBody      = "VISIBLE-BROADCAST-9d2a"     // the tracker's broadcast (TR4): visible
	annConvText        = "ANN-CONV-OPENING-1c4f"      // Ann's conversation, hers alone
	annConv2Text       = "ANN-CONV2-OPENING-e7b0"     // Ann's other conversation
	annTicketTitle     = "ACME-TICKET-TITLE-42d8"     // Ann's Customer ticket, Acme's
	sharedBOTitle      = "ACME-SHARED-BO-TITLE-ab31"  // the shared Back-office ticket, Acme's (BO10)
	ginaTicketTitle    = "GLOBEX-TICKET-TITLE-5f6c"   // Gina's Customer ticket, Globex's
	ginaTicketDesc     = "GLOBEX-TICKET-DESC-90e4"    // its description
	attackerReply      = "ATTACKER-REPLY-c3d7"        // what attackers try to post where they may not
	inboundFromGina    = "GINA-INBOUND-TEXT-2a8b"     // Gina's email to Ann's reply address
	inboundFromBob     = "BOB-INBOUND-TEXT-71fe"      // Bob's email to Ann's reply address
	inboundStranger    = "STRANGER-INBOUND-TEXT-4c0d" // a stranger's email to Ann's reply address
	inboundMadeUp      = "MADE-UP-TOKEN-TEXT-8e15"    // emails to made-up reply tokens
	annEmail           = "ann@acme-corp.example"
	bobEmail           = "bob@acme-corp.example"
	ginaEmail          = "gina@globex.example"
	strangerEmail      = "mallory@evil.example"
	annUserID          = "acme-ann"
	bobUserID          = "acme-bob"
	ginaUserID         = "globex-gina"
	annName            = "Ann Archer"
	ginaName           = "Gina Green"
	bobName            = "Bob Baker"
)

// leakWorld is the workspace the attackers probe: two companies, their customers, and every
// kind of thing a customer may and may not see.
type leakWorld struct {
	*leakEnv
	ann, bob, gina    string // contact ids
	acme, globex      string // company ids
	annConv           string // Ann's conversation: comment, note, tag, assignment, unshared BO, tracker
	annConv2          string // Ann's other conversation: the shared Back-office ticket
	annTicket         ticketRef
	unsharedBO        ticketRef
	sharedBO          ticketRef
	tracker           ticketRef
	ginaTicket        ticketRef
	customerTypeID    string   // ticket types: Customer
	sharableTypeID    string   // Back-office, sharing allowed
	fraudTypeID       string   // Back-office, sharing never allowed
	trackerTypeID     string   // Tracker
	internalMarkers   []marker // what no customer may ever see
	annOnly, ginaOnly []marker
}

func newLeakWorld(t *testing.T) *leakWorld {
	t.Helper()
	e, smtp := apitest.StartWithMail(t, func(c *config.Config) {
		c.IdentitySecret = leakIdentitySecret
		c.ReplyDomain = leakReplyDomain
		c.InboundSecret = leakInboundSecret
	})
	w := &leakWorld{leakEnv: &leakEnv{Env: e, t: t, smtp: smtp, admin: strconv.FormatInt(e.Admin.ID, 10)}}
	assignee := e.CreateAdmin("asa@support.example", assigneeName)
	states, labels := w.states()
	if len(labels) == 0 {
		t.Fatal("no state has an internal label apart from its customer label: the label checks would prove nothing")
	}

	w.ann = w.contact(annUserID, annEmail, annName)
	w.bob = w.contact(bobUserID, bobEmail, bobName)
	w.gina = w.contact(ginaUserID, ginaEmail, ginaName)
	w.acme = w.company("acme", "Acme", w.ann, w.bob)
	w.globex = w.company("globex", "Globex", w.gina)

	allowSharing := false
	w.customerTypeID = w.ticketType("Order problem", "Customer", nil)
	w.attribute(w.customerTypeID, hiddenAttrName, "string", false)
	w.sharableTypeID = w.ticketType("Replacement", "Back-office", &allowSharing)
	w.fraudTypeID = w.ticketType(unsharedBOTypeName, "Back-office", nil)
	w.trackerTypeID = w.ticketType(trackerTypeName, "Tracker", nil)

	// Ann's conversation: a teammate's comment, and internal activity.
	w.annConv = w.conversation(w.ann, "<p>"+annConvText+" where is my parcel?</p>")
	w.replyConversation(w.annConv, "comment", "<p>"+visibleComment+" we are looking.</p>")
	w.replyConversation(w.annConv, "note", "<p>"+convNote+" check the ledger</p>")
	w.assignConversation(w.annConv, assignee.ID)
	w.tagConversation(w.annConv, convTag)

	// Ann's Customer ticket of Acme: a note, a hidden attribute, and Waiting on customer.
	w.annTicket = w.ticket(w.customerTypeID, w.ann, annTicketTitle, "<p>The parcel is late.</p>",
		map[string]any{hiddenAttrName: hiddenAttrValue}, map[string]any{"company_id": w.acme})
	w.replyTicket(w.annTicket.ID, "note", "<p>"+ticketNote+" courier contacted</p>", false)
	w.setState(w.annTicket.ID, states["waiting_on_customer"])

	// An unshared Back-office ticket linked to Ann's conversation, with Acme as its company:
	// a note of its own, a cross-posted note, a state change (BO3, BO4).
	w.unsharedBO = w.ticket(w.fraudTypeID, w.ann, unsharedBOTitle, "<p>"+unsharedBODesc+"</p>", nil,
		map[string]any{"conversation_to_link_id": w.annConv, "company_id": w.acme})
	w.replyTicket(w.unsharedBO.ID, "note", "<p>"+unsharedBONote+"</p>", false)
	w.replyTicket(w.unsharedBO.ID, "note", "<p>"+crossPosted+"</p>", true)
	w.setState(w.unsharedBO.ID, states["in_progress"])

	// A shared Back-office ticket linked to Ann's other conversation (BO10), with a
	// cross-posted note of its own.
	w.annConv2 = w.conversation(w.ann, "<p>"+annConv2Text+" my card was charged twice</p>")
	w.sharedBO = w.ticket(w.sharableTypeID, w.ann, sharedBOTitle, "<p>We are checking with the bank.</p>", nil,
		map[string]any{"conversation_to_link_id": w.annConv2, "is_shared": true, "company_id": w.acme})
	w.replyTicket(w.sharedBO.ID, "note", "<p>"+sharedBONote+"</p>", true)

	// A Tracker linked to Ann's conversation and her Customer ticket: a note, a state change,
	// then a broadcast, which is visible (TR4).
	w.tracker = w.ticket(w.trackerTypeID, "", trackerTitle, "<p>"+trackerDesc+"</p>", nil,
		map[string]any{"conversation_to_link_id": w.annConv})
	w.link(w.tracker.ID, w.annTicket.ID)
	w.replyTicket(w.tracker.ID, "note", "<p>"+trackerNote+"</p>", false)
	w.setState(w.tracker.ID, states["in_progress"])
	w.broadcast(w.tracker.ID, "<p>"+broadcastBody+" the courier is back.</p>")

	// Gina's Customer ticket of Globex.
	w.ginaTicket = w.ticket(w.customerTypeID, w.gina, ginaTicketTitle, "<p>"+ginaTicketDesc+"</p>", nil,
		map[string]any{"company_id": w.globex})

	// The internal things are where they should be, next to what Ann sees: else their absence
	// from her pages would prove nothing.
	for _, c := range []struct {
		what, path string
		holds      []string
	}{
		{"Ann's conversation", "/api/conversations/" + w.annConv, []string{convNote, crossPosted, convTag, visibleComment, broadcastBody}},
		{"Ann's other conversation", "/api/conversations/" + w.annConv2, []string{sharedBONote}},
		{"Ann's Customer ticket", "/api/tickets/" + w.annTicket.ID, []string{ticketNote, hiddenAttrValue, broadcastBody}},
	} {
		body := string(w.DoUnchecked("GET", c.path, nil).Body)
		for _, h := range c.holds {
			if !strings.Contains(body, h) {
				t.Fatalf("setting up: %s lacks %q as teammates see it: %s", c.what, h, body)
			}
		}
	}

	w.internalMarkers = append([]marker{
		{"an internal note in Ann's conversation", convNote},
		{"a tag on Ann's conversation", convTag},
		{"the name of the teammate Ann's conversation is assigned to", assigneeName},
		{"an internal note on Ann's Customer ticket", ticketNote},
		{"the name of an attribute not visible to customers", hiddenAttrName},
		{"the value of an attribute not visible to customers", hiddenAttrValue},
		{"the name of a Back-office type that never shares", unsharedBOTypeName},
		{"the title of the unshared Back-office ticket", unsharedBOTitle},
		{"the description of the unshared Back-office ticket", unsharedBODesc},
		{"a note on the unshared Back-office ticket", unsharedBONote},
		{"a note cross-posted from the unshared Back-office ticket", crossPosted},
		{"a note cross-posted from the shared Back-office ticket", sharedBONote},
		{"the name of the Tracker type", trackerTypeName},
		{"the title of the Tracker ticket", trackerTitle},
		{"the description of the Tracker ticket", trackerDesc},
		{"a note in the Tracker ticket", trackerNote},
		{"text an attacker posted where they may not", attackerReply},
	}, labels...)
	// What only Ann (and, for company tickets, Acme) may see; what only Gina (Globex) may.
	w.annOnly = []marker{
		{"Ann's conversation", annConvText},
		{"Ann's other conversation", annConv2Text},
		{"a teammate's comment in Ann's conversation", visibleComment},
		{"the broadcast to Ann's threads", broadcastBody},
		{"Acme's Customer ticket", annTicketTitle},
		{"Acme's shared Back-office ticket", sharedBOTitle},
	}
	w.ginaOnly = []marker{
		{"Globex's Customer ticket", ginaTicketTitle},
		{"the description of Globex's Customer ticket", ginaTicketDesc},
	}
	return w
}

// forbiddenTo is what a viewer may never see: everything internal, and the other side's.
func (w *leakWorld) forbiddenTo(others ...[]marker) []marker {
	out := slices.Clone(w.internalMarkers)
	for _, o := range others {
		out = append(out, o...)
	}
	return out
}

// maxID is the highest conversation or ticket id the world holds, or of more.
func (w *leakWorld) maxID(more ...string) int64 {
	ids := append([]string{w.annConv, w.annConv2, w.annTicket.ID, w.unsharedBO.ID, w.sharedBO.ID, w.tracker.ID, w.ginaTicket.ID}, more...)
	var m int64
	for _, s := range ids {
		n, _ := strconv.ParseInt(s, 10, 64)
		m = max(m, n)
	}
	return m
}

// TestN5_NothingInternalReachesACustomerByAnyPath builds one workspace through the real API with
// every kind of internal thing (notes, tags, assignments, hidden attributes, internal state
// labels, unshared Back-office tickets, Tracker tickets) beside the things customers may see,
// then tries every customer-facing path as Ann, her colleague Bob and Gina of another company,
// and as attackers with forged identities, guessed ids and made-up tokens: Messenger pages and
// event stream, portal list and ticket pages, notification emails, and inbound email. Nothing
// internal, and nothing of another company, may come out (SPEC N5, TR1, BO10, ST1, P1, M2, E2).
func TestN5_NothingInternalReachesACustomerByAnyPath(t *testing.T) {
	w := newLeakWorld(t)
	annForbidden := w.forbiddenTo(w.ginaOnly)
	ginaForbidden := w.forbiddenTo(w.annOnly)
	// Bob is Acme's: in the portal he sees Acme's tickets; in the Messenger he takes part in
	// nothing of Ann's.
	bobPortalForbidden := w.forbiddenTo(w.ginaOnly, []marker{
		{"Ann's conversation", annConvText}, {"Ann's other conversation", annConv2Text},
		{"a teammate's comment in Ann's conversation", visibleComment}, {"the broadcast to Ann's threads", broadcastBody}})
	bobMessengerForbidden := w.forbiddenTo(w.ginaOnly, w.annOnly)

	// Email first: a customer who opens a thread in the Messenger is not emailed its replies
	// (N2), and every email that may go should go.
	var annReply received // an email about Ann's conversation, for the inbound cases
	t.Run("email", func(t *testing.T) {
		w.Clock.Advance(10 * time.Minute) // past the reply delay (N2)
		for i := 0; ; i++ {
			st := w.DeliverDue()
			if st.Sent+st.Retried+st.Failed+st.Skipped == 0 {
				break
			}
			if i == 20 {
				t.Fatalf("delivery does not settle: %+v", st)
			}
			w.Clock.Advance(time.Minute)
		}
		mails := w.received()
		sawBroadcast, sawWaitingLabel := false, false
		for _, m := range mails {
			if len(m.To) != 1 {
				t.Errorf("email %q to %v: want one customer per email", m.Subject, m.To)
				continue
			}
			var forbidden []marker
			switch m.To[0] {
			case annEmail:
				forbidden = annForbidden
				sawBroadcast = sawBroadcast || (strings.Contains(m.Text, broadcastBody) && strings.Contains(m.HTML, broadcastBody))
				sawWaitingLabel = sawWaitingLabel || strings.Contains(m.Text, "Waiting on you")
				if strings.Contains(m.Text, visibleComment) && annReply.ReplyTo == "" {
					annReply = m
				}
			case ginaEmail:
				forbidden = ginaForbidden
			default:
				t.Errorf("email %q to %v, who takes part in nothing", m.Subject, m.To)
				forbidden = w.forbiddenTo(w.annOnly, w.ginaOnly)
			}
			checkNoLeak(t, "the email "+strconv.Quote(m.Subject)+" to "+m.To[0]+" (headers, text or HTML)", m.all(), forbidden)
		}
		// The test proves something only if the visible things did arrive.
		if !sawBroadcast {
			t.Errorf("no email to Ann holds the tracker's broadcast (TR4): %d emails", len(mails))
		}
		if !sawWaitingLabel {
			t.Errorf("no email to Ann tells her ticket is Waiting on you (N3)")
		}
		if !slices.ContainsFunc(mails, func(m received) bool { return m.To[0] == ginaEmail && strings.Contains(m.Text, ginaTicketTitle) }) {
			t.Errorf("Gina got no email of her ticket (N1)")
		}
		if annReply.ReplyTo == "" || annReply.ID == "" {
			t.Errorf("no email about Ann's conversation with a Reply-To and a Message-ID")
		}
	})

	t.Run("portal", func(t *testing.T) {
		type viewer struct {
			name, userID, email string
			sees                []ticketRef // exactly these tickets, in the list and by id
			forbidden           []marker
		}
		for _, v := range []viewer{
			{"Ann of Acme", annUserID, annEmail, []ticketRef{w.annTicket, w.sharedBO}, annForbidden},
			{"Bob, Ann's colleague at Acme", bobUserID, bobEmail, []ticketRef{w.annTicket, w.sharedBO}, bobPortalForbidden},
			{"Gina of Globex", ginaUserID, ginaEmail, []ticketRef{w.ginaTicket}, ginaForbidden},
		} {
			t.Run(v.name, func(t *testing.T) {
				b := w.browser()
				if p := b.portalSignIn(w.jwt(v.userID, v.email, "")); p.Status != http.StatusSeeOther || b.portalCookie() == "" {
					t.Fatalf("portal sign-in: %d %s", p.Status, p.Body)
				}
				visible := map[string]bool{}
				wantNumbers := map[string]bool{}
				for _, tk := range v.sees {
					visible[tk.ID], wantNumbers[tk.Number] = true, true
				}
				for _, path := range []string{"/portal", "/portal?state=submitted", "/portal?state=in_progress",
					"/portal?state=waiting_on_customer", "/portal?state=resolved"} {
					p := b.get(path)
					if p.Status != http.StatusOK {
						t.Errorf("GET %s: %d", path, p.Status)
					}
					checkNoLeak(t, "the portal page "+path+" as "+v.name, p.Body, v.forbidden)
					for n := range listedNumbers(p.Body) {
						if !wantNumbers[n] {
							t.Errorf("LEAK via the portal page %s as %s: ticket #%s is listed", path, v.name, n)
						}
					}
					if path == "/portal" && len(listedNumbers(p.Body)) != len(wantNumbers) {
						t.Errorf("the portal as %s lists %v, want exactly the numbers %v", v.name, listedNumbers(p.Body), wantNumbers)
					}
				}
				// Every id there is, and a few more: only the viewer's companies' Customer and
				// shared Back-office tickets open; the rest is the same 404, and cannot be joined.
				for id := int64(1); id <= w.maxID()+5; id++ {
					s := strconv.FormatInt(id, 10)
					path := "/portal/tickets/" + s
					p := b.get(path)
					checkNoLeak(t, "the portal page "+path+" as "+v.name, p.Body, v.forbidden)
					switch {
					case visible[s] && p.Status != http.StatusOK:
						t.Errorf("GET %s as %s: %d, want 200: the ticket is theirs to see (P1, BO10)", path, v.name, p.Status)
					case !visible[s] && p.Status != http.StatusNotFound:
						t.Errorf("LEAK via GET %s as %s: %d, want 404 (%s)", path, v.name, p.Status, w.whatIs(s))
					}
					if !visible[s] {
						if p := b.postForm(path+"/join", nil); p.Status != http.StatusNotFound {
							t.Errorf("LEAK via POST %s/join as %s: %d, want 404 (%s)", path, v.name, p.Status, w.whatIs(s))
						}
					}
				}
				// The visible ones show what they should (the test is not vacuous).
				if v.userID != ginaUserID {
					if p := b.get("/portal/tickets/" + w.annTicket.ID); !strings.Contains(p.Body, annTicketTitle) || !strings.Contains(p.Body, "Waiting on you") {
						t.Errorf("Ann's ticket page as %s lacks its title or its customer label", v.name)
					}
					if p := b.get("/portal/tickets/" + w.sharedBO.ID); !strings.Contains(p.Body, sharedBOTitle) {
						t.Errorf("the shared Back-office ticket's page as %s lacks its title", v.name)
					}
				}
			})
		}

		// A forged session cookie, and a Messenger path's token as one, open nothing.
		for _, forged := range []string{"hdc_forged", "hdc_" + strings.Repeat("A", 43), w.Token} {
			b := w.browser()
			u, _ := url.Parse(w.URL + "/portal")
			b.c.Jar.SetCookies(u, []*http.Cookie{{Name: "helpdesk_portal", Value: forged, Path: "/portal"}})
			for _, path := range []string{"/portal", "/portal/tickets/" + w.annTicket.ID} {
				p := b.get(path)
				if p.Status != http.StatusUnauthorized {
					t.Errorf("LEAK via GET %s with a forged cookie %q: %d, want 401", path, forged, p.Status)
				}
				checkNoLeak(t, "GET "+path+" with a forged cookie", p.Body, w.forbiddenTo(w.annOnly, w.ginaOnly))
			}
		}
	})

	t.Run("messenger", func(t *testing.T) {
		type viewer struct {
			name, userID, email string
			threads             []string // the viewer's own threads
			forbidden           []marker
		}
		viewers := []viewer{
			{"Ann", annUserID, annEmail, []string{w.annConv, w.annConv2, w.annTicket.ID}, annForbidden},
			{"Gina", ginaUserID, ginaEmail, []string{w.ginaTicket.ID}, ginaForbidden},
			{"Bob", bobUserID, bobEmail, nil, bobMessengerForbidden},
		}
		for _, v := range viewers {
			t.Run(v.name, func(t *testing.T) {
				b := w.browser()
				base, p := b.messengerSignIn(w.jwt(v.userID, v.email, ""))
				if base == "" {
					t.Fatalf("sign in: %d %s", p.Status, p.Body)
				}
				pages := []string{"/", "/messages", "/tickets", "/tickets/new", "/new", "/badge"}
				for _, id := range v.threads {
					pages = append(pages, "/c/"+id, "/c/"+id+"/parts?after=0")
				}
				for _, path := range pages {
					p := b.get(base + path)
					if p.Status != http.StatusOK {
						t.Errorf("GET %s as %s: %d", path, v.name, p.Status)
					}
					checkNoLeak(t, "the Messenger page "+path+" as "+v.name, p.Body, v.forbidden)
				}
				checkNoLeak(t, "the Messenger's event stream as "+v.name, b.firstEvent(base), v.forbidden)

				// Every id there is, and a few more: the viewer's own threads open; anything
				// else is the same 404, whatever it is, and takes no reply.
				own := map[string]bool{}
				for _, id := range v.threads {
					own[id] = true
				}
				for id := int64(1); id <= w.maxID()+5; id++ {
					s := strconv.FormatInt(id, 10)
					for _, path := range []string{"/c/" + s, "/c/" + s + "/parts?after=0"} {
						p := b.get(base + path)
						checkNoLeak(t, "the Messenger page "+path+" as "+v.name, p.Body, v.forbidden)
						switch {
						case own[s] && p.Status != http.StatusOK:
							t.Errorf("GET %s as %s: %d, want 200: it is their thread", path, v.name, p.Status)
						case !own[s] && p.Status != http.StatusNotFound:
							t.Errorf("LEAK via the Messenger GET %s as %s: %d, want 404 (%s)", path, v.name, p.Status, w.whatIs(s))
						}
					}
					if !own[s] {
						p := b.postForm(base+"/c/"+s+"/reply", url.Values{"body": {attackerReply + " from " + v.name}})
						if p.Status != http.StatusNotFound {
							t.Errorf("the Messenger POST /c/%s/reply as %s: %d, want 404 (%s)", s, v.name, p.Status, w.whatIs(s))
						}
					}
				}
				// Ids written oddly: at most the viewer's own thread, never another's.
				for _, odd := range []string{"0", "-1", "abc", "0x" + w.tracker.ID, "+" + w.tracker.ID, "0" + w.unsharedBO.ID,
					w.sharedBO.ID + ".0", "0" + w.annConv, "+" + w.ginaTicket.ID, w.annTicket.ID + " ", "99999999999999999999"} {
					p := b.get(base + "/c/" + url.PathEscape(odd))
					checkNoLeak(t, "the Messenger page /c/"+odd+" as "+v.name, p.Body, v.forbidden)
					n, err := strconv.ParseInt(odd, 10, 64)
					if ownish := err == nil && own[strconv.FormatInt(n, 10)]; !ownish && p.Status != http.StatusNotFound {
						t.Errorf("LEAK via the Messenger GET /c/%s as %s: %d, want 404", odd, v.name, p.Status)
					}
				}
				// Only Customer ticket types may be used to create tickets (CT4): the forms of
				// the others are not found, and creating one makes nothing.
				for _, typ := range []string{w.sharableTypeID, w.fraudTypeID, w.trackerTypeID} {
					p := b.get(base + "/tickets/new/" + typ)
					checkNoLeak(t, "the Messenger page /tickets/new/"+typ+" as "+v.name, p.Body, v.forbidden)
					if p.Status != http.StatusNotFound {
						t.Errorf("LEAK via the Messenger GET /tickets/new/%s as %s: %d, want 404", typ, v.name, p.Status)
					}
					form := url.Values{"title": {attackerReply}, "body": {attackerReply}}
					if p := b.postForm(base+"/tickets/new/"+typ, form); p.Status != http.StatusNotFound {
						t.Errorf("the Messenger POST /tickets/new/%s as %s: %d, want 404", typ, v.name, p.Status)
					}
				}
			})
		}
		// The attackers' replies and tickets landed nowhere.
		for id := int64(1); id <= w.maxID()+5; id++ {
			if strings.Contains(w.allBodies(id), attackerReply) {
				t.Errorf("a reply posted through the Messenger to a thread not the poster's landed in %d (%s)", id, w.whatIs(strconv.FormatInt(id, 10)))
			}
		}

		// Ann's pages show what she should see, and not what she should not, thread by thread.
		b := w.browser()
		ann, _ := b.messengerSignIn(w.jwt(annUserID, annEmail, ""))
		for _, c := range []struct {
			thread string
			want   []string
		}{
			{w.annConv, []string{annConvText, visibleComment, broadcastBody}},
			{w.annConv2, []string{annConv2Text, sharedBOTitle}},
			{w.annTicket.ID, []string{annTicketTitle, "Waiting on you", broadcastBody}},
		} {
			p := b.get(ann + "/c/" + c.thread)
			for _, s := range c.want {
				if !strings.Contains(p.Body, s) {
					t.Errorf("Ann's thread %s lacks %q, which she should see", c.thread, s)
				}
			}
		}
		// Gina's session cannot open Ann's threads; Ann's session cannot open Gina's.
		gina, _ := b.messengerSignIn(w.jwt(ginaUserID, ginaEmail, ""))
		for _, c := range []struct{ who, base, id string }{
			{"Gina", gina, w.annConv}, {"Gina", gina, w.annConv2}, {"Gina", gina, w.annTicket.ID}, {"Ann", ann, w.ginaTicket.ID},
		} {
			if p := b.get(c.base + "/c/" + c.id); p.Status != http.StatusNotFound {
				t.Errorf("LEAK: %s's session opens thread %s (%s): %d", c.who, c.id, w.whatIs(c.id), p.Status)
			}
		}

		// A made-up or foreign session token is refused on every page.
		for _, tok := range []string{"hdc_forged", "hdc_" + strings.Repeat("A", 43), w.Token, strings.TrimPrefix(ann, "/messenger/s/") + "x"} {
			for _, path := range []string{"/", "/tickets", "/c/" + w.annConv, "/c/" + w.annTicket.ID + "/parts?after=0", "/badge"} {
				p := b.get("/messenger/s/" + url.PathEscape(tok) + path)
				if p.Status != http.StatusUnauthorized {
					t.Errorf("LEAK via the Messenger %s with a made-up session token: %d, want 401", path, p.Status)
				}
				checkNoLeak(t, "the Messenger "+path+" with a made-up session token", p.Body, w.forbiddenTo(w.annOnly, w.ginaOnly))
			}
		}
	})

	t.Run("forged identities", func(t *testing.T) {
		now := w.Clock.Now()
		exp := strconv.FormatInt(now.Add(time.Hour).Unix(), 10)
		header256 := `{"alg":"HS256","typ":"JWT"}`
		sign := func(c identity.Claims, key string) string {
			tok, err := identity.Sign(c, []byte(key))
			if err != nil {
				t.Fatal(err)
			}
			return tok
		}
		// Gina's genuine token with Ann's user_id put in its payload after signing.
		ginaParts := strings.Split(w.jwt(ginaUserID, ginaEmail, ""), ".")
		swapped := ginaParts[0] + "." + b64url(`{"user_id":"`+annUserID+`","exp":`+exp+`}`) + "." + ginaParts[2]
		secret := []byte(leakIdentitySecret)
		cases := []struct {
			name, jwt string
		}{
			{"signed with another secret, as Ann", sign(identity.Claims{UserID: annUserID, Email: "mallory@evil.example", Name: "Mallory", ExpiresAt: now.Add(time.Hour)}, "not-the-secret")},
			{"signed with another secret, a new user", sign(identity.Claims{UserID: "mallory-1", Email: "m1@evil.example", ExpiresAt: now.Add(time.Hour)}, "not-the-secret")},
			{"expired", sign(identity.Claims{UserID: "mallory-2", Email: "m2@evil.example", ExpiresAt: now.Add(-2 * time.Hour)}, leakIdentitySecret)},
			{"expired, as Ann", sign(identity.Claims{UserID: annUserID, Email: "mallory@evil.example", ExpiresAt: now.Add(-2 * time.Hour)}, leakIdentitySecret)},
			{"alg none", rawJWT(`{"alg":"none","typ":"JWT"}`, `{"user_id":"mallory-3","exp":`+exp+`}`, nil, nil)},
			{"alg none, as Ann", rawJWT(`{"alg":"none","typ":"JWT"}`, `{"user_id":"`+annUserID+`","exp":`+exp+`}`, nil, nil)},
			{"HS512 with the right secret", rawJWT(`{"alg":"HS512","typ":"JWT"}`, `{"user_id":"mallory-4","exp":`+exp+`}`, secret, hs512)},
			{"HS512 with the right secret, as Ann", rawJWT(`{"alg":"HS512","typ":"JWT"}`, `{"user_id":"`+annUserID+`","exp":`+exp+`}`, secret, hs512)},
			{"HS256 with an empty signature", rawJWT(header256, `{"user_id":"mallory-5","exp":`+exp+`}`, nil, nil)},
			{"payload swapped after signing: Gina's token made Ann's", swapped},
			{"no exp: a credential for ever", rawJWT(header256, `{"user_id":"mallory-6"}`, secret, hs256)},
			{"exp a year ahead", rawJWT(header256, `{"user_id":"mallory-7","exp":`+strconv.FormatInt(now.AddDate(1, 0, 0).Unix(), 10)+`}`, secret, hs256)},
			{"no user_id", rawJWT(header256, `{"email":"m8@evil.example","exp":`+exp+`}`, secret, hs256)},
			{"garbage", "not.a.jwt"},
		}
		contacts := w.contactCount()
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				b := w.browser()
				base, p := b.messengerSignIn(c.jwt)
				if base != "" || p.Status != http.StatusUnauthorized {
					t.Errorf("LEAK via POST /messenger/session: %d %s, want 401 and no session", p.Status, p.Body)
				}
				p = b.portalSignIn(c.jwt)
				if p.Status != http.StatusUnauthorized || b.portalCookie() != "" {
					t.Errorf("LEAK via GET /portal/login: %d, cookie %q; want 401 and no session", p.Status, b.portalCookie())
				}
				checkNoLeak(t, "the refusal of "+c.name, p.Body, w.forbiddenTo(w.annOnly, w.ginaOnly))
				if p := b.get("/portal"); p.Status != http.StatusUnauthorized {
					t.Errorf("LEAK: /portal after a refused sign-in: %d", p.Status)
				}
			})
		}
		// The legacy user_hash, forged; a made-up Messenger session as the portal's way in.
		b := w.browser()
		if p := b.get("/portal/login?session=hdc_forged"); p.Status != http.StatusUnauthorized || b.portalCookie() != "" {
			t.Errorf("LEAK via GET /portal/login with a made-up Messenger session: %d", p.Status)
		}
		if p := b.postJSON("/messenger/session", map[string]string{"user_id": annUserID, "user_hash": identity.UserHash(annUserID, []byte("not-the-secret"))}); p.Status != http.StatusUnauthorized {
			t.Errorf("LEAK via POST /messenger/session with a forged user_hash: %d", p.Status)
		}
		if p := b.get("/portal/login?user_id=" + annUserID + "&user_hash=" + identity.UserHash(annUserID, []byte("not-the-secret"))); p.Status != http.StatusUnauthorized {
			t.Errorf("LEAK via GET /portal/login with a forged user_hash: %d", p.Status)
		}
		// Nothing was created, and Ann was not changed by identities claiming to be her.
		if n := w.contactCount(); n != contacts {
			t.Errorf("refused identities created contacts: %d, want %d", n, contacts)
		}
		got := w.MustDo(http.StatusOK, "GET", "/api/contacts/"+w.ann, nil)
		if got["email"] != annEmail || got["name"] != annName {
			t.Errorf("a refused identity changed Ann: %v %v", got["email"], got["name"])
		}
	})

	t.Run("inbound email", func(t *testing.T) {
		if annReply.ReplyTo == "" {
			t.Fatal("no email about Ann's conversation to reply to (see the email case)")
		}
		// The SMTP listener too, as the customers' mail servers reach it.
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- w.Server.ServeInboundSMTP(ctx, l) }()
		defer func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("inbound SMTP listener: %v", err)
			}
		}()

		before := map[string][]string{}
		threads := []struct {
			id       string
			isTicket bool
		}{{w.annConv, false}, {w.annConv2, false}, {w.annTicket.ID, true}, {w.ginaTicket.ID, true}}
		for _, th := range threads {
			before[th.id] = w.comments(th.id, th.isTicket)
		}
		madeUp := "reply+" + mail.NewReplyToken() + "@" + leakReplyDomain
		n := 0
		message := func(from, to, inReplyTo, text string) string {
			n++
			raw := "From: " + from + "\r\nTo: " + to + "\r\nSubject: Re: your conversation\r\n" +
				"Message-ID: <leak-" + strconv.Itoa(n) + "@mail.example>\r\n"
			if inReplyTo != "" {
				raw += "In-Reply-To: <" + inReplyTo + ">\r\nReferences: <" + inReplyTo + ">\r\n"
			}
			return raw + "\r\n" + text + "\r\n"
		}
		cases := []struct {
			name, from, to, inReplyTo, text, author string
			smtp                                    bool
		}{
			{"Gina to Ann's reply address", ginaName + " <" + ginaEmail + ">", annReply.ReplyTo, "", inboundFromGina + " 1", ginaEmail, false},
			{"Gina to Ann's reply address, answering Ann's email", ginaEmail, annReply.ReplyTo, annReply.ID, inboundFromGina + " 2", ginaEmail, false},
			{"Gina answering Ann's email by its Message-ID alone", ginaEmail, "help@" + leakReplyDomain, annReply.ID, inboundFromGina + " 3", ginaEmail, false},
			{"Gina to Ann's reply address, over SMTP", ginaEmail, annReply.ReplyTo, annReply.ID, inboundFromGina + " 4", ginaEmail, true},
			{"Bob, Ann's colleague, to Ann's reply address", bobEmail, annReply.ReplyTo, annReply.ID, inboundFromBob, bobEmail, false},
			{"a stranger to Ann's reply address", strangerEmail, annReply.ReplyTo, annReply.ID, inboundStranger, strangerEmail, false},
			{"Gina to a made-up reply token", ginaEmail, madeUp, "", inboundMadeUp + " Gina", ginaEmail, false},
			{"Ann to a made-up reply token", annEmail, madeUp, "", inboundMadeUp + " Ann", annEmail, false},
			{"Ann to a made-up Message-ID", annEmail, "help@" + leakReplyDomain, "conversation-reply." + w.tracker.ID + ".1@" + leakReplyDomain, inboundMadeUp + " Ann 2", annEmail, false},
		}
		existing := map[string]bool{}
		for id := int64(1); id <= w.maxID(); id++ {
			existing[strconv.FormatInt(id, 10)] = true
		}
		var started []string
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				raw := message(c.from, c.to, c.inReplyTo, c.text)
				var conv string
				if c.smtp {
					sctx, scancel := context.WithTimeout(context.Background(), time.Minute)
					defer scancel()
					if err := mailtest.Deliver(sctx, l.Addr().String(), c.from, []string{c.to}, []byte(raw)); err != nil {
						t.Fatalf("SMTP delivery: %v", err)
					}
					conv = w.conversationWith(c.text)
				} else {
					status, out := w.inbound(raw)
					if status != http.StatusOK || out["result"] != "started" || out["ticket_id"] != "" {
						t.Errorf("LEAK via inbound email: %d %v, want a conversation of its own started", status, out)
					}
					conv = out["conversation_id"]
				}
				switch {
				case conv == "":
					t.Fatalf("inbound email: no conversation of its own started (where it went is checked below)")
				case existing[conv]:
					t.Fatalf("LEAK via inbound email: posted into existing thread %s (%s), want a new conversation", conv, w.whatIs(conv))
				}
				started = append(started, conv)
				got := w.MustDo(http.StatusOK, "GET", "/api/conversations/"+conv, nil)
				author, _ := got["source"].(map[string]any)["author"].(map[string]any)
				if author["email"] != c.author {
					t.Errorf("the new conversation's author is %v, want %s", author["email"], c.author)
				}
			})
		}
		for _, th := range threads {
			if after := w.comments(th.id, th.isTicket); !slices.Equal(after, before[th.id]) {
				t.Errorf("LEAK via inbound email: the comments of thread %s (%s) changed from %q to %q", th.id, w.whatIs(th.id), before[th.id], after)
			}
		}
		for id := int64(1); id <= w.maxID(started...)+5; id++ {
			body := w.allBodies(id)
			for _, s := range []string{inboundFromGina, inboundFromBob, inboundStranger, inboundMadeUp} {
				if strings.Contains(body, s) && !slices.Contains(started, strconv.FormatInt(id, 10)) {
					t.Errorf("LEAK via inbound email: %q landed in %d (%s)", s, id, w.whatIs(strconv.FormatInt(id, 10)))
				}
			}
		}

		// What others wrote to Ann's address never reaches Ann's Messenger; Gina sees her own.
		b := w.browser()
		ann, _ := b.messengerSignIn(w.jwt(annUserID, annEmail, ""))
		others := []marker{{"Gina's email", inboundFromGina}, {"Bob's email", inboundFromBob}, {"a stranger's email", inboundStranger},
			{"Gina's email to a made-up token", inboundMadeUp + " Gina"}}
		for _, path := range []string{"/", "/messages", "/tickets", "/c/" + w.annConv, "/c/" + w.annConv2, "/c/" + w.annTicket.ID} {
			checkNoLeak(t, "Ann's Messenger page "+path+" after the inbound emails", b.get(ann+path).Body, others)
		}
		gina, _ := b.messengerSignIn(w.jwt(ginaUserID, ginaEmail, ""))
		if p := b.get(gina + "/messages"); !strings.Contains(p.Body, inboundFromGina) {
			t.Errorf("Gina's Messenger lacks the conversation her email started")
		} else {
			checkNoLeak(t, "Gina's Messenger after her emails", p.Body, ginaForbidden)
		}
	})
}

// conversationWith finds the conversation whose opening message holds text, through the API;
// "" when none.
func (w *leakWorld) conversationWith(text string) string {
	w.t.Helper()
	list := w.MustDo(http.StatusOK, "GET", "/api/conversations?per_page=150", nil)
	items, _ := list["conversations"].([]any)
	for _, it := range items {
		c := it.(map[string]any)
		src, _ := c["source"].(map[string]any)
		if body, _ := src["body"].(string); strings.Contains(body, text) {
			return apitest.ID(c)
		}
	}
	return ""
}

// whatIs names a thread id of the world, for failure messages.
func (w *leakWorld) whatIs(id string) string {
	switch id {
	case w.annConv:
		return "Ann's conversation"
	case w.annConv2:
		return "Ann's other conversation"
	case w.annTicket.ID:
		return "Ann's Customer ticket"
	case w.unsharedBO.ID:
		return "the unshared Back-office ticket"
	case w.sharedBO.ID:
		return "the shared Back-office ticket's own id"
	case w.tracker.ID:
		return "the Tracker ticket"
	case w.ginaTicket.ID:
		return "Gina's Customer ticket, Globex's"
	case "":
		return "none"
	}
	return "id " + id
}
