// Package mailbox takes the email that customers send to the help desk (E2, CV1) and decides
// what becomes of it: a reply to a notification is threaded into the ticket or conversation it
// answers as the customer's comment, without the quoted history; any other email starts a
// conversation; auto-replies, bounces and a message seen before are dropped.
//
// Mail arrives here two ways, both ending in Deliver: the built-in SMTP listener (ServeSMTP),
// to which a domain's MX record points, and the HTTP endpoint of package server, to which a mail
// service posts the raw message. Package inbound parses the message; this package decides and
// acts, through package desk for replies.
//
// # Routing, in order
//
//  1. Auto-replies, bounces and delivery reports (inbound.Email.IsAutoReply, or the null
//     envelope sender <>) are dropped and logged: they must not reach a customer's thread nor
//     answer our notification with another one.
//  2. A Message-ID already recorded, sent or received, is a duplicate, taken once.
//  3. The thread is found by a reply token: the envelope recipients (RCPT TO) first, then the
//     addresses of To, Cc, Delivered-To and X-Original-To (inbound.ReplyTokens); failing that,
//     by the Message-IDs of In-Reply-To, then of References newest first, when one is an email
//     we sent or received (store.EmailMessage).
//  4. The sender must be trusted in that thread (see below); then the new text, without quoted
//     history and signature (inbound.Email.NewText), is posted as their comment
//     (desk.ContactReply or desk.ContactReplyTicket). Empty new text posts nothing.
//  5. Everything else starts a conversation (CV1) from the sender, found by email or made a
//     lead, titled with the subject.
//
// # Trust
//
// A reply token is a capability, but it travels in every copy of our email: a customer who
// forwards a notification hands it on, and a reply-all brings it to everyone copied. So the
// token finds the thread and the sender must also belong there: the From address must be the
// email of the thread's contact, or of another current participant of the conversation or
// ticket (ignoring case). Mail from anyone else is not written into the thread: it starts a new
// conversation of its own from its sender, and the mismatch is logged, so that a stranger's
// words never appear as the customer's and nothing of the thread reaches the stranger (N5).
// Forging a trusted reply takes both the token and the customer's address.
//
// # Taken once
//
// The Message-ID of every message taken is recorded (store.AddEmailMessage, inbound), in the
// transaction that writes what it brings: a new conversation, or a reply's comment
// (desk.ContactReplyByEmail, which writes nothing for a Message-ID recorded already). A crash
// before the commit loses nothing acknowledged (the sender had no 250 and sends again); a crash
// after it leaves the record, so the sender's retry is taken as a duplicate.
package mailbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/helpdesk/helpdesk/internal/clock"
	"github.com/helpdesk/helpdesk/internal/conversation"
	"github.com/helpdesk/helpdesk/internal/desk"
	"github.com/helpdesk/helpdesk/internal/inbound"
	"github.com/helpdesk/helpdesk/internal/mail"
	"github.com/helpdesk/helpdesk/internal/store"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// DefaultTimeout is how long one message may take to be stored before Deliver gives up with a
// temporary error, which the sender retries.
const DefaultTimeout = time.Minute

// ErrRejected is a message refused for good, for a reason other than its size or form
// (inbound.ErrTooLarge, inbound.ErrMalformed): retrying it would not help.
var ErrRejected = errors.New("mailbox: rejected")

// Temporary tells whether a failed delivery is worth retrying: the SMTP listener answers 451
// and the HTTP endpoint 503, so that the sender tries again later. Anything but a refusal of
// the message itself is temporary: a database that is down must not lose a customer's email.
func Temporary(err error) bool {
	return err != nil && !errors.Is(err, inbound.ErrTooLarge) && !errors.Is(err, inbound.ErrMalformed) &&
		!errors.Is(err, ErrRejected)
}

// Mailbox delivers inbound email into conversations and tickets.
type Mailbox struct {
	db    *store.DB
	desk  *desk.Desk
	clock clock.Clock
	log   *slog.Logger
	// Timeout bounds the storing of one message (DefaultTimeout). Set it before use.
	Timeout time.Duration

	locks keyLocks
}

