// Command yamlfloor decodes a YAML file into a yaml.v3 node tree and does
// nothing else: what any Go tool reading the programme with yaml.v3 pays
// before it has done anything. The README's performance figures compare
// agendacal with it.
//
//	go run ./internal/synth/cmd/yamlfloor congress.yaml
package main

import (
	"fmt"
	"os"

	"gopkg.in/yaml.v3"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: yamlfloor FILE.yaml")
		os.Exit(2)
	}
	data, err := os.ReadFile(os.Args[1])
	if err == nil {
		var n yaml.Node
		err = yaml.Unmarshal(data, &n)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "yamlfloor:", err)
		os.Exit(1)
	}
}
