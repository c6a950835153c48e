// Package gotest holds the Go tests that docs/testing.md and
// docs/verify.md show, run by go test as they are shown. The reference
// client of contract/reference stands in for the Flinks client of your
// application.
package gotest
