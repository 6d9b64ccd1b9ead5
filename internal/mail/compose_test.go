package mail_test

import (
	"bytes"
	"errors"
	"html/template"
	netmail "net/mail"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/helpdesk/helpdesk/internal/mail"
	"github.com/helpdesk/helpdesk/internal/mail/mailtest"
)

func TestE1_one_fixed_template_with_the_logo(t *testing.T) {
	c := newComposer(t)
	token := mail.NewReplyToken()
	m := compose(t, c, stateChange(token))
	env, p := deliver(t, m)

	if env.From != "support@acme.example" || len(env.To) != 1 || env.To[0] != "anna@customer.example" {
		t.Errorf("envelope = %q -> %q, want support@acme.example -> [anna@customer.example]", env.From, env.To)
	}
	h := p.Header
	wantHeaders := map[string]string{
		"From":                     `"Acme Support" <support@acme.example>`,
		"Subject":                  "[#1234] Printer on fire",
		"Auto-Submitted":           "auto-generated",
		"X-Auto-Response-Suppress": "OOF, AutoReply",
		"Mime-Version":             "1.0",
	}
	for name, want := range wantHeaders {
		if got := h.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	to, err := h.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Name != "Anna Müller" || to[0].Address != "anna@customer.example" {
		t.Errorf("To = %v (%v), want Anna Müller <anna@customer.example>", to, err)
	}
	if date, err := h.Date(); err != nil || !date.Equal(now) {
		t.Errorf("Date = %v (%v), want %v", date, err, now)
	}
	if got := h.Get("Message-ID"); got != m.MessageID || !regexp.MustCompile(`^<ticket-state\.42\.[a-z2-7]{24}@acme\.example>$`).MatchString(got) {
		t.Errorf("Message-ID = %q (composed %q), want <ticket-state.42.HASH@acme.example>", got, m.MessageID)
	}
	for _, name := range []string{"In-Reply-To", "References", "List-Unsubscribe", "User-Agent", "X-Mailer"} {
		if v := h.Get(name); v != "" {
			t.Errorf("%s = %q, want none on this message", name, v)
		}
	}
	if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "multipart/alternative;") {
		t.Errorf("Content-Type = %q, want multipart/alternative", ct)
	}
	raw := string(env.Data)
	for _, want := range []string{
		"Content-Type: text/plain; charset=UTF-8",
		"Content-Type: text/html; charset=UTF-8",
		"Content-Transfer-Encoding: quoted-printable",
	} {
		if !strings.Contains(raw, want) {
			t.Errorf("raw message lacks %q", want)
		}
	}
	if strings.Contains(raw, "Content-Transfer-Encoding: base64") || strings.Contains(raw, "Content-Transfer-Encoding: 8bit") {
		t.Errorf("raw message has a part not in quoted-printable")
	}

	for _, want := range []string{
		`<img src="https://cdn.acme.example/logo.png" alt="Acme Support"`,
		"Your ticket #1234 is now In progress",
		"Ticket #1234",
		"Printer on fire",
		">In progress<",
		"Bob from Acme",
		"<p>Hello <strong>Anna</strong>, we are on it.</p><ul><li>checked the toner</li></ul>",
		`href="https://help.acme.example/portal/tickets/1234"`,
		"Reply to this email",
	} {
		if !strings.Contains(p.HTML, want) {
			t.Errorf("HTML part lacks %q", want)
		}
	}
	wantText := `Your ticket #1234 is now In progress

Ticket #1234: Printer on fire
State: In progress

Bob from Acme:
Hello *Anna*, we are on it.

- checked the toner

View your ticket: https://help.acme.example/portal/tickets/1234

-- 
Reply to this email to add a comment to your ticket.
`
	if p.Text != wantText {
		t.Errorf("text part =\n%s\nwant\n%s", p.Text, wantText)
	}
}

