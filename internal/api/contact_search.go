package api

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/helpdesk/helpdesk/internal/search"
	"github.com/helpdesk/helpdesk/internal/store"
)

// contactPerPage is Intercom's default page size for listing and searching contacts.
const contactPerPage = 50

// workspaceLocation is the workspace's time zone (GET /me tells clients UTC); contact search
// matches dates by calendar day in it, as Intercom does.
var workspaceLocation = time.UTC

// exact makes a string field compare as sent rather than ignoring case (an index can serve it).
func exact(v any) (any, error) { return v, nil }

// contactDate is a date field of contact search: matched by calendar day, with = < > only.
func contactDate(column string) search.Field {
	return search.Field{Kind: search.Date, Column: column, Day: workspaceLocation, Operators: []string{"=", "<", ">"}}
}

// contactFields are the fields contact search accepts: Intercom's that Helpdesk holds, plus
// company_id (an extension: the client's own company id).
var contactFields = search.Fields{
	"id":          {Kind: search.ID, Column: "c.id"},
	"role":        {Kind: search.String, Column: "c.role", Values: []string{roleUser, roleLead}},
	"name":        {Kind: search.String, Column: "c.name"},
	"avatar":      {Kind: search.String, Column: "c.avatar"},
	"owner_id":    {Kind: search.ID, Column: "c.owner_id"},
	"email":       {Kind: search.String, Column: "NULLIF(c.email, '')"},
	"phone":       {Kind: search.String, Column: "c.phone"},
	"external_id": {Kind: search.String, Column: "c.external_id", Map: exact},
	"email_domain": {Kind: search.String, Column: "c.email_domain",
		Map: func(v any) (any, error) { return strings.ToLower(v.(string)), nil }},
	"created_at":               contactDate("c.created_at"),
	"updated_at":               contactDate("c.updated_at"),
	"signed_up_at":             contactDate("c.signed_up_at"),
	"last_seen_at":             contactDate("c.last_seen_at"),
	"unsubscribed_from_emails": {Kind: search.Boolean, Column: "c.unsubscribed_from_emails"},
	"has_hard_bounced":         {Kind: search.Boolean, Column: "FALSE"},
	"marked_email_as_spam":     {Kind: search.Boolean, Column: "FALSE"},
	"tag_id": {Kind: search.ID, Operators: []string{"=", "!="},
		Many: "EXISTS (SELECT 1 FROM contact_tags x WHERE x.contact_id = c.id AND x.tag_id %s)"},
	"company_id": {Kind: search.String,
		Many: "EXISTS (SELECT 1 FROM contact_companies x JOIN companies co ON co.id = x.company_id WHERE x.contact_id = c.id AND co.company_id %s)"},
}

// contactSort is a field search results can be sorted by: its SQL key (never NULL, so that both
// databases order alike) and the same value read from a contact, for the next page's cursor.
type contactSort struct {
	key    string
	number bool
	value  func(c store.Contact) any
}

var contactSorts = map[string]contactSort{
	"id":           {key: "", number: true, value: func(c store.Contact) any { return c.ID }},
	"created_at":   {key: "c.created_at", number: true, value: func(c store.Contact) any { return unix(c.CreatedAt) }},
	"updated_at":   {key: "c.updated_at", number: true, value: func(c store.Contact) any { return unix(c.UpdatedAt) }},
	"signed_up_at": {key: "COALESCE(c.signed_up_at, 0)", number: true, value: func(c store.Contact) any { return c.SignedUpAt.Int64 }},
	"last_seen_at": {key: "COALESCE(c.last_seen_at, 0)", number: true, value: func(c store.Contact) any { return c.LastSeenAt.Int64 }},
	"owner_id":     {key: "COALESCE(c.owner_id, 0)", number: true, value: func(c store.Contact) any { return c.OwnerID.Int64 }},
	"role":         {key: "c.role", value: func(c store.Contact) any { return c.Role }},
	"name":         {key: "COALESCE(c.name, '')", value: func(c store.Contact) any { return c.Name.String }},
	"email":        {key: "c.email", value: func(c store.Contact) any { return c.Email }},
	"phone":        {key: "COALESCE(c.phone, '')", value: func(c store.Contact) any { return c.Phone.String }},
	"external_id":  {key: "COALESCE(c.external_id, '')", value: func(c store.Contact) any { return c.ExternalID.String }},
}

type contactSearchRequest struct {
	Query      json.RawMessage `json:"query"`
	Pagination *pagination     `json:"pagination"`
	Sort       *struct {
		Field *string `json:"field"`
		Order *string `json:"order"`
	} `json:"sort"`
}

