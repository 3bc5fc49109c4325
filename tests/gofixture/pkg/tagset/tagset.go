// Package tagset imitates tag hashing.
package tagset

// Hash hashes n tags.
func Hash(n int) uint32 {
	var h uint32 = 2166136261
	for i := 0; i < n; i++ {
		h ^= uint32(i)
		h *= 16777619
	}
	return h
}
