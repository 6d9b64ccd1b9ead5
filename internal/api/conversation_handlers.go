package api

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"strings"
	"time"

	"github.com/helpdesk/helpdesk/internal/conversation"
	"github.com/helpdesk/helpdesk/internal/desk"
	"github.com/helpdesk/helpdesk/internal/search"
	"github.com/helpdesk/helpdesk/internal/store"
)

func (s *Server) conversationRoutes(mux *http.ServeMux) {
	mux.Handle("POST /conversations", s.handle(s.createConversation))
	mux.Handle("GET /conversations", s.handle(s.listConversations))
	mux.Handle("POST /conversations/search", s.handle(s.searchConversations))
	mux.Handle("GET /conversations/{id}", s.handle(s.getConversation))
	mux.Handle("PUT /conversations/{id}", s.handle(s.updateConversation))
	mux.Handle("POST /conversations/{id}/reply", s.handle(s.replyConversation))
	mux.Handle("POST /conversations/{id}/parts", s.handle(s.manageConversation))
	mux.Handle("POST /conversations/{id}/customers", s.handle(s.attachCustomer))
	mux.Handle("DELETE /conversations/{id}/customers/{contact_id}", s.handle(s.detachCustomer))
	mux.Handle("POST /conversations/{id}/tags", s.handle(s.tagHandler("Conversation", s.desk.Tag)))
	mux.Handle("DELETE /conversations/{id}/tags/{tag_id}", s.handle(s.untagHandler("Conversation", s.desk.Untag)))
}

// writeConversation answers with one conversation as GET /conversations/{id} shows it.
func (s *Server) writeConversation(w http.ResponseWriter, ctx context.Context, id int64) error {
	q := s.db.Read()
	c, err := q.Conversation(ctx, id)
	if err != nil || c.IsTicket { // a ticket's id names no conversation: see /tickets
		return notFoundAs(cmp.Or(err, store.ErrNotFound), "Conversation")
	}
	parts, err := q.Parts(ctx, id)
	if err != nil {
		return err
	}
	tags, err := q.ConversationTags(ctx, id)
	if err != nil {
		return err
	}
	p, err := s.loadPeople(ctx, q, []conversation.Conversation{c}, parts)
	if err != nil {
		return err
	}
	j := toConversation(c, tags[id], parts, true, p)
	if j.LinkedObjects, err = s.linkedObjects(ctx, q, id); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, j)
	return nil
}

// writeConversationList answers with a page of conversations, tags and participants fetched
// for the whole page at once.
func (s *Server) writeConversationList(w http.ResponseWriter, ctx context.Context, pg page, list []conversation.Conversation) error {
	list, pages := trim(pg, list, func(c conversation.Conversation) int64 { return c.ID })
	q := s.db.Read()
	ids := make([]int64, len(list))
	for i, c := range list {
		ids[i] = c.ID
	}
	tags, err := q.ConversationTags(ctx, ids...)
	if err != nil {
		return err
	}
	p, err := s.loadPeople(ctx, q, list, nil)
	if err != nil {
		return err
	}
	links, err := q.Links(ctx, ids...) // a conversation has a tracker and a few Back-office tickets at most
	if err != nil {
		return err
	}
	out := make([]conversationJSON, len(list))
	for i, c := range list {
		out[i] = toConversation(c, tags[c.ID], nil, false, p)
		var mine []store.Link
		for _, l := range links {
			if l.ConversationID == c.ID || l.TicketID == c.ID {
				mine = append(mine, l)
			}
		}
		out[i].LinkedObjects = toLinkedObjects(c.ID, mine, len(mine))
	}
	writeJSON(w, http.StatusOK, map[string]any{"type": "conversation.list", "conversations": out, "pages": pages})
	return nil
}

type createConversationRequest struct {
	From *struct {
		Type string `json:"type"`
		ID   ID     `json:"id"`
	} `json:"from"`
	Body *string `json:"body"`
}

// createConversation starts a conversation from a contact (CV1) and answers with Intercom's message.
func (s *Server) createConversation(w http.ResponseWriter, r *http.Request) error {
	var req createConversationRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.From == nil {
		return missing("from")
	}
	switch req.From.Type {
	case "user", "lead", "contact":
	case "":
		return missing("from.type")
	default:
		return invalid("from.type must be user, lead or contact")
	}
	if req.From.ID == 0 {
		return missing("from.id")
	}
	if req.Body == nil {
		return missing("body")
	}
	c, err := s.desk.StartConversation(r.Context(), int64(req.From.ID), *req.Body)
	var nf *desk.NotFoundError
	if errors.As(err, &nf) {
		return &Error{Status: http.StatusNotFound, Code: codeNotFound, Message: "User Not Found: from.id names no contact"}
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toMessage(c))
	return nil
}

