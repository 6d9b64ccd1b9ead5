// Package contract checks, in tests, that our /api exchanges are what Intercom's REST API 2.16
// describes (SPEC.md API1: a client built for Intercom works by changing only its base URL).
//
// The description is Intercom's own OpenAPI document, embedded from intercom/ (MIT licence there),
// loaded once with kin-openapi and shared by every test of the process. The choices made, and why:
//
//   - Examples are not validated when loading: some of Intercom's examples do not match their own
//     schemas, and they are documentation, not contract. Two faults that kin-openapi refuses are
//     repaired in memory (see allowAnyItems and declarePathParams); the rest of the document is
//     validated as it loads.
//   - Schema formats (uuid, uri, date-time) are not checked, as kin-openapi does by default: in
//     OpenAPI 3.0 they are annotations, and Intercom puts "date-time" on integer timestamps.
//   - Matching: our API is mounted under /api, Intercom's on the root of https://api.intercom.io.
//     The /api prefix is stripped and the document's servers are ignored, so an operation is found
//     by method and path alone, whatever the host of the test server (routers/legacy).
//   - Authentication is not checked here: the document requires a bearer token on every operation,
//     but whether we enforce it is for the API's own tests, so the AuthenticationFunc accepts all.
//   - The request (path parameters, query, declared headers such as Intercom-Version, body) is
//     validated only when the response is not a 4xx: a 4xx is the server rightly refusing a request
//     that Intercom would refuse too (SPEC.md API3), so a request outside the contract is then the
//     point of the test, not a fault. Headers the operation does not declare are never an error,
//     and neither are query parameters it does not declare (kin-openapi ignores them).
//   - The response status must be one the operation declares, and its content type and body must
//     match that status's schema. The exception is errors: every error we send is Intercom's
//     error.list ({"type":"error.list","errors":[{"code","message"}]}), and Intercom documents only
//     some of the statuses it can send (for example 401 and 404, not the 400 we answer to bad
//     input), so a 4xx or 5xx the operation does not declare is validated against the document's
//     error schema (components/schemas/error) instead of being rejected.
//   - Paths or methods that are not in Intercom's document (our extensions, SPEC.md API2) give an
//     error wrapping ErrNoOperation, so that a caller can tell them apart and skip them.
package contract

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// intercomYAML is Intercom's API description, unchanged; see intercom/README.md.
//
//go:embed intercom/api.intercom.io-2.16.yaml
var intercomYAML []byte

// prefix is where our server mounts the Intercom-compatible API.
const prefix = "/api"

// ErrNoOperation is wrapped by the errors of exchanges that Intercom's document has no operation
// for: our extensions, which callers skip with errors.Is.
var ErrNoOperation = errors.New("no operation in Intercom's API description")

// Validator checks exchanges against Intercom's API description.
// It is safe for concurrent use, so parallel tests can share the one Load returns.
type Validator struct {
	router routers.Router
	// errorSchema is components/schemas/error, the error.list that every error we send is.
	errorSchema *openapi3.SchemaRef
}

// load parses the 1.3 MB document once per test binary: it takes long enough to matter when
// every API test checks its exchanges.
var load = sync.OnceValues(newValidator)

// Load returns the Validator for Intercom's API 2.16, parsing the document on the first call only.
func Load() (*Validator, error) {
	return load()
}

func newValidator() (*Validator, error) {
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	doc, err := loader.LoadFromData(intercomYAML)
	if err != nil {
		return nil, fmt.Errorf("contract: load Intercom's API description: %w", err)
	}
	// Our server is not api.intercom.io and serves the API under /api: match on the path alone,
	// once the prefix is stripped.
	doc.Servers = nil
	allowAnyItems(doc)
	declarePathParams(doc)
	allowNumericContactIDs(doc)
	// legacy.NewRouter validates the document with these options before building its routes.
	router, err := legacy.NewRouter(doc, openapi3.DisableExamplesValidation())
	if err != nil {
		return nil, fmt.Errorf("contract: route Intercom's API description: %w", err)
	}
	errorSchema := doc.Components.Schemas["error"]
	if errorSchema == nil || errorSchema.Value == nil {
		return nil, errors.New("contract: Intercom's API description has no components/schemas/error")
	}
	return &Validator{router: router, errorSchema: errorSchema}, nil
}

