// Package serializer imitates payload building: short-lived buffers.
package serializer

import "bytes"

var sink []byte

// MarshalSeries builds a payload of roughly size bytes and drops it.
func MarshalSeries(size int) int {
	var b bytes.Buffer
	for b.Len() < size {
		b.WriteString(`{"metric":"system.cpu.user","points":[[1700000000,1.5]],"tags":["env:test"]},`)
	}
	sink = b.Bytes()
	return b.Len()
}
