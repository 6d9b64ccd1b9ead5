package api

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/helpdesk/helpdesk/internal/store"
)

func (s *Server) contactRoutes(mux *http.ServeMux) {
	mux.Handle("POST /contacts", s.handle(s.createContact))
	mux.Handle("GET /contacts", s.handle(s.listContacts))
	mux.Handle("POST /contacts/search", s.handle(s.searchContacts))
	mux.Handle("GET /contacts/{id}", s.handle(s.getContact))
	mux.Handle("PUT /contacts/{id}", s.handle(s.updateContact))
	mux.Handle("DELETE /contacts/{id}", s.handle(s.deleteContact))
	// GET /contacts/find_by_external_id/{external_id} overlaps GET /contacts/{id}/tags (and
	// /companies) without either being more specific, which ServeMux refuses; so it is served
	// by the catch-all of GET /contacts/{id}/... below.
	mux.Handle("GET /contacts/{id}/{sub}", s.handle(s.contactSubresource))
	mux.Handle("GET /contacts/{id}/tags", s.handle(s.listContactTags))
	mux.Handle("POST /contacts/{id}/tags", s.handle(s.tagContact))
	mux.Handle("DELETE /contacts/{id}/tags/{tag_id}", s.handle(s.untagContact))
}

const findByExternalID = "find_by_external_id"

func (s *Server) createContact(w http.ResponseWriter, r *http.Request) error {
	var req contactRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	ctx := r.Context()
	now := s.clock.Now()
	c := store.Contact{CustomAttributes: "{}", CreatedAt: now, UpdatedAt: now}
	if err := req.apply(&c, true); err != nil {
		return err
	}
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		if err := checkContact(ctx, tx.Q, c, nil); err != nil {
			return err
		}
		return tx.CreateContact(ctx, &c)
	})
	if err != nil {
		return s.contactConflict(ctx, err, c)
	}
	return s.writeContact(w, ctx, c.ID)
}

func (s *Server) getContact(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Contact")
	if err != nil {
		return err
	}
	return s.writeContact(w, r.Context(), id)
}

// updateContact changes the members sent; null clears a member (PUT is a partial update).
func (s *Server) updateContact(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Contact")
	if err != nil {
		return err
	}
	var req contactRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	ctx := r.Context()
	var c store.Contact
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		old, err := tx.ContactForUpdate(ctx, id)
		if err != nil {
			return notFoundAs(err, "Contact")
		}
		c = old
		if err := req.apply(&c, false); err != nil {
			return err
		}
		c.UpdatedAt = s.clock.Now()
		if err := checkContact(ctx, tx.Q, c, &old); err != nil {
			return err
		}
		if err := tx.UpdateContact(ctx, &c); err != nil {
			return err
		}
		if c.Name != old.Name || c.Email != old.Email || c.Role != old.Role { // IN5: what the Inbox shows of them
			return tx.ChangedContact(ctx, id)
		}
		return nil
	})
	if err != nil {
		return s.contactConflict(ctx, err, c)
	}
	return s.writeContact(w, ctx, id)
}

// checkContact checks, inside the write's transaction, what a contact refers to and what must
// be unique: the owner is a teammate, the external id is no other contact's, and a user's email
// is no other user's. old is the contact before an update, nil on create.
func checkContact(ctx context.Context, q *store.Q, c store.Contact, old *store.Contact) error {
	if c.OwnerID.Valid && (old == nil || old.OwnerID != c.OwnerID) {
		if _, err := q.Admin(ctx, c.OwnerID.Int64); errors.Is(err, store.ErrNotFound) {
			return ownerInvalid()
		} else if err != nil {
			return err
		}
	}
	if c.ExternalID.Valid && (old == nil || old.ExternalID != c.ExternalID) {
		other, err := q.ContactByExternalID(ctx, c.ExternalID.String)
		switch {
		case err == nil && other.ID != c.ID:
			return contactExists(other.ID)
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return err
		}
	}
	if c.Role == roleUser && c.Email != "" && (old == nil || old.Role != roleUser || !strings.EqualFold(old.Email, c.Email)) {
		other, err := q.UserIDByEmail(ctx, c.Email)
		switch {
		case err == nil && other != c.ID:
			return contactExists(other)
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return err
		}
	}
	return nil
}

