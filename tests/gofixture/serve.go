package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"expvar"
	"flag"
	"fmt"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// runServe is a long-running service with the agent's debug endpoints
// (net/http/pprof and expvar) whose behaviour tests switch at run time, so
// that profwatchd can be tested against a real Go process. It stops on
// SIGTERM or SIGINT.
func runServe(args []string) error {
	// Registered first, so that a signal sent as soon as the process exists
	// still gets the orderly stop.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)

	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	listen := fs.String("listen", "127.0.0.1:0", "TCP address; port 0 picks a free one, empty serves on -unix only")
	portFile := fs.String("port-file", "", "once serving, write the TCP host:port here (the socket path when there is no TCP listener)")
	unixPath := fs.String("unix", "", "also serve plain HTTP on this unix socket, as the system-probe does")
	tlsDir := fs.String("tls-dir", "", "serve HTTPS on the TCP listener with a certificate made at start, written to DIR/ca.pem")
	mode := fs.String("mode", "normal", "initial behaviour: normal | leak | cpu | contention")
	blockRate := fs.Int("block-rate", 1, "runtime.SetBlockProfileRate: 1 records every blocking event, 0 none")
	mutexFraction := fs.Int("mutex-fraction", 1, "runtime.SetMutexProfileFraction: 1 records every contention, 0 none")
	gcEvery := fs.Duration("gc-every", time.Second, "run a GC this often so that heap profiles stay current; 0 leaves GC to the runtime")
	fs.Parse(args)
	if fs.NArg() > 0 {
		return fmt.Errorf("serve: unexpected argument %q", fs.Arg(0))
	}
	if *listen == "" && *unixPath == "" {
		return errors.New("serve: nothing to listen on: give -listen, -unix or both")
	}
	if *tlsDir != "" && *listen == "" {
		return errors.New("serve: -tls-dir needs a TCP listener (-listen)")
	}
	if !validMode(*mode) {
		return fmt.Errorf("unknown mode %q (modes: %s)", *mode, strings.Join(serveModes, ", "))
	}
	if *portFile != "" {
		// A port file from an earlier run must not pass for this one's.
		if err := os.Remove(*portFile); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	// Like the agent's internal_profiling settings: block and mutex profiles
	// stay empty unless the process turns them on.
	runtime.SetBlockProfileRate(*blockRate)
	runtime.SetMutexProfileFraction(*mutexFraction)

	ls, err := openListeners(*listen, *unixPath, *tlsDir)
	if err != nil {
		return err
	}
	ctl, err := startController(*mode, *gcEvery)
	if err != nil {
		ls.close()
		return err
	}
	faults := &faultSwitch{}
	faults.set("none")
	expvar.Publish("fixture", expvar.Func(func() interface{} {
		return map[string]interface{}{
			"mode":       ctl.current(),
			"fault":      faults.get(),
			"leak_bytes": leakBytes.Load(),
		}
	}))

	srv := &http.Server{
		Handler: serveMux(ctl, faults),
		// Bounds only the request headers: profile?seconds=N answers take
		// as long as they are asked to, and faults take longer on purpose.
		ReadHeaderTimeout: 10 * time.Second,
	}
	errc := make(chan error, len(ls.all))
	for _, l := range ls.all {
		go func(l net.Listener) { errc <- srv.Serve(l) }(l)
	}
	if *portFile != "" {
		if err := writeFileAtomic(*portFile, []byte(ls.ready+"\n")); err != nil {
			srv.Close()
			ctl.close()
			return err
		}
	}
	log.Printf("serving on %s, mode %s", strings.Join(ls.where, " and "), *mode)

	var serveErr error
	select {
	case s := <-sigs:
		log.Printf("%v: stopping", s)
	case serveErr = <-errc:
	}
	// Shutdown closes the listeners (a unix listener removes its socket file)
	// and lets answers in progress finish for a moment; Close then cuts the
	// ones that never end on their own: hang, slow, huge, long profiles.
	shutdownCtx, cancel := context.WithTimeout(context.Background(), time.Second)
	srv.Shutdown(shutdownCtx)
	cancel()
	srv.Close()
	ctl.close()
	if *portFile != "" {
		os.Remove(*portFile)
	}
	return serveErr
}

type listeners struct {
	all   []net.Listener
	ready string   // what the port file says: the TCP host:port, else the socket path
	where []string // for the log: URLs of what is served
}

func (ls *listeners) close() {
	for _, l := range ls.all {
		l.Close()
	}
}

// openListeners listens on TCP (with TLS when tlsDir is set) and on a unix
// socket, each when asked for.
func openListeners(addr, unixPath, tlsDir string) (*listeners, error) {
	ls := &listeners{ready: unixPath}
	if addr != "" {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			return nil, err
		}
		ls.ready = l.Addr().String()
		scheme := "http"
		if tlsDir != "" {
			if l, err = withTLS(l, tlsDir); err != nil {
				return nil, err
			}
			scheme = "https"
		}
		ls.all = append(ls.all, l)
		ls.where = append(ls.where, scheme+"://"+ls.ready)
	}
	if unixPath != "" {
		l, err := listenUnix(unixPath)
		if err != nil {
			ls.close()
			return nil, err
		}
		ls.all = append(ls.all, l)
		ls.where = append(ls.where, "unix:"+unixPath)
	}
	return ls, nil
}

