package api

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"

	"github.com/helpdesk/helpdesk/internal/store"
)

// workspaceID is the id_code of the one workspace a Helpdesk server is (GET /me's app).
const workspaceID = "helpdesk"

// maxListedRefs is how many tags or companies a contact object lists; its url gives them all.
const maxListedRefs = 10

// contactJSON is Intercom's contact object, with what Helpdesk knows of a contact. What it does
// not track (browser, location, last_replied_at, ...) is left out rather than guessed.
type contactJSON struct {
	Type                   string          `json:"type"`
	ID                     string          `json:"id"`
	WorkspaceID            string          `json:"workspace_id"`
	ExternalID             *string         `json:"external_id"`
	Role                   string          `json:"role"`
	Email                  string          `json:"email"`
	EmailDomain            string          `json:"email_domain"`
	Phone                  *string         `json:"phone"`
	Name                   *string         `json:"name"`
	Avatar                 *avatarJSON     `json:"avatar"`
	OwnerID                *string         `json:"owner_id"`
	HasHardBounced         bool            `json:"has_hard_bounced"`
	MarkedEmailAsSpam      bool            `json:"marked_email_as_spam"`
	UnsubscribedFromEmails bool            `json:"unsubscribed_from_emails"`
	CreatedAt              int64           `json:"created_at"`
	UpdatedAt              int64           `json:"updated_at"`
	SignedUpAt             *int64          `json:"signed_up_at"`
	LastSeenAt             *int64          `json:"last_seen_at"`
	CustomAttributes       json.RawMessage `json:"custom_attributes"`
	Tags                   refListJSON     `json:"tags"`
	Notes                  refListJSON     `json:"notes"`
	Companies              refListJSON     `json:"companies"`
}

// refListJSON is Intercom's list of references from a contact (contact_tags, contact_notes,
// contact_companies): the first few, the url of them all, and how many there are.
type refListJSON struct {
	Type       string        `json:"type"`
	Data       []refItemJSON `json:"data"`
	URL        string        `json:"url"`
	TotalCount int           `json:"total_count"`
	HasMore    bool          `json:"has_more"`
}

// refItemJSON is Intercom's addressable_list and company_data: {type, id, url}.
type refItemJSON struct {
	Type string `json:"type"`
	ID   string `json:"id"`
	URL  string `json:"url"`
}

func refList(url, typ, base string, ids []int64) refListJSON {
	l := refListJSON{Type: "list", Data: []refItemJSON{}, URL: url, TotalCount: len(ids), HasMore: len(ids) > maxListedRefs}
	for _, id := range ids[:min(len(ids), maxListedRefs)] {
		l.Data = append(l.Data, refItemJSON{Type: typ, ID: idString(id), URL: base + idString(id)})
	}
	return l
}

func nullStringPtr(v sql.NullString) *string {
	if !v.Valid {
		return nil
	}
	return &v.String
}

func nullTimePtr(valid bool, v int64) *int64 {
	if !valid {
		return nil
	}
	return &v
}

// toContact builds the contact object from a contact, its taggings and its company ids.
func toContact(c store.Contact, tags []store.Tagging, companies []int64) contactJSON {
	id := idString(c.ID)
	j := contactJSON{
		Type:                   "contact",
		ID:                     id,
		WorkspaceID:            workspaceID,
		ExternalID:             nullStringPtr(c.ExternalID),
		Role:                   c.Role,
		Email:                  c.Email,
		EmailDomain:            emailDomain(c.Email),
		Phone:                  nullStringPtr(c.Phone),
		Name:                   nullStringPtr(c.Name),
		UnsubscribedFromEmails: c.UnsubscribedFromEmails,
		CreatedAt:              unix(c.CreatedAt),
		UpdatedAt:              unix(c.UpdatedAt),
		SignedUpAt:             nullTimePtr(c.SignedUpAt.Valid, c.SignedUpAt.Int64),
		LastSeenAt:             nullTimePtr(c.LastSeenAt.Valid, c.LastSeenAt.Int64),
		CustomAttributes:       json.RawMessage(c.CustomAttributes),
		Notes:                  refList("/contacts/"+id+"/notes", "note", "/notes/", nil),
		Companies:              refList("/contacts/"+id+"/companies", "company", "/companies/", companies),
	}
	if !json.Valid(j.CustomAttributes) || len(j.CustomAttributes) == 0 || j.CustomAttributes[0] != '{' {
		j.CustomAttributes = json.RawMessage("{}")
	}
	if c.Avatar.Valid {
		j.Avatar = &avatarJSON{Type: "avatar", ImageURL: c.Avatar.String}
	}
	if c.OwnerID.Valid {
		owner := idString(c.OwnerID.Int64)
		j.OwnerID = &owner
	}
	tagIDs := make([]int64, len(tags))
	for i, t := range tags {
		tagIDs[i] = t.ID
	}
	j.Tags = refList("/contacts/"+id+"/tags", "tag", "/tags/", tagIDs)
	return j
}

// contactsJSON builds contact objects for a list, with the tags and companies of all of them
// fetched in two queries.
func (s *Server) contactsJSON(ctx context.Context, q *store.Q, list []store.Contact) ([]contactJSON, error) {
	ids := make([]int64, len(list))
	for i, c := range list {
		ids[i] = c.ID
	}
	tags, err := q.ContactTags(ctx, ids...)
	if err != nil {
		return nil, err
	}
	companies, err := q.CompanyIDsOfContacts(ctx, ids...)
	if err != nil {
		return nil, err
	}
	out := make([]contactJSON, len(list))
	for i, c := range list {
		out[i] = toContact(c, tags[c.ID], companies[c.ID])
	}
	return out, nil
}

// writeContact answers with one contact as GET /contacts/{id} shows it.
func (s *Server) writeContact(w http.ResponseWriter, ctx context.Context, id int64) error {
	q := s.db.Read()
	c, err := q.Contact(ctx, id)
	if err != nil {
		return notFoundAs(err, "Contact")
	}
	return s.writeContactObject(w, ctx, q, c)
}

func (s *Server) writeContactObject(w http.ResponseWriter, ctx context.Context, q *store.Q, c store.Contact) error {
	list, err := s.contactsJSON(ctx, q, []store.Contact{c})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list[0])
	return nil
}

// contactListJSON is Intercom's contact_list. total_count is left out: counting every match
// would cost a scan of the table on each page.
type contactListJSON struct {
	Type  string        `json:"type"`
	Data  []contactJSON `json:"data"`
	Pages pagesJSON     `json:"pages"`
}