// New returns a Mailbox writing through d into db.
func New(db *store.DB, d *desk.Desk, clk clock.Clock, log *slog.Logger) *Mailbox {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Mailbox{db: db, desk: d, clock: clk, log: log, Timeout: DefaultTimeout}
}

// Outcome is what became of a message.
type Outcome string

// Outcomes.
const (
	Replied   Outcome = "replied"   // posted as a comment in the thread it answers (E2)
	Started   Outcome = "started"   // started a conversation (CV1)
	Duplicate Outcome = "duplicate" // a Message-ID taken before: nothing written
	Dropped   Outcome = "dropped"   // an auto-reply, bounce or report: nothing written
	Empty     Outcome = "empty"     // no new text once quotes and signature were removed
)

// Result says what Deliver did with a message. Every outcome is an accepted message: the
// sender is not asked to send it again.
type Result struct {
	Outcome Outcome
	// ConversationID is the conversation or ticket written to (Ticket tells which), or that an
	// empty reply answered; 0 when none.
	ConversationID int64
	Ticket         bool
	ContactID      int64 // the author of the comment or conversation
	// Reason says why a message was dropped, or why it was not threaded where its token or
	// Message-IDs pointed; for the log.
	Reason string
}

// Deliver takes one parsed message, with its envelope recipients when they are known (the SMTP
// listener's RCPT TO, or a mail service's; nil otherwise), and writes what it calls for. An
// error means nothing was accepted: Temporary tells whether the sender should retry.
func (m *Mailbox) Deliver(ctx context.Context, e inbound.Email, recipients []string) (Result, error) {
	ctx, cancel := context.WithTimeout(ctx, m.Timeout)
	defer cancel()
	log := m.log.With("message_id", e.MessageID, "from", e.From.Addr)

	if reason := e.AutoReplyReason(); reason != "" {
		log.Info("inbound email dropped: written by a machine", "reason", reason, "subject", e.Subject)
		return Result{Outcome: Dropped, Reason: reason}, nil
	}
	sender := e.From.Addr
	if !plausibleAddress(sender) {
		return Result{}, fmt.Errorf("%w: no sender address in From", inbound.ErrMalformed)
	}
	id := messageID(e)
	defer m.locks.lock(id)()
	switch _, err := m.known(ctx, id); {
	case err == nil:
		log.Info("inbound email taken before: ignored")
		return Result{Outcome: Duplicate}, nil
	case !errors.Is(err, store.ErrNotFound):
		return Result{}, fmt.Errorf("mailbox: %w", err)
	}

	body := bodyHTML(e.NewText())
	th, how, err := m.thread(ctx, e, recipients)
	if err != nil {
		return Result{}, err
	}
	var reason string
	if how != "" {
		res, ok, err := m.reply(ctx, e, id, th, body, log.With("conversation_id", th.ConversationID, "found_by", how))
		if err != nil || ok {
			return res, err
		}
		reason = res.Reason
	}
	if body == "" {
		log.Info("inbound email with no text of its own: nothing posted", "subject", e.Subject)
		return Result{Outcome: Empty, Reason: reason}, nil
	}
	res, err := m.start(ctx, e, id, body)
	if err != nil {
		return res, err
	}
	res.Reason = reason
	log.Info("inbound email started a conversation", "conversation_id", res.ConversationID, "contact_id", res.ContactID)
	return res, nil
}