// Every kind goes through the same template: the logo, the heading, the reply hint.
func TestE1_every_kind_has_the_same_template(t *testing.T) {
	c := newComposer(t)
	for _, tc := range []struct {
		kind    mail.Kind
		heading string
	}{
		{mail.TicketSubmitted, "We received your request"},
		{mail.TicketReply, "New reply on your ticket"},
		{mail.TicketStateChanged, "Your ticket #1234 is now In progress"},
		{mail.ConversationReply, "New reply to your conversation"},
	} {
		t.Run(string(tc.kind), func(t *testing.T) {
			n := stateChange(mail.NewReplyToken())
			n.Kind = tc.kind
			if tc.kind == mail.ConversationReply {
				n.Ticket, n.Subject, n.Path = nil, "Question about my invoice", "/messenger/conversations/7"
			}
			m := compose(t, c, n)
			for _, want := range []string{`<img src="https://cdn.acme.example/logo.png"`, "<h1", tc.heading, "Reply to this email"} {
				if !strings.Contains(m.HTML, want) {
					t.Errorf("HTML lacks %q", want)
				}
			}
			if !strings.HasPrefix(m.Text, tc.heading+"\n") || !strings.Contains(m.Text, "Reply to this email") {
				t.Errorf("text =\n%s", m.Text)
			}
			if tc.kind == mail.ConversationReply && m.Subject != "Question about my invoice" {
				t.Errorf("Subject = %q", m.Subject)
			}
		})
	}
}

func TestE1_logo_is_optional_and_only_http(t *testing.T) {
	c := newComposer(t)
	for logo, want := range map[string]string{
		"":                            "",
		"/static/logo.png":            "https://help.acme.example/static/logo.png",
		"http://cdn.example/l.png":    "http://cdn.example/l.png",
		"javascript:alert(1)":         "",
		"data:image/png;base64,AAAA=": "",
		"//evil.example/x.png":        "",
	} {
		n := stateChange(mail.NewReplyToken())
		n.LogoURL = logo
		m := compose(t, c, n)
		hasImg := strings.Contains(m.HTML, "<img")
		if want == "" && hasImg {
			t.Errorf("logo %q: HTML has an <img>", logo)
		}
		if want != "" && !strings.Contains(m.HTML, `<img src="`+want+`"`) {
			t.Errorf("logo %q: HTML lacks <img src=%q>", logo, want)
		}
	}
}

// User-provided text never reaches the HTML unescaped, nor a header unfolded: only the
// sanitised body passed as template.HTML is inserted as it is.
func TestE1_hostile_text_is_escaped(t *testing.T) {
	c := newComposer(t)
	n := stateChange(mail.NewReplyToken())
	n.Ticket.Title = `<script>alert("title")</script>` + "\r\nBcc: victim@evil.example"
	n.Ticket.State = `"><img src=x onerror=alert(1)>`
	n.Author = `<b onmouseover="x">Bob</b>`
	n.To.Name = "Anna\r\nBcc: victim@evil.example"
	m := compose(t, c, n)
	_, p := deliver(t, m)

	for _, bad := range []string{"<script>", `<img src=x`, "<b onmouseover"} {
		if strings.Contains(p.HTML, bad) {
			t.Errorf("HTML contains %q unescaped", bad)
		}
	}
	for _, want := range []string{"&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;", "&lt;img src=x onerror=alert(1)&gt;", "&lt;b onmouseover="} {
		if !strings.Contains(p.HTML, want) {
			t.Errorf("HTML lacks the escaped %q", want)
		}
	}
	if v := p.Header["Bcc"]; v != nil {
		t.Errorf("a Bcc header was injected: %q", v)
	}
	if got, want := p.Header.Get("Subject"), `[#1234] <script>alert("title")</script> Bcc: victim@evil.example`; got != want {
		t.Errorf("Subject = %q, want %q", got, want)
	}
	to, err := p.Header.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Address != "anna@customer.example" {
		t.Errorf("To = %v (%v), want one address, anna@customer.example", to, err)
	}
}

