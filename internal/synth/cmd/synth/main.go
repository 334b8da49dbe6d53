// Command synth writes a synthetic programme for benchmarks to standard
// output:
//
//	go run ./internal/synth/cmd/synth -days 50 -rooms 10 -slots 20 > congress.yaml
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"

	"github.com/agendacal/agendacal/internal/synth"
)

func main() {
	var size synth.Size
	flag.IntVar(&size.Days, "days", 50, "days")
	flag.IntVar(&size.Rooms, "rooms", 10, "rooms, one track each")
	flag.IntVar(&size.Slots, "slots", 20, "30-minute slots a day in each room")
	flag.Parse()
	w := bufio.NewWriter(os.Stdout)
	err := synth.Write(w, size)
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "synth:", err)
		os.Exit(1)
	}
}
