// Command refserver is the bare net/http server flinks-mock-bench compares
// flinks-mock with: it answers every request with one fixed JSON body and
// the headers flinks-mock sends, and does nothing else. Its figures are the
// floor that net/http and the machine set; flinks-mock's are read as ratios
// to them.
//
// flinks-mock-bench embeds this file and builds it in a module of its own,
// so it uses the standard library only.
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

// tokenBody is answered when no --body is given: the size of a
// GenerateAuthorizeToken answer, for the cold start.
const tokenBody = `{"HttpStatusCode":200,"Token":"aeec01f9-f7b1-439f-9ab6-ad721ec04d33"}`

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "host:port to listen on")
	bodyFile := flag.String("body", "", "file whose bytes every answer carries (default: a token answer)")
	flag.Parse()

	body := []byte(tokenBody)
	if *bodyFile != "" {
		data, err := os.ReadFile(*bodyFile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "refserver:", err)
			os.Exit(1)
		}
		body = data
	}
	length := strconv.Itoa(len(body))
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Read the request body as flinks-mock does, so both servers do
		// the same I/O.
		_, _ = io.Copy(io.Discard, r.Body)
		h := w.Header()
		h.Set("Content-Type", "application/json; charset=utf-8")
		h.Set("Content-Length", length)
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
	})

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "refserver:", err)
		os.Exit(1)
	}
	// The same server settings as flinks-mock serve.
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	fmt.Fprintf(os.Stderr, "level=INFO msg=\"refserver listening\" url=http://%s\n", ln.Addr())

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-stop
		_ = srv.Close()
	}()
	if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
		fmt.Fprintln(os.Stderr, "refserver:", err)
		os.Exit(1)
	}
}
