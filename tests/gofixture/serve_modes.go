package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/DataDog/datadog-agent/pkg/aggregator"
	"github.com/DataDog/datadog-agent/pkg/collector/corechecks/system"
	"github.com/DataDog/datadog-agent/pkg/metrics"
	"github.com/DataDog/datadog-agent/pkg/obfuscate"
	"github.com/DataDog/datadog-agent/pkg/process"
	"github.com/DataDog/datadog-agent/pkg/serializer"
	"github.com/DataDog/datadog-agent/pkg/tagset"
	agent "github.com/DataDog/datadog-agent/pkg/trace/agent"
)

var serveModes = []string{"normal", "leak", "cpu", "contention"}

// The leak's pace and ceiling: 40 contexts of 4 KiB every 100 ms is about
// 1.6 MB/s (48 MB per 30 s), and the ceiling keeps a forgotten fixture from
// taking the machine's memory; past it the heap holds still.
const (
	leakTick        = 100 * time.Millisecond
	leakPerTick     = 40
	leakContextSize = 4 << 10
	leakCap         = 256 << 20
)

// leakBytes is what the leak currently retains, published in /debug/vars.
var leakBytes atomic.Int64

// crew runs a set of goroutines until it is halted. Every waiting in a
// workload is a time.Sleep or a poll of stop, never a blocking channel
// operation, so that the block profile holds only the contention a mode is
// meant to show.
type crew struct {
	stop chan struct{}
	wg   sync.WaitGroup
}

func newCrew() *crew { return &crew{stop: make(chan struct{})} }

func (c *crew) spawn(f func()) {
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		f()
	}()
}

func (c *crew) stopped() bool {
	select {
	case <-c.stop:
		return true
	default:
		return false
	}
}

// pause sleeps for d in short steps so that a halt is never kept waiting for
// long; it reports whether the crew is still running.
func (c *crew) pause(d time.Duration) bool {
	const step = 50 * time.Millisecond
	for d > 0 && !c.stopped() {
		s := d
		if s > step {
			s = step
		}
		time.Sleep(s)
		d -= s
	}
	return !c.stopped()
}

// halt stops the goroutines and returns once all of them have.
func (c *crew) halt() {
	close(c.stop)
	c.wg.Wait()
}

// controller owns the running behaviour. The steady work runs in every mode,
// as an agent that leaks or spins still does its everyday work; a mode adds
// its own workload on top, and switching halts that workload before the next
// one starts.
type controller struct {
	mu     sync.Mutex // held through a switch
	mode   string
	shown  atomic.Value // the mode, for readers that must not wait on a switch
	steady *crew
	extra  *crew
}

// startController starts the steady work, a GC every gcEvery (none when 0) and
// the workload of mode.
func startController(mode string, gcEvery time.Duration) (*controller, error) {
	c := &controller{steady: newCrew()}
	c.steady.spawn(func() { steadyWork(c.steady) })
	if gcEvery > 0 {
		// A heap profile shows the heap as of the last completed GC. The
		// agent allocates enough to collect every few seconds; the fixture
		// does not, and while it leaks its growing heap would make GCs ever
		// rarer and its heap profiles stale.
		c.steady.spawn(func() {
			for c.steady.pause(gcEvery) {
				runtime.GC()
			}
		})
	}
	if err := c.set(mode); err != nil {
		c.steady.halt()
		return nil, err
	}
	return c, nil
}

// current never waits for a switch in progress: a reader queued on c.mu would
// put contention in the mutex profile of a mode that has none.
func (c *controller) current() string { return c.shown.Load().(string) }

func validMode(mode string) bool {
	for _, m := range serveModes {
		if m == mode {
			return true
		}
	}
	return false
}

// set switches to mode; setting the current mode again changes nothing, so a
// leak keeps what it has retained.
func (c *controller) set(mode string) error {
	if !validMode(mode) {
		return fmt.Errorf("unknown mode %q (modes: %s)", mode, strings.Join(serveModes, ", "))
	}
	// normal adds nothing to the steady work.
	start := map[string]func(*crew){
		"leak":       startLeak,
		"cpu":        startCPU,
		"contention": startContention,
	}[mode]
	c.mu.Lock()
	defer c.mu.Unlock()
	if mode == c.mode {
		return nil
	}
	old := c.mode
	if c.extra != nil {
		c.extra.halt()
		c.extra = nil
	}
	if old == "leak" {
		// The leak's contexts are garbage now; give the pages back too, so
		// that RSS falls with the heap as it would after a restart.
		debug.FreeOSMemory()
	}
	if start != nil {
		c.extra = newCrew()
		start(c.extra)
	}
	c.mode = mode
	c.shown.Store(mode)
	return nil
}

// close stops every workload.
func (c *controller) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.extra != nil {
		c.extra.halt()
		c.extra = nil
	}
	c.steady.halt()
}

// steadyWork is the everyday load: short-lived allocations (payloads built and
// dropped, process records, contexts that expire) and a little CPU, about 5%
// of a core, spread over several agent functions, none holding a lock another
// goroutine wants.
func steadyWork(c *crew) {
	r := aggregator.NewContextResolver()
	for c.pause(50 * time.Millisecond) {
		serializer.MarshalSeries(16 << 10)
		process.Collect(100)
		r.TrackContext("ctx", 20, 256)
		if r.Len() >= 200 {
			r.Reset()
		}
		system.Run(600000)
		metrics.Flush(300000)
		tagset.Hash(600000)
		agent.Process(1500)
		obfuscate.ObfuscateSQL(50)
	}
}

// startLeak retains contexts in the aggregator at a steady pace, up to
// leakCap. They are dropped when the mode ends.
func startLeak(c *crew) {
	c.spawn(func() {
		r := aggregator.NewContextResolver()
		defer leakBytes.Store(0)
		for c.pause(leakTick) {
			if leakBytes.Load() < leakCap {
				r.TrackContext("leak", leakPerTick, leakContextSize)
				leakBytes.Add(leakPerTick * leakContextSize)
			}
		}
		runtime.KeepAlive(r)
	})
}

// startCPU keeps one core busy in the trace-agent's span processing.
func startCPU(c *crew) {
	c.spawn(func() {
		for !c.stopped() {
			agent.Process(2000)
		}
	})
}

// startContention makes goroutines queue on the aggregator's lock, held
// across a wait as a flush blocked on a slow write holds it: about 7 s of
// block and mutex delay per second, for almost no CPU.
func startContention(c *crew) {
	r := aggregator.NewContextResolver()
	r.TrackContext("c", 100, 16)
	for g := 0; g < 8; g++ {
		c.spawn(func() {
			for !c.stopped() {
				r.FlushSlow(5 * time.Millisecond)
			}
		})
	}
}
