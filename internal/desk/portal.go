package desk

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/helpdesk/helpdesk/internal/conversation"
	"github.com/helpdesk/helpdesk/internal/notify"
	"github.com/helpdesk/helpdesk/internal/store"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// This file is what the tickets portal (SPEC P) asks of the desk: who may enter it (P3), and
// joining the conversation of a ticket of one's company (P6). What the portal shows is read
// from the store's customer read model (store.CompanyTickets and friends), which keeps to what
// customers may see (N5).

// PortalRefusal says why a signed-in user may not enter the tickets portal (P3). Message is
// written for that user and can be shown as it is.
type PortalRefusal struct {
	Reason  error // one of ErrPortalNoEmail, ErrPortalNoCompany, ErrPortalNoTickets
	Message string
}

func (e *PortalRefusal) Error() string { return "portal: " + e.Message }

// Unwrap lets errors.Is(err, ErrPortalNoCompany) and the like work.
func (e *PortalRefusal) Unwrap() error { return e.Reason }

// The reasons of P3, one per condition, so that the refusal can say which one is missing.
var (
	ErrPortalNoEmail   = errors.New("portal: the user has no email address")
	ErrPortalNoCompany = errors.New("portal: the user belongs to no company")
	ErrPortalNoTickets = errors.New("portal: the user's companies have no tickets")
)

// portalCompanyLimit bounds how many of a user's companies the portal names; tickets of the
// rest are still listed (store.CompanyTickets reads every membership), with the company
// looked up one by one.
const portalCompanyLimit = 500

// PortalUser is a user allowed into the tickets portal, with the companies whose tickets they
// see (P1).
type PortalUser struct {
	Contact   store.Contact
	Companies []store.Company
}

// EnterPortal checks that the contact of a customer session may enter the tickets portal
// (P3): they need an email address, a company, and at least one ticket customers may see of
// one of their companies. A refusal is a *PortalRefusal saying which is missing.
func (d *Desk) EnterPortal(ctx context.Context, contactID int64) (PortalUser, error) {
	q := d.db.Read()
	contact, err := q.Contact(ctx, contactID)
	if err != nil {
		return PortalUser{}, notFound(err, "Contact")
	}
	u := PortalUser{Contact: contact}
	if contact.Email == "" {
		return u, &PortalRefusal{Reason: ErrPortalNoEmail, Message: "Your profile has no email address. " +
			"The tickets portal shows your company's tickets only to people with an email address on their profile."}
	}
	if u.Companies, err = q.ContactCompanies(ctx, contactID, 0, portalCompanyLimit); err != nil {
		return u, fmt.Errorf("desk: enter portal: %w", err)
	}
	if len(u.Companies) == 0 {
		return u, &PortalRefusal{Reason: ErrPortalNoCompany, Message: "Your profile is not linked to a company. " +
			"The tickets portal shows the tickets of the companies you belong to, and you belong to none yet."}
	}
	some, err := q.CompanyTickets(ctx, contactID, "", 1)
	if err != nil {
		return u, fmt.Errorf("desk: enter portal: %w", err)
	}
	if len(some) == 0 {
		return u, &PortalRefusal{Reason: ErrPortalNoTickets, Message: "There are no tickets for " + companyNames(u.Companies) +
			" yet. The tickets portal opens once your company has a ticket."}
	}
	return u, nil
}

// companyNames names companies for a sentence: "Acme", "Acme or Globex", "Acme, Globex or Initech".
func companyNames(cs []store.Company) string {
	names := make([]string, 0, len(cs))
	for _, c := range cs {
		n := c.Name.String
		if n == "" {
			n = c.CompanyID
		}
		names = append(names, n)
	}
	switch len(names) {
	case 0:
		return "your company"
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// ErrNoConversation is returned when a ticket has no conversation a customer could join: a
// shared Back-office ticket whose linked conversation was removed.
var ErrNoConversation = errors.New("desk: the ticket has no conversation to join")

// JoinConversation makes a contact a participant of the conversation of a ticket of one of
// their companies (P6), so that the ticket reaches their Messenger tickets space (M2): the
// Customer ticket itself, or the conversation a shared Back-office ticket is linked to (BO10).
// Whether the contact may see the ticket is checked again inside the transaction (a company
// left, a ticket unshared meanwhile): a ticket they may not see is a *NotFoundError, as a guessed
// id is (N5). The participant_added event is the contact's own and internal, so it notifies no
// one. Joining twice changes nothing. It returns the conversation's id.
func (d *Desk) JoinConversation(ctx context.Context, contactID, ticketID int64) (int64, error) {
	var threadID int64
	err := d.db.Tx(ctx, func(tx *store.Tx) error {
		contact, err := tx.Contact(ctx, contactID)
		if err != nil {
			return notFound(err, "Contact")
		}
		t, err := tx.CompanyTicket(ctx, contactID, ticketID)
		if err != nil {
			return notFound(err, "Ticket")
		}
		if t.ThreadID == 0 {
			return ErrNoConversation
		}
		threadID = t.ThreadID
		c, err := tx.ConversationForUpdate(ctx, t.ThreadID)
		if err != nil {
			return notFound(err, "Conversation")
		}
		if err := tx.WithContacts(ctx, &c); err != nil {
			return err
		}
		if c.HasContact(contactID) {
			return nil
		}
		now := d.clock.Now()
		p, err := c.AddContact(contactAuthor(contact), contactID, now)
		if err != nil {
			return err
		}
		if err := tx.AddConversationContact(ctx, c.ID, contactID, now); err != nil {
			return err
		}
		if err := tx.UpdateConversation(ctx, &c); err != nil {
			return err
		}
		th := notify.ThreadOf()
		if c.IsTicket {
			th = notify.ThreadOfTicket(ticket.Customer) // ThreadID names a ticket only for a Customer ticket
		}
		return d.post(ctx, tx, c.ID, th, nil, []conversation.Part{p})
	})
	return threadID, err
}
