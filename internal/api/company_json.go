package api

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/helpdesk/helpdesk/internal/store"
)

// companyJSON is Intercom's company. What we do not know is left out rather than made up:
// name, size, website, industry and remote_created_at until the client sets them, last_request_at
// until it asks for it (update_last_request_at), the plan's id (plans are only names here).
// Companies cannot be tagged nor segmented yet, so their lists are empty, which is true.
type companyJSON struct {
	Type             string          `json:"type"`
	ID               string          `json:"id"`
	CompanyID        string          `json:"company_id"`
	AppID            string          `json:"app_id"`
	Name             *string         `json:"name,omitempty"`
	RemoteCreatedAt  *int64          `json:"remote_created_at,omitempty"`
	CreatedAt        int64           `json:"created_at"`
	UpdatedAt        int64           `json:"updated_at"`
	LastRequestAt    *int64          `json:"last_request_at,omitempty"`
	MonthlySpend     int64           `json:"monthly_spend"`
	SessionCount     int64           `json:"session_count"`
	UserCount        int64           `json:"user_count"`
	Size             *int64          `json:"size,omitempty"`
	Website          *string         `json:"website,omitempty"`
	Industry         *string         `json:"industry,omitempty"`
	Plan             planJSON        `json:"plan"`
	CustomAttributes json.RawMessage `json:"custom_attributes"`
	Tags             companyTagsJSON `json:"tags"`
	Segments         segmentsJSON    `json:"segments"`
}

// planJSON is {} when the company has no plan, as Intercom shows it.
type planJSON struct {
	Type string `json:"type,omitempty"`
	Name string `json:"name,omitempty"`
}

type companyTagsJSON struct {
	Type string    `json:"type"`
	Tags []tagJSON `json:"tags"`
}

type segmentsJSON struct {
	Type     string `json:"type"`
	Segments []any  `json:"segments"`
}

// appID is the workspace's code, as GET /me shows it in app.id_code.
const appID = "helpdesk"

func toCompany(c store.Company) companyJSON {
	j := companyJSON{
		Type:             "company",
		ID:               idString(c.ID),
		CompanyID:        c.CompanyID,
		AppID:            appID,
		Name:             nullableString(c.Name),
		RemoteCreatedAt:  nullableInt(c.RemoteCreatedAt),
		CreatedAt:        unix(c.CreatedAt),
		UpdatedAt:        unix(c.UpdatedAt),
		LastRequestAt:    nullableInt(c.LastRequestAt),
		MonthlySpend:     c.MonthlySpend,
		UserCount:        c.UserCount,
		Size:             nullableInt(c.Size),
		Website:          nullableString(c.Website),
		Industry:         nullableString(c.Industry),
		CustomAttributes: json.RawMessage(c.CustomAttributes),
		Tags:             companyTagsJSON{Type: "tag.list", Tags: []tagJSON{}},
		Segments:         segmentsJSON{Type: "segment.list", Segments: []any{}},
	}
	if c.Plan.Valid {
		j.Plan = planJSON{Type: "plan", Name: c.Plan.String}
	}
	if c.CustomAttributes == "" {
		j.CustomAttributes = json.RawMessage("{}")
	}
	return j
}

func toCompanies(list []store.Company) []companyJSON {
	out := make([]companyJSON, len(list))
	for i, c := range list {
		out[i] = toCompany(c)
	}
	return out
}

func nullableString(s sql.NullString) *string {
	if !s.Valid {
		return nil
	}
	return &s.String
}

func nullableInt(v sql.NullInt64) *int64 {
	if !v.Valid {
		return nil
	}
	return &v.Int64
}

// Intercom's error codes for companies.
const (
	codeCompanyNotFound     = "company_not_found"
	codeBadRequest          = "bad_request"
	codeCompanyLimitReached = "contact_company_limit_exceeded"
)

// companyNotFound is Intercom's answer to an unknown company.
func companyNotFound() *Error {
	return &Error{Status: http.StatusNotFound, Code: codeCompanyNotFound, Message: "Company Not Found"}
}

