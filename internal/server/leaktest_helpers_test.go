package server_test

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"hash"
	"html"
	"io"
	"mime"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/helpdesk/helpdesk/internal/apitest"
	"github.com/helpdesk/helpdesk/internal/identity"
	"github.com/helpdesk/helpdesk/internal/mail/mailtest"
)

// The settings of the leak test's server.
const (
	leakIdentitySecret = "leak-test-identity-secret"
	leakReplyDomain    = "replies.helpdesk.example"
	leakInboundSecret  = "leak-test-inbound-secret"
)

// marker is a text that must not reach a given customer: its name says what it is, for the
// failure message.
type marker struct {
	name, text string
}

// leaks returns the markers a body holds, as it is and with its HTML entities decoded (a
// marker escaped in an attribute or a script still leaks).
func leaks(body string, forbidden []marker) []marker {
	unescaped := html.UnescapeString(body)
	var out []marker
	for _, m := range forbidden {
		if strings.Contains(body, m.text) || strings.Contains(unescaped, m.text) {
			out = append(out, m)
		}
	}
	return out
}

// checkNoLeak fails the test for every forbidden marker the body holds, naming the path.
func checkNoLeak(t *testing.T, path, body string, forbidden []marker) {
	t.Helper()
	for _, m := range leaks(body, forbidden) {
		t.Errorf("LEAK via %s: %s (%q)", path, m.name, m.text)
	}
}

// leakEnv is the running server, driven as a teammate through the API and as customers and
// attackers through the Messenger, the portal and email.
type leakEnv struct {
	*apitest.Env
	t     *testing.T
	smtp  *mailtest.Server
	admin string // the token's teammate, as the API writes admin ids
}

// ---- The teammate's side: the real API. ----

func (e *leakEnv) contact(externalID, email, name string) string {
	e.t.Helper()
	return apitest.ID(e.MustDo(http.StatusOK, "POST", "/api/contacts", map[string]any{
		"role": "user", "external_id": externalID, "email": email, "name": name}))
}

func (e *leakEnv) company(companyID, name string, members ...string) string {
	e.t.Helper()
	id := apitest.ID(e.MustDo(http.StatusOK, "POST", "/api/companies", map[string]any{"company_id": companyID, "name": name}))
	for _, m := range members {
		e.MustDo(http.StatusOK, "POST", "/api/contacts/"+m+"/companies", map[string]any{"id": id})
	}
	return id
}

// ticketType creates a ticket type; internal is Intercom's is_internal (nil: the default).
func (e *leakEnv) ticketType(name, category string, internal *bool) string {
	e.t.Helper()
	body := map[string]any{"name": name, "category": category}
	if internal != nil {
		body["is_internal"] = *internal
	}
	return apitest.ID(e.MustDo(http.StatusOK, "POST", "/api/ticket_types", body))
}

func (e *leakEnv) attribute(typeID, name, dataType string, visible bool) {
	e.t.Helper()
	e.MustDo(http.StatusOK, "POST", "/api/ticket_types/"+typeID+"/attributes", map[string]any{
		"name": name, "description": name, "data_type": dataType, "visible_on_create": true, "visible_to_contacts": visible})
}

// ticketRef is a ticket as the API returned it: its id and its number (TT3).
type ticketRef struct {
	ID, Number string
}

// ticket creates a ticket through the API; extra holds more request members.
func (e *leakEnv) ticket(typeID, contact, title, description string, attrs, extra map[string]any) ticketRef {
	e.t.Helper()
	a := map[string]any{"_default_title_": title, "_default_description_": description}
	for k, v := range attrs {
		a[k] = v
	}
	body := map[string]any{"ticket_type_id": typeID, "ticket_attributes": a, "contacts": []any{}}
	if contact != "" {
		body["contacts"] = []any{map[string]any{"id": contact}}
	}
	for k, v := range extra {
		body[k] = v
	}
	r := e.DoUnchecked("POST", "/api/tickets", body)
	if r.Status != http.StatusOK {
		e.t.Fatalf("create ticket %q: %d %s", title, r.Status, r.Body)
	}
	got := r.JSON()
	number, _ := got["ticket_id"].(string)
	return ticketRef{ID: apitest.ID(got), Number: number}
}

