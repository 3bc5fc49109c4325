// Package work holds the shapes of call stacks that profwatch's parity tests
// need from real Go profiles: recursion, inlined frames, labels, and many
// distinct stacks.
package work

import (
	"context"
	"runtime/pprof"
	"sync"
	"time"
)

var keep [][]byte
var keepMu sync.Mutex

// alloc is small enough for the compiler to inline: heap samples then carry a
// location with two lines (alloc inlined into its caller).
func alloc(n int) []byte { return make([]byte, n) }

func retain(b []byte) {
	keepMu.Lock()
	keep = append(keep, b)
	keepMu.Unlock()
}

// Release drops everything retained so far.
func Release() {
	keepMu.Lock()
	keep = nil
	keepMu.Unlock()
}

// Tree calls one of eight functions per level, chosen by the bits of path, so
// depth d gives up to 8^d distinct stacks. Each leaf allocates size bytes and
// keeps them.
func Tree(depth int, path uint32, size int) {
	if depth == 0 {
		retain(alloc(size))
		return
	}
	switch path & 7 {
	case 0:
		t0(depth-1, path>>3, size)
	case 1:
		t1(depth-1, path>>3, size)
	case 2:
		t2(depth-1, path>>3, size)
	case 3:
		t3(depth-1, path>>3, size)
	case 4:
		t4(depth-1, path>>3, size)
	case 5:
		t5(depth-1, path>>3, size)
	case 6:
		t6(depth-1, path>>3, size)
	default:
		t7(depth-1, path>>3, size)
	}
}

//go:noinline
func t0(d int, p uint32, s int) { Tree(d, p, s) }

//go:noinline
func t1(d int, p uint32, s int) { Tree(d, p, s) }

//go:noinline
func t2(d int, p uint32, s int) { Tree(d, p, s+8) }

//go:noinline
func t3(d int, p uint32, s int) { Tree(d, p, s) }

//go:noinline
func t4(d int, p uint32, s int) { Tree(d, p, s+16) }

//go:noinline
func t5(d int, p uint32, s int) { Tree(d, p, s) }

//go:noinline
func t6(d int, p uint32, s int) { Tree(d, p, s) }

//go:noinline
func t7(d int, p uint32, s int) { Tree(d, p, s+32) }

// Fib recurses, so one function appears many times on one stack: cum must be
// counted once per sample.
func Fib(n int) int {
	if n < 2 {
		return n
	}
	return Fib(n-1) + Fib(n-2)
}

// mix is inlined into its callers in CPU samples.
func mix(x uint64) uint64 { return x*0x9e3779b97f4a7c15 + 7 }

// Spin burns CPU in a loop whose body is an inlined helper.
func Spin(iters int) uint64 {
	var h uint64
	for i := 0; i < iters; i++ {
		h = mix(h ^ uint64(i))
	}
	return h
}

// Burn runs CPU work until d has passed, under pprof labels so that CPU
// samples carry them, across several distinct stacks.
func Burn(d time.Duration) uint64 {
	var out uint64
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for g := 0; g < 2; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			labels := pprof.Labels("worker", string(rune('a'+g)), "phase", "burn")
			pprof.Do(context.Background(), labels, func(context.Context) {
				for i := 0; time.Now().Before(deadline); i++ {
					switch i % 3 {
					case 0:
						out += Spin(200000)
					case 1:
						out += uint64(Fib(22))
					default:
						out += spinDeep(6, 40000)
					}
				}
			})
		}(g)
	}
	wg.Wait()
	return out
}

func spinDeep(depth, iters int) uint64 {
	if depth == 0 {
		return Spin(iters)
	}
	return spinDeep(depth-1, iters) + 1
}

// Contend makes goroutines wait on a mutex held for a while by others, and on
// channels, so block and mutex profiles are not empty.
func Contend(d time.Duration) {
	var mu sync.Mutex
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				mu.Lock()
				time.Sleep(200 * time.Microsecond)
				mu.Unlock()
			}
		}()
	}
	ch := make(chan int)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
			select {
			case ch <- 1:
			default:
			}
		}
		close(ch)
	}()
	for range ch {
	}
	cond := sync.NewCond(&sync.Mutex{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		time.Sleep(5 * time.Millisecond)
		cond.L.Lock()
		cond.Broadcast()
		cond.L.Unlock()
	}()
	cond.L.Lock()
	cond.Wait()
	cond.L.Unlock()
	wg.Wait()
}