// thread finds the email thread a message answers, and says how ("token" or "message-id");
// how is empty when it answers none of ours.
func (m *Mailbox) thread(ctx context.Context, e inbound.Email, recipients []string) (store.EmailThread, string, error) {
	q := m.db.Read()
	var tokens []string
	for _, r := range recipients {
		if t, ok := mail.ReplyToken(r); ok {
			tokens = append(tokens, t)
		}
	}
	tokens = append(tokens, inbound.ReplyTokens(e)...)
	seen := map[string]bool{}
	for _, t := range tokens {
		if seen[t] {
			continue
		}
		seen[t] = true
		th, err := q.EmailThreadByToken(ctx, t)
		if err == nil {
			return th, "token", nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return th, "", fmt.Errorf("mailbox: %w", err)
		}
	}
	ids := append([]string(nil), e.InReplyTo...)
	for i := len(e.References) - 1; i >= 0; i-- {
		ids = append(ids, e.References[i])
	}
	for _, id := range ids {
		if seen[id] || !usableMessageID(id) {
			continue
		}
		seen[id] = true
		th, err := m.known(ctx, id)
		if err == nil {
			return th, "message-id", nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return th, "", fmt.Errorf("mailbox: %w", err)
		}
	}
	return store.EmailThread{}, "", nil
}

// known returns the thread of a Message-ID we sent or received. The delivery worker records
// Message-IDs as the header writes them, in angle brackets, and so does record; inbound.Email
// has them bare. Both forms are looked up, so that neither way of writing them loses a thread.
func (m *Mailbox) known(ctx context.Context, id string) (store.EmailThread, error) {
	q := m.db.Read()
	th, err := q.EmailMessage(ctx, "<"+id+">")
	if errors.Is(err, store.ErrNotFound) {
		th, err = q.EmailMessage(ctx, id)
	}
	return th, err
}

// errCannotReply is a thread the sender cannot, or can no longer, write into: the message then
// starts a conversation instead.
var errCannotReply = errors.New("mailbox: cannot reply in this thread")

// reply posts the message into the thread th if its sender is trusted there. ok is false, with
// the reason in the result, when the message must start a conversation instead.
func (m *Mailbox) reply(ctx context.Context, e inbound.Email, id string, th store.EmailThread, body string, log *slog.Logger) (Result, bool, error) {
	c, author, err := m.author(ctx, th, e.From.Addr)
	if errors.Is(err, errCannotReply) {
		reason := fmt.Sprintf("sender %s is not a participant of conversation %d", e.From.Addr, th.ConversationID)
		log.Warn("inbound email from a sender the thread does not know: not posted there, starting a conversation of its own",
			"thread_contact_id", th.ContactID)
		return Result{Reason: reason}, false, nil
	}
	if err != nil {
		return Result{}, false, err
	}
	res := Result{ConversationID: c.ID, Ticket: c.IsTicket, ContactID: author.ID}
	if body == "" {
		log.Info("inbound reply with no text of its own: nothing posted")
		m.record(ctx, id, author.ID, c.ID, log)
		res.Outcome = Empty
		return res, true, nil
	}
	err = m.post(ctx, c, author, body, id)
	switch {
	case errors.Is(err, desk.ErrEmailTaken):
		log.Info("inbound email taken already (redelivered): nothing written")
		res.Outcome = Duplicate
		return res, true, nil
	case errors.Is(err, errCannotReply):
		log.Warn("inbound reply cannot be posted in its thread: starting a conversation instead", "err", err)
		return Result{Reason: err.Error()}, false, nil
	case err != nil:
		return Result{}, false, err
	}
	log.Info("inbound email posted as the customer's comment", "contact_id", author.ID, "ticket", c.IsTicket)
	res.Outcome = Replied
	return res, true, nil
}

// author returns the conversation of th and the participant who sent the message: the
// thread's contact when the address is theirs, else another participant with that address.
// errCannotReply when the conversation is gone or no participant has the address.
func (m *Mailbox) author(ctx context.Context, th store.EmailThread, sender string) (conversation.Conversation, store.Contact, error) {
	q := m.db.Read()
	c, err := q.Conversation(ctx, th.ConversationID)
	if errors.Is(err, store.ErrNotFound) {
		return c, store.Contact{}, errCannotReply
	}
	if err != nil {
		return c, store.Contact{}, fmt.Errorf("mailbox: %w", err)
	}
	contacts, err := q.ContactsByID(ctx, c.ContactIDs)
	if err != nil {
		return c, store.Contact{}, fmt.Errorf("mailbox: %w", err)
	}
	if p, ok := contacts[th.ContactID]; ok && strings.EqualFold(p.Email, sender) {
		return c, p, nil
	}
	for _, cid := range c.ContactIDs {
		if p, ok := contacts[cid]; ok && strings.EqualFold(p.Email, sender) {
			return c, p, nil
		}
	}
	return c, store.Contact{}, errCannotReply
}

