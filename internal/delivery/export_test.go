package delivery

import "github.com/helpdesk/helpdesk/internal/store"

// SetAfterSend makes w run f after each send and before recording its outcome; an error from
// f stops the handling there, as a crash would.
func SetAfterSend(w *Worker, f func(store.ClaimedEmail) error) { w.afterSend = f }
