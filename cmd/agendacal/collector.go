package main

import (
	"math"
	"runtime"
	"runtime/debug"
)

// collectLater lets a build's heap grow to budget bytes before the garbage
// collector first runs; from that first collection on, it paces as it
// does by default (GOGC=100). While a programme is decoded, nearly all the
// heap holds is its tree, live: the collections the runtime would make on
// the way, at 4, 8, 16, 32 MiB and on, each trace all of it again for
// little garbage (a tenth of a 10,000-session change). A build that
// outgrows the budget is collected there and as usual after, so it peaks
// where it did. Where the collector is tuned already (GOGC or GOMEMLIMIT
// set), it is left be.
func collectLater(budget int64, getenv func(string) string) {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetMemoryLimit(budget)
	debug.SetGCPercent(-1) // collected when the heap reaches the limit
	// The first collection finds the marker unreachable: its cleanup then
	// sets the pace back.
	runtime.AddCleanup(new(collectionMarker), func(struct{}) {
		debug.SetGCPercent(100)
		debug.SetMemoryLimit(math.MaxInt64)
	}, struct{}{})
}

// collectionMarker is allocated only to be collected; it is larger than
// the runtime's tiny objects, which are freed with their neighbours.
type collectionMarker struct {
	_ [32]byte
}
