// Package examples holds example programmes: the one 'agendacal init'
// writes, and the one the README builds.
package examples

import _ "embed"

//go:embed pristina.yaml
var pristina string

// Pristina returns the programme of the iPROCEEDS meeting in Pristina on 29
// June 2017: twelve slots in one room, in Europe/Belgrade's time.
func Pristina() []byte {
	return []byte(pristina)
}
