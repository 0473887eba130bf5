// Command ledger serves account balances over HTTP.
package main

import (
	"fmt"
	"log"
	"net/http"
	"os"

	"example.com/ledger/internal/ledger"
)

var version = "dev"

func main() {
	l := ledger.New()
	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "ok %s\n", version)
	})
	http.HandleFunc("/balance", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%d\n", l.Balance(r.URL.Query().Get("account")))
	})
	addr := os.Getenv("LEDGER_ADDR")
	if addr == "" {
		addr = ":8080"
	}
	log.Fatal(http.ListenAndServe(addr, nil))
}
