package main

import (
	"archive/zip"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/DataDog/datadog-agent/pkg/aggregator"
	"github.com/DataDog/datadog-agent/pkg/collector/corechecks/system"
	"github.com/DataDog/datadog-agent/pkg/collector/python"
	"github.com/DataDog/datadog-agent/pkg/forwarder"
	"github.com/DataDog/datadog-agent/pkg/metrics"
	"github.com/DataDog/datadog-agent/pkg/serializer"
	agent "github.com/DataDog/datadog-agent/pkg/trace/agent"
)

// Kept alive across the two heap snapshots: their growth is what a leak is.
var (
	leakResolver = aggregator.NewContextResolver()
	leakQueue    forwarder.Queue
)

// runFlare writes a flare in the agent's layout (flare --profile): real
// profiles of this process under the agent's file names, plus the context
// files profwatch analyze reads.
func runFlare(args []string) error {
	fs := flag.NewFlagSet("flare", flag.ExitOnError)
	dir := fs.String("o", ".", "output folder; the flare goes in DIR/HOST")
	host := fs.String("host", "fixture-host", "hostname (the flare's top folder)")
	scenario := fs.String("scenario", "normal", "normal | leak | python-leak | cpu | contention | multiple | noprofiles")
	procs := fs.String("procs", "core,trace", "processes to write profiles for; the scenario applies to the first")
	cpu := fs.Duration("cpu", time.Second, "CPU profile length")
	makeZip := fs.Bool("zip", false, "also write DIR/HOST.zip, as the agent sends a flare")
	fs.Parse(args)

	switch *scenario {
	case "normal", "leak", "python-leak", "cpu", "contention", "multiple", "noprofiles":
	default:
		return fmt.Errorf("unknown scenario %q", *scenario)
	}
	root := filepath.Join(*dir, *host)
	if err := os.MkdirAll(filepath.Join(root, "expvar"), 0o755); err != nil {
		return err
	}
	// Like the agent, block and mutex profiling are off unless asked for (the
	// flare's -B/-M): only the contention scenario turns them on, so that the
	// fixture's own waiting does not count as contention elsewhere.
	if *scenario == "contention" {
		runtime.SetBlockProfileRate(1)
		runtime.SetMutexProfileFraction(1)
	}

	if *scenario != "noprofiles" {
		if err := os.MkdirAll(filepath.Join(root, "profiles"), 0o755); err != nil {
			return err
		}
		// The other processes first: block and mutex profiles are cumulative,
		// and the scenario's waiting must not show in theirs.
		names := strings.Split(*procs, ",")
		for _, p := range names[1:] {
			if err := writeProcess(root, p, "normal", 0, false); err != nil {
				return err
			}
		}
		if err := writeProcess(root, names[0], *scenario, *cpu, true); err != nil {
			return err
		}
	}
	if err := writeContext(root, *host); err != nil {
		return err
	}
	if *makeZip {
		return zipFolder(root, *host, filepath.Join(*dir, *host+".zip"))
	}
	return nil
}

func profilePath(root, proc, kind string) string {
	return filepath.Join(root, "profiles", proc+"-"+kind+".pprof")
}

