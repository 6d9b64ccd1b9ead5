// Package web holds what Helpdesk's web pages share: the vendored htmx (no Node build step;
// see vendor/README.md).
package web

import _ "embed"

// HTMX is htmx.min.js, as vendored.
//
//go:embed vendor/htmx.min.js
var HTMX []byte
