package api

import (
	"net/http"

	"github.com/helpdesk/helpdesk/internal/store"
)

// tagging finds a contact's tagging with a tag, if any.
func tagging(tags []store.Tagging, tagID int64) (store.Tagging, bool) {
	for _, t := range tags {
		if t.ID == tagID {
			return t, true
		}
	}
	return store.Tagging{}, false
}

func (s *Server) listContactTags(w http.ResponseWriter, r *http.Request) error {
	if r.PathValue("id") == findByExternalID { // GET /contacts/find_by_external_id/tags
		return s.findContactByExternalID(w, r, "tags")
	}
	id, err := pathID(r, "id", "Contact")
	if err != nil {
		return err
	}
	q := s.db.Read()
	if _, err := q.Contact(r.Context(), id); err != nil {
		return notFoundAs(err, "Contact")
	}
	tags, err := q.ContactTags(r.Context(), id)
	if err != nil {
		return err
	}
	list := make([]tagJSON, len(tags[id]))
	for i, t := range tags[id] {
		list[i] = toTagging(t)
	}
	writeJSON(w, http.StatusOK, tagList(list))
	return nil
}

type tagContactRequest struct {
	ID ID `json:"id"`
}

// tagContact applies a tag to a contact; applying it again changes nothing.
func (s *Server) tagContact(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Contact")
	if err != nil {
		return err
	}
	var req tagContactRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.ID == 0 {
		return missing("id")
	}
	ctx := r.Context()
	tagID := int64(req.ID)
	var applied store.Tagging
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ContactForUpdate(ctx, id); err != nil {
			return notFoundAs(err, "Contact")
		}
		if _, err := tx.Tag(ctx, tagID); err != nil {
			return notFoundAs(err, "Tag")
		}
		tags, err := tx.ContactTags(ctx, id)
		if err != nil {
			return err
		}
		var ok bool
		if applied, ok = tagging(tags[id], tagID); ok {
			return nil
		}
		now := s.clock.Now()
		if err := tx.TagContact(ctx, id, tagID, currentAdmin(r).ID, now); err != nil {
			return err
		}
		if err := tx.TouchContact(ctx, id, now); err != nil {
			return err
		}
		if tags, err = tx.ContactTags(ctx, id); err != nil {
			return err
		}
		applied, _ = tagging(tags[id], tagID)
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toTagging(applied))
	return nil
}

// untagContact removes a tag from a contact and answers with the tag as it was applied.
func (s *Server) untagContact(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Contact")
	if err != nil {
		return err
	}
	tagID, err := pathID(r, "tag_id", "Tag")
	if err != nil {
		return err
	}
	ctx := r.Context()
	var removed store.Tagging
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ContactForUpdate(ctx, id); err != nil {
			return notFoundAs(err, "Contact")
		}
		if _, err := tx.Tag(ctx, tagID); err != nil {
			return notFoundAs(err, "Tag")
		}
		tags, err := tx.ContactTags(ctx, id)
		if err != nil {
			return err
		}
		var ok bool
		if removed, ok = tagging(tags[id], tagID); !ok {
			return notFound("Tag on this contact")
		}
		if _, err := tx.UntagContact(ctx, id, tagID); err != nil {
			return err
		}
		return tx.TouchContact(ctx, id, s.clock.Now())
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toTagging(removed))
	return nil
}
