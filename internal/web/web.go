// Package web holds what Helpdesk's web pages share: the vendored htmx (no Node build step;
// see vendor/README.md).
package web

import _ "embed"

// HTMX is htmx.min.js, as vendored.
//
//go:embed vendor/htmx.min.js
var HTMX []byte

// Favicon is the icon of every page, an SVG (browsers ask for /favicon.ico whatever a page says).
//
//go:embed favicon.svg
var Favicon []byte
