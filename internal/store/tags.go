package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Tag labels contacts and conversations.
type Tag struct {
	ID        int64
	Name      string
	CreatedAt time.Time
}

// Tagging is a tag as applied to one object.
type Tagging struct {
	Tag
	ObjectID  int64
	AppliedAt time.Time
	AppliedBy int64 // 0 when unknown
}

func scanTag(r interface{ Scan(...any) error }) (Tag, error) {
	var t Tag
	var created int64
	err := r.Scan(&t.ID, &t.Name, &created)
	t.CreatedAt = time.Unix(created, 0)
	return t, translate(err)
}

// CreateTag adds a tag, or returns the existing one of that name (names are unique ignoring case).
func (q *Q) CreateTag(ctx context.Context, name string, now time.Time) (Tag, error) {
	t, err := scanTag(q.row(ctx, `SELECT id, name, created_at FROM tags WHERE lower(name) = lower($1)`, name))
	if err == nil {
		return t, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return t, fmt.Errorf("store: create tag: %w", err)
	}
	id, err := q.insert(ctx, `INSERT INTO tags (name, created_at) VALUES ($1, $2)`, name, Unix(now))
	if err != nil {
		return t, fmt.Errorf("store: create tag: %w", err)
	}
	return Tag{ID: id, Name: name, CreatedAt: time.Unix(Unix(now), 0)}, nil
}

// RenameTag changes a tag's name. ErrConflict when another tag has it.
func (q *Q) RenameTag(ctx context.Context, id int64, name string) (Tag, error) {
	res, err := q.exec(ctx, `UPDATE tags SET name = $1 WHERE id = $2`, name, id)
	if err != nil {
		return Tag{}, fmt.Errorf("store: rename tag: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Tag{}, fmt.Errorf("store: rename tag %d: %w", id, ErrNotFound)
	}
	return q.Tag(ctx, id)
}

// Tag returns one tag.
func (q *Q) Tag(ctx context.Context, id int64) (Tag, error) {
	t, err := scanTag(q.row(ctx, `SELECT id, name, created_at FROM tags WHERE id = $1`, id))
	if err != nil {
		return t, fmt.Errorf("store: tag %d: %w", id, err)
	}
	return t, nil
}

// Tags lists every tag by name.
func (q *Q) Tags(ctx context.Context) ([]Tag, error) {
	rows, err := q.query(ctx, `SELECT id, name, created_at FROM tags ORDER BY lower(name), id`)
	if err != nil {
		return nil, fmt.Errorf("store: tags: %w", err)
	}
	return collect(rows, func(r *sql.Rows) (Tag, error) { return scanTag(r) })
}

// DeleteTag removes a tag and every use of it.
func (q *Q) DeleteTag(ctx context.Context, id int64) error {
	res, err := q.exec(ctx, `DELETE FROM tags WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("store: delete tag: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: delete tag %d: %w", id, ErrNotFound)
	}
	return nil
}

// taggable names the join tables that tag objects.
type taggable struct{ table, column string }

var (
	contactTags      = taggable{"contact_tags", "contact_id"}
	conversationTags = taggable{"conversation_tags", "conversation_id"}
)

func (q *Q) tag(ctx context.Context, tt taggable, objectID, tagID, adminID int64, now time.Time) error {
	_, err := q.exec(ctx, `INSERT INTO `+tt.table+` (`+tt.column+`, tag_id, applied_at, applied_by) VALUES ($1, $2, $3, $4)
		ON CONFLICT DO NOTHING`, objectID, tagID, Unix(now), nullInt(adminID))
	if err != nil {
		return fmt.Errorf("store: tag %s: %w", tt.table, err)
	}
	return nil
}

func (q *Q) untag(ctx context.Context, tt taggable, objectID, tagID int64) (bool, error) {
	res, err := q.exec(ctx, `DELETE FROM `+tt.table+` WHERE `+tt.column+` = $1 AND tag_id = $2`, objectID, tagID)
	if err != nil {
		return false, fmt.Errorf("store: untag %s: %w", tt.table, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// taggings returns the tags of each object in ids, in one query.
func (q *Q) taggings(ctx context.Context, tt taggable, ids []int64) (map[int64][]Tagging, error) {
	out := make(map[int64][]Tagging, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	in, args := inList(ids, 0)
	rows, err := q.query(ctx, `SELECT t.id, t.name, t.created_at, x.`+tt.column+`, x.applied_at, x.applied_by
		FROM `+tt.table+` x JOIN tags t ON t.id = x.tag_id WHERE x.`+tt.column+` IN (`+in+`) ORDER BY x.applied_at, t.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: taggings: %w", err)
	}
	list, err := collect(rows, func(r *sql.Rows) (Tagging, error) {
		var t Tagging
		var created, applied int64
		var by sql.NullInt64
		err := r.Scan(&t.ID, &t.Name, &created, &t.ObjectID, &applied, &by)
		t.CreatedAt, t.AppliedAt, t.AppliedBy = time.Unix(created, 0), time.Unix(applied, 0), by.Int64
		return t, err
	})
	for _, t := range list {
		out[t.ObjectID] = append(out[t.ObjectID], t)
	}
	return out, err
}

// inList returns "$n+1, $n+2, ..." for ids and the ids as arguments.
func inList(ids []int64, n int) (string, []any) {
	var b strings.Builder
	args := make([]any, len(ids))
	for i, id := range ids {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", n+i+1)
		args[i] = id
	}
	return b.String(), args
}

// TagContact applies a tag to a contact; applying it twice is not an error.
func (q *Q) TagContact(ctx context.Context, contactID, tagID, adminID int64, now time.Time) error {
	return q.tag(ctx, contactTags, contactID, tagID, adminID, now)
}

// UntagContact removes a tag from a contact and reports whether it was there.
func (q *Q) UntagContact(ctx context.Context, contactID, tagID int64) (bool, error) {
	return q.untag(ctx, contactTags, contactID, tagID)
}

// ContactTags returns the tags of each contact.
func (q *Q) ContactTags(ctx context.Context, ids ...int64) (map[int64][]Tagging, error) {
	return q.taggings(ctx, contactTags, ids)
}

// TagConversation applies a tag to a conversation; applying it twice is not an error.
func (q *Q) TagConversation(ctx context.Context, conversationID, tagID, adminID int64, now time.Time) error {
	return q.tag(ctx, conversationTags, conversationID, tagID, adminID, now)
}

// UntagConversation removes a tag from a conversation and reports whether it was there.
func (q *Q) UntagConversation(ctx context.Context, conversationID, tagID int64) (bool, error) {
	return q.untag(ctx, conversationTags, conversationID, tagID)
}

// ConversationTags returns the tags of each conversation.
func (q *Q) ConversationTags(ctx context.Context, ids ...int64) (map[int64][]Tagging, error) {
	return q.taggings(ctx, conversationTags, ids)
}