// companyPathID reads the company id of the path: anything but one of our ids names no company.
func companyPathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, companyNotFound()
	}
	return id, nil
}

// Bounds Intercom states for company fields: monthly_spend "has an upper limit of 2**31-1".
const maxCompanyInt = math.MaxInt32

// companyChange is what a create-or-update (POST /companies) or an update (PUT /companies/{id})
// asks to change. Fields the client left out are nil and stay as they are; a field it sent as
// null (or, for text, blank) is cleared.
type companyChange struct {
	CompanyID           *string
	Name                *sql.NullString
	Plan                *sql.NullString
	Size                *sql.NullInt64
	Website             *sql.NullString
	Industry            *sql.NullString
	MonthlySpend        *int64
	RemoteCreatedAt     *sql.NullInt64
	CustomAttributes    map[string]*string // a nil value removes the attribute
	UpdateLastRequestAt bool
}

// parseCompanyChange reads the body of POST /companies and PUT /companies/{id}. Like Intercom,
// it refuses fields it does not know ("bad 'test' parameter"), so that a misspelt field is not
// silently dropped. id is accepted and ignored: some clients send the id they were given back
// along with company_id, by which Intercom matches companies.
func parseCompanyChange(r *http.Request) (companyChange, error) {
	var ch companyChange
	var raw json.RawMessage
	if err := decode(r, &raw); err != nil {
		return ch, err
	}
	var body map[string]json.RawMessage
	if err := decodeBytes(raw, &body); err != nil {
		return ch, err
	}
	keys := make([]string, 0, len(body))
	for k := range body {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := body[k]
		var err error
		switch k {
		case "company_id":
			var s sql.NullString
			if s, err = textField(k, v); err == nil {
				if !s.Valid {
					return ch, invalid("company_id must not be blank")
				}
				ch.CompanyID = &s.String
			}
		case "name":
			ch.Name, err = optionalText(k, v)
		case "plan":
			ch.Plan, err = optionalText(k, v)
		case "website":
			ch.Website, err = optionalText(k, v)
		case "industry":
			ch.Industry, err = optionalText(k, v)
		case "size":
			ch.Size, err = optionalWhole(k, v, 0, maxCompanyInt, "a whole number of employees")
		case "remote_created_at":
			ch.RemoteCreatedAt, err = optionalWhole(k, v, math.MinInt64, math.MaxInt64, "a Unix time in seconds")
		case "monthly_spend":
			ch.MonthlySpend, err = monthlySpend(v)
		case "custom_attributes":
			ch.CustomAttributes, err = customAttributes(v)
		case "update_last_request_at":
			var b *bool
			if err = json.Unmarshal(v, &b); err != nil {
				err = invalid("update_last_request_at must be a boolean")
			}
			ch.UpdateLastRequestAt = b != nil && *b
		case "id":
		default:
			err = &Error{Status: http.StatusBadRequest, Code: codeBadRequest, Message: "bad '" + k + "' parameter"}
		}
		if err != nil {
			return ch, err
		}
	}
	return ch, nil
}

func isNull(v json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(v), []byte("null")) }

// textField reads a string as sent; null and blank strings are no value (not Valid).
func textField(name string, v json.RawMessage) (sql.NullString, error) {
	if isNull(v) {
		return sql.NullString{}, nil
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		return sql.NullString{}, invalid("%s must be a string", name)
	}
	if strings.TrimSpace(s) == "" {
		return sql.NullString{}, nil
	}
	return sql.NullString{String: s, Valid: true}, nil
}

// optionalText reads a text field of a company, without the spaces around it.
func optionalText(name string, v json.RawMessage) (*sql.NullString, error) {
	s, err := textField(name, v)
	s.String = strings.TrimSpace(s.String)
	return &s, err
}

// number reads a JSON number, or a string holding one (Intercom's own examples send size as "100").
func number(v json.RawMessage) (float64, string, bool) {
	var s string
	if json.Unmarshal(v, &s) != nil {
		s = string(bytes.TrimSpace(v))
	}
	s = strings.TrimSpace(s)
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, s, false
	}
	return f, s, true
}