func TestE2_threading_headers(t *testing.T) {
	c := newComposer(t)
	token := mail.NewReplyToken()

	first := stateChange(token)
	first.Kind, first.ID = mail.TicketSubmitted, 41
	m1 := compose(t, c, first)
	if m1.InReplyTo != "" || len(m1.References) != 0 || m1.Subject != "[#1234] Printer on fire" {
		t.Errorf("first email: In-Reply-To %q, References %q, Subject %q; want none, none, no Re:", m1.InReplyTo, m1.References, m1.Subject)
	}

	// The customer answered from their mail client; our next email answers that.
	customerReply := "CAF=abc123+x@mail.gmail.com"
	second := stateChange(token)
	second.References = []string{m1.MessageID, customerReply, "not an id", " " + m1.MessageID + " "}
	m2 := compose(t, c, second)
	_, p := deliver(t, m2)

	wantRefs := m1.MessageID + " <" + customerReply + ">"
	if got := strings.Join(strings.Fields(p.Header.Get("References")), " "); got != wantRefs {
		t.Errorf("References = %q, want %q", got, wantRefs)
	}
	if got := p.Header.Get("In-Reply-To"); got != "<"+customerReply+">" {
		t.Errorf("In-Reply-To = %q, want <%s>", got, customerReply)
	}
	if got := p.Header.Get("Subject"); got != "Re: [#1234] Printer on fire" {
		t.Errorf("Subject = %q, want the thread's subject with Re:", got)
	}
	if p.Header.Get("Message-ID") == m1.MessageID {
		t.Errorf("both emails have Message-ID %s", m1.MessageID)
	}
}

func TestE2_references_are_bounded(t *testing.T) {
	c := newComposer(t)
	n := stateChange(mail.NewReplyToken())
	for i := range 50 {
		n.References = append(n.References, "<m"+string(rune('a'+i%26))+strings.Repeat("x", i)+"@x.example>")
	}
	m := compose(t, c, n)
	if len(m.References) != 20 || m.References[0] != n.References[0] || m.References[19] != n.References[49] {
		t.Errorf("References = %d ids from %s to %s, want 20: the first and the latest 19", len(m.References), m.References[0], m.References[len(m.References)-1])
	}
	if m.InReplyTo != n.References[49] {
		t.Errorf("In-Reply-To = %s, want the latest", m.InReplyTo)
	}
}

// E3: a retry composes the same notification again and must get the same Message-ID, so that
// a duplicate is recognised; two notifications never share one.
func TestE3_message_id_is_stable_per_notification(t *testing.T) {
	c := newComposer(t)
	token := mail.NewReplyToken()
	n := stateChange(token)
	n.Date = time.Time{} // taken from the clock
	a, b := compose(t, c, n), compose(t, c, n)
	if a.MessageID != b.MessageID || a.Subject != b.Subject || a.HTML != b.HTML || a.Text != b.Text || !a.Date.Equal(now) {
		t.Errorf("composing twice differs: %s vs %s", a.MessageID, b.MessageID)
	}
	if got := c.MessageID(n.Kind, n.ID, token); got != a.MessageID {
		t.Errorf("MessageID() = %s, Compose gave %s", got, a.MessageID)
	}
	seen := map[string]string{a.MessageID: "original"}
	for name, change := range map[string]func(*mail.Notification){
		"other id":    func(n *mail.Notification) { n.ID = 43 },
		"other kind":  func(n *mail.Notification) { n.Kind = mail.TicketReply },
		"other token": func(n *mail.Notification) { n.ReplyToken = mail.NewReplyToken() },
	} {
		n := stateChange(token)
		change(&n)
		id := compose(t, c, n).MessageID
		if prev, dup := seen[id]; dup {
			t.Errorf("%s has the Message-ID of %s: %s", name, prev, id)
		}
		seen[id] = name
	}
}

