package inbox

// reportRoutes adds the routes of reports.go. (Stub: to be built.)
func (in *Inbox) reportRoutes(add route) {}
