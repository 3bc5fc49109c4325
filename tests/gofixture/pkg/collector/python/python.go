// Package python imitates the embedded-Python check runtime: Python strings
// copied into Go memory, proportional to what checks submit.
package python

var retained [][]byte

// _Cfunc_GoString mirrors the cgo helper's name in the real agent, where it is
// the top allocator when Python checks submit many metrics.
func _Cfunc_GoString(n int) []byte {
	return make([]byte, n)
}

// SubmitMetric copies a metric name from "Python" and keeps it.
func SubmitMetric(n int, keep bool) int {
	b := _Cfunc_GoString(n)
	if keep {
		retained = append(retained, b)
	}
	return len(b)
}

// Release drops what SubmitMetric kept.
func Release() { retained = nil }