// allowAnyItems gives an empty items schema, which any value matches, to the array schemas of
// doc's components that have none. OpenAPI 3.0 requires items, so kin-openapi refuses the
// document as it is; JSON Schema reads a missing items as any, which is what Intercom means
// (ticket_custom_attributes and ticket_request_custom_attributes: a value may be "an array").
func allowAnyItems(doc *openapi3.T) {
	seen := make(map[*openapi3.Schema]bool)
	var walk func(ref *openapi3.SchemaRef)
	walk = func(ref *openapi3.SchemaRef) {
		if ref == nil || ref.Value == nil || seen[ref.Value] {
			return
		}
		s := ref.Value
		seen[s] = true
		if s.Type.Is(openapi3.TypeArray) && s.Items == nil {
			s.Items = openapi3.NewSchemaRef("", &openapi3.Schema{})
		}
		walk(s.Items)
		walk(s.Not)
		walk(s.AdditionalProperties.Schema)
		for _, refs := range []openapi3.SchemaRefs{s.AllOf, s.AnyOf, s.OneOf} {
			for _, r := range refs {
				walk(r)
			}
		}
		for _, r := range s.Properties {
			walk(r)
		}
	}
	for _, ref := range doc.Components.Schemas {
		walk(ref)
	}
}

// allowNumericContactIDs drops the 24-character length of create_conversation_request's from.id.
// Intercom's contact ids happen to be 24 hex digits; ours are 64-bit integers written as strings
// of digits, as the API contract allows every other id to be (SPEC.md API1, STYLE.md "Data").
// A client sends back the id we gave it, so the length is Intercom's detail, not the contract.
func allowNumericContactIDs(doc *openapi3.T) {
	req := doc.Components.Schemas["create_conversation_request"]
	if req == nil || req.Value == nil || req.Value.Properties["from"] == nil {
		return
	}
	from := req.Value.Properties["from"].Value
	if from == nil || from.Properties["id"] == nil || from.Properties["id"].Value == nil {
		return
	}
	id := from.Properties["id"].Value
	id.MinLength, id.MaxLength = 0, nil
}

// declarePathParams declares as a string path parameter each {name} of a path template that an
// operation does not declare as one. Intercom's two reporting_data/{job_identifier} operations
// declare job_identifier in the query instead, which kin-openapi refuses; we do not serve them.
func declarePathParams(doc *openapi3.T) {
	for path, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for _, name := range pathTemplateNames(path) {
				if op.Parameters.GetByInAndName(openapi3.ParameterInPath, name) != nil ||
					item.Parameters.GetByInAndName(openapi3.ParameterInPath, name) != nil {
					continue
				}
				p := openapi3.NewPathParameter(name).WithSchema(openapi3.NewStringSchema())
				op.Parameters = append(op.Parameters, &openapi3.ParameterRef{Value: p})
			}
		}
	}
}

// pathTemplateNames returns the names between braces in an OpenAPI path template.
func pathTemplateNames(path string) []string {
	var names []string
	for {
		_, rest, ok := strings.Cut(path, "{")
		if !ok {
			return names
		}
		name, rest, ok := strings.Cut(rest, "}")
		if !ok {
			return names
		}
		names = append(names, name)
		path = rest
	}
}

