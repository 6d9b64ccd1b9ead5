package server

import (
	"context"
	"time"
)

// livePruneEvery is how often the change log of live updates (IN5) is pruned.
const livePruneEvery = 10 * time.Minute

// runLive keeps the change log of the Inbox's live updates (IN5) short, until ctx ends: every
// instance prunes it, which is harmless. The feed itself runs while pages listen to it.
func (s *Server) runLive(ctx context.Context) {
	s.inbox.inbox.LiveFeed().Prune(ctx, livePruneEvery)
}
