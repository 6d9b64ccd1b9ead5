package inbox

// hub tells open Inbox pages of changes (IN5). (Stub: to be built.)
type hub struct{}

func newHub() *hub { return &hub{} }

// liveRoutes adds the routes of live.go. (Stub: to be built.)
func (in *Inbox) liveRoutes(add route) {}