// CheckResponse validates one exchange: the request (method, path under /api, query, headers,
// body) must match an operation, and the response status, content type and body must match that
// operation's response schema. The package comment says what is and is not checked.
//
// The error lists every mismatch on its own line, with the JSON pointer of the bad field and the
// schema expected there. It wraps ErrNoOperation when Intercom has no operation for the request.
func (v *Validator) CheckResponse(req *http.Request, reqBody []byte, status int, header http.Header, respBody []byte) error {
	exchange := req.Method + " " + req.URL.RequestURI()
	path, ok := strings.CutPrefix(req.URL.Path, prefix)
	if !ok || !strings.HasPrefix(path, "/") {
		return fmt.Errorf("contract: %s: path is not under %s/", exchange, prefix)
	}

	ctx := req.Context()
	r := req.Clone(ctx)
	r.URL.Path = path
	r.URL.RawPath = strings.TrimPrefix(r.URL.RawPath, prefix)
	r.Body = io.NopCloser(bytes.NewReader(reqBody))
	r.ContentLength = int64(len(reqBody))

	route, pathParams, err := v.router.FindRoute(r)
	if err != nil {
		return fmt.Errorf("contract: %s: %w (%v)", exchange, ErrNoOperation, err)
	}
	op := route.Method + " " + route.Path
	if id := route.Operation.OperationID; id != "" {
		op += " (" + id + ")"
	}

	options := &openapi3filter.Options{
		AuthenticationFunc:  openapi3filter.NoopAuthenticationFunc,
		MultiError:          true,
		SkipSettingDefaults: true,
		// Schema errors are reported by report, with the field and the expected schema; their
		// own messages would dump whole schemas (a conversation's is pages long).
		SchemaValidationOptions: []openapi3.SchemaValidationOption{openapi3.DisableSchemaErrorDetails()},
	}
	in := &openapi3filter.RequestValidationInput{
		Request:    r,
		PathParams: pathParams,
		Route:      route,
		Options:    options,
	}

	var problems []string
	// A 4xx refuses the request: whether Intercom would have refused it too is the test's concern.
	if status < 400 || status > 499 {
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			problems = report(problems, "request: ", err)
		}
	}
	problems = v.checkResponse(ctx, problems, in, status, header, respBody)
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("contract: %s → %d does not match Intercom's %s:\n\t%s",
		exchange, status, op, strings.Join(problems, "\n\t"))
}

// checkResponse appends to problems what of the response does not match the operation of in.
func (v *Validator) checkResponse(ctx context.Context, problems []string, in *openapi3filter.RequestValidationInput,
	status int, header http.Header, body []byte,
) []string {
	responses := in.Route.Operation.Responses
	if responses.Status(status) == nil && responses.Default() == nil {
		if status < 400 {
			return append(problems, fmt.Sprintf("response: status %d is not declared (declared: %s)",
				status, strings.Join(declared(responses), ", ")))
		}
		return v.checkError(problems, header, body)
	}
	err := openapi3filter.ValidateResponse(ctx, &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 status,
		Header:                 header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options: &openapi3filter.Options{
			IncludeResponseStatus:   true,
			MultiError:              true,
			SchemaValidationOptions: in.Options.SchemaValidationOptions,
		},
	})
	if err != nil {
		// The reasons of kin-openapi's response errors start with "response".
		problems = report(problems, "", err)
	}
	return problems
}

// checkError appends to problems what of an error response, of a status the operation does not
// declare, is not Intercom's error.list.
func (v *Validator) checkError(problems []string, header http.Header, body []byte) []string {
	const where = "response (undeclared error status, checked against #/components/schemas/error): "
	ct := header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
		return append(problems, fmt.Sprintf("%scontent type %q, want application/json", where, ct))
	}
	var value any
	if err := json.Unmarshal(body, &value); err != nil {
		return append(problems, fmt.Sprintf("%sbody is not JSON: %v", where, err))
	}
	err := v.errorSchema.Value.VisitJSON(value,
		openapi3.MultiErrors(), openapi3.VisitAsResponse(), openapi3.DisableSchemaErrorDetails())
	if err != nil {
		problems = report(problems, where, err)
	}
	return problems
}

