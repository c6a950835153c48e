// Command receiver is a Flinks webhook receiver that checks each webhook's
// signature before it trusts the body, the way docs/webhooks.md explains:
//
//	FLINKS_WEBHOOK_SECRET=whsec-test-1 go run ./examples/webhooks/go
//	flinks-mock serve --webhook-url http://127.0.0.1:9000/flinks --webhook-secret whsec-test-1
//
// It answers 200 at once to every webhook it accepts (Flinks retries on
// anything else) and 401 to one whose signature is wrong. It uses the
// standard library only, so it can be copied.
package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"os"
)

// verify reports whether signature (the flinks-authenticity-key header)
// is the Base64 HMAC-SHA256 of the raw body, keyed with the secret.
func verify(secret string, body []byte, signature string) bool {
	got, err := base64.StdEncoding.DecodeString(signature)
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body) // the bytes as received: never a re-encoded JSON
	return hmac.Equal(got, mac.Sum(nil))
}

// handler accepts the webhooks signed with secret and hands their body to
// got; without a secret it checks no signature.
func handler(secret string, got func(responseType, requestID string, body []byte)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 10<<20))
		if err != nil {
			http.Error(w, "unreadable body", http.StatusBadRequest)
			return
		}
		if secret != "" && !verify(secret, body, r.Header.Get("flinks-authenticity-key")) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var hook struct{ ResponseType, RequestId string }
		if err := json.Unmarshal(body, &hook); err != nil {
			http.Error(w, "not JSON", http.StatusBadRequest)
			return
		}
		// Answer 200 first; a real receiver queues the body for later work.
		w.WriteHeader(http.StatusOK)
		got(hook.ResponseType, hook.RequestId, body)
	})
}

func main() {
	addr := os.Getenv("ADDR")
	if addr == "" {
		addr = "127.0.0.1:9000"
	}
	h := handler(os.Getenv("FLINKS_WEBHOOK_SECRET"), func(responseType, requestID string, body []byte) {
		log.Printf("%s webhook for RequestId %s: %d bytes", responseType, requestID, len(body))
	})
	log.Printf("listening on http://%s", addr)
	log.Fatal(http.ListenAndServe(addr, h))
}
