package api

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/helpdesk/helpdesk/internal/store"
)

// Intercom pages its companies by number (page, per_page) and answers with cursor_pages, whose
// next is a cursor (starting_after). Both work here: a page by number is an index scan that
// skips the pages before it, so, as Intercom does ("a limit of 10,000 Companies that can be
// returned"), numbered pages stop at maxPageOffset; a cursor is an index range scan at any depth.
//
// Nothing counts the whole table. total_count and pages.total_pages are given when they are
// known without counting: when the list ends on this page and how many came before it is known
// (a numbered page, or the first page), or when the caller keeps the count (a company's
// user_count). Otherwise they are left out, which Intercom's schemas allow (neither is required),
// rather than made up.
const (
	companiesPerPage = 15 // Intercom: "Defaults to 15"
	maxPageOffset    = 10000
	scrollPerPage    = 50
)

// numberedPage is a request for one page of a list paged by number or by cursor.
type numberedPage struct {
	page       // PerPage, and After when a cursor was given
	Number int // the page number asked for; 0 when none was, or with a cursor
}

func (p numberedPage) offset() int {
	if p.Number > 1 {
		return (p.Number - 1) * p.PerPage
	}
	return 0
}

// numberedPageFromQuery reads per_page, page and starting_after from the URL.
func numberedPageFromQuery(r *http.Request, perPage int) (numberedPage, error) {
	q := r.URL.Query()
	p := numberedPage{page: page{PerPage: perPage}}
	if v := q.Get("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return p, invalid("per_page must be an integer from 1 to %d", maxPerPage)
		}
		p.PerPage = n
	}
	var err error
	if p.page, err = p.withCursor(q.Get("starting_after")); err != nil {
		return p, err
	}
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return p, invalid("page must be an integer from 1")
		}
		if p.After != 0 {
			if n > 1 {
				return p, invalid("page cannot be used with starting_after: the cursor already says where the page starts")
			}
			return p, nil
		}
		if n-1 >= (maxPageOffset+p.PerPage-1)/p.PerPage { // (n-1)*PerPage >= maxPageOffset, without overflow
			return p, invalid("page: numbered pages reach the first %d objects; go on with starting_after from pages.next", maxPageOffset)
		}
		p.Number = n
	}
	return p, nil
}

// numberedPagesJSON is Intercom's cursor_pages as lists paged by number or cursor show it.
type numberedPagesJSON struct {
	Type       string    `json:"type"`
	Page       int       `json:"page,omitempty"`
	PerPage    int       `json:"per_page"`
	TotalPages *int      `json:"total_pages,omitempty"`
	Next       *nextJSON `json:"next,omitempty"`
}

// trimNumbered cuts list, fetched with PerPage+1 rows, down to the page, and describes the page.
// total is the length of the whole list when the caller knows it, or -1; the total returned is
// nil when it is not known (see the comment at the top of this file).
func trimNumbered[T any](p numberedPage, list []T, id func(T) int64, total int) ([]T, numberedPagesJSON, *int) {
	more := len(list) > p.PerPage
	list, cursor := trim(p.page, list, id)
	pages := numberedPagesJSON{Type: "pages", PerPage: p.PerPage, Next: cursor.Next}
	switch {
	case p.Number > 0:
		pages.Page = p.Number
	case p.After == 0:
		pages.Page = 1
	}
	if total < 0 && !more && p.After == 0 && (len(list) > 0 || p.offset() == 0) {
		total = p.offset() + len(list)
	}
	if total < 0 {
		return list, pages, nil
	}
	n := (total + p.PerPage - 1) / p.PerPage
	pages.TotalPages = &n
	return list, pages, &total
}

// companyListJSON is Intercom's company_list.
type companyListJSON struct {
	Type       string            `json:"type"`
	Data       []companyJSON     `json:"data"`
	Pages      numberedPagesJSON `json:"pages"`
	TotalCount *int              `json:"total_count,omitempty"`
}

// listCompanies is GET /companies: every company, or, with company_id or name, the companies
// that have it (Intercom's way to retrieve a company by the client's id or by name), answering
// company_not_found when none does.
//
// Unlike Intercom, companies without contacts are listed too: Intercom hides them ("Companies
// will be only visible in Intercom when there is at least one associated user"), which would hide
// the company a client has just created from its own list.
func (s *Server) listCompanies(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	for _, name := range []string{"tag_id", "segment_id"} {
		if q.Has(name) {
			return invalid("%s: companies cannot be tagged nor segmented here yet, so they cannot be filtered by %s", name, name)
		}
	}
	var f store.CompanyFilter
	for name, v := range map[string]*string{"company_id": &f.CompanyID, "name": &f.Name} {
		if q.Has(name) {
			if *v = q.Get(name); strings.TrimSpace(*v) == "" {
				return invalid("%s must not be blank", name)
			}
		}
	}
	pg, err := numberedPageFromQuery(r, companiesPerPage)
	if err != nil {
		return err
	}
	return s.writeCompanyList(w, r.Context(), f, pg, false)
}

// listAllCompanies is POST /companies/list: every company, newest first unless order=asc.
// Intercom sorts by last_request_at, which we know only for companies whose client asked to
// record it; the order of creation is the order we can keep for every company.
func (s *Server) listAllCompanies(w http.ResponseWriter, r *http.Request) error {
	desc := true
	switch order := r.URL.Query().Get("order"); order {
	case "", "desc":
	case "asc":
		desc = false
	default:
		return invalid("order must be asc or desc")
	}
	pg, err := numberedPageFromQuery(r, companiesPerPage)
	if err != nil {
		return err
	}
	return s.writeCompanyList(w, r.Context(), store.CompanyFilter{}, pg, desc)
}

func (s *Server) writeCompanyList(w http.ResponseWriter, ctx context.Context, f store.CompanyFilter, pg numberedPage, desc bool) error {
	list, err := s.db.Read().CompanyPage(ctx, f, pg.After, desc, pg.offset(), pg.PerPage+1)
	if err != nil {
		return err
	}
	lookup := f != store.CompanyFilter{}
	if lookup && len(list) == 0 && pg.After == 0 && pg.offset() == 0 {
		return companyNotFound()
	}
	list, pages, total := trimNumbered(pg, list, func(c store.Company) int64 { return c.ID }, -1)
	writeJSON(w, http.StatusOK, companyListJSON{Type: "list", Data: toCompanies(list), Pages: pages, TotalCount: total})
	return nil
}

// companyScrollJSON is Intercom's company_scroll.
type companyScrollJSON struct {
	Type        string        `json:"type"`
	Data        []companyJSON `json:"data"`
	ScrollParam string        `json:"scroll_param,omitempty"`
}

// scrollCompanies is GET /companies/scroll. The scroll_param is a cursor, so a scroll costs one
// index range scan per page and never expires, and several can be open at once (Intercom allows
// one, for a minute). As Intercom does, the last page of companies is followed by an empty one,
// which has no scroll_param.
func (s *Server) scrollCompanies(w http.ResponseWriter, r *http.Request) error {
	p := page{PerPage: scrollPerPage}
	if v := r.URL.Query().Get("scroll_param"); v != "" {
		var err error
		if p, err = p.withCursor(v); err != nil {
			return invalid("scroll_param is not one this API returned")
		}
	}
	list, err := s.db.Read().CompanyPage(r.Context(), store.CompanyFilter{}, p.After, false, 0, p.PerPage)
	if err != nil {
		return err
	}
	out := companyScrollJSON{Type: "list", Data: toCompanies(list)}
	if len(list) > 0 {
		out.ScrollParam = cursorAfter(list[len(list)-1].ID)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
