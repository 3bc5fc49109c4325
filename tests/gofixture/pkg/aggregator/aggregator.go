// Package aggregator imitates the agent's metric context tracking: a map of
// contexts that grows with cardinality, which is what a leak looks like.
package aggregator

import (
	"strconv"
	"sync"
	"time"
)

type context struct {
	name string
	tags []string
	buf  []byte
}

// ContextResolver keeps every context it has seen.
type ContextResolver struct {
	mu       sync.Mutex
	contexts map[string]*context
}

func NewContextResolver() *ContextResolver {
	return &ContextResolver{contexts: make(map[string]*context)}
}

// TrackContext adds n new contexts of size bytes each and keeps them.
func (r *ContextResolver) TrackContext(prefix string, n, size int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := 0; i < n; i++ {
		key := prefix + strconv.Itoa(len(r.contexts))
		buf := make([]byte, size)
		// Filled, as a context's data is: memory fresh from the OS that is
		// never written stays out of RSS, and a leak must show there too.
		for j := range buf {
			buf[j] = byte(j)
		}
		r.contexts[key] = &context{name: key, tags: []string{"env:test", key}, buf: buf}
	}
}

// Len returns how many contexts are tracked.
func (r *ContextResolver) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.contexts)
}

// Reset forgets every context.
func (r *ContextResolver) Reset() {
	r.mu.Lock()
	r.contexts = make(map[string]*context)
	r.mu.Unlock()
}

// Flush holds the resolver's lock while it walks every context: a lock that
// other goroutines wait for, as contention on the aggregator looks.
func (r *ContextResolver) Flush(work int) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	total := 0
	for i := 0; i < work; i++ {
		total += len(r.contexts) ^ i
	}
	return total
}

// FlushSlow holds the lock while it waits for d, as a flush blocked on a slow
// write does: the waiters pile up behind it.
func (r *ContextResolver) FlushSlow(d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	time.Sleep(d)
}