func (s *Server) getConversation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Conversation")
	if err != nil {
		return err
	}
	return s.writeConversation(w, r.Context(), id)
}

func (s *Server) listConversations(w http.ResponseWriter, r *http.Request) error {
	pg, err := pageFromQuery(r)
	if err != nil {
		return err
	}
	list, err := s.db.Read().ConversationPage(r.Context(), "", nil, pg.After, pg.PerPage+1)
	if err != nil {
		return err
	}
	return s.writeConversationList(w, r.Context(), pg, list)
}

// threadFields are the search fields conversations and tickets share (alias c: the thread's
// conversation row).
var threadFields = search.Fields{
	"id":                {Kind: search.ID, Column: "c.id"},
	"created_at":        {Kind: search.Date, Column: "c.created_at"},
	"updated_at":        {Kind: search.Date, Column: "c.updated_at"},
	"title":             {Kind: search.String, Column: "c.title"},
	"snoozed_until":     {Kind: search.Date, Column: "c.snoozed_until"},
	"open":              {Kind: search.Boolean, Column: "(c.state <> 'closed')"},
	"admin_assignee_id": {Kind: search.Integer, Column: "COALESCE(c.admin_assignee_id, 0)"},
	"team_assignee_id":  {Kind: search.Integer, Column: "COALESCE(c.team_assignee_id, 0)"},
	"contact_ids": {Kind: search.ID,
		Many: "EXISTS (SELECT 1 FROM conversation_contacts x WHERE x.conversation_id = c.id AND x.contact_id %s)"},
	"teammate_ids": {Kind: search.ID,
		Many: "EXISTS (SELECT 1 FROM conversation_parts x WHERE x.conversation_id = c.id AND x.author_type = 'admin' AND x.author_id %s)"},
	"tag_ids": {Kind: search.ID,
		Many: "EXISTS (SELECT 1 FROM conversation_tags x WHERE x.conversation_id = c.id AND x.tag_id %s)"},
}

// withThreadFields adds threadFields to an entity's own.
func withThreadFields(own search.Fields) search.Fields {
	maps.Copy(own, threadFields)
	return own
}

// conversationFields are the fields conversation search accepts.
var conversationFields = withThreadFields(search.Fields{
	"waiting_since": {Kind: search.Date, Column: "c.waiting_since"},
	"state":         {Kind: search.String, Column: "c.state", Values: []string{"open", "closed", "snoozed"}},
	"read":          {Kind: search.Boolean, Column: "c.read"},
	"source.body":   {Kind: search.String, Column: "c.source_body", Words: true},
	"source.id":     {Kind: search.ID, Column: "c.id"},
	"source.type": {Kind: search.String, Column: "c.source_type", Values: []string{"conversation", "email", "facebook",
		"instagram", "phone_call", "phone_switch", "push", "sms", "twitter", "whatsapp"}},
	"source.author.type":  {Kind: search.String, Column: "c.source_author_type", Values: []string{"user", "lead", "admin", "bot"}},
	"priority":            {Kind: search.String, Column: "c.priority", Values: []string{"none", "low", "medium", "high", "urgent"}},
	"source.subject":      {Kind: search.String, Column: "c.source_subject"},
	"source.author.id":    {Kind: search.ID, Column: "c.source_author_id"},
	"source.delivered_as": {Kind: search.String, Column: "c.source_delivered_as"},
})

type searchRequest struct {
	Query      json.RawMessage `json:"query"`
	Pagination *pagination     `json:"pagination"`
}

// parseSearch reads a search request against fields.
func parseSearch(r *http.Request, fields search.Fields) (*search.Query, page, error) {
	var req searchRequest
	if err := decode(r, &req); err != nil {
		return nil, page{}, err
	}
	if len(req.Query) == 0 || string(req.Query) == "null" {
		return nil, page{}, missing("query")
	}
	pg, err := req.Pagination.page()
	if err != nil {
		return nil, pg, err
	}
	q, err := search.Parse(req.Query, fields)
	var se *search.Error
	if errors.As(err, &se) {
		return nil, pg, invalid("%s: %s", se.Field, se.Message)
	}
	return q, pg, err
}

