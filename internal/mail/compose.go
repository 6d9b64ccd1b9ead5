package mail

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"embed"
	"encoding/base32"
	"errors"
	"fmt"
	htmltemplate "html/template"
	netmail "net/mail"
	"net/url"
	"strconv"
	"strings"
	texttemplate "text/template"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/helpdesk/helpdesk/internal/clock"
)

// Kind is what a notification email is about: it chooses the heading and starts the Message-ID.
type Kind string

// The notification emails (SPEC N1-N3; E2 for conversations).
const (
	TicketSubmitted    Kind = "ticket-submitted"   // N1: a shared ticket was submitted, by anyone
	TicketReply        Kind = "ticket-reply"       // N2: a teammate replied on a shared ticket
	TicketStateChanged Kind = "ticket-state"       // N3: a shared ticket's state changed
	ConversationReply  Kind = "conversation-reply" // a teammate replied in a conversation
)

// Ticket is what the email shows of the ticket it is about.
type Ticket struct {
	Number int64  // the ticket's human number (TT3), shown as #1234
	Title  string // as the customer sees it
	State  string // the customer-facing state label (ST1), never the internal one
}

// Notification is one email to send, as the delivery worker knows it. Everything in it is
// stored with the notification, so that composing it again on a retry gives the same Message.
type Notification struct {
	Kind Kind
	// ID is the notification's own id (the row the worker delivers from). With Kind and
	// ReplyToken it makes the Message-ID, so a retry of the same notification has the same one
	// and two notifications never share one.
	ID int64
	To netmail.Address
	// Date is when the change happened; zero means now, by the Composer's clock.
	Date time.Time
	// ReplyToken is the thread's token from NewReplyToken; it goes into the Reply-To address.
	ReplyToken string
	// References are the Message-IDs of the thread's earlier emails, oldest first, ours and the
	// customer's replies alike; the last one is the one this email answers (In-Reply-To).
	References []string
	// Ticket is the ticket the email is about; nil for a conversation.
	Ticket *Ticket
	// Subject is a conversation's subject, the same for every email of the thread so that mail
	// clients keep them together. Tickets ignore it: theirs is "[#1234] Title".
	Subject string
	// Author is who wrote the comment as the customer sees them ("Anna from Acme"); optional.
	Author string
	// Body is the comment, as HTML already sanitised by the sanitiser of the comment it comes
	// from (ticket.SanitizeDescription's policy or its like). It is inserted into the email as it
	// is: never put text from a user here without that sanitiser. Empty for no comment.
	Body htmltemplate.HTML
	// LogoURL is the Messenger's logo (E1): an http(s) URL or a path under the base URL; empty,
	// or anything else, for none.
	LogoURL string
	// Path is where the ticket or conversation is seen online (the Messenger or the portal),
	// relative to the base URL, such as "/portal/tickets/1234"; empty for no link.
	Path string
}

// Config is what composing needs from the server's configuration.
type Config struct {
	// From is HELPDESK_MAIL_FROM: "Acme Support <support@acme.example>" or a bare address. Its
	// name is also the brand shown as the logo's alt text and in the reply address.
	From string
	// BaseURL is HELPDESK_BASE_URL, against which links and relative logo URLs resolve.
	BaseURL string
	// ReplyDomain is the domain of reply addresses (reply+TOKEN@ReplyDomain), whose mail must
	// reach the inbound listener (its MX, or a forward). Empty: the domain of From.
	ReplyDomain string
}

//go:embed templates
var templates embed.FS

// Composer makes the notification emails. It is safe for concurrent use.
type Composer struct {
	from        netmail.Address
	base        string // without a trailing slash
	replyDomain string
	idDomain    string // right of the @ in Message-IDs: the From domain
	html        *htmltemplate.Template
	text        *texttemplate.Template
	clock       clock.Clock
}

// NewComposer checks the configuration and parses the template once.
func NewComposer(cfg Config, clk clock.Clock) (*Composer, error) {
	from, err := netmail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("mail: From address %q (HELPDESK_MAIL_FROM): %w", cfg.From, err)
	}
	_, fromDomain, _ := strings.Cut(from.Address, "@")
	fromDomain = strings.ToLower(fromDomain)
	if !validDomain(fromDomain) {
		return nil, fmt.Errorf("mail: From address %q (HELPDESK_MAIL_FROM) has no usable domain", cfg.From)
	}
	base, err := url.Parse(cfg.BaseURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("mail: base URL %q (HELPDESK_BASE_URL) must be an absolute http(s) URL", cfg.BaseURL)
	}
	replyDomain := strings.ToLower(strings.TrimSpace(cfg.ReplyDomain))
	if replyDomain == "" {
		replyDomain = fromDomain
	}
	if !validDomain(replyDomain) {
		return nil, fmt.Errorf("mail: reply domain %q is not a domain name", cfg.ReplyDomain)
	}
	html, err := htmltemplate.ParseFS(templates, "templates/notification.html")
	if err != nil {
		return nil, fmt.Errorf("mail: template: %w", err)
	}
	text, err := texttemplate.ParseFS(templates, "templates/notification.txt")
	if err != nil {
		return nil, fmt.Errorf("mail: template: %w", err)
	}
	if clk == nil {
		clk = clock.System{}
	}
	return &Composer{
		from:        netmail.Address{Name: cleanLine(from.Name), Address: from.Address},
		base:        strings.TrimRight(base.String(), "/"),
		replyDomain: replyDomain,
		idDomain:    fromDomain,
		html:        html,
		text:        text,
		clock:       clk,
	}, nil
}

