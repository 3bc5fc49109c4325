// Package forwarder imitates a transaction queue that retains payloads.
package forwarder

import "sync"

// Queue retains transactions until they are sent.
type Queue struct {
	mu    sync.Mutex
	items [][]byte
}

// Enqueue keeps a payload of size bytes.
func (q *Queue) Enqueue(size int) {
	q.mu.Lock()
	q.items = append(q.items, make([]byte, size))
	q.mu.Unlock()
}

// Drain drops every queued payload.
func (q *Queue) Drain() {
	q.mu.Lock()
	q.items = nil
	q.mu.Unlock()
}