func (e *leakEnv) conversation(contact, body string) string {
	e.t.Helper()
	msg := e.MustDo(http.StatusOK, "POST", "/api/conversations", map[string]any{
		"from": map[string]any{"type": "user", "id": contact}, "body": body})
	id, _ := msg["conversation_id"].(string)
	if id == "" {
		e.t.Fatalf("start a conversation: %v", msg)
	}
	return id
}

// replyConversation posts a teammate's comment or note in a conversation.
func (e *leakEnv) replyConversation(id, messageType, body string) {
	e.t.Helper()
	e.MustDo(http.StatusOK, "POST", "/api/conversations/"+id+"/reply", map[string]any{
		"type": "admin", "admin_id": e.admin, "message_type": messageType, "body": body})
}

// replyTicket posts a teammate's comment or note on a ticket, cross-posted when asked (BO3).
func (e *leakEnv) replyTicket(id, messageType, body string, crossPost bool) {
	e.t.Helper()
	req := map[string]any{"type": "admin", "admin_id": e.admin, "message_type": messageType, "body": body}
	if crossPost {
		req["cross_post"] = true
	}
	r := e.DoUnchecked("POST", "/api/tickets/"+id+"/reply", req)
	if r.Status != http.StatusOK {
		e.t.Fatalf("reply %s on ticket %s: %d %s", messageType, id, r.Status, r.Body)
	}
}

// states maps each state category to its id, and lists the internal labels that differ from
// the customer-facing ones (ST1): those must never reach a customer.
func (e *leakEnv) states() (map[string]string, []marker) {
	e.t.Helper()
	ids := map[string]string{}
	var internal []marker
	for _, s := range e.MustDo(http.StatusOK, "GET", "/api/ticket_states", nil)["data"].([]any) {
		st := s.(map[string]any)
		cat, _ := st["category"].(string)
		if _, ok := ids[cat]; !ok {
			ids[cat] = apitest.ID(st)
		}
		in, _ := st["internal_label"].(string)
		ex, _ := st["external_label"].(string)
		if in != "" && in != ex && !strings.Contains(ex, in) {
			internal = append(internal, marker{"the internal state label " + strconv.Quote(in) + " (customers see " + strconv.Quote(ex) + ")", in})
		}
	}
	return ids, internal
}

func (e *leakEnv) setState(ticketID, stateID string) {
	e.t.Helper()
	e.MustDo(http.StatusOK, "PUT", "/api/tickets/"+ticketID, map[string]any{"ticket_state_id": stateID, "admin_id": e.Admin.ID})
}

func (e *leakEnv) assignConversation(id string, assignee int64) {
	e.t.Helper()
	e.MustDo(http.StatusOK, "POST", "/api/conversations/"+id+"/parts", map[string]any{
		"message_type": "assignment", "type": "admin", "admin_id": e.admin, "assignee_id": strconv.FormatInt(assignee, 10)})
}

func (e *leakEnv) tagConversation(id, tag string) {
	e.t.Helper()
	tagID := apitest.ID(e.MustDo(http.StatusOK, "POST", "/api/tags", map[string]any{"name": tag}))
	e.MustDo(http.StatusOK, "POST", "/api/conversations/"+id+"/tags", map[string]any{"id": tagID, "admin_id": e.admin})
}

func (e *leakEnv) link(ticketID, conversationID string) {
	e.t.Helper()
	r := e.DoUnchecked("POST", "/api/tickets/"+ticketID+"/linked_conversations", map[string]any{"conversation_id": conversationID})
	if r.Status != http.StatusOK {
		e.t.Fatalf("link %s to ticket %s: %d %s", conversationID, ticketID, r.Status, r.Body)
	}
}

func (e *leakEnv) broadcast(trackerID, body string) {
	e.t.Helper()
	r := e.DoUnchecked("POST", "/api/tickets/"+trackerID+"/broadcast", map[string]any{"admin_id": e.admin, "body": body})
	if r.Status != http.StatusOK {
		e.t.Fatalf("broadcast from tracker %s: %d %s", trackerID, r.Status, r.Body)
	}
}

