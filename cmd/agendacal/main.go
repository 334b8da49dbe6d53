// Command agendacal turns a meeting programme written in YAML into
// iCalendar files: one for the whole programme, one for each track and one
// for each session.
//
//	agendacal init programme.yaml           # start from an example
//	agendacal check programme.yaml          # report every problem
//	agendacal build --out public programme.yaml
package main

import "os"

// releaseVersion is set by scripts/release.sh (-ldflags -X) to the version
// a release archive carries; 'go install …@v1.2.3' needs no stamp, the
// module's build information says it.
var releaseVersion string

func main() {
	os.Exit(run(os.Args, os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}
