package api

import (
	"context"
	"strconv"

	"github.com/helpdesk/helpdesk/internal/conversation"
	"github.com/helpdesk/helpdesk/internal/store"
)

// conversationJSON is Intercom's conversation object.
type conversationJSON struct {
	Type             string            `json:"type"`
	ID               string            `json:"id"`
	Title            *string           `json:"title"`
	CreatedAt        int64             `json:"created_at"`
	UpdatedAt        int64             `json:"updated_at"`
	WaitingSince     *int64            `json:"waiting_since"`
	SnoozedUntil     *int64            `json:"snoozed_until"`
	Open             bool              `json:"open"`
	State            string            `json:"state"`
	Read             bool              `json:"read"`
	Priority         string            `json:"priority"`
	AdminAssigneeID  int64             `json:"admin_assignee_id"`
	TeamAssigneeID   int64             `json:"team_assignee_id"`
	Tags             tagsJSON          `json:"tags"`
	Source           sourceJSON        `json:"source"`
	Contacts         contactRefsJSON   `json:"contacts"`
	Teammates        teammatesJSON     `json:"teammates"`
	CustomAttributes map[string]any    `json:"custom_attributes"`
	Parts            *partsJSON        `json:"conversation_parts,omitempty"`
	LinkedObjects    linkedObjectsJSON `json:"linked_objects"`
}

type tagsJSON struct {
	Type string    `json:"type"`
	Tags []tagJSON `json:"tags"`
}

type sourceJSON struct {
	Type        string     `json:"type"`
	ID          string     `json:"id"`
	DeliveredAs string     `json:"delivered_as"`
	Subject     string     `json:"subject"`
	Body        string     `json:"body"`
	Author      authorJSON `json:"author"`
	Attachments []any      `json:"attachments"`
	URL         *string    `json:"url"`
	Redacted    bool       `json:"redacted"`
}

type authorJSON struct {
	Type  string  `json:"type"`
	ID    string  `json:"id"`
	Name  *string `json:"name"`
	Email string  `json:"email"`
}

type contactRefsJSON struct {
	Type     string           `json:"type"`
	Contacts []contactRefJSON `json:"contacts"`
}

type contactRefJSON struct {
	Type       string  `json:"type"`
	ID         string  `json:"id"`
	ExternalID *string `json:"external_id"`
}

type teammatesJSON struct {
	Type      string    `json:"type"`
	Teammates []refJSON `json:"teammates"`
}

type partsJSON struct {
	Type       string     `json:"type"`
	Parts      []partJSON `json:"conversation_parts"`
	TotalCount int        `json:"total_count"`
}

type partJSON struct {
	Type        string     `json:"type"`
	ID          string     `json:"id"`
	PartType    string     `json:"part_type"`
	Body        *string    `json:"body"`
	CreatedAt   int64      `json:"created_at"`
	UpdatedAt   int64      `json:"updated_at"`
	NotifiedAt  int64      `json:"notified_at"`
	AssignedTo  *refJSON   `json:"assigned_to,omitempty"`
	Author      authorJSON `json:"author"`
	Attachments []any      `json:"attachments"`
	ExternalID  *string    `json:"external_id"`
	Redacted    bool       `json:"redacted"`
}

type linkedObjectsJSON struct {
	Type       string `json:"type"`
	TotalCount int    `json:"total_count"`
	HasMore    bool   `json:"has_more"`
	Data       []any  `json:"data"`
}

// people resolves the authors and participants of conversations in two queries, whatever
// the number of conversations.
type people struct {
	admins   map[int64]store.Admin
	contacts map[int64]store.Contact
}

func (s *Server) loadPeople(ctx context.Context, q *store.Q, convs []conversation.Conversation, parts []conversation.Part) (people, error) {
	seen := map[conversation.Author]bool{}
	var adminIDs, contactIDs []int64
	add := func(a conversation.Author) {
		if seen[a] {
			return
		}
		seen[a] = true
		switch {
		case a.Type == conversation.AuthorAdmin:
			adminIDs = append(adminIDs, a.ID)
		case a.IsContact():
			contactIDs = append(contactIDs, a.ID)
		}
	}
	for _, c := range convs {
		add(c.Source.Author)
		for _, id := range c.ContactIDs {
			add(conversation.Author{Type: conversation.AuthorUser, ID: id})
		}
	}
	for _, part := range parts {
		add(part.Author)
	}
	var p people
	var err error
	if p.admins, err = q.AdminsByID(ctx, adminIDs); err != nil {
		return p, err
	}
	p.contacts, err = q.ContactsByID(ctx, contactIDs)
	return p, err
}

