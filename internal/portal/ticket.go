package portal

import (
	"context"
	"encoding/json"
	"errors"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/microcosm-cc/bluemonday"

	"github.com/helpdesk/helpdesk/internal/desk"
	"github.com/helpdesk/helpdesk/internal/store"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// ticketPage is one ticket's details (P5) and the way to its conversation (P6).
type ticketPage struct {
	page
	Ticket      ticketRow
	Created     time.Time
	Open        bool
	Description template.HTML // sanitised when stored, and again here
	Attributes  []attributeView
	History     []historyView
	// MessageURL opens the ticket's conversation in the Messenger, for a participant; JoinURL
	// is the form that makes the user one. Neither, for a ticket without a conversation.
	MessageURL string
	JoinURL    string
	Joined     bool // the user has just joined
}

// attributeView is one customer-visible attribute (P5).
type attributeView struct {
	Label string
	Value string   // "" when not set
	Links []string // the files of a files attribute
}

// historyView is one period of the ticket's state history (P1), by its external label.
type historyView struct {
	State         string
	StateCategory string
	From, Until   time.Time // Until is zero for the current state
}

// description is what a description may hold when shown (TT3): it was sanitised when stored,
// and is sanitised again here, so that a description stored by an older version, or written
// straight into the database, cannot run a script in the customer's browser.
var description = func() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "strong", "b", "em", "i", "ol", "ul", "li", "pre", "code", "blockquote")
	p.AllowAttrs("href").OnElements("a")
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireParseableURLs(true)
	p.RequireNoFollowOnLinks(true)
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	return p
}()

// visibleTicket reads ticket {id} as the user may see it; anything they may not see is the
// same 404 as an id nobody has (N5).
func (p *Portal) visibleTicket(ctx context.Context, r *http.Request, v *visitor) (store.CustomerTicket, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return store.CustomerTicket{}, errPageNotFound
	}
	t, err := p.db.Read().CompanyTicket(ctx, v.Contact.ID, id)
	if errors.Is(err, store.ErrNotFound) {
		return t, errPageNotFound
	}
	return t, err
}

// showTicket is GET /portal/tickets/{id}: state, ticket ID, type, description, the attributes
// customers may see, the state history (P1, P5), and the way into its conversation (P6).
func (p *Portal) showTicket(w http.ResponseWriter, r *http.Request, v *visitor) error {
	ctx := r.Context()
	t, err := p.visibleTicket(ctx, r, v)
	if err != nil {
		return err
	}
	q := p.db.Read()
	typ, err := q.TicketType(ctx, t.TypeID)
	if err != nil {
		return err
	}
	states, err := q.TicketStates(ctx)
	if err != nil {
		return err
	}
	periods, err := q.StateHistory(ctx, t.ID)
	if err != nil {
		return err
	}
	names, err := p.companyNames(ctx, v, []store.CustomerTicket{t})
	if err != nil {
		return err
	}
	data := ticketPage{
		page: v.page("#" + strconv.FormatInt(t.Number, 10) + " " + titleOf(t)),
		Ticket: ticketRow{URL: ticketURL(t.ID), Number: t.Number, Title: titleOf(t), Type: t.TypeName,
			Company: names[t.CompanyID], State: t.State.ExternalLabel, StateCategory: string(t.State.Category),
			Updated: t.UpdatedAt},
		Created:     t.CreatedAt,
		Open:        t.Open,
		Description: template.HTML(description.Sanitize(t.Description)),
		Attributes:  visibleAttributes(typ, t.Attributes),
		History:     history(periods, states),
		Joined:      r.URL.Query().Get("joined") == "1",
	}
	if t.ThreadID != 0 {
		in, err := q.IsParticipant(ctx, v.Contact.ID, t.ThreadID)
		if err != nil {
			return err
		}
		if in {
			data.MessageURL = messengerURL(v.token, t.ThreadID)
		} else {
			data.JoinURL = ticketURL(t.ID) + "/join"
		}
	}
	p.render(w, r, http.StatusOK, "ticket", data)
	return nil
}

// messengerURL opens a conversation in the Messenger, signed in with the portal's session.
func messengerURL(token string, threadID int64) string {
	return "/messenger/s/" + url.PathEscape(token) + "/c/" + strconv.FormatInt(threadID, 10)
}

// joinConversation is POST /portal/tickets/{id}/join: the user joins the ticket's conversation
// (P6) and comes back to the ticket, which now opens in their Messenger.
func (p *Portal) joinConversation(w http.ResponseWriter, r *http.Request, v *visitor) error {
	ctx := r.Context()
	t, err := p.visibleTicket(ctx, r, v)
	if err != nil {
		return err
	}
	_, err = p.desk.JoinConversation(ctx, v.Contact.ID, t.ID)
	var nf *desk.NotFoundError
	switch {
	case errors.As(err, &nf):
		return errPageNotFound // no longer visible to the user
	case errors.Is(err, desk.ErrNoConversation):
		return &pageError{Status: http.StatusConflict, Title: "No conversation to join",
			Message: "This ticket has no conversation you could join.", Hint: "Go back to the ticket."}
	case err != nil:
		return err
	}
	http.Redirect(w, r, ticketURL(t.ID)+"?joined=1", http.StatusSeeOther)
	return nil
}

// visibleAttributes are the type's attributes that customers see (TT2, P5), in the type's
// order, with the ticket's values; the title and description are shown apart.
func visibleAttributes(typ ticket.Type, raw string) []attributeView {
	var values map[string]any
	if raw != "" {
		_ = json.Unmarshal([]byte(raw), &values) // stored by us; a broken one shows no values
	}
	var out []attributeView
	for _, a := range typ.Attributes {
		if !a.VisibleToContacts || a.Archived || a.Default {
			continue
		}
		view := attributeView{Label: a.Name}
		if v, ok := values[a.Name]; ok && v != nil {
			if a.DataType == ticket.Files {
				view.Links = stringsOf(v)
			} else {
				view.Value = formatValue(a.DataType, v)
			}
		}
		out = append(out, view)
	}
	return out
}

// formatValue shows a stored attribute value (ticket.Values) to a person.
func formatValue(dt ticket.DataType, v any) string {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		if x {
			return "Yes"
		}
		return "No"
	case float64:
		if dt == ticket.Datetime {
			return time.Unix(int64(x), 0).UTC().Format("2 Jan 2006, 15:04 UTC")
		}
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return strconv.FormatInt(int64(x), 10)
		}
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []any:
		return strings.Join(stringsOf(x), ", ")
	}
	return ""
}

func stringsOf(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// history turns the state history into what the customer sees (P1): external labels only,
// with periods that look the same to the customer (two internal states sharing a label, or the
// first state a conversion records) merged into one.
func history(periods []store.StatePeriod, states ticket.States) []historyView {
	var out []historyView
	for _, per := range periods {
		st, ok := states.ByID(per.StateID)
		if !ok {
			continue
		}
		label := st.ExternalLabel
		if label == "" {
			label = builtinExternal[st.Category]
		}
		if n := len(out); n > 0 && out[n-1].State == label {
			out[n-1].Until = per.Ended
			continue
		}
		out = append(out, historyView{State: label, StateCategory: string(st.Category), From: per.Started, Until: per.Ended})
	}
	return out
}
