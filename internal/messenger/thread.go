package messenger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/helpdesk/helpdesk/internal/conversation"
	"github.com/helpdesk/helpdesk/internal/notify"
	"github.com/helpdesk/helpdesk/internal/store"
	"github.com/helpdesk/helpdesk/internal/ticket"
	"github.com/helpdesk/helpdesk/internal/web"
)

// threadPage is one conversation or ticket as its customer sees it (M2): the ticket card at
// the top, comments and customer-visible events, ticket forms, and the reply box.
type threadPage struct {
	Page
	Card       *ticketCard
	Parts      []partView
	After      int64 // the newest part shown
	ReplyURL   string
	Reply      string
	ReplyError string
}

// ticketCard is the ticket shown at the top of a thread: a Customer ticket, or the shared
// Back-office ticket of a conversation, which looks the same (BO10).
type ticketCard struct {
	Title         string
	Number        int64
	TypeName      string
	State         string // the external label (ST1): customers never see an internal one
	StateCategory ticket.StateCategory
	Open          bool
	Description   template.HTML
	Attributes    []attrValue
}

// attrValue is a customer-visible attribute's value, as the card shows it.
type attrValue struct {
	Label string
	Value string
	Links []string // files
}

// partView is one entry of the timeline.
type partView struct {
	ID     int64
	Kind   string // "comment", "event" or "form"
	Mine   bool   // written by the signed-in contact
	Author string
	Body   template.HTML // a comment, sanitised
	Text   string        // an event, in words
	Form   *formView
	When   when
}

// threadData is what building a thread's views reads once per request.
type threadData struct {
	th     store.CustomerThread
	states ticket.States
	forms  map[int64]store.TicketForm // by part id
	types  map[int64]ticket.Type
	admins map[int64]store.Admin
	people map[int64]store.Contact
}

// threadID reads the {id} of the path; anything but a positive number is not found.
func threadID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, store.ErrNotFound
	}
	return id, nil
}

// loadThread is the thread id of the contact's, or store.ErrNotFound when it is not theirs or
// not a thread customers see (N5): a Back-office or Tracker ticket's own id, a guessed id and
// another customer's thread all look alike.
func (m *Messenger) loadThread(ctx context.Context, v *visit, r *http.Request) (store.CustomerThread, error) {
	id, err := threadID(r)
	if err != nil {
		return store.CustomerThread{}, err
	}
	return m.db.Read().CustomerThreadFor(ctx, v.contactID, id)
}

// watching tells whether the customer is looking at the page: the page's script asks with
// peek=1 when the Messenger is closed or the document hidden, so that nothing is marked seen
// then (M3).
func watching(r *http.Request) bool { return r.URL.Query().Get("peek") != "1" }

// markSeen records that the contact has seen the thread up to its newest visible part, now
// (M3), unless that is recorded already: the reads spare the database a write on every look.
func (m *Messenger) markSeen(ctx context.Context, contactID, id int64) error {
	q := m.db.Read()
	last, err := q.LastVisiblePart(ctx, id)
	if err != nil {
		return err
	}
	seen, _, err := q.Seen(ctx, contactID, id)
	if err != nil || seen >= last {
		return err
	}
	return m.desk.MarkSeen(ctx, contactID, id)
}

// thread shows a thread and marks it seen (M3): the badge clears and the time is recorded.
func (m *Messenger) thread(w http.ResponseWriter, r *http.Request, v *visit) error {
	p, err := m.threadPage(r, v)
	if err != nil {
		return err
	}
	m.render(w, r, http.StatusOK, "thread", p)
	return nil
}

// threadPage builds the whole page of the path's thread, marking it seen when watched.
func (m *Messenger) threadPage(r *http.Request, v *visit) (*threadPage, error) {
	ctx := r.Context()
	th, err := m.loadThread(ctx, v, r)
	if err != nil {
		return nil, err
	}
	if watching(r) {
		if err := m.markSeen(ctx, v.contactID, th.ID); err != nil {
			return nil, err
		}
	}
	parts, err := m.db.Read().VisibleParts(ctx, th.ID, 0)
	if err != nil {
		return nil, err
	}
	p, err := m.buildThread(ctx, v, th, parts)
	if err != nil {
		return nil, err
	}
	if opening, ok, err := m.opening(ctx, v, th); err != nil {
		return nil, err
	} else if ok {
		p.Parts = append([]partView{opening}, p.Parts...)
	}
	return p, nil
}

