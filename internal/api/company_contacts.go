package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/helpdesk/helpdesk/internal/store"
)

// Memberships of contacts in companies: GET /companies/{id}/contacts, and the companies of a
// contact under /contacts/{id}/companies.

const (
	// maxContactCompanies is Intercom's limit ("Contact has reached the maximum of 1000 company
	// associations"). It also keeps a contact's list of companies cheap to count and to page.
	maxContactCompanies  = 1000
	companyContactsPage  = 50 // Intercom's example pages contacts of a company by 50
	contactCompaniesPage = 50 // and companies of a contact by 50
)

// companyContactsJSON is Intercom's company_attached_contacts.
type companyContactsJSON struct {
	Type       string            `json:"type"`
	Data       []contactJSON     `json:"data"`
	TotalCount *int              `json:"total_count,omitempty"`
	Pages      numberedPagesJSON `json:"pages"`
}

// listCompanyContacts is GET /companies/{id}/contacts, paged by number or cursor like the list of
// companies. total_count is the company's user_count, which the database keeps.
func (s *Server) listCompanyContacts(w http.ResponseWriter, r *http.Request) error {
	id, err := companyPathID(r, "id")
	if err != nil {
		return err
	}
	pg, err := numberedPageFromQuery(r, companyContactsPage)
	if err != nil {
		return err
	}
	ctx := r.Context()
	q := s.db.Read()
	company, err := q.Company(ctx, id)
	if err != nil {
		return companyNotFoundAs(err)
	}
	ids, err := q.CompanyContactIDs(ctx, id, pg.After, pg.offset(), pg.PerPage+1)
	if err != nil {
		return err
	}
	ids, pages, total := trimNumbered(pg, ids, func(id int64) int64 { return id }, int(company.UserCount))
	byID, err := q.ContactsByID(ctx, ids)
	if err != nil {
		return err
	}
	list := make([]store.Contact, 0, len(ids))
	for _, id := range ids {
		if c, ok := byID[id]; ok { // a contact deleted between the two reads is left out
			list = append(list, c)
		}
	}
	data, err := s.contactsJSON(ctx, q, list)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, companyContactsJSON{Type: "list", Data: data, TotalCount: total, Pages: pages})
	return nil
}

// contactCompaniesJSON is Intercom's contact_attached_companies. Its schema names the list
// companies and Intercom's own example answer names it data: both are sent, so that clients
// written from either work.
type contactCompaniesJSON struct {
	Type       string        `json:"type"`
	Data       []companyJSON `json:"data"`
	Companies  []companyJSON `json:"companies"`
	TotalCount int           `json:"total_count"`
	Pages      pagesLinkJSON `json:"pages"`
}

// pagesLinkJSON is Intercom's pages_link: next is the URL of the next page, null on the last.
type pagesLinkJSON struct {
	Type       string  `json:"type"`
	Page       int     `json:"page"`
	PerPage    int     `json:"per_page"`
	TotalPages int     `json:"total_pages"`
	Next       *string `json:"next"`
}

// listContactCompanies is GET /contacts/{id}/companies, paged by page and per_page. A contact
// has at most maxContactCompanies companies, so counting them and skipping pages are cheap.
func (s *Server) listContactCompanies(w http.ResponseWriter, r *http.Request) error {
	if r.PathValue("id") == findByExternalID {
		// GET /contacts/find_by_external_id/companies finds the contact whose external_id is
		// "companies": this pattern is more specific than the contacts' catch-all that serves it.
		r.SetPathValue("sub", "companies")
		return s.contactSubresource(w, r)
	}
	contactID, err := pathID(r, "id", "User")
	if err != nil {
		return err
	}
	query := r.URL.Query()
	number, perPage := 1, contactCompaniesPage
	if v := query.Get("per_page"); v != "" {
		if perPage, err = strconv.Atoi(v); err != nil || perPage < 1 || perPage > maxPerPage {
			return invalid("per_page must be an integer from 1 to %d", maxPerPage)
		}
	}
	if v := query.Get("page"); v != "" {
		if number, err = strconv.Atoi(v); err != nil || number < 1 {
			return invalid("page must be an integer from 1")
		}
	}
	ctx := r.Context()
	q := s.db.Read()
	if _, err := q.Contact(ctx, contactID); err != nil {
		return notFoundAs(err, "User")
	}
	total, err := q.ContactCompanyCount(ctx, contactID)
	if err != nil {
		return err
	}
	var list []store.Company
	if number-1 < (total+perPage-1)/perPage { // a page past the end is empty, without asking
		if list, err = q.ContactCompanies(ctx, contactID, (number-1)*perPage, perPage); err != nil {
			return err
		}
	}
	pages := pagesLinkJSON{Type: "pages", Page: number, PerPage: perPage, TotalPages: (total + perPage - 1) / perPage}
	if number < pages.TotalPages {
		next := nextPageURL(r, number+1, perPage)
		pages.Next = &next
	}
	companies := toCompanies(list)
	writeJSON(w, http.StatusOK, contactCompaniesJSON{Type: "list", Data: companies, Companies: companies, TotalCount: total, Pages: pages})
	return nil
}