func TestCompose_refuses_invalid_notifications(t *testing.T) {
	c := newComposer(t)
	for name, change := range map[string]func(*mail.Notification){
		"unknown kind":              func(n *mail.Notification) { n.Kind = "ticket-deleted" },
		"no recipient":              func(n *mail.Notification) { n.To = netmail.Address{} },
		"recipient not an address":  func(n *mail.Notification) { n.To.Address = "anna at customer" },
		"recipient with a name":     func(n *mail.Notification) { n.To.Address = "Anna <anna@customer.example>" },
		"no reply token":            func(n *mail.Notification) { n.ReplyToken = "" },
		"guessable reply token":     func(n *mail.Notification) { n.ReplyToken = "1234" },
		"ticket kind without one":   func(n *mail.Notification) { n.Ticket = nil },
		"state change without it":   func(n *mail.Notification) { n.Ticket.State = " " },
		"reply without body":        func(n *mail.Notification) { n.Kind, n.Body = mail.TicketReply, "" },
		"conversation with ticket":  func(n *mail.Notification) { n.Kind = mail.ConversationReply },
		"link to another site":      func(n *mail.Notification) { n.Path = "//evil.example/x" },
		"link not a path":           func(n *mail.Notification) { n.Path = "https://evil.example/x" },
		"link with a line break in": func(n *mail.Notification) { n.Path = "/a\r\nb" },
	} {
		n := stateChange(mail.NewReplyToken())
		change(&n)
		if _, err := c.Compose(n); !errors.Is(err, mail.ErrInvalidNotification) {
			t.Errorf("%s: err = %v, want ErrInvalidNotification", name, err)
		}
	}
}

func TestNewComposer_checks_its_configuration(t *testing.T) {
	for name, cfg := range map[string]mail.Config{
		"no From":               {BaseURL: "https://h.example"},
		"From not an addr":      {From: "support", BaseURL: "https://h.example"},
		"no base URL":           {From: "a@acme.example"},
		"relative base URL":     {From: "a@acme.example", BaseURL: "/helpdesk"},
		"bad reply domain":      {From: "a@acme.example", BaseURL: "https://h.example", ReplyDomain: "x@y"},
		"From at an IP literal": {From: "a@[127.0.0.1]", BaseURL: "https://h.example"},
	} {
		if _, err := mail.NewComposer(cfg, nil); err == nil {
			t.Errorf("%s: NewComposer(%+v) succeeded", name, cfg)
		}
	}
	// A bare From works; the reply domain defaults to its domain.
	c, err := mail.NewComposer(mail.Config{From: "help@acme.example", BaseURL: "http://127.0.0.1:8080"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	token := mail.NewReplyToken()
	m := compose(t, c, stateChange(token))
	if m.ReplyTo.Address != "reply+"+token+"@acme.example" || m.From.Address != "help@acme.example" {
		t.Errorf("Reply-To %s, From %s", m.ReplyTo.Address, m.From.Address)
	}
	if !strings.Contains(m.HTML, `alt="acme.example"`) {
		t.Errorf("without a From name, the logo's alt should be the domain")
	}
}

func TestMessage_WriteTo(t *testing.T) {
	c := newComposer(t)
	n := stateChange(mail.NewReplyToken())
	n.Body = template.HTML("<p>Grüße – ünïcödé " + strings.Repeat("long line ", 30) + "</p>")
	m := compose(t, c, n)
	var b bytes.Buffer
	if _, err := m.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(b.String(), "\r\n") {
		if len(line) > 998 {
			t.Errorf("line %d is %d bytes long", i, len(line))
		}
	}
	p, err := mailtest.Message{Data: b.Bytes()}.Parse()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.Text, "Grüße – ünïcödé long line") || !strings.Contains(p.HTML, "Grüße – ünïcödé long line") {
		t.Errorf("UTF-8 did not survive:\n%s", p.Text)
	}
	bad := *m
	bad.To.Address = "nobody"
	if _, err := bad.WriteTo(&b); !errors.Is(err, mail.ErrBadAddress) {
		t.Errorf("WriteTo with a bad To: %v, want ErrBadAddress", err)
	}
}
