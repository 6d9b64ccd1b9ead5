package inbox

import "net/http"

// viewRoutes adds the routes of views.go. (Stub: to be built.)
func (in *Inbox) viewRoutes(add route) {
	add("GET /inbox", func(w http.ResponseWriter, r *http.Request) error {
		in.render(w, r, http.StatusOK, "message", &messagePage{Page: Page{Title: "Inbox", Nav: "inbox"},
			Heading: "Inbox", Message: "Coming soon."})
		return nil
	})
}
