package inbox

// peopleRoutes adds the routes of people.go. (Stub: to be built.)
func (in *Inbox) peopleRoutes(add route) {}
