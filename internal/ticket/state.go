package ticket

import "time"

// StateCategory is one of the four built-in ticket states (ST1).
type StateCategory string

// The built-in states.
const (
	Submitted         StateCategory = "submitted"
	InProgress        StateCategory = "in_progress"
	WaitingOnCustomer StateCategory = "waiting_on_customer"
	Resolved          StateCategory = "resolved"
)

// State is a ticket state, with the label teammates see and the one customers see (ST1).
type State struct {
	ID            int64
	Category      StateCategory
	InternalLabel string
	ExternalLabel string
	Archived      bool
}

// States is every state a workspace has.
type States []State

// Initial is the state a new ticket starts in (ST2: Submitted).
func (s States) Initial() (State, bool) {
	for _, st := range s {
		if st.Category == Submitted && !st.Archived {
			return st, true
		}
	}
	return State{}, false
}

// ByID finds a state.
func (s States) ByID(id int64) (State, bool) {
	for _, st := range s {
		if st.ID == id {
			return st, true
		}
	}
	return State{}, false
}

// StateChange is one change of a ticket's state (ST2): an event part and a row of history.
type StateChange struct {
	From, To State
	At       time.Time
}

// NotifiesCustomer tells whether a state change is news for the customer (N3): a change into
// or out of any state is, but closing without resolving is not a state change at all (ST3).
func (c StateChange) NotifiesCustomer() bool { return c.From.ID != c.To.ID }