// writeProcess follows the agent's order: first heap, CPU for the profile
// length, second heap, then block and mutex (cumulative since start), and an
// execution trace.
func writeProcess(root, proc, scenario string, cpu time.Duration, withCPU bool) error {
	if err := writeHeap(filepath.Dir(profilePath(root, proc, "1st-heap")), proc+"-1st-heap.pprof"); err != nil {
		return err
	}
	leak := scenario == "leak" || scenario == "multiple"
	pyLeak := scenario == "python-leak"
	var stop sync.WaitGroup
	done := make(chan struct{})
	if leak || pyLeak {
		// Growth spread over the CPU profile's time, as a real leak is.
		stop.Add(1)
		go func() {
			defer stop.Done()
			for i := 0; ; i++ {
				select {
				case <-done:
					return
				default:
				}
				if leak {
					leakResolver.TrackContext("leak", 20, 2048)
					leakQueue.Enqueue(4096)
				} else {
					python.SubmitMetric(64<<10, true)
				}
				time.Sleep(10 * time.Millisecond)
			}
		}()
	}
	if withCPU {
		f, err := os.Create(profilePath(root, proc, "cpu"))
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return err
		}
		switch scenario {
		case "cpu", "multiple":
			spike(cpu)
		case "contention":
			contend(cpu)
		default:
			spread(cpu)
		}
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			return err
		}
	} else {
		time.Sleep(200 * time.Millisecond)
	}
	close(done)
	stop.Wait()
	if err := writeHeap(filepath.Join(root, "profiles"), proc+"-2nd-heap.pprof"); err != nil {
		return err
	}
	for _, kind := range []string{"block", "mutex"} {
		if err := writeProfile(filepath.Join(root, "profiles"), proc+"-"+kind+".pprof", kind); err != nil {
			return err
		}
	}
	tf, err := os.Create(filepath.Join(root, "profiles", proc+".trace"))
	if err != nil {
		return err
	}
	if err := trace.Start(tf); err != nil {
		tf.Close()
		return err
	}
	time.Sleep(50 * time.Millisecond)
	trace.Stop()
	runtime.KeepAlive(leakResolver)
	runtime.KeepAlive(&leakQueue)
	return tf.Close()
}

// spike: one function outside the runtime takes most of the CPU; three
// workers so that even a loaded machine records well over a second of CPU.
func spike(d time.Duration) {
	burn(d, 3, func(i int) {
		if i%10 == 0 {
			metrics.Flush(20000)
		} else {
			agent.Process(2000)
		}
	})
}

// spread: CPU shared by three functions in equal time slices, none over half.
func spread(d time.Duration) {
	burn(d, 2, func(i int) {
		slot := time.Now().UnixNano() / int64(20*time.Millisecond)
		end := time.Unix(0, (slot+1)*int64(20*time.Millisecond))
		for time.Now().Before(end) {
			switch slot % 3 {
			case 0:
				agent.Process(50)
			case 1:
				system.Run(30000)
			default:
				serializer.MarshalSeries(1 << 12)
			}
		}
	})
}

// burn runs step on workers goroutines for d, and on until the process has
// used d of CPU time: on a loaded machine d of wall time can hold far less
// CPU than the rules need to judge a profile (capped at ten times d).
func burn(d time.Duration, workers int, step func(int)) {
	start := time.Now()
	cpu0 := cpuTime()
	var done atomic.Bool
	var wg sync.WaitGroup
	for g := 0; g < workers; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !done.Load(); i++ {
				step(i)
			}
		}()
	}
	for {
		time.Sleep(20 * time.Millisecond)
		el := time.Since(start)
		if el >= 10*d || (el >= d && cpuTime()-cpu0 >= d) {
			break
		}
	}
	done.Store(true)
	wg.Wait()
}

// cpuTime: the CPU time (user and system) the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// contend: goroutines queue on the aggregator's lock, held across slow
// flushes that wait rather than compute (as a flush blocked on I/O does).
func contend(d time.Duration) {
	r := aggregator.NewContextResolver()
	r.TrackContext("c", 100, 16)
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for g := 0; g < 12; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				r.FlushSlow(5 * time.Millisecond)
			}
		}()
	}
	wg.Wait()
}

