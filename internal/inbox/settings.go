package inbox

// settingsRoutes adds the routes of settings.go. (Stub: to be built.)
func (in *Inbox) settingsRoutes(add route) {}