// post adds the comment through package desk, where the rules live, with the record of its
// Message-ID id in the same transaction (desk.ErrEmailTaken when it was recorded already). A
// rule that refuses it (a ticket not shared with the customer, a participant removed
// meanwhile, a thread deleted meanwhile) is errCannotReply.
func (m *Mailbox) post(ctx context.Context, c conversation.Conversation, author store.Contact, body, id string) error {
	var err error
	if c.IsTicket {
		var tk ticket.Ticket
		tk, err = m.db.Read().Ticket(ctx, c.ID)
		if err == nil {
			err = tk.CanReply(contactAuthor(author), conversation.PartComment)
		}
	}
	if err == nil {
		err = m.desk.ContactReplyByEmail(ctx, c.ID, author.ID, c.IsTicket, body, "<"+id+">")
	}
	var ce *conversation.Error
	var te *ticket.Error
	var nf *desk.NotFoundError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ce), errors.As(err, &te), errors.As(err, &nf), errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("%w: %v", errCannotReply, err)
	case errors.Is(err, store.ErrBadText):
		return fmt.Errorf("%w: %v", ErrRejected, err)
	}
	return fmt.Errorf("mailbox: reply: %w", err)
}

// record keeps the Message-ID of a message taken into a thread, so that it is taken once and
// threads the messages that refer to it. The comment is already stored: a failure here is
// logged, not returned, since the message must not be sent and posted again for it.
func (m *Mailbox) record(ctx context.Context, id string, contactID, conversationID int64, log *slog.Logger) {
	var err error
	for range 3 {
		err = m.db.Tx(ctx, func(tx *store.Tx) error {
			_, err := tx.AddEmailMessage(ctx, "<"+id+">", contactID, conversationID, true, m.clock.Now())
			return err
		})
		if err == nil || ctx.Err() != nil {
			break
		}
	}
	if err != nil {
		log.Error("inbound email stored but its Message-ID not recorded: a redelivery would be taken again", "err", err)
	}
}

// errTakenMeanwhile rolls back a conversation whose Message-ID another instance recorded first.
var errTakenMeanwhile = errors.New("mailbox: taken meanwhile")

// start opens a conversation with the message (CV1), from the contact with the sender's
// address, or a new lead, in one transaction with the record of its Message-ID. It follows
// desk.StartConversation, adding what an email brings: the subject as title and source.
func (m *Mailbox) start(ctx context.Context, e inbound.Email, id, body string) (Result, error) {
	var res Result
	err := m.db.Tx(ctx, func(tx *store.Tx) error {
		now := m.clock.Now()
		contact, err := tx.ContactByEmail(ctx, e.From.Addr)
		if errors.Is(err, store.ErrNotFound) {
			// A new sender becomes a lead, as for a ticket created for an unknown address.
			contact = store.Contact{Role: "lead", Email: e.From.Addr, CreatedAt: now, UpdatedAt: now}
			contact.Name.String, contact.Name.Valid = e.From.Name, e.From.Name != ""
			err = tx.CreateContact(ctx, &contact)
		}
		if err != nil {
			return err
		}
		c, err := conversation.Start(contactAuthor(contact), body, now)
		if err != nil {
			return fmt.Errorf("%w: %v", ErrRejected, err)
		}
		subject := title(e.Subject)
		c.Title = subject
		c.Source.Type, c.Source.Subject = "email", subject
		if err := tx.CreateConversation(ctx, &c); err != nil {
			return err
		}
		tx.Changed(c.ID) // open Inboxes see the new conversation (IN5)
		added, err := tx.AddEmailMessage(ctx, "<"+id+">", contact.ID, c.ID, true, now)
		if err != nil {
			return err
		}
		if !added {
			return errTakenMeanwhile
		}
		res = Result{Outcome: Started, ConversationID: c.ID, ContactID: contact.ID}
		return nil
	})
	switch {
	case errors.Is(err, errTakenMeanwhile):
		return Result{Outcome: Duplicate}, nil
	case errors.Is(err, store.ErrBadText):
		return Result{}, fmt.Errorf("%w: %v", ErrRejected, err)
	case err != nil && !errors.Is(err, ErrRejected):
		return Result{}, fmt.Errorf("mailbox: start conversation: %w", err)
	}
	return res, err
}