// contactCount is how many contacts the workspace has.
func (e *leakEnv) contactCount() int {
	e.t.Helper()
	data, _ := e.MustDo(http.StatusOK, "GET", "/api/contacts?per_page=150", nil)["data"].([]any)
	return len(data)
}

// comments returns the bodies of the comments of a conversation or ticket, through the API.
func (e *leakEnv) comments(id string, isTicket bool) []string {
	e.t.Helper()
	var list []any
	if isTicket {
		tk := e.MustDo(http.StatusOK, "GET", "/api/tickets/"+id, nil)
		tp, _ := tk["ticket_parts"].(map[string]any)
		list, _ = tp["ticket_parts"].([]any)
	} else {
		c := e.MustDo(http.StatusOK, "GET", "/api/conversations/"+id, nil)
		cp, _ := c["conversation_parts"].(map[string]any)
		list, _ = cp["conversation_parts"].([]any)
	}
	var out []string
	for _, x := range list {
		p := x.(map[string]any)
		if p["part_type"] == "comment" {
			body, _ := p["body"].(string)
			out = append(out, body)
		}
	}
	return out
}

// allBodies is every part of thread id (a conversation or any ticket) as the API shows it to
// teammates, "" when there is no such thread: to find where an attacker's text landed.
func (e *leakEnv) allBodies(id int64) string {
	e.t.Helper()
	s := strconv.FormatInt(id, 10)
	if r := e.DoUnchecked("GET", "/api/conversations/"+s, nil); r.Status == http.StatusOK {
		return string(r.Body)
	}
	if r := e.DoUnchecked("GET", "/api/tickets/"+s, nil); r.Status == http.StatusOK {
		return string(r.Body)
	}
	return ""
}

// ---- Identities, as the host product signs them, and as attackers forge them. ----