func (p people) author(a conversation.Author) authorJSON {
	j := authorJSON{Type: string(a.Type), ID: idString(a.ID)}
	switch {
	case a.Type == conversation.AuthorAdmin:
		if admin, ok := p.admins[a.ID]; ok {
			j.Name, j.Email = &admin.Name, admin.Email
		}
	case a.IsContact():
		if c, ok := p.contacts[a.ID]; ok {
			if c.Name.Valid {
				j.Name = &c.Name.String
			}
			j.Email = c.Email
		}
	case a.Type == conversation.AuthorBot:
		name := "Helpdesk"
		j.Name = &name
	}
	return j
}

func toConversation(c conversation.Conversation, tags []store.Tagging, parts []conversation.Part, withParts bool, p people) conversationJSON {
	j := conversationJSON{
		Type: "conversation", ID: idString(c.ID), CreatedAt: unix(c.CreatedAt), UpdatedAt: unix(c.UpdatedAt),
		Open: c.IsOpen(), State: string(c.State), Read: c.Read, Priority: "none",
		AdminAssigneeID: c.AdminAssigneeID, TeamAssigneeID: c.TeamAssigneeID,
		Tags: tagsJSON{Type: "tag.list", Tags: []tagJSON{}},
		Source: sourceJSON{Type: c.Source.Type, ID: idString(c.ID), DeliveredAs: c.Source.DeliveredAs, Subject: c.Source.Subject,
			Body: c.Source.Body, Author: p.author(c.Source.Author), Attachments: []any{}},
		Contacts:         contactRefsJSON{Type: "contact.list", Contacts: []contactRefJSON{}},
		Teammates:        teammatesJSON{Type: "admin.list", Teammates: []refJSON{}},
		CustomAttributes: map[string]any{},
		LinkedObjects:    linkedObjectsJSON{Type: "list", Data: []any{}},
	}
	if c.Title != "" {
		j.Title = &c.Title
	}
	if !c.WaitingSince.IsZero() {
		v := unix(c.WaitingSince)
		j.WaitingSince = &v
	}
	if c.State == conversation.Snoozed {
		v := unix(c.SnoozedUntil)
		j.SnoozedUntil = &v
	}
	for _, t := range tags {
		j.Tags.Tags = append(j.Tags.Tags, toTagging(t))
	}
	for _, id := range c.ContactIDs {
		ref := contactRefJSON{Type: "contact", ID: idString(id)}
		if contact, ok := p.contacts[id]; ok && contact.ExternalID.Valid {
			ref.ExternalID = &contact.ExternalID.String
		}
		j.Contacts.Contacts = append(j.Contacts.Contacts, ref)
	}
	teammates := map[int64]bool{}
	for _, part := range parts {
		if part.Author.Type == conversation.AuthorAdmin && !teammates[part.Author.ID] {
			teammates[part.Author.ID] = true
			j.Teammates.Teammates = append(j.Teammates.Teammates, refJSON{Type: "admin", ID: idString(part.Author.ID)})
		}
	}
	if withParts {
		j.Parts = &partsJSON{Type: "conversation_part.list", Parts: make([]partJSON, len(parts)), TotalCount: len(parts)}
		for i, part := range parts {
			j.Parts.Parts[i] = toPart(part, p)
		}
	}
	return j
}

func toPart(part conversation.Part, p people) partJSON {
	j := partJSON{Type: "conversation_part", ID: idString(part.ID), PartType: string(part.Type),
		CreatedAt: unix(part.CreatedAt), UpdatedAt: unix(part.CreatedAt), NotifiedAt: unix(part.CreatedAt),
		Author: p.author(part.Author), Attachments: []any{}}
	if part.Body != "" {
		j.Body = &part.Body
	}
	if part.AssignedTo != nil {
		j.AssignedTo = &refJSON{Type: part.AssignedTo.Type, ID: idString(part.AssignedTo.ID)}
		if part.AssignedTo.ID == 0 {
			j.AssignedTo.ID = "0"
		}
	}
	return j
}

// messageJSON is Intercom's message object, the answer to creating a conversation.
type messageJSON struct {
	Type           string `json:"type"`
	ID             string `json:"id"`
	CreatedAt      int64  `json:"created_at"`
	Body           string `json:"body"`
	MessageType    string `json:"message_type"`
	ConversationID string `json:"conversation_id"`
}

func toMessage(c conversation.Conversation) messageJSON {
	return messageJSON{Type: "user_message", ID: strconv.FormatInt(c.ID, 10), CreatedAt: unix(c.CreatedAt),
		Body: c.Source.Body, MessageType: "inapp", ConversationID: idString(c.ID)}
}
