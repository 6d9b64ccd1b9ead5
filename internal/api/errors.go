package api

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/helpdesk/helpdesk/internal/conversation"
	"github.com/helpdesk/helpdesk/internal/desk"
	"github.com/helpdesk/helpdesk/internal/store"
	"github.com/helpdesk/helpdesk/internal/ticket"
)

// Error is what a client is told when a request fails: Intercom's error.list with one entry.
// Cause, when set, is logged and never sent.
type Error struct {
	Status  int
	Code    string
	Message string
	Cause   error
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%d %s: %s: %v", e.Status, e.Code, e.Message, e.Cause)
	}
	return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Cause }

// Intercom's error codes used by this API.
const (
	codeUnauthorized       = "unauthorized"
	codeNotFound           = "not_found"
	codeParameterInvalid   = "parameter_invalid"
	codeParameterMissing   = "parameter_not_found"
	codeConflict           = "conflict"
	codeServerError        = "server_error"
	codeVersionInvalid     = "intercom_version_invalid"
	codeRequestTooLarge    = "request_too_large"
	codeMethodNotAllowed   = "method_not_allowed"
	codeUnsupportedContent = "unsupported_media_type"
)

// invalid reports a bad value of a field the client sent.
func invalid(format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Code: codeParameterInvalid, Message: fmt.Sprintf(format, args...)}
}

// missing reports a required field the client did not send.
func missing(field string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: codeParameterMissing, Message: field + " is required"}
}

// notFound reports an unknown id.
func notFound(what string) *Error {
	return &Error{Status: http.StatusNotFound, Code: codeNotFound, Message: what + " Not Found"}
}

// conflict reports a request that clashes with what exists.
func conflict(format string, args ...any) *Error {
	return &Error{Status: http.StatusConflict, Code: codeConflict, Message: fmt.Sprintf(format, args...)}
}

type errorList struct {
	Type      string      `json:"type"`
	RequestID string      `json:"request_id"`
	Errors    []errorItem `json:"errors"`
}

type errorItem struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// writeError answers with err as an error.list. Errors that are not *Error are server faults:
// logged with their cause, and answered as a 500 that says nothing of the cause.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var e *Error
	var ruleErr *conversation.Error
	var ticketErr *ticket.Error
	var missingErr *desk.NotFoundError
	switch {
	case errors.As(err, &e):
	case errors.As(err, &ruleErr):
		e = invalid("%s %s", ruleErr.Field, ruleErr.Message)
	case errors.As(err, &ticketErr):
		e = invalid("%s: %s", ticketErr.Field, ticketErr.Message)
	case errors.As(err, &missingErr):
		e = notFound(missingErr.What)
	case errors.Is(err, store.ErrBadText):
		e = invalid("the request holds a NUL character or bytes that are not UTF-8")
	default:
		if errors.Is(err, store.ErrNotFound) {
			e = notFound("Resource")
		} else {
			e = &Error{Status: http.StatusInternalServerError, Code: codeServerError, Message: "An internal error occurred", Cause: err}
		}
	}
	if e.Status >= 500 {
		s.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "request_id", requestID(r.Context()), "err", err)
	}
	writeJSON(w, e.Status, errorList{
		Type:      "error.list",
		RequestID: requestID(r.Context()),
		Errors:    []errorItem{{Code: e.Code, Message: e.Message}},
	})
}

// notFoundAs turns the store's ErrNotFound into a 404 naming what was looked for.
func notFoundAs(err error, what string) error {
	if errors.Is(err, store.ErrNotFound) {
		return notFound(what)
	}
	return err
}
