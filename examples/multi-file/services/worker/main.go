// Command worker runs the platform's background jobs.
package main

import (
	"log"
	"net/http"
	"time"
)

var version = "dev"

func main() {
	go func() {
		log.Fatal(http.ListenAndServe(":9090", http.NotFoundHandler()))
	}()
	for range time.Tick(time.Minute) {
		log.Printf("worker %s: nothing to do", version)
	}
}
