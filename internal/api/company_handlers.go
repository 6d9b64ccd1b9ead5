package api

import (
	"context"
	"database/sql"
	"errors"
	"net/http"

	"github.com/helpdesk/helpdesk/internal/store"
)

// companyRoutes are Intercom's companies, and the companies of contacts.
func (s *Server) companyRoutes(mux *http.ServeMux) {
	mux.Handle("POST /companies", s.handle(s.createOrUpdateCompany))
	mux.Handle("GET /companies", s.handle(s.listCompanies))
	mux.Handle("POST /companies/list", s.handle(s.listAllCompanies))
	mux.Handle("GET /companies/scroll", s.handle(s.scrollCompanies))
	mux.Handle("GET /companies/{id}", s.handle(s.getCompany))
	mux.Handle("PUT /companies/{id}", s.handle(s.updateCompany))
	mux.Handle("DELETE /companies/{id}", s.handle(s.deleteCompany))
	mux.Handle("GET /companies/{id}/contacts", s.handle(s.listCompanyContacts))

	mux.Handle("GET /contacts/{id}/companies", s.handle(s.listContactCompanies))
	mux.Handle("POST /contacts/{id}/companies", s.handle(s.attachContactCompany))
	mux.Handle("DELETE /contacts/{id}/companies/{company_id}", s.handle(s.detachContactCompany))
}

// companyNotFoundAs turns the store's ErrNotFound into Intercom's company_not_found.
func companyNotFoundAs(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return companyNotFound()
	}
	return err
}

func (s *Server) getCompany(w http.ResponseWriter, r *http.Request) error {
	id, err := companyPathID(r, "id")
	if err != nil {
		return err
	}
	c, err := s.db.Read().Company(r.Context(), id)
	if err != nil {
		return companyNotFoundAs(err)
	}
	writeJSON(w, http.StatusOK, toCompany(c))
	return nil
}

// createOrUpdateCompany is POST /companies: the company with the client's company_id is updated
// with what the request sends, or created when there is none.
func (s *Server) createOrUpdateCompany(w http.ResponseWriter, r *http.Request) error {
	ch, err := parseCompanyChange(r)
	if err != nil {
		return err
	}
	if ch.CompanyID == nil {
		return missing("company_id")
	}
	ctx := r.Context()
	now := s.clock.Now()
	var c store.Company
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		// Twice at most: when another request creates the same company_id between our look-up
		// and our insert, the second round finds its company and updates it.
		for range 2 {
			var err error
			c, err = tx.CompanyByCompanyIDForUpdate(ctx, *ch.CompanyID)
			if err == nil {
				name := c.Name
				if err := ch.apply(&c, now); err != nil {
					return err
				}
				if err := tx.UpdateCompany(ctx, &c); err != nil {
					return err
				}
				if err := announceCompany(ctx, tx, c, name); err != nil {
					return err
				}
				c, err = tx.Company(ctx, c.ID)
				return err
			}
			if !errors.Is(err, store.ErrNotFound) {
				return err
			}
			c = store.Company{CompanyID: *ch.CompanyID, CreatedAt: now}
			if err := ch.apply(&c, now); err != nil {
				return err
			}
			err = tx.CreateCompany(ctx, &c)
			if !errors.Is(err, store.ErrConflict) {
				if err == nil {
					c, err = tx.Company(ctx, c.ID)
				}
				return err
			}
		}
		return conflict("company_id %q is being created by another request; try again", *ch.CompanyID)
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toCompany(c))
	return nil
}

// updateCompany is PUT /companies/{id}. company_id cannot change (Intercom: "it is not possible
// to update company_id"); sending the one the company has is not an error.
func (s *Server) updateCompany(w http.ResponseWriter, r *http.Request) error {
	id, err := companyPathID(r, "id")
	if err != nil {
		return err
	}
	ch, err := parseCompanyChange(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	var c store.Company
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		var err error
		if c, err = tx.CompanyForUpdate(ctx, id); err != nil {
			return companyNotFoundAs(err)
		}
		if ch.CompanyID != nil && *ch.CompanyID != c.CompanyID {
			return invalid("company_id cannot be changed: it is set once, when the company is created")
		}
		name := c.Name
		if err := ch.apply(&c, s.clock.Now()); err != nil {
			return err
		}
		if err := tx.UpdateCompany(ctx, &c); err != nil {
			return err
		}
		if err := announceCompany(ctx, tx, c, name); err != nil {
			return err
		}
		c, err = tx.Company(ctx, id)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toCompany(c))
	return nil
}

// deleteCompany is DELETE /companies/{id}: the company goes, its contacts stay.
func (s *Server) deleteCompany(w http.ResponseWriter, r *http.Request) error {
	id, err := companyPathID(r, "id")
	if err != nil {
		return err
	}
	err = s.db.Tx(r.Context(), func(tx *store.Tx) error { return tx.DeleteCompany(r.Context(), id) })
	if err != nil {
		return companyNotFoundAs(err)
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": idString(id), "object": "company", "deleted": true})
	return nil
}

// announceCompany tells open Inboxes (IN5) that a company's name changed from name: it shows
// beside its tickets and its contacts' conversations.
func announceCompany(ctx context.Context, tx *store.Tx, c store.Company, name sql.NullString) error {
	if c.Name == name {
		return nil
	}
	return tx.ChangedCompany(ctx, c.ID)
}
