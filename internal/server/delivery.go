package server

import (
	"context"
)

// deliveryState is what the delivery surface keeps. (Stub: to be built.)
type deliveryState struct{}

// initDelivery prepares the delivery surface from the configuration.
func (s *Server) initDelivery() {}

// runDelivery delivers notification emails until ctx ends.
func (s *Server) runDelivery(ctx context.Context) {}
