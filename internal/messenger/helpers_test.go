package messenger_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/helpdesk/helpdesk/internal/apitest"
	"github.com/helpdesk/helpdesk/internal/config"
	"github.com/helpdesk/helpdesk/internal/identity"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// secret is the workspace's identity secret in these tests.
const secret = "messenger-test-identity-secret"

// env is a running server with an identity secret, driven through its API (as a teammate) and
// its Messenger pages (as customers).
type env struct {
	*apitest.Env
	t      *testing.T
	client *http.Client // does not follow redirects: the tests look at them
}

func start(t *testing.T) *env {
	t.Helper()
	return startWith(t, secret)
}

// startWith starts a server whose identity secret is s ("": none).
func startWith(t *testing.T, s string) *env {
	t.Helper()
	e := apitest.StartWith(t, func(c *config.Config) { c.IdentitySecret = s })
	return &env{Env: e, t: t, client: &http.Client{
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       30 * time.Second,
	}}
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

func num(v any) int64 {
	switch x := v.(type) {
	case float64:
		return int64(x)
	case string:
		n, _ := strconv.ParseInt(x, 10, 64)
		return n
	}
	return 0
}

// jwt signs an identity as the host product would, valid for an hour of the server's clock.
func (e *env) jwt(userID, email, name string) string {
	e.t.Helper()
	return e.jwtUntil(userID, email, name, e.Clock.Now().Add(time.Hour), secret)
}

func (e *env) jwtUntil(userID, email, name string, exp time.Time, key string) string {
	e.t.Helper()
	tok, err := identity.Sign(identity.Claims{UserID: userID, Email: email, Name: name, ExpiresAt: exp}, []byte(key))
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

// page is an answer of the Messenger.
type page struct {
	Status   int
	Header   http.Header
	Body     string
	Location string
}

func (p page) has(s string) bool { return strings.Contains(p.Body, s) }

func (e *env) do(req *http.Request) page {
	e.t.Helper()
	resp, err := e.client.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	if resp.StatusCode >= 500 {
		e.t.Errorf("%s %s answered %d: %s", req.Method, req.URL.Path, resp.StatusCode, b)
	}
	return page{Status: resp.StatusCode, Header: resp.Header, Body: string(b), Location: resp.Header.Get("Location")}
}

func (e *env) get(path string) page {
	e.t.Helper()
	req, err := http.NewRequest("GET", e.URL+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.do(req)
}

func (e *env) postForm(path string, form url.Values) page {
	e.t.Helper()
	req, err := http.NewRequest("POST", e.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return e.do(req)
}

func (e *env) postJSON(path string, v any) page {
	e.t.Helper()
	b, _ := json.Marshal(v)
	req, err := http.NewRequest("POST", e.URL+path, strings.NewReader(string(b)))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	return e.do(req)
}

// customer is a contact signed in to the Messenger.
type customer struct {
	e    *env
	base string // "/messenger/s/{token}"
}

// signIn signs a user in as the Messenger's frame does, with a JWT.
func (e *env) signIn(userID, email, name string) *customer {
	e.t.Helper()
	p := e.postJSON("/messenger/session", map[string]string{"user_jwt": e.jwt(userID, email, name)})
	var answer struct {
		URL string `json:"url"`
	}
	if p.Status != http.StatusOK || json.Unmarshal([]byte(p.Body), &answer) != nil || !strings.HasPrefix(answer.URL, "/messenger/s/") {
		e.t.Fatalf("sign in %s: %d %s", userID, p.Status, p.Body)
	}
	return &customer{e: e, base: strings.TrimSuffix(answer.URL, "/")}
}

func (c *customer) get(path string) page {
	c.e.t.Helper()
	return c.e.get(c.base + path)
}

func (c *customer) post(path string, form url.Values) page {
	c.e.t.Helper()
	return c.e.postForm(c.base+path, form)
}

// mustGet fails the test unless the page answers 200.
func (c *customer) mustGet(path string) page {
	c.e.t.Helper()
	p := c.get(path)
	if p.Status != http.StatusOK {
		c.e.t.Fatalf("GET %s: %d %s", path, p.Status, p.Body)
	}
	return p
}

// startConversation starts a conversation in the Messenger and returns its id.
func (c *customer) startConversation(body string) string {
	c.e.t.Helper()
	p := c.post("/new", url.Values{"body": {body}})
	id, ok := strings.CutPrefix(p.Location, c.base+"/c/")
	if p.Status != http.StatusSeeOther || !ok {
		c.e.t.Fatalf("start a conversation: %d %q %s", p.Status, p.Location, p.Body)
	}
	return id
}

// badge is the launcher's count (M3).
func (c *customer) badge() int {
	c.e.t.Helper()
	p := c.get("/badge")
	var v struct {
		Count int `json:"count"`
	}
	if p.Status != http.StatusOK || json.Unmarshal([]byte(p.Body), &v) != nil {
		c.e.t.Fatalf("badge: %d %s", p.Status, p.Body)
	}
	return v.Count
}

// contactID finds a contact by its external id through the API.
func (e *env) contactID(externalID string) string {
	e.t.Helper()
	r := e.MustDo(http.StatusOK, "POST", "/api/contacts/search", map[string]any{
		"query": map[string]any{"field": "external_id", "operator": "=", "value": externalID}})
	data, _ := r["data"].([]any)
	if len(data) != 1 {
		e.t.Fatalf("contact %s: %v", externalID, r)
	}
	return apitest.ID(data[0].(map[string]any))
}

// contactCount is how many contacts the workspace has.
func (e *env) contactCount() int64 {
	e.t.Helper()
	data, _ := e.MustDo(http.StatusOK, "GET", "/api/contacts?per_page=150", nil)["data"].([]any)
	return int64(len(data))
}

// comment posts a teammate's comment in a conversation.
func (e *env) comment(conv, body string) {
	e.t.Helper()
	e.MustDo(http.StatusOK, "POST", "/api/conversations/"+conv+"/reply", map[string]any{
		"message_type": "comment", "type": "admin", "admin_id": itoa(e.Admin.ID), "body": body})
}

// note posts a teammate's internal note in a conversation.
func (e *env) note(conv, body string) {
	e.t.Helper()
	e.MustDo(http.StatusOK, "POST", "/api/conversations/"+conv+"/reply", map[string]any{
		"message_type": "note", "type": "admin", "admin_id": itoa(e.Admin.ID), "body": body})
}

// ticketReply posts a teammate's comment or note on a ticket.
func (e *env) ticketReply(id, messageType, body string) {
	e.t.Helper()
	e.MustDo(http.StatusOK, "POST", "/api/tickets/"+id+"/reply", map[string]any{
		"message_type": messageType, "type": "admin", "admin_id": itoa(e.Admin.ID), "body": body})
}

// createTicket creates a ticket through the API; extra adds request members.
func (e *env) createTicket(typ ticket.Type, contactID, title, description string, extra map[string]any) string {
	e.t.Helper()
	body := map[string]any{"ticket_type_id": itoa(typ.ID), "contacts": []any{},
		"ticket_attributes": map[string]any{"_default_title_": title, "_default_description_": description}}
	if contactID != "" {
		body["contacts"] = []any{map[string]any{"id": contactID}}
	}
	for k, v := range extra {
		body[k] = v
	}
	return apitest.ID(e.MustDo(http.StatusOK, "POST", "/api/tickets", body))
}

// setState moves a ticket to the built-in state of a category.
func (e *env) setState(id string, c ticket.StateCategory) {
	e.t.Helper()
	states, err := e.DB.Read().TicketStates(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	for _, s := range states {
		if s.Category == c {
			e.MustDo(http.StatusOK, "PUT", "/api/tickets/"+id, map[string]any{"ticket_state_id": itoa(s.ID)})
			return
		}
	}
	e.t.Fatalf("no state %s", c)
}

// event is one server-sent event.
type event struct {
	Name string
	Data string
}

// events opens a customer's event stream; read from the channel, which closes with the stream.
// The stream closes when the test ends.
func (c *customer) events() <-chan event {
	c.e.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, "GET", c.e.URL+c.base+"/events", nil)
	if err != nil {
		c.e.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		c.e.t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		cancel()
		c.e.t.Fatalf("events: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	ch := make(chan event, 16)
	done := make(chan struct{})
	c.e.t.Cleanup(func() {
		cancel()
		resp.Body.Close()
		<-done
	})
	go func() {
		defer close(done)
		defer close(ch)
		sc := bufio.NewScanner(resp.Body)
		var ev event
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.Name != "" {
					select {
					case ch <- ev:
					case <-ctx.Done():
						return
					}
				}
				ev = event{}
			case strings.HasPrefix(line, "event: "):
				ev.Name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev.Data = strings.TrimPrefix(line, "data: ")
			}
		}
	}()
	return ch
}

// liveState is the data of an "update" event.
type liveState struct {
	Badge int   `json:"badge"`
	Last  int64 `json:"last"`
}

// nextUpdate waits for an update event satisfying ok, for up to 10 seconds.
func nextUpdate(t *testing.T, ch <-chan event, ok func(liveState) bool) liveState {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev, open := <-ch:
			if !open {
				t.Fatal("the event stream closed")
			}
			if ev.Name != "update" {
				continue
			}
			var st liveState
			if err := json.Unmarshal([]byte(ev.Data), &st); err != nil {
				t.Fatalf("update %q: %v", ev.Data, err)
			}
			if ok(st) {
				return st
			}
		case <-timeout:
			t.Fatal("no matching update within 10 seconds")
		}
	}
}

// signInContact creates, through the API, the contact the host product's user_id will sign in
// as, and returns its id.
func (e *env) signInContact(userID, email, name string) string {
	e.t.Helper()
	return apitest.ID(e.MustDo(http.StatusOK, "POST", "/api/contacts", map[string]any{
		"role": "user", "external_id": userID, "email": email, "name": name}))
}
