//go:build !race

package flinksapi

// raceDetector is true in a build with -race, which makes the validation
// of thousands of answers ten times slower.
const raceDetector = false