// contactExists is Intercom's answer to a second contact with the same identity.
func contactExists(id int64) *Error {
	return conflict("A contact matching those details already exists with id=%d", id)
}

// contactConflict turns a unique-key failure of a contact's write (another request won the
// race past checkContact) into Intercom's conflict naming the contact that holds the key.
func (s *Server) contactConflict(ctx context.Context, err error, c store.Contact) error {
	if !errors.Is(err, store.ErrConflict) {
		return err
	}
	// The write was rolled back: c.ID is 0 on create, and on update the contact's own row
	// still holds its old values, which checkContact does not count against it.
	if e := checkContact(ctx, s.db.Read(), c, nil); e != nil {
		return e
	}
	return conflict("A contact matching those details already exists")
}

// contactDeletedJSON is Intercom's contact_deleted.
type contactDeletedJSON struct {
	Type       string  `json:"type"`
	ID         string  `json:"id"`
	ExternalID *string `json:"external_id"`
	Deleted    bool    `json:"deleted"`
}

func (s *Server) deleteContact(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Contact")
	if err != nil {
		return err
	}
	ctx := r.Context()
	var c store.Contact
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		var err error
		if c, err = tx.ContactForUpdate(ctx, id); err != nil {
			return notFoundAs(err, "Contact")
		}
		err = tx.DeleteContact(ctx, id)
		if errors.Is(err, store.ErrInUse) {
			return conflict("Contact %d is still referred to and cannot be deleted", id)
		}
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, contactDeletedJSON{Type: "contact", ID: idString(c.ID), ExternalID: nullStringPtr(c.ExternalID), Deleted: true})
	return nil
}

func (s *Server) listContacts(w http.ResponseWriter, r *http.Request) error {
	p, err := contactPageFromQuery(r)
	if err != nil {
		return err
	}
	list, err := s.db.Read().ContactPage(r.Context(), p.query("", nil))
	if err != nil {
		return err
	}
	return s.writeContactList(w, r.Context(), p, list)
}

func (s *Server) searchContacts(w http.ResponseWriter, r *http.Request) error {
	q, p, err := parseContactSearch(r)
	if err != nil {
		return err
	}
	var args []any
	where := q.Where(&args)
	list, err := s.db.Read().ContactPage(r.Context(), p.query(where, args))
	if err != nil {
		return err
	}
	return s.writeContactList(w, r.Context(), p, list)
}

// writeContactList answers with a page of contacts, fetched with one row more than the page.
func (s *Server) writeContactList(w http.ResponseWriter, ctx context.Context, p contactPage, list []store.Contact) error {
	list, pages := p.next(list)
	data, err := s.contactsJSON(ctx, s.db.Read(), list)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, contactListJSON{Type: "list", Data: data, Pages: pages})
	return nil
}

// contactSubresource serves GET /contacts/find_by_external_id/{external_id}, and answers 404
// to any other GET /contacts/{id}/{sub} no handler claims.
func (s *Server) contactSubresource(w http.ResponseWriter, r *http.Request) error {
	if r.PathValue("id") == findByExternalID {
		return s.findContactByExternalID(w, r, r.PathValue("sub"))
	}
	return &Error{Status: http.StatusNotFound, Code: codeNotFound, Message: "no API path " + r.Method + " " + r.URL.Path}
}

// findContactByExternalID finds a user by the client's id for it. As Intercom documents, it
// finds users only, not leads.
func (s *Server) findContactByExternalID(w http.ResponseWriter, r *http.Request, externalID string) error {
	q := s.db.Read()
	c, err := q.ContactByExternalID(r.Context(), externalID)
	if err == nil && c.Role != roleUser {
		err = store.ErrNotFound
	}
	if err != nil {
		return notFoundAs(err, "User")
	}
	return s.writeContactObject(w, r.Context(), q, c)
}
