package contract

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The admin of GET /me, as Intercom's example shows it.
const meBody = `{
	"type": "admin",
	"id": "991267459",
	"email": "admin1@email.com",
	"name": "Ciaran1 Lee",
	"email_verified": true,
	"app": {
		"type": "app",
		"id_code": "this_is_an_id1_that_should_be_at_least_40",
		"name": "MyApp 1",
		"created_at": 1734537243,
		"identity_verification": false,
		"timezone": "America/Los_Angeles",
		"region": "US"
	},
	"avatar": {"type": "avatar", "image_url": "https://static.intercomassets.com/assets/default-avatars/admins/128.png"},
	"has_inbox_seat": true,
	"team_ids": [1, 2]
}`

const errorListBody = `{"type":"error.list","request_id":null,"errors":[{"code":"parameter_invalid","message":"from is required"}]}`

// A contact id as Intercom makes them: create_conversation_request wants exactly 24 characters.
const contactID = "6762f0dd1bb69f9f2193bb83"

func TestLoad(t *testing.T) {
	start := time.Now()
	v, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Load parsed, validated and routed Intercom's API description in %v", time.Since(start))

	start = time.Now()
	again, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if again != v {
		t.Errorf("Load returned a new Validator; want the cached one")
	}
	t.Logf("Load again (cached) in %v", time.Since(start))
}

