// Package system imitates a Go core check (the agent's system checks) doing CPU work.
package system

// Run spins for iters iterations in a hash-like loop.
func Run(iters int) uint64 {
	var h uint64 = 1469598103934665603
	for i := 0; i < iters; i++ {
		h ^= uint64(i)
		h *= 1099511628211
	}
	return h
}
