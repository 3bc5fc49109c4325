package main

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// Ways the debug endpoints can misbehave, for the daemon's fault-injection
// tests. Each is what a scraper meets in the field: a wedged process (hang),
// a starved one (slow), a proxy or a wrong port (html, status-404), a crash
// mid-answer (reset, truncated-gzip), a broken or hostile peer (garbage,
// huge).
var serveFaults = []string{"none", "hang", "slow", "truncated-gzip", "huge", "html", "garbage", "reset", "status-500", "status-404"}

// hugeSize is far above any sane cap on a profile, and is produced as it is
// sent, so it costs the fixture no memory.
const hugeSize = 256 << 20

type faultSwitch struct{ v atomic.Value }

func (f *faultSwitch) get() string { return f.v.Load().(string) }

func (f *faultSwitch) set(kind string) error {
	for _, k := range serveFaults {
		if k == kind {
			f.v.Store(kind)
			return nil
		}
	}
	return fmt.Errorf("unknown fault %q (faults: %s)", kind, strings.Join(serveFaults, ", "))
}

// wrap answers with h unless a fault is set. Every wait here is a sleep, not
// a blocking channel operation, so that faults add nothing to block profiles.
func (f *faultSwitch) wrap(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch f.get() {
		case "hang":
			// The request was read; no byte of an answer ever comes.
			for r.Context().Err() == nil {
				time.Sleep(50 * time.Millisecond)
			}
		case "slow":
			answerSlowly(w, r, record(h, r))
		case "truncated-gzip":
			// A complete HTTP answer (its Content-Length matches) whose
			// payload stops half-way: for a profile, a gzip stream without
			// its end.
			rec := record(h, r)
			body := rec.body.Bytes()
			body = body[:len(body)/2]
			rec.copyHeader(w)
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.WriteHeader(http.StatusOK)
			w.Write(body)
		case "huge":
			answerHuge(w, r)
		case "html":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusOK)
			fmt.Fprint(w, "<!DOCTYPE html>\n<html><head><title>Service Unavailable</title></head>\n"+
				"<body><h1>Service Unavailable</h1><p>The server is temporarily unable to service your request.</p></body></html>\n")
		case "garbage":
			b := make([]byte, 64<<10)
			rand.Read(b)
			w.Header().Set("Content-Type", "application/octet-stream")
			w.WriteHeader(http.StatusOK)
			w.Write(b)
		case "reset":
			answerThenReset(w, record(h, r))
		case "status-500":
			http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		case "status-404":
			http.NotFound(w, r)
		default:
			h(w, r)
		}
	})
}

// recorder keeps a whole answer so that a fault can replay it its own way.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func record(h http.HandlerFunc, r *http.Request) *recorder {
	rec := &recorder{header: make(http.Header)}
	h(rec, r)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	if rec.header.Get("Content-Type") == "" {
		rec.header.Set("Content-Type", http.DetectContentType(rec.body.Bytes()))
	}
	return rec
}

func (rec *recorder) Header() http.Header { return rec.header }

func (rec *recorder) WriteHeader(status int) {
	if rec.status == 0 {
		rec.status = status
	}
}

func (rec *recorder) Write(p []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	return rec.body.Write(p)
}

func (rec *recorder) copyHeader(w http.ResponseWriter) {
	for k, v := range rec.header {
		w.Header()[k] = v
	}
}

// answerSlowly sends the real answer's status and headers at once, then its
// body one byte every 100 ms, until the body ends or the client leaves.
func answerSlowly(w http.ResponseWriter, r *http.Request, rec *recorder) {
	body := rec.body.Bytes()
	rec.copyHeader(w)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(rec.status)
	flusher, _ := w.(http.Flusher)
	for i := range body {
		if i > 0 {
			time.Sleep(100 * time.Millisecond)
		}
		if _, err := w.Write(body[i : i+1]); err != nil || r.Context().Err() != nil {
			return
		}
		if flusher != nil {
			flusher.Flush()
		}
	}
}

// answerHuge streams a gzip stream of stored (uncompressed) blocks of random
// bytes: valid as far as a client reads it, so only a size cap stops the
// client, and never held in memory here.
func answerHuge(w http.ResponseWriter, r *http.Request) {
	block := make([]byte, 64<<10)
	rand.Read(block)
	w.Header().Set("Content-Type", "application/octet-stream")
	w.WriteHeader(http.StatusOK)
	zw, _ := gzip.NewWriterLevel(w, gzip.NoCompression)
	for sent := 0; sent < hugeSize; sent += len(block) {
		if _, err := zw.Write(block); err != nil || r.Context().Err() != nil {
			return
		}
	}
	zw.Close()
}

// answerThenReset sends the status line, the headers and half of the real
// body, then resets the connection (RST, through SO_LINGER 0) as a process
// that crashes mid-answer does. On a unix socket, where there is no reset,
// the connection is closed instead.
func answerThenReset(w http.ResponseWriter, rec *recorder) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "reset: the connection cannot be hijacked", http.StatusInternalServerError)
		return
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		return
	}
	body := rec.body.Bytes()
	fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n",
		rec.status, http.StatusText(rec.status), rec.header.Get("Content-Type"), len(body))
	buf.Write(body[:len(body)/2])
	buf.Flush()
	// Lets the client read the start before the reset discards what is
	// still in flight.
	time.Sleep(100 * time.Millisecond)
	raw := conn
	if tc, ok := conn.(*tls.Conn); ok {
		raw = tc.NetConn()
	}
	if tcp, ok := raw.(*net.TCPConn); ok {
		tcp.SetLinger(0)
	}
	raw.Close()
}