// optionalWhole reads a whole number from lo to hi, or null.
func optionalWhole(name string, v json.RawMessage, lo, hi int64, what string) (*sql.NullInt64, error) {
	if isNull(v) {
		return &sql.NullInt64{}, nil
	}
	f, s, ok := number(v)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil && ok && f == math.Trunc(f) && f >= -(1<<63) && f < 1<<63 {
		n, err = int64(f), nil // 1e3 or 100.0
	}
	if err != nil || n < lo || n > hi {
		if lo == 0 {
			return nil, invalid("%s must be %s from 0 to %d", name, what, hi)
		}
		return nil, invalid("%s must be %s", name, what)
	}
	return &sql.NullInt64{Int64: n, Valid: true}, nil
}

// monthlySpend reads monthly_spend: Intercom keeps whole amounts ("155.98 will be truncated to
// 155") up to 2**31-1. null sets it back to 0, the amount of a company that reported none.
func monthlySpend(v json.RawMessage) (*int64, error) {
	var n int64
	if !isNull(v) {
		f, _, ok := number(v)
		if !ok || f < 0 || f >= maxCompanyInt+1 {
			return nil, invalid("monthly_spend must be a number from 0 to %d", maxCompanyInt)
		}
		n = int64(f)
	}
	return &n, nil
}

// customAttributes reads custom_attributes: an object whose values are strings, as Intercom's
// description types them, or null to remove an attribute. Names follow Intercom's rule: not
// blank, no "." nor "$".
func customAttributes(v json.RawMessage) (map[string]*string, error) {
	if isNull(v) {
		return nil, nil
	}
	var attrs map[string]json.RawMessage
	if err := json.Unmarshal(v, &attrs); err != nil {
		return nil, invalid("custom_attributes must be an object")
	}
	out := make(map[string]*string, len(attrs))
	for name, value := range attrs {
		if strings.TrimSpace(name) == "" || strings.ContainsAny(name, ".$") {
			return nil, invalid("custom_attributes: %q is not a valid attribute name (not blank, no \".\" nor \"$\")", name)
		}
		if isNull(value) {
			out[name] = nil
			continue
		}
		var s string
		if err := json.Unmarshal(value, &s); err != nil {
			return nil, invalid("custom_attributes.%s must be a string", name)
		}
		out[name] = &s
	}
	return out, nil
}

// apply makes the change to c, as of now.
func (ch companyChange) apply(c *store.Company, now time.Time) error {
	set := func(dst *sql.NullString, v *sql.NullString) {
		if v != nil {
			*dst = *v
		}
	}
	set(&c.Name, ch.Name)
	set(&c.Plan, ch.Plan)
	set(&c.Website, ch.Website)
	set(&c.Industry, ch.Industry)
	if ch.Size != nil {
		c.Size = *ch.Size
	}
	if ch.RemoteCreatedAt != nil {
		c.RemoteCreatedAt = *ch.RemoteCreatedAt
	}
	if ch.MonthlySpend != nil {
		c.MonthlySpend = *ch.MonthlySpend
	}
	if ch.UpdateLastRequestAt {
		c.LastRequestAt = sql.NullInt64{Int64: now.Unix(), Valid: true}
	}
	if len(ch.CustomAttributes) > 0 {
		attrs := map[string]string{}
		if c.CustomAttributes != "" {
			if err := json.Unmarshal([]byte(c.CustomAttributes), &attrs); err != nil {
				return fmt.Errorf("company %d: stored custom_attributes: %w", c.ID, err)
			}
		}
		for k, v := range ch.CustomAttributes {
			if v == nil {
				delete(attrs, k)
			} else {
				attrs[k] = *v
			}
		}
		b, err := json.Marshal(attrs)
		if err != nil {
			return err
		}
		c.CustomAttributes = string(b)
	}
	c.UpdatedAt = now
	return nil
}
