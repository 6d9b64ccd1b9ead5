package portal

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"net/http"
)

//go:embed static/portal.css
var stylesheet []byte

// stylesheetName carries a hash of the stylesheet, so that browsers may keep it for good and
// still get a changed one at once.
var stylesheetName = func() string {
	sum := sha256.Sum256(stylesheet)
	return "portal." + hex.EncodeToString(sum[:6]) + ".css"
}()

// stylesheetPath is where pages link the stylesheet.
var stylesheetPath = "/portal/static/" + stylesheetName

// serveStatic serves the portal's stylesheet under its hashed name.
func serveStatic(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("name") != stylesheetName {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	_, _ = w.Write(stylesheet)
}
