//go:build race

package mockserver_test

// raceBuild is true in a build with -race, whose detector allocates on
// its own.
const raceBuild = true