// writeContext writes status.log, install_info.log, expvar/memstats and
// go-routine-dump.log the way a flare holds them.
func writeContext(root, host string) error {
	now := time.Now().UTC()
	start := now.Add(-(3*time.Hour + 25*time.Minute + 7*time.Second))
	stamp := func(t time.Time) string {
		return fmt.Sprintf("%s UTC (%d)", t.Format("2006-01-02 15:04:05.000"), t.UnixMilli())
	}
	title := "Agent (v7.57.2)"
	rule := strings.Repeat("=", len(title))
	status := fmt.Sprintf(`%s
%s
%s

  Status date: %s
  Agent start: %s
  Pid: %d
  Go Version: %s
  Python Version: 3.11.8
  Build arch: %s
  Agent flavor: agent
  Log Level: info

  Hostnames
  =========
    hostname: %s
    socket-hostname: %s

=========
Collector
=========

  Running Checks
  ==============

    cpu
    ---
      Instance ID: cpu [OK]
      Configuration Source: file:/etc/datadog-agent/conf.d/cpu.d/conf.yaml.default
      Total Runs: 819

    postgres (15.0.0)
    -----------------
      Instance ID: postgres:3b2f6a1c01d8e1e0 [OK]
      Instance ID: postgres:9a7e8c2d11b3f4a5 [ERROR]
      Error: connection refused

    redisdb (5.1.0)
    ---------------
      Instance ID: redisdb:1f2e3d4c5b6a7980 [WARNING]

=========
Forwarder
=========

  Transactions
  ============
    Success: 1234
`, rule, title, rule, stamp(now), stamp(start), os.Getpid(), runtime.Version(), runtime.GOARCH, host, host)
	if err := os.WriteFile(filepath.Join(root, "status.log"), []byte(status), 0o644); err != nil {
		return err
	}
	install := "---\ninstall_method:\n  tool: install_script\n  tool_version: install_script-1.18.0\n  installer_version: install_script-1.18.0\n"
	if err := os.WriteFile(filepath.Join(root, "install_info.log"), []byte(install), 0o644); err != nil {
		return err
	}
	if err := writeMemstats(filepath.Join(root, "expvar", "memstats")); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(root, "go-routine-dump.log"))
	if err != nil {
		return err
	}
	if err := pprof.Lookup("goroutine").WriteTo(f, 2); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writeMemstats reproduces how a flare stores expvar: the JSON of
// runtime.MemStats decoded into float64s and written as YAML, so numbers read
// "Alloc: 6.0791104e+07".
func writeMemstats(path string) error {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	raw, err := json.Marshal(ms)
	if err != nil {
		return err
	}
	var m map[string]interface{}
	if err := json.Unmarshal(raw, &m); err != nil {
		return err
	}
	var b strings.Builder
	writeYAML(&b, m, "")
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

func yamlScalar(v interface{}) string {
	switch x := v.(type) {
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case nil:
		return "null"
	default:
		return fmt.Sprint(x)
	}
}

func writeYAML(b *strings.Builder, m map[string]interface{}, indent string) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch v := m[k].(type) {
		case []interface{}:
			fmt.Fprintf(b, "%s%s:\n", indent, k)
			for _, it := range v {
				if mm, ok := it.(map[string]interface{}); ok {
					var sub strings.Builder
					writeYAML(&sub, mm, indent+"  ")
					s := sub.String()
					fmt.Fprintf(b, "%s- %s", indent, strings.TrimPrefix(s, indent+"  "))
				} else {
					fmt.Fprintf(b, "%s- %s\n", indent, yamlScalar(it))
				}
			}
		case map[string]interface{}:
			fmt.Fprintf(b, "%s%s:\n", indent, k)
			writeYAML(b, v, indent+"  ")
		default:
			fmt.Fprintf(b, "%s%s: %s\n", indent, k, yamlScalar(v))
		}
	}
}

// zipFolder writes root into a zip whose single top folder is host, as the
// agent's flare archive is.
func zipFolder(root, host, out string) error {
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	w := zip.NewWriter(f)
	err = filepath.Walk(root, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		dst, err := w.Create(host + "/" + filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		src, err := os.Open(path)
		if err != nil {
			return err
		}
		defer src.Close()
		_, err = io.Copy(dst, src)
		return err
	})
	if err != nil {
		f.Close()
		return err
	}
	if err := w.Close(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