// threadParts is the news of a thread after part ?after=, for the live updates: the new parts,
// and the ticket card and cursor swapped in place. Watched, it marks the thread seen (M3).
func (m *Messenger) threadParts(w http.ResponseWriter, r *http.Request, v *visit) error {
	ctx := r.Context()
	th, err := m.loadThread(ctx, v, r)
	if err != nil {
		return err
	}
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	if watching(r) {
		if err := m.markSeen(ctx, v.contactID, th.ID); err != nil {
			return err
		}
	}
	parts, err := m.db.Read().VisibleParts(ctx, th.ID, max(after, 0))
	if err != nil {
		return err
	}
	p, err := m.buildThread(ctx, v, th, parts)
	if err != nil {
		return err
	}
	if p.After < after {
		p.After = after
		p.Refresh = fmt.Sprintf("%s/c/%d/parts?after=%d", v.base, th.ID, after)
	}
	m.renderTemplate(w, r, http.StatusOK, "thread", "fragment", p)
	return nil
}

// buildThread makes the views of a thread's visible parts.
func (m *Messenger) buildThread(ctx context.Context, v *visit, th store.CustomerThread, parts []conversation.Part) (*threadPage, error) {
	q := m.db.Read()
	d := threadData{th: th, forms: map[int64]store.TicketForm{}, types: map[int64]ticket.Type{}}
	var err error
	if d.states, err = q.TicketStates(ctx); err != nil {
		return nil, err
	}
	var adminIDs, contactIDs []int64
	hasForm := false
	for _, p := range parts {
		switch {
		case p.Author.Type == conversation.AuthorAdmin:
			adminIDs = append(adminIDs, p.Author.ID)
		case p.Author.IsContact() && p.Author.ID != v.contactID:
			contactIDs = append(contactIDs, p.Author.ID)
		}
		hasForm = hasForm || p.Type == notify.PartTicketForm
	}
	if d.admins, err = q.AdminsByID(ctx, adminIDs); err != nil {
		return nil, err
	}
	if d.people, err = q.ContactsByID(ctx, contactIDs); err != nil {
		return nil, err
	}
	if hasForm {
		forms, err := q.TicketForms(ctx, th.ID)
		if err != nil {
			return nil, err
		}
		for _, f := range forms {
			d.forms[f.PartID] = f
		}
	}

	p := &threadPage{
		Page:     Page{Title: "Conversation", Base: v.base, Tab: "messages", Mode: "append"},
		ReplyURL: fmt.Sprintf("%s/c/%d/reply", v.base, th.ID),
	}
	if th.Ticket != nil {
		p.Title, p.Tab = th.Ticket.Title, "tickets"
		if p.Title == "" {
			p.Title = th.Ticket.TypeName
		}
		if p.Card, err = m.card(ctx, *th.Ticket, d); err != nil {
			return nil, err
		}
	}
	for _, part := range parts {
		p.After = max(p.After, part.ID)
		view, ok, err := m.partView(ctx, v, part, &d)
		if err != nil {
			return nil, err
		}
		if ok {
			p.Parts = append(p.Parts, view)
		}
	}
	p.Refresh = fmt.Sprintf("%s/c/%d/parts?after=%d", v.base, th.ID, p.After)
	newest, err := q.CustomerThreads(ctx, v.contactID, 1)
	if err != nil {
		return nil, err
	}
	p.Version = version(newest)
	return p, nil
}

