package main

import (
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"time"

	"github.com/DataDog/datadog-agent/internal/work"
	"github.com/DataDog/datadog-agent/pkg/aggregator"
	"github.com/DataDog/datadog-agent/pkg/collector/python"
	"github.com/DataDog/datadog-agent/pkg/forwarder"
	"github.com/DataDog/datadog-agent/pkg/serializer"
)

func writeProfile(dir, name, profile string) error {
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		return err
	}
	if err := pprof.Lookup(profile).WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func writeHeap(dir, name string) error {
	// A heap profile shows the state as of a completed GC cycle and publishes
	// a cycle's allocations one cycle late: two GCs make it current.
	runtime.GC()
	runtime.GC()
	return writeProfile(dir, name, "heap")
}

// runProfiles writes one profile of each kind the Go runtime offers.
func runProfiles(args []string) error {
	fs := flag.NewFlagSet("profiles", flag.ExitOnError)
	dir := fs.String("o", ".", "output folder")
	cpu := fs.Duration("cpu", time.Second, "CPU profile length")
	large := fs.Bool("large", false, "also write heap-large.pprof: tens of thousands of distinct stacks")
	fs.Parse(args)
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		return err
	}
	runtime.SetBlockProfileRate(1)
	runtime.SetMutexProfileFraction(1)

	resolver := aggregator.NewContextResolver()
	var queue forwarder.Queue
	for i := 0; i < 512; i++ {
		work.Tree(3, uint32(i), 256)
	}
	resolver.TrackContext("ctx", 2000, 128)
	python.SubmitMetric(4096, true)
	serializer.MarshalSeries(1 << 16)
	if err := writeHeap(*dir, "heap.pprof"); err != nil {
		return err
	}
	// The same process a little later, grown: the pair for `diff`.
	resolver.TrackContext("ctx", 6000, 256)
	for i := 0; i < 200; i++ {
		python.SubmitMetric(2048, true)
		queue.Enqueue(1024)
	}
	if err := writeHeap(*dir, "heap-2.pprof"); err != nil {
		return err
	}
	// Both must survive the second snapshot's GC: their growth is the diff.
	runtime.KeepAlive(resolver)
	runtime.KeepAlive(&queue)
	if err := writeProfile(*dir, "allocs.pprof", "allocs"); err != nil {
		return err
	}

	f, err := os.Create(filepath.Join(*dir, "cpu.pprof"))
	if err != nil {
		return err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return err
	}
	work.Burn(*cpu)
	pprof.StopCPUProfile()
	if err := f.Close(); err != nil {
		return err
	}

	work.Contend(300 * time.Millisecond)
	for _, p := range []struct{ file, name string }{
		{"block.pprof", "block"}, {"mutex.pprof", "mutex"},
		{"goroutine.pprof", "goroutine"}, {"threadcreate.pprof", "threadcreate"},
	} {
		if err := writeProfile(*dir, p.file, p.name); err != nil {
			return err
		}
	}

	if *large {
		work.Release()
		for i := 0; i < 32768; i++ {
			work.Tree(5, uint32(i), 64)
		}
		if err := writeHeap(*dir, "heap-large.pprof"); err != nil {
			return err
		}
	}
	return nil
}