// sortedCursor continues a sorted search: the sort it belongs to, and the key and id of the
// last contact of the page.
type sortedCursor struct {
	Field string          `json:"f"`
	Desc  bool            `json:"d"`
	Key   json.RawMessage `json:"k"`
	ID    int64           `json:"id"`
}

const sortedCursorPrefix = "sorted:"

// contactPage is a request for one page of contacts, sorted by id or by a field.
type contactPage struct {
	page
	field string // "" or "id" for the default order
	sort  contactSort
	desc  bool
	after any // the sort key of the cursor's contact
}

func (p contactPage) query(where string, args []any) store.ContactPageQuery {
	return store.ContactPageQuery{Where: where, Args: args, Key: p.sort.key, Desc: p.desc,
		AfterKey: p.after, AfterID: p.After, Limit: p.PerPage + 1}
}

// next cuts a list fetched with PerPage+1 rows to the page and gives the pages object, whose
// cursor carries the sort key when the order is by a field.
func (p contactPage) next(list []store.Contact) ([]store.Contact, pagesJSON) {
	list, pages := trim(p.page, list, func(c store.Contact) int64 { return c.ID })
	if pages.Next != nil && p.sort.key != "" {
		last := list[len(list)-1]
		key, _ := json.Marshal(p.sort.value(last))
		raw, _ := json.Marshal(sortedCursor{Field: p.field, Desc: p.desc, Key: key, ID: last.ID})
		pages.Next.StartingAfter = base64.RawURLEncoding.EncodeToString(append([]byte(sortedCursorPrefix), raw...))
	}
	return list, pages
}

// parseContactSearch reads POST /contacts/search: the query, the sort and the page.
func parseContactSearch(r *http.Request) (*search.Query, contactPage, error) {
	var req contactSearchRequest
	p := contactPage{page: page{PerPage: contactPerPage}, desc: true, sort: contactSorts["id"]}
	if err := decode(r, &req); err != nil {
		return nil, p, err
	}
	if len(req.Query) == 0 || string(req.Query) == "null" {
		return nil, p, missing("query")
	}
	if req.Sort != nil {
		if req.Sort.Field != nil {
			p.field = *req.Sort.Field
			var ok bool
			if p.sort, ok = contactSorts[p.field]; !ok {
				names := make([]string, 0, len(contactSorts))
				for n := range contactSorts {
					names = append(names, n)
				}
				slices.Sort(names)
				return nil, p, invalid("sort.field %q cannot be sorted on; use one of %s", p.field, strings.Join(names, ", "))
			}
		}
		if req.Sort.Order != nil {
			switch *req.Sort.Order {
			case "ascending":
				p.desc = false
			case "descending":
			default:
				return nil, p, &Error{Status: http.StatusBadRequest, Code: "invalid_sort_order",
					Message: "Invalid sort order '" + *req.Sort.Order + "'. Must be one of: ascending, descending (sort.order)"}
			}
		}
	}
	cursor := ""
	if pg := req.Pagination; pg != nil {
		if pg.PerPage != nil {
			p.PerPage = *pg.PerPage
		}
		if pg.StartingAfter != nil {
			cursor = *pg.StartingAfter
		}
	}
	var err error
	if p.sort.key == "" {
		if p.page, err = p.page.withCursor(cursor); err != nil {
			return nil, p, err
		}
	} else if err = p.readSortedCursor(cursor); err != nil {
		return nil, p, err
	}
	q, err := search.Parse(req.Query, contactFields)
	var se *search.Error
	if errors.As(err, &se) {
		return nil, p, invalid("%s: %s", se.Field, se.Message)
	}
	return q, p, err
}

func (p *contactPage) readSortedCursor(cursor string) error {
	var err error
	if p.page, err = p.page.withCursor(""); err != nil || cursor == "" {
		return err
	}
	bad := invalid("starting_after is not a cursor this API returned for this sort")
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	body, ok := strings.CutPrefix(string(raw), sortedCursorPrefix)
	var c sortedCursor
	if err != nil || !ok || json.Unmarshal([]byte(body), &c) != nil || c.Field != p.field || c.Desc != p.desc || c.ID <= 0 {
		return bad
	}
	if p.sort.number {
		var n int64
		if err := json.Unmarshal(c.Key, &n); err != nil {
			return bad
		}
		p.after = n
	} else {
		var s string
		if err := json.Unmarshal(c.Key, &s); err != nil {
			return bad
		}
		p.after = s
	}
	p.After = c.ID
	return nil
}

// contactPageFromQuery is pageFromQuery with Intercom's default page size for contacts.
func contactPageFromQuery(r *http.Request) (contactPage, error) {
	pg, err := pageFromQuery(r)
	if r.URL.Query().Get("per_page") == "" {
		pg.PerPage = contactPerPage
	}
	return contactPage{page: pg, desc: true, sort: contactSorts["id"]}, err
}
