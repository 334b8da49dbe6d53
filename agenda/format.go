package agenda

import _ "embed"

// The mappings of programme format version 1 and their keys, in the order
// messages list them: what the decoder accepts, and what the JSON Schema
// (Schema) describes, a test keeps the two in step.

// field is a key of a mapping and the kind of value it takes, named as
// the schema's definition of it.
type field struct {
	name     string
	kind     string
	required bool
}

// format returns the keys of one of format v1's mappings: programme,
// included, session, day, track, participant, person, venue or geo.
func format(mapping string) []field {
	switch mapping {
	case "programme":
		return []field{{"title", "text", true}, {"project", "text", false}, {"description", "text", false}, {"timezone", "text", true},
			{"url", "text", false}, {"uid_domain", "text", false}, {"organizer", "person", false}, {"venue", "venue", false},
			{"language", "text", false}, {"online", "text", false}, {"base_url", "text", false}, {"participants", "participants", false},
			{"tracks", "tracks", false}, {"days", "days", false}, {"include", "texts", false}}
	case "included":
		return []field{{"participants", "participants", false}, {"tracks", "tracks", false}, {"days", "days", false}}
	case "day":
		return []field{{"date", "text", true}, {"sessions", "sessions", true}}
	case "session":
		return []field{{"id", "text", false}, {"time", "text", false}, {"start", "text", false}, {"end", "text", false},
			{"duration", "text", false}, {"title", "text", true}, {"kind", "text", false}, {"status", "text", false},
			{"speakers", "speakers", false}, {"topics", "texts", false}, {"track", "texts", false}, {"room", "text", false},
			{"floor", "text", false}, {"location", "text", false}, {"online", "text", false}, {"description", "text", false},
			{"url", "text", false}, {"invite", "texts", false}, {"all_day", "flag", false}, {"until", "text", false}}
	case "track":
		return []field{{"id", "text", true}, {"name", "text", false}, {"color", "text", false}, {"common", "flag", false}}
	case "participant":
		return []field{{"name", "text", true}, {"email", "text", true}, {"role", "text", false}, {"groups", "texts", false}}
	case "person":
		return []field{{"name", "text", true}, {"role", "text", false}, {"email", "text", false}}
	case "venue":
		return []field{{"name", "text", false}, {"room", "text", false}, {"floor", "text", false}, {"address", "text", false},
			{"city", "text", false}, {"country", "text", false}, {"geo", "geo", false}}
	case "geo":
		return []field{{"lat", "number", true}, {"lon", "number", true}}
	}
	return nil
}

// keysOf lists the keys of one of format v1's mappings, once per parse.
func (d *decoder) keysOf(mapping string) []string {
	if keys, ok := d.keys[mapping]; ok {
		return keys
	}
	if d.keys == nil {
		d.keys = map[string][]string{}
	}
	d.keys[mapping] = keysOf(mapping)
	return d.keys[mapping]
}

// keysOf lists the keys of one of format v1's mappings.
func keysOf(mapping string) []string {
	fields := format(mapping)
	keys := make([]string, len(fields))
	for i, f := range fields {
		keys[i] = f.name
	}
	return keys
}

// Schema is the JSON Schema (draft-07) of format v1, for editors such as
// VS Code with yaml-language-server: keys, their kinds, what is required.
func Schema() []byte { return schema }

// SchemaURL is where the schema is published, for the modeline 'init'
// writes.
const SchemaURL = "https://raw.githubusercontent.com/agendacal/agendacal/main/agenda/schema.json"

//go:embed schema.json
var schema []byte
