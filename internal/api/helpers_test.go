package api_test

import (
	"strconv"
	"strings"
)

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}
