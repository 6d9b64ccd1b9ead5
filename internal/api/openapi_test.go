package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/helpdesk/helpdesk/internal/apitest"
)

// TestOpenAPI_DocumentIsValid checks SPEC API2: the served document is a valid, self-contained
// OpenAPI 3.0 document, and every operation in it that Intercom lacks says so.
func TestAPI2_DocumentIsValidAndMarksExtensions(t *testing.T) {
	e := apitest.Start(t)
	doc := servedDocument(t, e)

	if doc.Info == nil || doc.Info.Title != "Helpdesk API" || doc.Info.Version != "2.16" {
		t.Errorf("info = %+v, want title Helpdesk API, version 2.16", doc.Info)
	}
	if len(doc.Servers) != 1 || doc.Servers[0].URL != "/api" {
		t.Errorf("servers = %v, want one, /api", doc.Servers)
	}
	if doc.Extensions["x-helpdesk-ids"] == nil {
		t.Error("no x-helpdesk-ids")
	}
	op := doc.Paths.Find("/openapi.json").Get
	if op == nil || op.Extensions["x-helpdesk-extension"] != true {
		t.Errorf("GET /openapi.json is not marked as an extension")
	}
}

// servedDocument fetches GET /api/openapi.json, without a token, and loads and validates it.
func servedDocument(t *testing.T, e *apitest.Env) *openapi3.T {
	t.Helper()
	r := e.DoWith("", "GET", "/api/openapi.json", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("GET /api/openapi.json = %d %s", r.Status, r.Body)
	}
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	doc, err := loader.LoadFromData(r.Body)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if err := doc.Validate(context.Background(), openapi3.DisableExamplesValidation()); err != nil {
		t.Fatalf("validate: %v", err)
	}
	return doc
}

// TestOpenAPI_DocumentMatchesRoutes checks that the document says what the API serves: every
// operation in it is routed, and every route is in it.
func TestAPI2_DocumentListsExactlyWhatIsServed(t *testing.T) {
	e := apitest.Start(t)
	doc := servedDocument(t, e)

	var documented []string // "METHOD /path"
	for _, path := range slices.Sorted(maps.Keys(doc.Paths.Map())) {
		for _, method := range slices.Sorted(maps.Keys(doc.Paths.Value(path).Operations())) {
			documented = append(documented, method+" "+path)

			// Every path parameter is 1: whether or not that names an object, a route answers;
			// what this checks is that the catch-all does not.
			t.Run(method+" "+path, func(t *testing.T) {
				url := e.URL + "/api" + wildcard.ReplaceAllString(path, "1")
				req, err := http.NewRequest(method, url, strings.NewReader("{}"))
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Authorization", "Bearer "+e.Token)
				req.Header.Set("Content-Type", "application/json")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				var body struct {
					Errors []struct {
						Message string `json:"message"`
					} `json:"errors"`
				}
				_ = json.NewDecoder(resp.Body).Decode(&body)
				if resp.StatusCode == http.StatusNotFound && len(body.Errors) > 0 && strings.HasPrefix(body.Errors[0].Message, "no API path") {
					t.Errorf("documented but not served: %s", body.Errors[0].Message)
				}
			})
		}
	}

	routes := registeredRoutes(t)
	if len(routes) == 0 {
		t.Fatal("found no mux.Handle(\"METHOD /path\", ...) in internal/api")
	}
	for _, route := range routes {
		if !slices.ContainsFunc(documented, func(op string) bool { return serves(route, op) }) {
			t.Errorf("served but not documented: %s (add it to openapigen/operations.txt, or an extension, and go generate)", route)
		}
	}
}

// wildcard is a path parameter, in OpenAPI's syntax and in ServeMux's ({name}, {name...}).
var wildcard = regexp.MustCompile(`\{[^}]*\}`)

// serves tells whether the ServeMux pattern route ("GET /conversations/{id}") serves the
// documented operation op ("GET /conversations/{conversation_id}"). Parameters match by position,
// whatever their names; a wildcard of the route also matches a fixed segment of the document, for
// routes that dispatch on a segment themselves (GET /contacts/{id}/{sub} serves
// GET /contacts/find_by_external_id/{external_id}, which ServeMux cannot register beside
// GET /contacts/{id}/tags).
func serves(route, op string) bool {
	rMethod, rPath, _ := strings.Cut(route, " ")
	oMethod, oPath, _ := strings.Cut(op, " ")
	if rMethod != oMethod {
		return false
	}
	rSegs := strings.Split(rPath, "/")
	oSegs := strings.Split(oPath, "/")
	for i, r := range rSegs {
		if strings.HasSuffix(r, "...}") {
			return true // the rest of the path, whatever it is
		}
		if i >= len(oSegs) {
			return false
		}
		if !wildcard.MatchString(r) && r != oSegs[i] {
			return false
		}
	}
	return len(rSegs) == len(oSegs)
}

// registeredRoutes returns the "METHOD /path" patterns that the API's sources register with
// mux.Handle or mux.HandleFunc. Patterns without a method (the catch-all "/") are left out.
func registeredRoutes(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var routes []string
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || (sel.Sel.Name != "Handle" && sel.Sel.Name != "HandleFunc") {
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			pattern, err := strconv.Unquote(lit.Value)
			if err != nil {
				t.Fatalf("%s: %v", fset.Position(lit.Pos()), err)
			}
			if method, path, ok := strings.Cut(pattern, " "); ok && strings.HasPrefix(path, "/") {
				routes = append(routes, method+" "+path)
			}
			return true
		})
	}
	slices.Sort(routes)
	return routes
}

// TestOpenAPI_GeneratedFileIsCurrent checks that openapi.json is what openapigen writes from
// Intercom's description, operations.txt and the extensions: run go generate ./internal/api.
func TestAPI2_GeneratedDocumentIsCurrent(t *testing.T) {
	out := filepath.Join(t.TempDir(), "openapi.json")
	cmd := exec.Command("go", "run", "./openapigen", "-out", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run ./openapigen: %v\n%s", err, msg)
	}
	want, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("openapi.json is stale: run go generate ./internal/api")
	}
}
