//go:build race && testall

package main

// The race detector makes password hashing several times slower: a test of
// latencies allows for it (raceSlowdown).
func init() { raceSlowdown = 4 }
