package inbox

// threadRoutes adds the routes of thread.go. (Stub: to be built.)
func (in *Inbox) threadRoutes(add route) {}
