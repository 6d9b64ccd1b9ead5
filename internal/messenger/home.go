package messenger

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/helpdesk/helpdesk/internal/conversation"
	"github.com/helpdesk/helpdesk/internal/store"
	"github.com/helpdesk/helpdesk/internal/ticket"
	"github.com/helpdesk/helpdesk/internal/web"
)

// recentTickets is how many tickets Home shows (M2, N1), as Intercom's Messenger does.
const recentTickets = 3

// recentConversations is how many conversations without a ticket Home shows.
const recentConversations = 3

// listLimit bounds the Messages and Tickets lists; a customer with more threads sees the most
// recently active ones.
const listLimit = 500

// threadItem is a thread in a list.
type threadItem struct {
	URL    string
	Title  string
	Ticket *ticketSummary
	Unseen int
	When   when
}

// ticketSummary is a ticket as lists show it: never an internal label.
type ticketSummary struct {
	Number        int64
	TypeName      string
	State         string // the external label (ST1)
	StateCategory ticket.StateCategory
}

func (v *visit) threadItem(th store.CustomerThread) threadItem {
	it := threadItem{URL: v.base + "/c/" + strconv.FormatInt(th.ID, 10), Unseen: th.Unseen, When: whenOf(th.LastAt)}
	if t := th.Ticket; t != nil {
		it.Ticket = &ticketSummary{Number: t.Number, TypeName: t.TypeName, State: t.State.ExternalLabel, StateCategory: t.State.Category}
		it.Title = t.Title
		if it.Title == "" {
			it.Title = t.TypeName
		}
		return it
	}
	// A conversation goes by its first message: its title, if a teammate gave it one, is
	// theirs (a title change is an internal event, N5).
	it.Title = excerpt(th.FirstBody, 90)
	if it.Title == "" {
		it.Title = "Conversation"
	}
	return it
}

// typeItem is a ticket type a customer may create a ticket of (CT4).
type typeItem struct {
	URL         string
	Name        string
	Description string
}

// customerTypes are the types customers create tickets of (CT4): Customer types, not archived.
func (m *Messenger) customerTypes(ctx context.Context, v *visit) ([]typeItem, error) {
	types, err := m.db.Read().TicketTypes(ctx)
	if err != nil {
		return nil, err
	}
	var out []typeItem
	for _, t := range types {
		if t.Category == ticket.Customer && !t.Archived {
			out = append(out, typeItem{URL: v.base + "/tickets/new/" + strconv.FormatInt(t.ID, 10), Name: t.Name, Description: t.Description})
		}
	}
	return out, nil
}

// version is the newest visible part of a contact's threads: what the live updates compare.
func version(threads []store.CustomerThread) int64 {
	if len(threads) == 0 {
		return 0
	}
	return threads[0].LastPartID // CustomerThreads lists the newest activity first
}

// homePage is Home (M2): Recent tickets, recent conversations, and the ways to ask for help.
type homePage struct {
	Page
	Name          string
	Tickets       []threadItem
	MoreTickets   bool
	Conversations []threadItem
	Types         []typeItem
}

func (m *Messenger) home(w http.ResponseWriter, r *http.Request, v *visit) error {
	ctx := r.Context()
	threads, err := m.db.Read().CustomerThreads(ctx, v.contactID, 100)
	if err != nil {
		return err
	}
	contact, err := m.db.Read().Contact(ctx, v.contactID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	p := &homePage{Page: Page{Title: "Home", Base: v.base, Tab: "home", Version: version(threads), Refresh: v.base + "/", Mode: "replace"},
		Name: contact.Name.String}
	for _, th := range threads {
		switch {
		case th.Ticket != nil && len(p.Tickets) < recentTickets:
			p.Tickets = append(p.Tickets, v.threadItem(th))
		case th.Ticket != nil:
			p.MoreTickets = true
		case len(p.Conversations) < recentConversations:
			p.Conversations = append(p.Conversations, v.threadItem(th))
		}
	}
	if p.Types, err = m.customerTypes(ctx, v); err != nil {
		return err
	}
	m.render(w, r, http.StatusOK, "home", p)
	return nil
}

// listPage is the Messages space (every thread) or the Tickets space (M2, P7).
type listPage struct {
	Page
	Heading   string
	Empty     string
	Items     []threadItem
	Truncated bool
	PortalURL string // the tickets space's banner link into the portal (P7)
	Types     []typeItem
}

func (m *Messenger) list(w http.ResponseWriter, r *http.Request, v *visit, tickets bool) error {
	ctx := r.Context()
	threads, err := m.db.Read().CustomerThreads(ctx, v.contactID, listLimit)
	if err != nil {
		return err
	}
	p := &listPage{Page: Page{Base: v.base, Version: version(threads), Mode: "replace"}, Truncated: len(threads) == listLimit}
	if tickets {
		p.Title, p.Tab, p.Refresh, p.Heading = "Tickets", "tickets", v.base+"/tickets", "Your tickets"
		p.Empty = "You have no tickets yet."
		p.PortalURL = "/portal/login?session=" + v.token
		if p.Types, err = m.customerTypes(ctx, v); err != nil {
			return err
		}
	} else {
		p.Title, p.Tab, p.Refresh, p.Heading = "Messages", "messages", v.base+"/messages", "Your conversations"
		p.Empty = "No conversations yet. Send us a message: we are happy to help."
	}
	for _, th := range threads {
		if !tickets || th.Ticket != nil {
			p.Items = append(p.Items, v.threadItem(th))
		}
	}
	m.render(w, r, http.StatusOK, "list", p)
	return nil
}

func (m *Messenger) messages(w http.ResponseWriter, r *http.Request, v *visit) error {
	return m.list(w, r, v, false)
}

// tickets is the tickets space (M2): every ticket the user created or takes part in, Customer
// tickets and conversations showing a shared Back-office ticket (BO10).
func (m *Messenger) tickets(w http.ResponseWriter, r *http.Request, v *visit) error {
	return m.list(w, r, v, true)
}

// newPage is the form that starts a conversation (CV1).
type newPage struct {
	Page
	Body  string
	Error string
}

func (m *Messenger) newConversation(w http.ResponseWriter, r *http.Request, v *visit) error {
	m.render(w, r, http.StatusOK, "new", &newPage{Page: Page{Title: "New message", Base: v.base, Tab: "messages"}})
	return nil
}

// startConversation starts a conversation with the customer's message (CV1) and opens it.
func (m *Messenger) startConversation(w http.ResponseWriter, r *http.Request, v *visit) error {
	body := cleanText(r.PostFormValue("body"))
	c, err := m.desk.StartConversation(r.Context(), v.contactID, web.TextToHTML(body))
	var bad *conversation.Error
	if errors.As(err, &bad) {
		m.render(w, r, http.StatusUnprocessableEntity, "new", &newPage{Page: Page{Title: "New message", Base: v.base, Tab: "messages"},
			Body: body, Error: "Please write your message first."})
		return nil
	}
	if err != nil {
		return err
	}
	seeOther(w, r, v.base+"/c/"+strconv.FormatInt(c.ID, 10))
	return nil
}
