package api

import (
	_ "embed"
	"net/http"
)

//go:generate go run ./openapigen
//go:embed openapi.json
var openAPIDocument []byte

// serveOpenAPI publishes our own OpenAPI document (SPEC API2): what this server implements of
// Intercom's API, and our extensions, each marked with x-helpdesk-extension.
func serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(openAPIDocument)
}
