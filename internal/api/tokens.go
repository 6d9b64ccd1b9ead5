package api

import (
	"context"
	"sync"
	"time"

	"github.com/helpdesk/helpdesk/internal/store"
)

// tokenTTL is how long a checked token is trusted without asking the database again. A token
// deleted in the database stops working on every instance within this time.
const tokenTTL = 10 * time.Second

// maxCachedTokens bounds the cache; past it, the cache starts afresh.
const maxCachedTokens = 10_000

// tokenCache remembers which teammate a token hash belongs to, so that the hot path of every
// request is a SHA-256 and a map lookup instead of a query. Unknown tokens are not cached: a
// flood of bad tokens cannot fill it.
type tokenCache struct {
	mu sync.Mutex
	m  map[[32]byte]cachedToken
}

type cachedToken struct {
	admin   store.Admin
	expires time.Time
}

// admin returns the teammate of a token hash, from the cache or the database.
func (c *tokenCache) admin(ctx context.Context, db *store.DB, hash []byte, now time.Time) (store.Admin, error) {
	key := [32]byte(hash)
	c.mu.Lock()
	hit, ok := c.m[key]
	c.mu.Unlock()
	if ok && now.Before(hit.expires) {
		return hit.admin, nil
	}
	admin, err := db.Read().AdminByToken(ctx, hash)
	if err != nil {
		return admin, err
	}
	if !admin.Active() {
		// Deactivating a teammate deletes their tokens; one made while it happened is refused too.
		return admin, store.ErrNotFound
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxCachedTokens {
		c.m = make(map[[32]byte]cachedToken)
	}
	c.m[key] = cachedToken{admin: admin, expires: now.Add(tokenTTL)}
	c.mu.Unlock()
	return admin, nil
}