func (s *Server) searchConversations(w http.ResponseWriter, r *http.Request) error {
	q, pg, err := parseSearch(r, conversationFields)
	if err != nil {
		return err
	}
	var args []any
	where := q.Where(&args)
	list, err := s.db.Read().ConversationPage(r.Context(), where, args, pg.After, pg.PerPage+1)
	if err != nil {
		return err
	}
	return s.writeConversationList(w, r.Context(), pg, list)
}

type updateConversationRequest struct {
	Title *string `json:"title"`
	Read  *bool   `json:"read"`
}

func (s *Server) updateConversation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Conversation")
	if err != nil {
		return err
	}
	var req updateConversationRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	var title *string
	if req.Title != nil {
		t := strings.TrimSpace(*req.Title)
		title = &t
	}
	if _, err := s.desk.Update(r.Context(), id, currentAdmin(r).ID, title, req.Read); err != nil {
		return err
	}
	return s.writeConversation(w, r.Context(), id)
}

// replyRequest covers Intercom's admin and contact replies.
type replyRequest struct {
	MessageType    string  `json:"message_type"`
	Type           string  `json:"type"`
	AdminID        ID      `json:"admin_id"`
	Body           *string `json:"body"`
	IntercomUserID ID      `json:"intercom_user_id"`
	UserID         *string `json:"user_id"`
	Email          *string `json:"email"`
}

func (s *Server) replyConversation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Conversation")
	if err != nil {
		return err
	}
	var req replyRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	rp, err := s.readReply(r.Context(), req)
	if err != nil {
		return err
	}
	if rp.contactID != 0 {
		_, err = s.desk.ContactReply(r.Context(), id, rp.contactID, rp.body)
	} else {
		_, err = s.desk.AdminReply(r.Context(), id, rp.adminID, rp.partType, rp.body)
	}
	if err != nil {
		return err
	}
	return s.writeConversation(w, r.Context(), id)
}

// reply is a checked reply request: a teammate's comment or note, or a contact's comment.
type reply struct {
	adminID   int64 // a teammate's reply
	contactID int64 // a contact's reply
	partType  conversation.PartType
	body      string
}

// readReply checks a reply request to a conversation or ticket, as Intercom's reply endpoints
// take it, and finds the contact who replies.
func (s *Server) readReply(ctx context.Context, req replyRequest) (reply, error) {
	if req.Body == nil {
		return reply{}, missing("body")
	}
	rp := reply{body: *req.Body, partType: conversation.PartType(req.MessageType)}
	switch req.Type {
	case "admin":
		if req.AdminID == 0 {
			return rp, missing("admin_id")
		}
		switch req.MessageType {
		case "comment", "note":
		case "":
			return rp, missing("message_type")
		default:
			return rp, invalid("message_type must be comment or note")
		}
		rp.adminID = int64(req.AdminID)
	case "user", "lead", "contact":
		if req.MessageType != "comment" {
			return rp, invalid("message_type must be comment for a contact reply")
		}
		var err error
		if rp.contactID, err = s.findContact(ctx, req.IntercomUserID, req.UserID, req.Email); err != nil {
			return rp, err
		}
	case "":
		return rp, missing("type")
	default:
		return rp, invalid("type must be admin or user")
	}
	return rp, nil
}

// findContact resolves a contact named by Intercom id, external id (user_id) or email.
func (s *Server) findContact(ctx context.Context, id ID, externalID, email *string) (int64, error) {
	q := s.db.Read()
	var c store.Contact
	var err error
	switch {
	case id != 0:
		c, err = q.Contact(ctx, int64(id))
	case externalID != nil && *externalID != "":
		c, err = q.ContactByExternalID(ctx, *externalID)
	case email != nil && *email != "":
		c, err = q.ContactByEmail(ctx, *email)
	default:
		return 0, missing("intercom_user_id, user_id or email")
	}
	if err != nil {
		return 0, notFoundAs(err, "User")
	}
	return c.ID, nil
}

type partsRequest struct {
	MessageType  string  `json:"message_type"`
	Type         string  `json:"type"`
	AdminID      ID      `json:"admin_id"`
	AssigneeID   *ID     `json:"assignee_id"`
	SnoozedUntil *int64  `json:"snoozed_until"`
	Body         *string `json:"body"`
}