func contactAuthor(c store.Contact) conversation.Author {
	if c.Role == "lead" {
		return conversation.Author{Type: conversation.AuthorLead, ID: c.ID}
	}
	return conversation.Author{Type: conversation.AuthorUser, ID: c.ID}
}

// maxTitle is the longest title a subject becomes, in characters.
const maxTitle = 250

func title(subject string) string {
	subject = strings.TrimSpace(subject)
	if utf8.RuneCountInString(subject) <= maxTitle {
		return subject
	}
	return strings.TrimSpace(string([]rune(subject)[:maxTitle-1])) + "…"
}

// maxMessageID is the longest Message-ID recorded as it is: ours are far shorter, and a longer
// one would not fit PostgreSQL's index. Longer ones are recorded by their hash.
const maxMessageID = 250

// messageID is the id under which a message is taken once, without its angle brackets: its
// Message-ID, or, for the rare
// message without one (or with one too long to keep), a hash of what identifies it.
func messageID(e inbound.Email) string {
	if usableMessageID(e.MessageID) {
		return e.MessageID
	}
	h := sha256.New()
	for _, s := range []string{e.MessageID, e.From.Addr, e.Subject, e.Date.UTC().Format(time.RFC3339), e.Text, e.HTML} {
		fmt.Fprintf(h, "%d:%s\n", len(s), s)
	}
	for _, a := range e.To {
		fmt.Fprintf(h, "to:%s\n", a.Addr)
	}
	return "sha256-" + hex.EncodeToString(h.Sum(nil)[:20]) + "@inbound.helpdesk.invalid"
}

// usableMessageID tells whether a Message-ID can be looked up and recorded as it is.
func usableMessageID(id string) bool {
	if id == "" || len(id) > maxMessageID || !utf8.ValidString(id) {
		return false
	}
	for _, r := range id {
		if r < 0x20 || r == 0x7f || r == '<' || r == '>' {
			return false
		}
	}
	return true
}

// plausibleAddress tells whether a From address can name a contact.
func plausibleAddress(a string) bool {
	at := strings.LastIndexByte(a, '@')
	return at > 0 && at < len(a)-1 && utf8.ValidString(a) && !strings.ContainsAny(a, " \t\r\n\x00<>")
}

// keyLocks serialises the work on one key (a Message-ID) within the process, so that a message
// delivered twice at once is taken once.
type keyLocks struct {
	mu sync.Mutex
	m  map[string]*keyLock
}

type keyLock struct {
	sync.Mutex
	users int
}

// lock locks key and returns its unlock.
func (k *keyLocks) lock(key string) func() {
	k.mu.Lock()
	if k.m == nil {
		k.m = map[string]*keyLock{}
	}
	l := k.m[key]
	if l == nil {
		l = &keyLock{}
		k.m[key] = l
	}
	l.users++
	k.mu.Unlock()
	l.Lock()
	return func() {
		l.Unlock()
		k.mu.Lock()
		if l.users--; l.users == 0 {
			delete(k.m, key)
		}
		k.mu.Unlock()
	}
}