func b64url(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// jwt signs an identity with the workspace's secret, valid for an hour of the server's clock.
func (e *leakEnv) jwt(userID, email, name string) string {
	e.t.Helper()
	tok, err := identity.Sign(identity.Claims{UserID: userID, Email: email, Name: name, ExpiresAt: e.Clock.Now().Add(time.Hour)},
		[]byte(leakIdentitySecret))
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

// rawJWT signs a header and payload of the test's choosing with an HMAC of its choosing (nil:
// no signature at all).
func rawJWT(header, payload string, key []byte, h func() hash.Hash) string {
	signing := b64url(header) + "." + b64url(payload)
	if h == nil {
		return signing + "."
	}
	mac := hmac.New(h, key)
	mac.Write([]byte(signing))
	return signing + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

var (
	hs256 = sha256.New
	hs512 = sha512.New
)

// ---- The Messenger, as a customer's browser frame uses it. ----

// page is an answer of a customer-facing surface.
type page struct {
	Status int
	Header http.Header
	Body   string
}

// client is a customer's browser: with a cookie jar (the portal), not following redirects so
// that a test sees them.
type client struct {
	t    *testing.T
	base string
	c    *http.Client
}

func (e *leakEnv) browser() *client {
	e.t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return &client{t: e.t, base: e.URL, c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (c *client) do(method, path, contentType string, body io.Reader, header map[string]string) page {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.c.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	if resp.StatusCode >= 500 {
		c.t.Errorf("%s %s answered %d: %s", method, path, resp.StatusCode, b)
	}
	return page{Status: resp.StatusCode, Header: resp.Header, Body: string(b)}
}

func (c *client) get(path string) page {
	c.t.Helper()
	return c.do("GET", path, "", nil, nil)
}

// postForm posts a form as a same-origin page does.
func (c *client) postForm(path string, form url.Values) page {
	c.t.Helper()
	return c.do("POST", path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()),
		map[string]string{"Origin": c.base, "Sec-Fetch-Site": "same-origin"})
}

func (c *client) postJSON(path string, v any) page {
	c.t.Helper()
	b, _ := json.Marshal(v)
	return c.do("POST", path, "application/json", strings.NewReader(string(b)), map[string]string{"Accept": "application/json"})
}

// messengerSignIn posts an identity to the Messenger's session endpoint as its frame does, and
// returns the session's base path ("/messenger/s/{token}"), or "" and the page when refused.
func (c *client) messengerSignIn(jwt string) (string, page) {
	c.t.Helper()
	p := c.postJSON("/messenger/session", map[string]string{"user_jwt": jwt})
	var answer struct {
		URL string `json:"url"`
	}
	_ = json.Unmarshal([]byte(p.Body), &answer)
	if p.Status != http.StatusOK || !strings.HasPrefix(answer.URL, "/messenger/s/") {
		return "", p
	}
	return strings.TrimSuffix(answer.URL, "/"), p
}

// firstEvent opens a Messenger session's event stream and returns its first named event as
// sent ("event: ...\ndata: ..."), or fails after 10 seconds.
func (c *client) firstEvent(base string) string {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", c.base+base+"/events", nil)
	if err != nil {
		c.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("events: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		c.t.Fatalf("events: %d", resp.StatusCode)
	}
	sc := bufio.NewScanner(resp.Body)
	var ev []string
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			if len(ev) > 0 && strings.HasPrefix(ev[0], "event: ") {
				return strings.Join(ev, "\n")
			}
			ev = nil
			continue
		}
		ev = append(ev, line)
	}
	c.t.Fatalf("events: the stream ended without an event: %v", sc.Err())
	return ""
}

// portalSignIn opens the host product's portal link; the session goes into the cookie jar.
func (c *client) portalSignIn(jwt string) page {
	c.t.Helper()
	return c.get("/portal/login?jwt=" + url.QueryEscape(jwt))
}

// portalCookie is the portal's session cookie in the jar, "" when there is none.
func (c *client) portalCookie() string {
	u, _ := url.Parse(c.base + "/portal")
	for _, k := range c.c.Jar.Cookies(u) {
		if k.Value != "" {
			return k.Value
		}
	}
	return ""
}

var portalRow = regexp.MustCompile(`<tr class="ticket" data-number="(\d+)">`)

// listedNumbers are the ticket numbers a portal list page shows.
func listedNumbers(body string) map[string]bool {
	out := map[string]bool{}
	for _, m := range portalRow.FindAllStringSubmatch(body, -1) {
		out[m[1]] = true
	}
	return out
}

// ---- Email, as the customer's mailbox receives it. ----

// received is one email as a customer's mailbox holds it.
type received struct {
	To      []string
	Subject string
	ReplyTo string // the address
	ID      string // Message-ID, without angle brackets
	Raw     string // headers and body as transmitted
	Text    string
	HTML    string
}

// all is everything of the email a customer can read, headers included.
func (m received) all() string {
	return m.Raw + "\n" + m.Subject + "\n" + m.Text + "\n" + m.HTML
}

func (e *leakEnv) received() []received {
	e.t.Helper()
	var out []received
	for _, msg := range e.smtp.Messages() {
		p, err := msg.Parse()
		if err != nil {
			e.t.Fatal(err)
		}
		subject, err := new(mime.WordDecoder).DecodeHeader(p.Header.Get("Subject"))
		if err != nil {
			e.t.Fatal(err)
		}
		r := received{To: msg.To, Subject: subject, ID: strings.Trim(p.Header.Get("Message-ID"), "<> "),
			Raw: string(msg.Data), Text: p.Text, HTML: p.HTML}
		if list, err := p.Header.AddressList("Reply-To"); err == nil && len(list) == 1 {
			r.ReplyTo = list[0].Address
		}
		out = append(out, r)
	}
	return out
}

// ---- Inbound email, as a mail service posts it. ----

// inbound posts a raw message to POST /inbound/email and returns the decoded answer.
func (e *leakEnv) inbound(raw string) (int, map[string]string) {
	e.t.Helper()
	req, err := http.NewRequest("POST", e.URL+"/inbound/email", strings.NewReader(raw))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "message/rfc822")
	req.Header.Set("Authorization", "Bearer "+leakInboundSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	out := map[string]string{}
	b, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(b, &out)
	return resp.StatusCode, out
}