// opening is the message that started a conversation (CV1), which is not one of its parts. A
// ticket created as a ticket has none: its description is on its card.
func (m *Messenger) opening(ctx context.Context, v *visit, th store.CustomerThread) (partView, bool, error) {
	if strings.TrimSpace(th.FirstBody) == "" {
		return partView{}, false, nil
	}
	c, err := m.db.Read().Conversation(ctx, th.ID)
	if err != nil {
		return partView{}, false, err
	}
	if c.Source.Type == "ticket" {
		return partView{}, false, nil
	}
	pv := partView{Kind: "comment", Body: template.HTML(m.ugc.Sanitize(th.FirstBody)), When: whenOf(th.CreatedAt)}
	a := c.Source.Author
	switch {
	case a.IsContact() && a.ID == v.contactID:
		pv.Mine, pv.Author = true, "You"
	case a.IsContact():
		people, err := m.db.Read().ContactsByID(ctx, []int64{a.ID})
		if err != nil {
			return partView{}, false, err
		}
		pv.Author = contactName(people[a.ID])
	default:
		admins, err := m.db.Read().AdminsByID(ctx, []int64{a.ID})
		if err != nil {
			return partView{}, false, err
		}
		pv.Author = adminName(admins[a.ID])
	}
	return pv, true, nil
}

func adminName(a store.Admin) string {
	if a.Name != "" {
		return a.Name
	}
	return "Support team"
}

// contactName is another participant's name; never their email.
func contactName(c store.Contact) string {
	if c.Name.Valid && c.Name.String != "" {
		return c.Name.String
	}
	return "Another participant"
}

// partView describes one visible part; ok is false for a part type the Messenger does not
// know how to show, which it leaves out rather than guess about.
func (m *Messenger) partView(ctx context.Context, v *visit, p conversation.Part, d *threadData) (partView, bool, error) {
	pv := partView{ID: p.ID, When: whenOf(p.CreatedAt)}
	switch p.Type {
	case conversation.PartComment:
		pv.Kind = "comment"
		pv.Body = template.HTML(m.ugc.Sanitize(p.Body))
		switch {
		case p.Author.IsContact() && p.Author.ID == v.contactID:
			pv.Mine, pv.Author = true, "You"
		case p.Author.IsContact():
			pv.Author = contactName(d.people[p.Author.ID])
		case p.Author.Type == conversation.AuthorAdmin:
			pv.Author = adminName(d.admins[p.Author.ID])
		default:
			pv.Author = "Support team"
		}
		return pv, true, nil
	case conversation.PartTicketCreated:
		pv.Kind, pv.Text = "event", "Ticket submitted"
		return pv, true, nil
	case conversation.PartLinked:
		// A shared Back-office ticket linked to the conversation (BO10): submitted, as far as
		// the customer can tell.
		pv.Kind, pv.Text = "event", "Ticket submitted"
		if t := d.th.Ticket; t != nil && t.ID == p.SourceTicketID {
			pv.Text = fmt.Sprintf("Ticket #%d submitted", t.Number)
		}
		return pv, true, nil
	case conversation.PartStateChanged, conversation.PartLinkedStateChanged:
		pv.Kind = "event"
		if p.FromStateID == p.ToStateID {
			pv.Text = "Ticket submitted" // a conversation converted to a ticket (CT2)
			return pv, true, nil
		}
		pv.Text = "Status changed"
		if s, ok := d.states.ByID(p.ToStateID); ok && s.ExternalLabel != "" {
			pv.Text = "Status changed to " + s.ExternalLabel
		}
		return pv, true, nil
	case notify.PartTicketForm:
		f, ok := d.forms[p.ID]
		if !ok {
			return pv, false, nil
		}
		typ, err := m.typeOf(ctx, f.TicketTypeID, d)
		if err != nil {
			return pv, false, err
		}
		pv.Kind = "form"
		pv.Form = &formView{
			ID:          f.ID,
			Action:      fmt.Sprintf("%s/c/%d/forms/%d", v.base, f.ConversationID, f.ID),
			TypeName:    typ.Name,
			Description: typ.Description,
			Submitted:   f.TicketID != 0,
			Fields:      fieldsOf(typ, fmt.Sprintf("form%d", f.ID)),
		}
		return pv, true, nil
	}
	return pv, false, nil
}

func (m *Messenger) typeOf(ctx context.Context, id int64, d *threadData) (ticket.Type, error) {
	if t, ok := d.types[id]; ok {
		return t, nil
	}
	t, err := m.db.Read().TicketType(ctx, id)
	if err != nil {
		return t, err
	}
	d.types[id] = t
	return t, nil
}

