// Command api answers the platform's HTTP API.
package main

import (
	"fmt"
	"log"
	"net/http"
)

var version = "dev"

func main() {
	http.HandleFunc("/version", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, version)
	})
	log.Fatal(http.ListenAndServe(":8080", nil))
}
