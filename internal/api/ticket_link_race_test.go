//go:build race

package api_test

// linkTestRace makes TestTR5 link fewer conversations than 100,000 under the race detector,
// which slows the database drivers many times over.
const linkTestRace = true