// card describes the ticket at the top of a thread, with the attributes its type shows
// customers (never one that is not visible to them).
func (m *Messenger) card(ctx context.Context, t store.CustomerTicket, d threadData) (*ticketCard, error) {
	c := &ticketCard{Title: t.Title, Number: t.Number, TypeName: t.TypeName, State: t.State.ExternalLabel,
		StateCategory: t.State.Category, Open: t.Open, Description: template.HTML(m.ugc.Sanitize(t.Description))}
	if c.Title == "" {
		c.Title = t.TypeName
	}
	typ, err := m.typeOf(ctx, t.TypeID, &d)
	if err != nil {
		return nil, err
	}
	var values map[string]any
	if t.Attributes != "" {
		if err := json.Unmarshal([]byte(t.Attributes), &values); err != nil {
			return nil, fmt.Errorf("messenger: ticket %d attributes: %w", t.ID, err)
		}
	}
	for _, a := range typ.Attributes {
		if !a.VisibleToContacts || a.Archived || a.Default {
			continue
		}
		val, ok := values[a.Name]
		if !ok || val == nil {
			continue
		}
		av := attrValue{Label: a.Name}
		switch a.DataType {
		case ticket.Files:
			av.Links = stringsOf(val)
		case ticket.Boolean:
			av.Value = "No"
			if b, _ := val.(bool); b {
				av.Value = "Yes"
			}
		case ticket.Datetime:
			if f, ok := val.(float64); ok {
				av.Value = time.Unix(int64(f), 0).UTC().Format("2 Jan 2006, 15:04 UTC")
			}
		case ticket.Integer, ticket.Decimal:
			if f, ok := val.(float64); ok {
				av.Value = strconv.FormatFloat(f, 'f', -1, 64)
				if a.DataType == ticket.Integer && f == math.Trunc(f) {
					av.Value = strconv.FormatInt(int64(f), 10)
				}
			}
		default:
			av.Value = strings.Join(stringsOf(val), ", ")
		}
		if av.Value != "" || len(av.Links) > 0 {
			c.Attributes = append(c.Attributes, av)
		}
	}
	return c, nil
}

// stringsOf reads a stored string or list of strings.
func stringsOf(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// reply adds the customer's comment to the thread: desk.ContactReply for a conversation,
// desk.ContactReplyTicket for a Customer ticket.
func (m *Messenger) reply(w http.ResponseWriter, r *http.Request, v *visit) error {
	ctx := r.Context()
	th, err := m.loadThread(ctx, v, r)
	if err != nil {
		return err
	}
	text := cleanText(r.PostFormValue("body"))
	body := web.TextToHTML(text)
	if th.IsTicket {
		_, err = m.desk.ContactReplyTicket(ctx, th.ID, v.contactID, body)
	} else {
		_, err = m.desk.ContactReply(ctx, th.ID, v.contactID, body)
	}
	if msg, ok := ruleMessage(err); ok {
		p, perr := m.threadPage(r, v)
		if perr != nil {
			return perr
		}
		p.Reply, p.ReplyError = text, replyProblem(msg)
		m.render(w, r, http.StatusUnprocessableEntity, "thread", p)
		return nil
	}
	if err != nil {
		return err
	}
	seeOther(w, r, fmt.Sprintf("%s/c/%d", v.base, th.ID))
	return nil
}

// replyProblem says what is wrong with a reply, for the customer.
func replyProblem(msg string) string {
	if strings.Contains(msg, "blank") {
		return "Please write your reply first."
	}
	return "Your reply could not be sent: " + msg + "."
}

// ruleMessage is the message of a broken rule (a bad request the customer can fix).
func ruleMessage(err error) (string, bool) {
	var ce *conversation.Error
	var te *ticket.Error
	switch {
	case errors.As(err, &ce):
		return ce.Message, true
	case errors.As(err, &te):
		return te.Message, true
	}
	return "", false
}

// seeOther answers a form with the page to go to next.
func seeOther(w http.ResponseWriter, r *http.Request, url string) {
	securityHeaders(w, "")
	http.Redirect(w, r, url, http.StatusSeeOther)
}
