// Package agent imitates the trace-agent's span processing.
package agent

// Process normalises n spans; CPU heavy when called in a loop.
func Process(n int) int {
	total := 0
	for i := 0; i < n; i++ {
		total += normalize(i)
	}
	return total
}

func normalize(i int) int {
	s := 0
	for k := 0; k < 200; k++ {
		s += (i * k) % 7
	}
	return s
}