// manageConversation closes, snoozes, opens or assigns (CV2, CV3).
func (s *Server) manageConversation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Conversation")
	if err != nil {
		return err
	}
	var req partsRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.AdminID == 0 {
		return missing("admin_id")
	}
	body := ""
	if req.Body != nil {
		body = *req.Body
	}
	admin := int64(req.AdminID)
	ctx := r.Context()
	switch req.MessageType {
	case "close":
		_, err = s.desk.Close(ctx, id, admin, body)
	case "open":
		_, err = s.desk.Open(ctx, id, admin)
	case "snoozed":
		if req.SnoozedUntil == nil {
			return missing("snoozed_until")
		}
		_, err = s.desk.Snooze(ctx, id, admin, time.Unix(*req.SnoozedUntil, 0))
	case "assignment":
		if req.AssigneeID == nil {
			return missing("assignee_id")
		}
		to := desk.ToAdmin
		switch req.Type {
		case "admin", "":
		case "team":
			to = desk.ToTeam
		default:
			return invalid("type must be admin or team")
		}
		_, err = s.desk.Assign(ctx, id, admin, to, int64(*req.AssigneeID), body)
	case "":
		return missing("message_type")
	default:
		return invalid("message_type must be close, snoozed, open or assignment")
	}
	if err != nil {
		return err
	}
	return s.writeConversation(w, ctx, id)
}

type attachCustomerRequest struct {
	AdminID  ID `json:"admin_id"`
	Customer *struct {
		IntercomUserID ID      `json:"intercom_user_id"`
		UserID         *string `json:"user_id"`
		Email          *string `json:"email"`
	} `json:"customer"`
}

func (s *Server) attachCustomer(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Conversation")
	if err != nil {
		return err
	}
	var req attachCustomerRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.AdminID == 0 {
		return missing("admin_id")
	}
	if req.Customer == nil {
		return missing("customer")
	}
	contactID, err := s.findContact(r.Context(), req.Customer.IntercomUserID, req.Customer.UserID, req.Customer.Email)
	if err != nil {
		return err
	}
	if _, err := s.desk.AttachContact(r.Context(), id, int64(req.AdminID), contactID); err != nil {
		return err
	}
	return s.writeConversation(w, r.Context(), id)
}

type adminOnlyRequest struct {
	AdminID ID `json:"admin_id"`
	ID      ID `json:"id"`
}

func (s *Server) detachCustomer(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Conversation")
	if err != nil {
		return err
	}
	contactID, err := pathID(r, "contact_id", "Contact")
	if err != nil {
		return err
	}
	var req adminOnlyRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.AdminID == 0 {
		return missing("admin_id")
	}
	_, err = s.desk.DetachContact(r.Context(), id, int64(req.AdminID), contactID)
	var ruleErr *conversation.Error
	if errors.As(err, &ruleErr) {
		return &Error{Status: http.StatusUnprocessableEntity, Code: codeParameterInvalid, Message: ruleErr.Field + " " + ruleErr.Message}
	}
	if err != nil {
		return err
	}
	return s.writeConversation(w, r.Context(), id)
}

// tagHandler answers POST /{conversations,tickets}/{id}/tags: apply names the object kind's
// operation, which checks its own rules (CV4, BO9).
func (s *Server) tagHandler(what string, apply func(ctx context.Context, id, tagID, adminID int64) (store.Tagging, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id", what)
		if err != nil {
			return err
		}
		var req adminOnlyRequest
		if err := decode(r, &req); err != nil {
			return err
		}
		if req.ID == 0 {
			return missing("id")
		}
		if req.AdminID == 0 {
			return missing("admin_id")
		}
		tagging, err := apply(r.Context(), id, int64(req.ID), int64(req.AdminID))
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, toTagging(tagging))
		return nil
	}
}

// untagHandler answers DELETE /{conversations,tickets}/{id}/tags/{tag_id}.
func (s *Server) untagHandler(what string, remove func(ctx context.Context, id, tagID int64) (store.Tag, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id", what)
		if err != nil {
			return err
		}
		tagID, err := pathID(r, "tag_id", "Tag")
		if err != nil {
			return err
		}
		var req adminOnlyRequest
		if err := decode(r, &req); err != nil {
			return err
		}
		if req.AdminID == 0 {
			return missing("admin_id")
		}
		tag, err := remove(r.Context(), id, tagID)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, toTag(tag))
		return nil
	}
}
