//go:build !race

package api_test

const linkTestRace = false
