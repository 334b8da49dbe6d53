package agenda

import (
	"sync"
	"sync/atomic"
)

// atOnce calls do for each of 0 to n-1 on up to workers goroutines (one
// at least), each taking the next not yet taken, and returns when all are
// done.
func atOnce(workers, n int, do func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range max(1, min(workers, n)) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				do(i)
			}
		})
	}
	wg.Wait()
}
