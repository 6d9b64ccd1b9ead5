package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Operation names, as reported.
const (
	opCreate       = "create conversation"
	opAdminReply   = "teammate reply"
	opContactReply = "customer reply"
	opMe           = "GET /api/me"
	opList         = "GET /api/conversations"
)

// client talks to one Helpdesk API with one keep-alive connection per load client.
type client struct {
	base  string // http://host:port, without /api
	token string
	hc    *http.Client
}

func newClient(base, token string, conns int, timeout time.Duration) *client {
	tr := &http.Transport{
		Proxy:               nil, // loopback only; never through a proxy from the environment
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		MaxConnsPerHost:     conns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	return &client{base: base, token: token, hc: &http.Client{Transport: tr, Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// statusError is a request that got an answer other than 200.
type statusError struct {
	status int
	body   string
}

func (e *statusError) Error() string { return fmt.Sprintf("HTTP %d: %s", e.status, e.body) }

// do sends one request; the answer is decoded into out when out is not nil, and read to its end
// otherwise, so that the connection can be reused.
func (c *client) do(ctx context.Context, method, path string, body []byte, out any) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Intercom-Version", "2.16")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
		_, _ = io.Copy(io.Discard, resp.Body)
		return &statusError{status: resp.StatusCode, body: string(bytes.TrimSpace(b))}
	}
	if out == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		return err
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("decode answer: %w", err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return nil
}

// timed sends one request and records it under op; ok tells whether it succeeded.
func (c *client) timed(ctx context.Context, rec *recorder, op, method, path string, body []byte, out any) bool {
	start := time.Now()
	err := c.do(ctx, method, path, body, out)
	d := time.Since(start)
	if err == nil {
		rec.ok(op, d)
		return true
	}
	if ctx.Err() != nil {
		return false // interrupted: neither a success nor the server's failure
	}
	var se *statusError
	if errors.As(err, &se) {
		rec.fail(op, strconv.Itoa(se.status), se.body)
	} else {
		rec.fail(op, "net", err.Error())
	}
	return false
}

// limits bound a run; whichever is reached first stops it.
type limits struct {
	duration      time.Duration
	requests      int64 // 0: no limit
	conversations int64 // 0: no limit; for seeding
}

// gate hands out permission for each request until a limit is reached. Requests already sent
// when it closes are let finish and counted.
type gate struct {
	ctx                    context.Context
	deadline               time.Time
	requests, rounds       atomic.Int64
	maxRequests, maxRounds int64
	stoppedBy              atomic.Value // string
}

func newGate(ctx context.Context, l limits) *gate {
	return &gate{ctx: ctx, deadline: time.Now().Add(l.duration), maxRequests: l.requests, maxRounds: l.conversations}
}

func (g *gate) stop(why string) bool {
	g.stoppedBy.CompareAndSwap(nil, why)
	return false
}

// request reports whether one more request may be sent.
func (g *gate) request() bool {
	switch {
	case g.ctx.Err() != nil:
		return g.stop("interrupt")
	case !time.Now().Before(g.deadline):
		return g.stop("duration")
	case g.maxRequests > 0 && g.requests.Add(1) > g.maxRequests:
		return g.stop("requests")
	}
	return true
}

// round reports whether one more conversation may be started (and its first request sent).
func (g *gate) round() bool {
	if g.maxRounds > 0 && g.rounds.Add(1) > g.maxRounds {
		return g.stop("conversations")
	}
	return g.request()
}

func (g *gate) why() string {
	s, _ := g.stoppedBy.Load().(string)
	return s
}

// scenario is a kind of load: the loop each client runs, and the operations it reports.
type scenario struct {
	name string
	ops  []string
	loop func(ctx context.Context, c *client, g *gate, rec *recorder, worker int)
}

// drive runs clients concurrent loops of sc until g stops them, and summarises.
func drive(ctx context.Context, c *client, sc scenario, clients int, l limits, serverPID int) result {
	g := newGate(ctx, l)
	recs := make([]*recorder, clients)
	var wg sync.WaitGroup
	cpu0, ok0 := sampleCPU(serverPID)
	start := time.Now()
	for i := range clients {
		recs[i] = newRecorder()
		wg.Go(func() { sc.loop(ctx, c, g, recs[i], i) })
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu1, ok1 := sampleCPU(serverPID)
	all := newRecorder()
	for _, r := range recs {
		all.merge(r)
	}
	ops, total := summarise(all, sc.ops, elapsed)
	return result{Scenario: sc.name, URL: c.base, Clients: clients, Elapsed: elapsed.Seconds(), Stopped: g.why(),
		Ops: ops, All: total, CPU: cpuBetween(cpu0, cpu1, ok0, ok1, runtime.NumCPU())}
}

// writeScenario is the conversation life the issue asks for: a contact starts a conversation, a
// teammate answers, the contact answers back. Every request is a write.
func writeScenario(name string, adminID int64, contacts []string) scenario {
	return scenario{name: name, ops: []string{opCreate, opAdminReply, opContactReply},
		loop: func(ctx context.Context, c *client, g *gate, rec *recorder, worker int) {
			for n := 0; ; n++ {
				if !g.round() {
					return
				}
				contact := contacts[(worker+n*7919)%len(contacts)]
				var msg struct {
					ConversationID string `json:"conversation_id"`
				}
				body := mustJSON(map[string]any{"from": map[string]any{"type": "user", "id": contact},
					"body": fmt.Sprintf("<p>Hello, this is load client %d, message %d. My order has not arrived.</p>", worker, n)})
				if !c.timed(ctx, rec, opCreate, "POST", "/api/conversations", body, &msg) || msg.ConversationID == "" {
					continue
				}
				path := "/api/conversations/" + msg.ConversationID + "/reply"
				if !g.request() {
					return
				}
				body = mustJSON(map[string]any{"type": "admin", "admin_id": adminID, "message_type": "comment",
					"body": "<p>Sorry to hear that. We are looking into it.</p>"})
				c.timed(ctx, rec, opAdminReply, "POST", path, body, nil)
				if !g.request() {
					return
				}
				body = mustJSON(map[string]any{"type": "user", "intercom_user_id": contact, "message_type": "comment",
					"body": "<p>Thank you.</p>"})
				c.timed(ctx, rec, opContactReply, "POST", path, body, nil)
			}
		}}
}

// readScenario sends one GET again and again.
func readScenario(name, op, path string) scenario {
	return scenario{name: name, ops: []string{op},
		loop: func(ctx context.Context, c *client, g *gate, rec *recorder, worker int) {
			for g.request() {
				c.timed(ctx, rec, op, "GET", path, nil, nil)
			}
		}}
}

// createContacts makes n contacts (role user) through the API, clients at a time, and returns
// their ids. Their emails are new on every run, so the tool can run again on the same database.
func createContacts(ctx context.Context, c *client, n, clients int) ([]string, error) {
	runID := randomHex(4)
	ids := make([]string, n)
	errs := make([]error, clients)
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := range min(clients, n) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				var contact struct {
					ID string `json:"id"`
				}
				body := mustJSON(map[string]any{"role": "user", "email": fmt.Sprintf("load-%s-%d@example.com", runID, i),
					"name": fmt.Sprintf("Load Customer %d", i)})
				if err := c.do(ctx, "POST", "/api/contacts", body, &contact); err != nil {
					errs[w] = fmt.Errorf("create contact: %w", err)
					return
				}
				if contact.ID == "" {
					errs[w] = errors.New("create contact: the answer has no id")
					return
				}
				ids[i] = contact.ID
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return ids, nil
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// randomHex is n random bytes in hex, for names that must not collide.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