// nextPageURL is the address of another page of the list r asked for. It is an absolute path,
// as the client addressed the server (with the /api prefix that the handlers do not see), so that
// it resolves against the client's base URL; this server is not told its own public address.
func nextPageURL(r *http.Request, number, perPage int) string {
	path := r.URL.Path
	if u, err := url.ParseRequestURI(r.RequestURI); err == nil && strings.HasSuffix(u.Path, r.URL.Path) {
		path = u.Path
	}
	q := r.URL.Query()
	q.Set("page", strconv.Itoa(number))
	q.Set("per_page", strconv.Itoa(perPage))
	return path + "?" + q.Encode()
}

// attachContactCompanyRequest is POST /contacts/{id}/companies: id is the company's, ours.
type attachContactCompanyRequest struct {
	ID json.RawMessage `json:"id"`
}

// companyIDValue reads the company's id of a request body, a string as Intercom's ids are. An id
// that is not one of ours names no company, so it is a 404 as Intercom answers it.
func companyIDValue(v json.RawMessage) (int64, error) {
	if len(v) == 0 || isNull(v) {
		return 0, missing("id")
	}
	var s string
	if json.Unmarshal(v, &s) != nil {
		return 0, invalid("id must be a string: the company's id")
	}
	id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || id <= 0 {
		return 0, companyNotFound()
	}
	return id, nil
}

// membershipError turns the store's errors of membership changes into Intercom's.
func membershipError(err error) error {
	switch {
	case errors.Is(err, store.ErrNoSuchContact):
		return notFound("User")
	case errors.Is(err, store.ErrNoSuchCompany), errors.Is(err, store.ErrInUse):
		// ErrInUse: the company was deleted while the membership was being written.
		return companyNotFound()
	case errors.Is(err, store.ErrCompanyLimit):
		return &Error{Status: http.StatusBadRequest, Code: codeCompanyLimitReached,
			Message: "Contact has reached the maximum of " + strconv.Itoa(maxContactCompanies) + " company associations"}
	}
	return err
}

// attachContactCompany is POST /contacts/{id}/companies: the contact joins the company, which
// the answer shows with its new user_count. Joining twice is not an error.
func (s *Server) attachContactCompany(w http.ResponseWriter, r *http.Request) error {
	contactID, err := pathID(r, "id", "User")
	if err != nil {
		return err
	}
	var req attachContactCompanyRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	companyID, err := companyIDValue(req.ID)
	if err != nil {
		return err
	}
	ctx := r.Context()
	now := s.clock.Now()
	var c store.Company
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		added, err := tx.AttachContactCompany(ctx, contactID, companyID, maxContactCompanies, now)
		if err != nil {
			return membershipError(err)
		}
		if added {
			if err := tx.TouchCompany(ctx, companyID, now); err != nil {
				return err
			}
			if err := tx.ChangedContact(ctx, contactID); err != nil { // IN5: CO2's choices changed
				return err
			}
		}
		c, err = tx.Company(ctx, companyID)
		return companyNotFoundAs(err)
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toCompany(c))
	return nil
}

// detachContactCompany is DELETE /contacts/{id}/companies/{company_id}: the contact leaves the
// company, which the answer shows. Leaving a company the contact is not in is not an error.
func (s *Server) detachContactCompany(w http.ResponseWriter, r *http.Request) error {
	contactID, err := pathID(r, "id", "User")
	if err != nil {
		return err
	}
	companyID, err := companyPathID(r, "company_id")
	if err != nil {
		return err
	}
	ctx := r.Context()
	now := s.clock.Now()
	var c store.Company
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		removed, err := tx.DetachContactCompany(ctx, contactID, companyID)
		if err != nil {
			return membershipError(err)
		}
		if removed {
			if err := tx.TouchCompany(ctx, companyID, now); err != nil {
				return err
			}
			if err := tx.ChangedContact(ctx, contactID); err != nil { // IN5: CO2's choices changed
				return err
			}
		}
		c, err = tx.Company(ctx, companyID)
		return companyNotFoundAs(err)
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toCompany(c))
	return nil
}