// declared lists the statuses responses has, in order.
func declared(responses *openapi3.Responses) []string {
	var codes []string
	for code := range responses.Map() {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	return codes
}

// Check is CheckResponse for tests: it reports a mismatch, or a failure to load the description,
// with t.Errorf. It is strict: an exchange Intercom has no operation for fails too, since a test
// that checks one against Intercom expects it to be Intercom's; tests of extensions call
// CheckResponse and skip errors.Is(err, ErrNoOperation).
func Check(t testing.TB, req *http.Request, reqBody []byte, resp *http.Response, respBody []byte) {
	t.Helper()
	v, err := Load()
	if err != nil {
		t.Errorf("%v", err)
		return
	}
	if resp == nil {
		t.Errorf("contract: %s %s: no response to check", req.Method, req.URL.RequestURI())
		return
	}
	if err := v.CheckResponse(req, reqBody, resp.StatusCode, resp.Header, respBody); err != nil {
		t.Errorf("%v", err)
	}
}

// report appends to problems one line per mismatch that err holds, each prefixed with where.
func report(problems []string, where string, err error) []string {
	switch e := err.(type) {
	case openapi3.MultiError:
		for _, e := range e {
			problems = report(problems, where, e)
		}
		return problems
	case *openapi3filter.RequestError:
		switch {
		case e.Parameter != nil:
			where += fmt.Sprintf("%s parameter %q: ", e.Parameter.In, e.Parameter.Name)
		case e.RequestBody != nil:
			where += "body: "
		}
		if e.Err == nil {
			return append(problems, where+e.Reason)
		}
		if e.Reason != "" && e.Reason != e.Err.Error() {
			where += e.Reason + ": "
		}
		return report(problems, where, e.Err)
	case *openapi3filter.ResponseError:
		if e.Err == nil {
			return append(problems, where+e.Reason)
		}
		return report(problems, where+e.Reason+": ", e.Err)
	case *openapi3.SchemaError:
		return reportSchema(problems, where, e)
	}
	return append(problems, where+err.Error())
}

// reportSchema appends one line per leaf of a schema error: an error of oneOf, anyOf or allOf
// holds those of its alternatives, which are what a reader needs to see.
func reportSchema(problems []string, where string, err *openapi3.SchemaError) []string {
	// The pointer is empty for an error about the value itself, a parameter's for example.
	at := ""
	if pointer := err.JSONPointer(); len(pointer) > 0 {
		at = "at /" + strings.Join(pointer, "/") + ": "
	}
	if err.Origin != nil {
		var multi openapi3.MultiError
		if errors.As(err.Origin, &multi) {
			problems = append(problems, fmt.Sprintf("%s%s%s, because:", where, at, err.Reason))
			// The alternatives' lines are indented under this one, without repeating where.
			indent := where[:len(where)-len(strings.TrimLeft(where, " "))] + "  "
			for _, e := range multi {
				problems = report(problems, indent, e)
			}
			return problems
		}
		return append(problems, fmt.Sprintf("%s%s%s: %v", where, at, err.Reason, err.Origin))
	}
	reason := err.Reason
	if reason == "" {
		reason = fmt.Sprintf("does not match %q", err.SchemaField)
	}
	return append(problems, fmt.Sprintf("%s%s%s (expected %s)", where, at, reason, expected(err.Schema, err.SchemaField)))
}

// expected describes schema in a few words, not the whole of it: its title, type, format and
// enum, and the keyword that failed when that is what the reader must fix.
func expected(schema *openapi3.Schema, field string) string {
	if schema == nil {
		return "schema"
	}
	var parts []string
	if schema.Title != "" {
		parts = append(parts, strconv.Quote(schema.Title))
	}
	if schema.Type != nil && len(schema.Type.Slice()) > 0 {
		parts = append(parts, strings.Join(schema.Type.Slice(), "|"))
	}
	if schema.Format != "" {
		parts = append(parts, "format "+schema.Format)
	}
	if schema.Nullable {
		parts = append(parts, "nullable")
	}
	if len(schema.Enum) > 0 && field != "enum" { // the reason of an enum error lists them
		enum, _ := json.Marshal(schema.Enum)
		parts = append(parts, "enum "+string(enum))
	}
	switch field {
	case "required":
		parts = append(parts, "required ["+strings.Join(schema.Required, " ")+"]")
	case "oneOf", "anyOf", "allOf":
		parts = append(parts, fmt.Sprintf("%s of %d schemas", field,
			len(schema.OneOf)+len(schema.AnyOf)+len(schema.AllOf)))
	case "additionalProperties":
		parts = append(parts, "no additional properties")
	}
	if len(parts) == 0 {
		return "schema"
	}
	return strings.Join(parts, ", ")
}