func TestCheckResponse(t *testing.T) {
	v, err := Load()
	if err != nil {
		t.Fatal(err)
	}

	type exchange struct {
		method, target string
		reqHeader      http.Header
		reqBody        string
		status         int
		contentType    string
		respBody       string
	}
	tests := []struct {
		name string
		exchange
		// want lists substrings the error must hold; none means the exchange must pass.
		want []string
		// noOperation says the error must wrap ErrNoOperation.
		noOperation bool
	}{
		{
			name:     "valid admin from GET /me",
			exchange: exchange{method: "GET", target: "/api/me", status: 200, respBody: meBody},
		},
		{
			name: "unknown headers are not an error, Intercom-Version 2.16 is valid",
			exchange: exchange{method: "GET", target: "/api/me", status: 200, respBody: meBody,
				reqHeader: http.Header{"Intercom-Version": {"2.16"}, "X-Request-Id": {"abc"}, "Authorization": {"Bearer x"}}},
		},
		{
			name: "unknown Intercom-Version",
			exchange: exchange{method: "GET", target: "/api/me", status: 200, respBody: meBody,
				reqHeader: http.Header{"Intercom-Version": {"9.99"}}},
			want: []string{`request: header parameter "Intercom-Version"`},
		},
		{
			name:     "id is a number where a string is required",
			exchange: exchange{method: "GET", target: "/api/me", status: 200, respBody: strings.Replace(meBody, `"991267459"`, `5`, 1)},
			want:     []string{"#/components/schemas/admin_with_app", "at /id: value must be a string", "(expected string)"},
		},
		{
			name:     "nested wrong types are each named",
			exchange: exchange{method: "GET", target: "/api/me", status: 200, respBody: strings.NewReplacer(`[1, 2]`, `[1, "2"]`, `1734537243`, `"yesterday"`).Replace(meBody)},
			want:     []string{"at /team_ids/1: value must be an integer", "at /app/created_at: value must be an integer"},
		},
		{
			name:     "response is not JSON",
			exchange: exchange{method: "GET", target: "/api/me", status: 200, contentType: "text/html", respBody: "<p>hi</p>"},
			want:     []string{`"text/html"`},
		},
		{
			name:     "status the operation does not declare",
			exchange: exchange{method: "GET", target: "/api/me", status: 201, respBody: meBody},
			want:     []string{"status 201 is not declared (declared: 200)"},
		},
		{
			name: "POST /conversations",
			exchange: exchange{method: "POST", target: "/api/conversations",
				reqBody: `{"from":{"type":"user","id":"` + contactID + `"},"body":"Hello"}`,
				status:  200, respBody: `{"type":"user_message","id":"403918330","created_at":1734537501,"body":"Hello","message_type":"inapp","conversation_id":"1"}`},
		},
		{
			name: "required field missing from the response",
			exchange: exchange{method: "POST", target: "/api/conversations",
				reqBody: `{"from":{"type":"user","id":"` + contactID + `"},"body":"Hello"}`,
				status:  200, respBody: `{"type":"user_message","id":"403918330","created_at":1734537501,"body":"Hello","message_type":"inapp"}`},
			want: []string{`at /conversation_id: property "conversation_id" is missing`, "required [conversation_id]"},
		},
		{
			name: "request body that Intercom refuses, answered with 200",
			exchange: exchange{method: "POST", target: "/api/conversations",
				reqBody: `{"from":{"type":"user","id":"42"}}`,
				status:  200, respBody: `{"type":"user_message","id":"403918330","created_at":1734537501,"body":"Hello","message_type":"inapp","conversation_id":"1"}`},
			want: []string{`request: body: `, `at /body: property "body" is missing`},
		},
		{
			name: "oneOf: each alternative says why it does not match",
			exchange: exchange{method: "POST", target: "/api/conversations/5/parts",
				reqBody: `{"message_type":"close","type":"admin"}`,
				status:  200, respBody: `{"type":"conversation","id":"5","state":"closed"}`},
			want: []string{`doesn't match any schema from "oneOf", because:`,
				`  at /admin_id: property "admin_id" is missing (expected "Close Conversation Request"`},
		},
		{
			name: "error.list for a 400 Intercom does not declare",
			exchange: exchange{method: "POST", target: "/api/conversations",
				reqBody: `{"from":{"type":"user","id":"42"}}`,
				status:  400, respBody: errorListBody},
		},
		{
			name:     "error.list for a 500",
			exchange: exchange{method: "GET", target: "/api/me", status: 500, respBody: `{"type":"error.list","errors":[{"code":"server_error","message":"Server error"}]}`},
		},
		{
			name:     "error.list for a declared 404",
			exchange: exchange{method: "GET", target: "/api/conversations/123", status: 404, respBody: `{"type":"error.list","errors":[{"code":"not_found","message":"Resource Not Found"}]}`},
		},
		{
			name:     "400 that is not an error.list",
			exchange: exchange{method: "GET", target: "/api/me", status: 400, respBody: `{"type":"error.list","errors":[{"message":"no code"}]}`},
			want:     []string{"#/components/schemas/error", `at /errors/0/code: property "code" is missing`},
		},
		{
			name:     "400 that is not JSON",
			exchange: exchange{method: "GET", target: "/api/me", status: 400, contentType: "text/plain", respBody: "bad request"},
			want:     []string{`content type "text/plain", want application/json`},
		},
		{
			name: "POST /contacts/search is not GET /contacts/{id}",
			exchange: exchange{method: "POST", target: "/api/contacts/search",
				reqBody: `{"query":{"field":"email","operator":"=","value":"a@example.com"}}`,
				status:  200, respBody: `{"type":"list","data":[],"total_count":0,"pages":{"type":"pages","page":1,"per_page":50,"total_pages":0}}`},
		},
		{
			name:     "path parameters and query",
			exchange: exchange{method: "GET", target: "/api/conversations?per_page=20&starting_after=WzE3MzQ1MzcyNDMwMDBd", status: 200, respBody: `{"type":"conversation.list","conversations":[],"total_count":0,"pages":{"type":"pages","page":1,"per_page":20,"total_pages":0}}`},
		},
		{
			name:     "query out of range",
			exchange: exchange{method: "GET", target: "/api/conversations?per_page=1000", status: 200, respBody: `{"type":"conversation.list","conversations":[]}`},
			want:     []string{`request: query parameter "per_page"`},
		},
		{
			name:        "extension path",
			exchange:    exchange{method: "GET", target: "/api/trackers/1", status: 200, respBody: `{}`},
			want:        []string{"GET /api/trackers/1"},
			noOperation: true,
		},
		{
			name:        "extension method on an Intercom path",
			exchange:    exchange{method: "PATCH", target: "/api/me", status: 200, respBody: meBody},
			want:        []string{"method not allowed"},
			noOperation: true,
		},
		{
			name:     "path outside /api",
			exchange: exchange{method: "GET", target: "/me", status: 200, respBody: meBody},
			want:     []string{"not under /api/"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest(tt.method, tt.target, strings.NewReader(tt.reqBody))
			if tt.reqBody != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			for k, vs := range tt.reqHeader {
				req.Header[k] = vs
			}
			ct := tt.contentType
			if ct == "" {
				ct = "application/json; charset=utf-8"
			}
			header := http.Header{"Content-Type": {ct}}

			err := v.CheckResponse(req, []byte(tt.reqBody), tt.status, header, []byte(tt.respBody))
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("CheckResponse: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("CheckResponse passed; want an error with %q", tt.want)
			}
			t.Logf("%v", err)
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error does not contain %q", want)
				}
			}
			if got := errors.Is(err, ErrNoOperation); got != tt.noOperation {
				t.Errorf("errors.Is(err, ErrNoOperation) = %v, want %v", got, tt.noOperation)
			}
		})
	}
}

// recorder is a testing.TB that keeps what Check reports.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

// TestCheck runs real HTTP exchanges with a server that answers as ours would.
func TestCheck(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/me", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, meBody)
	})
	mux.HandleFunc("GET /api/admins", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"type":"admin.list","admins":[{"type":"admin","id":7}]}`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	get := func(path string) (*http.Request, *http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequest("GET", srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return req, resp, body
	}

	req, resp, body := get("/api/me")
	Check(t, req, nil, resp, body)

	req, resp, body = get("/api/admins")
	rec := &recorder{TB: t}
	Check(rec, req, nil, resp, body)
	if len(rec.errors) != 1 || !strings.Contains(rec.errors[0], "at /admins/0/id: value must be a string") {
		t.Errorf("Check reported %q; want one error naming /admins/0/id", rec.errors)
	}
}