// ErrInvalidNotification is the cause of every error Compose returns: the notification lacks
// something or holds something that cannot be sent. Retrying does not help.
var ErrInvalidNotification = errors.New("invalid notification")

// page is what the template shows.
type page struct {
	Subject  string
	Heading  string
	Brand    string // alt text of the logo
	LogoURL  string
	Ticket   *Ticket
	Author   string
	BodyHTML htmltemplate.HTML // HTML part only
	BodyText string            // text part only
	Link     string
}

// Compose makes the email of a notification with the one fixed template (E1). It does no I/O,
// and the same notification gives the same headers and parts (only the MIME boundaries differ),
// so that a retry carries the same Message-ID.
func (c *Composer) Compose(n Notification) (*Message, error) {
	invalid := func(format string, args ...any) error {
		return fmt.Errorf("mail: compose %s %d: %w: %s", n.Kind, n.ID, ErrInvalidNotification, fmt.Sprintf(format, args...))
	}
	if !validKind(n.Kind) {
		return nil, invalid("unknown kind %q", n.Kind)
	}
	to, err := netmail.ParseAddress(n.To.Address)
	if err != nil || to.Address != n.To.Address {
		return nil, invalid("recipient %q is not an email address", n.To.Address)
	}
	if !validReplyToken(n.ReplyToken) {
		return nil, invalid("no reply token (use NewReplyToken)")
	}
	if n.Ticket == nil && n.Kind != ConversationReply {
		return nil, invalid("a ticket notification needs its Ticket")
	}
	if n.Ticket != nil && n.Kind == ConversationReply {
		return nil, invalid("a conversation notification has no Ticket")
	}
	if n.Kind == TicketStateChanged && strings.TrimSpace(n.Ticket.State) == "" {
		return nil, invalid("a state change needs the state's label")
	}
	if (n.Kind == TicketReply || n.Kind == ConversationReply) && strings.TrimSpace(string(n.Body)) == "" {
		return nil, invalid("a reply needs its Body")
	}
	link, err := c.link(n.Path)
	if err != nil {
		return nil, invalid("%v", err)
	}

	p := page{
		Brand:    c.brand(),
		LogoURL:  c.logo(n.LogoURL),
		Author:   cleanLine(n.Author),
		BodyHTML: n.Body,
		BodyText: HTMLToText(string(n.Body)),
		Link:     link,
	}
	if n.Ticket != nil {
		p.Ticket = &Ticket{Number: n.Ticket.Number, Title: cleanLine(n.Ticket.Title), State: cleanLine(n.Ticket.State)}
	}
	p.Heading = heading(n.Kind, p.Ticket)

	m := &Message{
		From:      c.from,
		To:        netmail.Address{Name: cleanLine(n.To.Name), Address: to.Address},
		ReplyTo:   netmail.Address{Name: c.from.Name, Address: replyPrefix + n.ReplyToken + "@" + c.replyDomain},
		Date:      n.Date,
		MessageID: c.MessageID(n.Kind, n.ID, n.ReplyToken),
	}
	if m.Date.IsZero() {
		m.Date = c.clock.Now()
	}
	m.References = threadReferences(n.References, m.MessageID)
	if len(m.References) > 0 {
		m.InReplyTo = m.References[len(m.References)-1]
	}
	m.Subject = c.subject(n, p.Ticket, len(m.References) > 0)
	p.Subject = m.Subject

	var b bytes.Buffer
	if err := c.html.Execute(&b, p); err != nil {
		return nil, fmt.Errorf("mail: compose %s %d: html: %w", n.Kind, n.ID, err)
	}
	m.HTML = b.String()
	b.Reset()
	if err := c.text.Execute(&b, p); err != nil {
		return nil, fmt.Errorf("mail: compose %s %d: text: %w", n.Kind, n.ID, err)
	}
	m.Text = b.String()
	return m, nil
}

