// pwfixture is profwatch's test fixture: a Go program that produces real Go
// runtime profiles (profiles), flares in the agent's layout (flare), and a
// service with net/http/pprof whose behaviour changes at run time (serve).
package main

import (
	"fmt"
	"log"
	"os"
	"runtime"
)

func usage() {
	fmt.Fprintln(os.Stderr, `usage: pwfixture COMMAND [flags]

commands:
  profiles -o DIR [-cpu 1s] [-large]   write heap, allocs, cpu, block, mutex,
                                       goroutine and threadcreate profiles
  flare -o DIR -host H -scenario S     write a flare in the agent's layout
        [-procs core,trace] [-cpu 1s] [-zip]
        scenarios: normal, leak, python-leak, cpu, contention, multiple, noprofiles
  serve [-listen 127.0.0.1:0] [-port-file F]   serve the agent's debug endpoints,
        [-unix PATH] [-tls-dir DIR]            /debug/pprof/* and /debug/vars, on
        [-mode normal] [-block-rate 1]         TCP (HTTPS with -tls-dir, whose
        [-mutex-fraction 1] [-gc-every 1s]     certificate goes to DIR/ca.pem)
                                               and/or a unix socket, until
                                               SIGTERM or SIGINT
        GET /fixture/health                    answers ok
        GET, POST ?set=M /fixture/mode         modes: normal, leak, cpu, contention
        GET, POST ?set=K /fixture/fault        breaks /debug/*: none, hang, slow,
                                               truncated-gzip, huge, html, garbage,
                                               reset, status-500, status-404`)
	os.Exit(2)
}

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	// Every allocation is sampled, so heap profiles hold exactly what the
	// workloads allocated and a heap diff shows exactly what they grew.
	runtime.MemProfileRate = 1
	var err error
	switch os.Args[1] {
	case "profiles":
		err = runProfiles(os.Args[2:])
	case "flare":
		err = runFlare(os.Args[2:])
	case "serve":
		log.SetPrefix("pwfixture serve: ")
		err = runServe(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "pwfixture:", err)
		os.Exit(1)
	}
}
