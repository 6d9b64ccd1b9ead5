package api

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
)

// Cursor pagination as Intercom does it: per_page and starting_after in, pages.next.starting_after
// out. The cursor is opaque to clients; inside it is the id of the last object of the page, so a
// page is one index range scan however long the list, and nothing counts the whole table.
const (
	defaultPerPage = 20
	maxPerPage     = 150
)

// page is a request for one page of a list.
type page struct {
	PerPage int
	After   int64 // id of the last object of the previous page; 0 for the first page
}

// pageFromQuery reads per_page and starting_after from the URL.
func pageFromQuery(r *http.Request) (page, error) {
	q := r.URL.Query()
	p := page{PerPage: defaultPerPage}
	if v := q.Get("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return p, invalid("per_page must be an integer from 1 to %d", maxPerPage)
		}
		p.PerPage = n
	}
	return p.withCursor(q.Get("starting_after"))
}

// pagination is the body member of search requests.
type pagination struct {
	PerPage       *int    `json:"per_page"`
	StartingAfter *string `json:"starting_after"`
}

func (pg *pagination) page() (page, error) {
	p := page{PerPage: defaultPerPage}
	if pg == nil {
		return p, nil
	}
	if pg.PerPage != nil {
		p.PerPage = *pg.PerPage
	}
	cursor := ""
	if pg.StartingAfter != nil {
		cursor = *pg.StartingAfter
	}
	return p.withCursor(cursor)
}

func (p page) withCursor(cursor string) (page, error) {
	if p.PerPage < 1 || p.PerPage > maxPerPage {
		return p, invalid("per_page must be an integer from 1 to %d", maxPerPage)
	}
	if cursor == "" {
		return p, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	id, ok := strings.CutPrefix(string(raw), "after:")
	n, err2 := strconv.ParseInt(id, 10, 64)
	if err != nil || !ok || err2 != nil || n <= 0 {
		return p, invalid("starting_after is not a cursor this API returned")
	}
	p.After = n
	return p, nil
}

// cursorAfter returns the cursor that continues a list after id.
func cursorAfter(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("after:" + strconv.FormatInt(id, 10)))
}

// pagesJSON is Intercom's cursor_pages.
type pagesJSON struct {
	Type    string    `json:"type"`
	PerPage int       `json:"per_page"`
	Next    *nextJSON `json:"next,omitempty"`
}

type nextJSON struct {
	PerPage       int    `json:"per_page"`
	StartingAfter string `json:"starting_after"`
}

// trim cuts a list fetched with PerPage+1 rows down to the page, and returns the pages object
// with a next cursor when there was one more row.
func trim[T any](p page, list []T, id func(T) int64) ([]T, pagesJSON) {
	pages := pagesJSON{Type: "pages", PerPage: p.PerPage}
	if len(list) > p.PerPage {
		list = list[:p.PerPage]
		pages.Next = &nextJSON{PerPage: p.PerPage, StartingAfter: cursorAfter(id(list[len(list)-1]))}
	}
	return list, pages
}