// withTLS wraps l in TLS with a certificate made now, whose PEM it writes to
// dir/ca.pem. It closes l on failure.
func withTLS(l net.Listener, dir string) (net.Listener, error) {
	cfg, caPEM, err := selfSignedTLS()
	if err == nil {
		err = os.MkdirAll(dir, 0o755)
	}
	if err == nil {
		// Written before the port file, so that a client that waits for the
		// port file can verify the first answer.
		err = writeFileAtomic(filepath.Join(dir, "ca.pem"), caPEM)
	}
	if err != nil {
		l.Close()
		return nil, err
	}
	return tls.NewListener(l, cfg), nil
}

// serveMux routes the agent's debug endpoints, which faults can break, and
// the fixture's own endpoints, which they never touch.
func serveMux(ctl *controller, faults *faultSwitch) *http.ServeMux {
	mux := http.NewServeMux()
	endpoints := map[string]http.HandlerFunc{
		"/debug/pprof/":        pprof.Index,
		"/debug/pprof/cmdline": pprof.Cmdline,
		"/debug/pprof/profile": pprof.Profile,
		"/debug/pprof/symbol":  pprof.Symbol,
		"/debug/pprof/trace":   pprof.Trace,
		"/debug/vars":          expvar.Handler().ServeHTTP,
	}
	for path, h := range endpoints {
		mux.Handle(path, faults.wrap(h))
	}
	mux.HandleFunc("/fixture/health", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("/fixture/mode", control(ctl.current, ctl.set, "mode"))
	mux.HandleFunc("/fixture/fault", control(faults.get, faults.set, "fault"))
	return mux
}

// control serves a setting: GET answers its value, POST ?set=VALUE changes
// it and answers the new value.
func control(get func() string, set func(string) error, what string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		switch r.Method {
		case http.MethodGet, http.MethodHead:
		case http.MethodPost:
			v := r.FormValue("set")
			if v == "" {
				http.Error(w, "POST needs ?set=VALUE", http.StatusBadRequest)
				return
			}
			if err := set(v); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			log.Printf("%s: %s", what, v)
		default:
			w.Header().Set("Allow", "GET, HEAD, POST")
			http.Error(w, "use GET or POST", http.StatusMethodNotAllowed)
			return
		}
		fmt.Fprintln(w, get())
	}
}

// listenUnix listens on path, replacing a socket file that a killed process
// left behind but never one that is in use or is not a socket.
func listenUnix(path string) (net.Listener, error) {
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode()&os.ModeSocket == 0 {
			return nil, fmt.Errorf("%s exists and is not a socket", path)
		}
		if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
			c.Close()
			return nil, fmt.Errorf("%s: another process serves on this socket", path)
		}
		if err := os.Remove(path); err != nil {
			return nil, err
		}
	}
	return net.Listen("unix", path)
}

// selfSignedTLS makes a certificate for the loopback addresses that is its
// own CA, as the agent's IPC certificate is, so that a client verifies it
// against the PEM alone.
func selfSignedTLS() (*tls.Config, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "pwfixture"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(30 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	cfg := &tls.Config{
		Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}},
		MinVersion:   tls.VersionTLS12,
		// HTTP/1.1 only: the reset fault hijacks the connection, which an
		// HTTP/2 stream cannot do.
		NextProtos: []string{"http/1.1"},
	}
	return cfg, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), nil
}

// writeFileAtomic writes through a temporary file in the same folder and a
// rename, so that a reader polling for path sees it whole or not at all.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}
