package api

import "testing"

func TestTicketSearchFieldsAreWellFormed(t *testing.T) {
	if err := ticketFields.Validate(); err != nil {
		t.Fatal(err)
	}
}
