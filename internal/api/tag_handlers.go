package api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/helpdesk/helpdesk/internal/store"
)

type tagJSON struct {
	Type      string   `json:"type"`
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	AppliedAt *int64   `json:"applied_at,omitempty"`
	AppliedBy *refJSON `json:"applied_by,omitempty"`
}

// refJSON is Intercom's reference to another object: {type, id}.
type refJSON struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

func toTag(t store.Tag) tagJSON {
	return tagJSON{Type: "tag", ID: idString(t.ID), Name: t.Name}
}

func toTagging(t store.Tagging) tagJSON {
	j := toTag(t.Tag)
	at := unix(t.AppliedAt)
	j.AppliedAt = &at
	if t.AppliedBy != 0 {
		j.AppliedBy = &refJSON{Type: "admin", ID: idString(t.AppliedBy)}
	}
	return j
}

// tagList is Intercom's {"type":"list","data":[...]}.
func tagList(tags []tagJSON) map[string]any {
	if tags == nil {
		tags = []tagJSON{}
	}
	return map[string]any{"type": "list", "data": tags}
}

func (s *Server) listTags(w http.ResponseWriter, r *http.Request) error {
	tags, err := s.db.Read().Tags(r.Context())
	if err != nil {
		return err
	}
	list := make([]tagJSON, len(tags))
	for i, t := range tags {
		list[i] = toTag(t)
	}
	writeJSON(w, http.StatusOK, tagList(list))
	return nil
}

func (s *Server) getTag(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Tag")
	if err != nil {
		return err
	}
	t, err := s.db.Read().Tag(r.Context(), id)
	if err != nil {
		return notFoundAs(err, "Tag")
	}
	writeJSON(w, http.StatusOK, toTag(t))
	return nil
}

// createTagRequest is POST /tags: create a tag or rename one (with id), and optionally tag or
// untag contacts ("users") with it.
type createTagRequest struct {
	Name  *string `json:"name"`
	ID    ID      `json:"id"`
	Users []struct {
		ID    ID   `json:"id"`
		Untag bool `json:"untag"`
	} `json:"users"`
	Companies []any `json:"companies"`
}

func (s *Server) createTag(w http.ResponseWriter, r *http.Request) error {
	var req createTagRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.Name == nil {
		return missing("name")
	}
	name := strings.TrimSpace(*req.Name)
	if name == "" {
		return invalid("name must not be blank")
	}
	if len(req.Companies) > 0 {
		return invalid("companies: tagging companies is not supported yet")
	}
	now := s.clock.Now()
	admin := currentAdmin(r)
	var tag store.Tag
	err := s.db.Tx(r.Context(), func(tx *store.Tx) error {
		var err error
		if req.ID != 0 {
			tag, err = tx.RenameTag(r.Context(), int64(req.ID), name)
			if errors.Is(err, store.ErrConflict) {
				return conflict("a tag named %q already exists", name)
			}
			if err != nil {
				return notFoundAs(err, "Tag")
			}
		} else if tag, err = tx.CreateTag(r.Context(), name, now); err != nil {
			return err
		}
		for i, u := range req.Users {
			if u.ID == 0 {
				return missing("users[" + idString(int64(i)) + "].id")
			}
			if _, err := tx.Contact(r.Context(), int64(u.ID)); err != nil {
				return notFoundAs(err, "User")
			}
			if u.Untag {
				_, err = tx.UntagContact(r.Context(), int64(u.ID), tag.ID)
			} else {
				err = tx.TagContact(r.Context(), int64(u.ID), tag.ID, admin.ID, now)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toTag(tag))
	return nil
}

func (s *Server) deleteTag(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Tag")
	if err != nil {
		return err
	}
	err = s.db.Tx(r.Context(), func(tx *store.Tx) error { return tx.DeleteTag(r.Context(), id) })
	if err != nil {
		return notFoundAs(err, "Tag")
	}
	w.WriteHeader(http.StatusOK)
	return nil
}
