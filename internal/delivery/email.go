package delivery

import (
	htmltemplate "html/template"
	netmail "net/mail"
	"strconv"
	"strings"

	"github.com/microcosm-cc/bluemonday"

	"github.com/helpdesk/helpdesk/internal/conversation"
	"github.com/helpdesk/helpdesk/internal/mail"
	"github.com/helpdesk/helpdesk/internal/notify"
	"github.com/helpdesk/helpdesk/internal/store"
)

// Why an email is no longer owed; kept as the notification's email_error.
const (
	SkipNoContact    = "the contact was deleted"
	SkipNoAddress    = "the contact has no email address"
	SkipUnsubscribed = "the contact unsubscribed from emails"
	SkipNotInThread  = "the contact no longer takes part in the thread"
	SkipSeen         = "seen in the Messenger"
	SkipNoTicket     = "the ticket is no longer shown to the customer"
	SkipEmptyReply   = "the reply has nothing to show"
)

// ugc is what a comment may hold in an email: comments are stored as their authors sent them
// (HTML from the Inbox, the API or an integration), so the email keeps only user-generated
// content's usual markup: no script, no styles, no event handlers, no javascript: links.
var ugc = bluemonday.UGCPolicy()

// sanitize makes stored HTML safe to put into an email.
func sanitize(html string) htmltemplate.HTML {
	return htmltemplate.HTML(strings.TrimSpace(ugc.Sanitize(html)))
}

// notification decides what the email of claimed notification c shows, from e, or why it is
// no longer owed (a non-empty skip reason). The reply token and References are filled later.
func (w *Worker) notification(c store.ClaimedEmail, e store.OutboundEmail, logo string) (n mail.Notification, skip string) {
	kind := mail.Kind(c.Kind)
	switch {
	case !e.ContactExists:
		return n, SkipNoContact
	case strings.TrimSpace(e.Email) == "":
		return n, SkipNoAddress
	case e.Unsubscribed:
		return n, SkipUnsubscribed
	case !e.Participant:
		return n, SkipNotInThread
	case !notify.EmailStillOwed(notify.Kind(c.Kind), c.PartID, e.SeenPartID):
		return n, SkipSeen // N2
	}
	n = mail.Notification{
		Kind:    kind,
		ID:      c.ID,
		To:      netmail.Address{Name: e.Name, Address: strings.TrimSpace(e.Email)},
		Date:    c.CreatedAt,
		LogoURL: logo,
		Subject: firstNonBlank(e.ThreadTitle, e.ThreadSubject),
	}
	if t := e.Ticket; t != nil {
		// BO10: a shared Back-office ticket shows as a Customer ticket does, with the label
		// customers see and never the internal one (ST1).
		n.Ticket = &mail.Ticket{Number: t.Number, Title: t.Title, State: t.State.ExternalLabel}
		// The tickets portal's page of the ticket (P5, P7). A conversation gets no link: the
		// Messenger lives inside the customer's product, at no address of ours; the email is
		// answered by replying to it (E2).
		n.Path = "/portal/tickets/" + strconv.FormatInt(t.ID, 10)
	}
	switch kind {
	case mail.TicketReply, mail.ConversationReply:
		// A reply in a thread that shows a ticket is a reply on that ticket (BO10, and a
		// conversation converted since); one in a thread that shows none, a conversation's.
		n.Kind = mail.ConversationReply
		if n.Ticket != nil {
			n.Kind = mail.TicketReply
		}
		n.Body = sanitize(e.PartBody)
		if n.Body == "" {
			return n, SkipEmptyReply
		}
		if e.AuthorType == conversation.AuthorAdmin {
			n.Author = e.AuthorName
		}
	case mail.TicketSubmitted:
		if n.Ticket == nil {
			return n, SkipNoTicket
		}
		n.Body = sanitize(e.Ticket.Description)
	case mail.TicketStateChanged:
		if n.Ticket == nil {
			return n, SkipNoTicket
		}
	}
	if n.Ticket != nil && e.StateLabel != "" {
		n.Ticket.State = e.StateLabel // the state the part went to, even if it has moved on since
	}
	return n, ""
}

func firstNonBlank(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return a
	}
	return b
}
