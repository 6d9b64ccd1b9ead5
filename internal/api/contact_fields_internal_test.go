package api

import (
	"strings"
	"testing"
)

// TestContactSearchDefinitions checks our own definitions, not a client's input: the search
// fields are well formed, and every sort key is an expression that cannot be NULL.
func TestContactSearchDefinitions(t *testing.T) {
	if err := contactFields.Validate(); err != nil {
		t.Error(err)
	}
	nullable := []string{"signed_up_at", "last_seen_at", "owner_id", "name", "phone", "external_id"}
	for name, s := range contactSorts {
		for _, col := range nullable {
			if strings.Contains(s.key, "c."+col) && !strings.HasPrefix(s.key, "COALESCE(") {
				t.Errorf("sort %s: key %s can be NULL", name, s.key)
			}
		}
		if _, ok := contactFields[name]; !ok {
			t.Errorf("sort field %s is not a search field", name)
		}
	}
}
