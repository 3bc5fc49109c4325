// Package metrics imitates gauge and histogram flushes.
package metrics

// Flush sums n samples.
func Flush(n int) float64 {
	var s float64
	for i := 0; i < n; i++ {
		s += float64(i%13) * 0.5
	}
	return s
}