// MessageID is the Message-ID of a notification: <kind.id.hash@domain>. The last part is an
// HMAC of kind and id keyed by the thread's reply token, so it is the same on every retry without
// being stored, unguessable, and unique across installations and databases that reuse ids (a
// receiver such as Gmail silently drops a message whose Message-ID it has seen). Compose uses it;
// it is exported for code that records a notification's Message-ID before composing it.
func (c *Composer) MessageID(kind Kind, id int64, replyToken string) string {
	mac := hmac.New(sha256.New, []byte(replyToken))
	fmt.Fprintf(mac, "%s.%d", kind, id)
	sum := mac.Sum(nil)
	h := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:15]))
	return "<" + string(kind) + "." + strconv.FormatInt(id, 10) + "." + h + "@" + c.idDomain + ">"
}

// heading is the one line that says what happened.
func heading(k Kind, t *Ticket) string {
	switch k {
	case TicketSubmitted:
		return "We received your request"
	case TicketReply:
		return "New reply on your ticket"
	case TicketStateChanged:
		return fmt.Sprintf("Your ticket #%d is now %s", t.Number, t.State)
	default:
		return "New reply to your conversation"
	}
}

// subject stays the same for every email of a thread (mail clients group by it as well as by
// References), with "Re: " on all but the first.
func (c *Composer) subject(n Notification, t *Ticket, followUp bool) string {
	var s string
	switch {
	case t != nil && t.Title != "":
		s = fmt.Sprintf("[#%d] %s", t.Number, t.Title)
	case t != nil:
		s = fmt.Sprintf("Ticket #%d", t.Number)
	default:
		s = cleanLine(n.Subject)
		if s == "" {
			s = "Your conversation with " + c.brand()
		}
	}
	if r := []rune(s); len(r) > 200 {
		s = strings.TrimSpace(string(r[:199])) + "…"
	}
	if followUp && !hasReplyPrefix(s) {
		s = "Re: " + s
	}
	return s
}

func hasReplyPrefix(s string) bool {
	return len(s) >= 3 && strings.EqualFold(s[:3], "re:")
}

func (c *Composer) brand() string {
	if c.from.Name != "" {
		return c.from.Name
	}
	return c.idDomain
}

// link is the absolute URL of a path under the base URL.
func (c *Composer) link(path string) (string, error) {
	if path == "" {
		return "", nil
	}
	if !strings.HasPrefix(path, "/") || strings.HasPrefix(path, "//") || strings.ContainsAny(path, " \t\r\n\\") {
		return "", fmt.Errorf("link path %q must be a path starting with a single /", path)
	}
	if _, err := url.Parse(path); err != nil {
		return "", fmt.Errorf("link path %q: %w", path, err)
	}
	return c.base + path, nil
}

// logo is the absolute URL of the logo, or "" when it is none or not an http(s) URL: a bad logo
// setting costs the logo, not the email.
func (c *Composer) logo(raw string) string {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return ""
	}
	if strings.HasPrefix(raw, "/") && !strings.HasPrefix(raw, "//") {
		raw = c.base + raw
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.String()
}

// maxReferences bounds the References header, as mail clients do: the thread's first message
// and the latest ones are what threading needs.
const maxReferences = 20

// threadReferences cleans the thread's Message-IDs: angle brackets added, malformed ones and
// duplicates dropped, own left out, at most maxReferences (the first and the latest).
func threadReferences(ids []string, own string) []string {
	var out []string
	seen := map[string]bool{own: true}
	for _, id := range ids {
		id = strings.TrimSpace(id)
		id = strings.TrimSuffix(strings.TrimPrefix(id, "<"), ">")
		if !validMessageID(id) {
			continue
		}
		id = "<" + id + ">"
		if seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, id)
	}
	if len(out) > maxReferences {
		out = append(out[:1], out[len(out)-maxReferences+1:]...)
	}
	return out
}

// validMessageID accepts what may stand between the angle brackets of a Message-ID: printable
// ASCII without spaces or brackets, with an @.
func validMessageID(id string) bool {
	if id == "" || len(id) > 250 || !strings.Contains(id, "@") {
		return false
	}
	for i := 0; i < len(id); i++ {
		if b := id[i]; b <= ' ' || b >= 0x7f || b == '<' || b == '>' {
			return false
		}
	}
	return true
}

func validKind(k Kind) bool {
	switch k {
	case TicketSubmitted, TicketReply, TicketStateChanged, ConversationReply:
		return true
	}
	return false
}

func validDomain(d string) bool {
	if d == "" || len(d) > 253 || strings.HasPrefix(d, ".") || strings.HasSuffix(d, ".") || strings.Contains(d, "..") {
		return false
	}
	for _, r := range d {
		if !('a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}

// cleanLine makes user text fit on one line of a header or a heading: control characters and
// line breaks become spaces, runs of spaces one, and invalid UTF-8 is replaced.
func cleanLine(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}
