package agenda

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

// The mappings of format v1.
var mappings = []string{"programme", "included", "day", "session", "track", "participant", "person", "venue", "geo"}

// TestSchemaMatchesDecoder checks the schema against the keys the decoder
// takes: the same keys in every mapping, each of the same kind, the same
// ones required.
func TestSchemaMatchesDecoder(t *testing.T) {
	var s struct {
		Definitions map[string]struct {
			Properties map[string]struct {
				Ref string `json:"$ref"`
			}
			Required             []string
			AdditionalProperties *bool `json:"additionalProperties"`
		}
	}
	if err := json.Unmarshal(Schema(), &s); err != nil {
		t.Fatal(err)
	}
	for _, m := range mappings {
		def, ok := s.Definitions[m]
		if !ok {
			t.Errorf("the schema has no definition of %s", m)
			continue
		}
		if def.AdditionalProperties == nil || *def.AdditionalProperties {
			t.Errorf("%s: the schema allows keys the decoder refuses", m)
		}
		var required []string
		for _, f := range format(m) {
			prop, ok := def.Properties[f.name]
			switch {
			case !ok:
				t.Errorf("%s.%s: the decoder takes it, the schema does not", m, f.name)
			case prop.Ref != "#/definitions/"+f.kind:
				t.Errorf("%s.%s: the schema says %s, the decoder %s", m, f.name, prop.Ref, f.kind)
			}
			if f.required {
				required = append(required, f.name)
			}
			if _, ok := s.Definitions[f.kind]; !ok {
				t.Errorf("%s.%s: the schema has no definition of %s", m, f.name, f.kind)
			}
		}
		for name := range def.Properties {
			if !slices.Contains(keysOf(m), name) {
				t.Errorf("%s.%s: the schema takes it, the decoder does not", m, name)
			}
		}
		slices.Sort(required)
		slices.Sort(def.Required)
		if !slices.Equal(required, def.Required) {
			t.Errorf("%s: the schema requires %v, the decoder %v", m, def.Required, required)
		}
	}
}

// instance converts YAML to what a JSON Schema validates, as
// yaml-language-server does: dates and times stay strings.
func instance(n *yaml.Node) any {
	switch n.Kind {
	case yaml.DocumentNode:
		return instance(n.Content[0])
	case yaml.AliasNode:
		return instance(n.Alias)
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = instance(n.Content[i+1])
		}
		return m
	case yaml.SequenceNode:
		l := []any{}
		for _, c := range n.Content {
			l = append(l, instance(c))
		}
		return l
	}
	switch n.Tag {
	case "!!null":
		return nil
	case "!!bool":
		b, _ := strconv.ParseBool(strings.ToLower(n.Value))
		return b
	case "!!int", "!!float":
		if f, err := strconv.ParseFloat(n.Value, 64); err == nil {
			return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
		}
	}
	return n.Value
}

func compile(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(Schema()))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

func validate(t *testing.T, sch *jsonschema.Schema, path string) error {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) == 0 {
		return err
	}
	return sch.Validate(instance(&doc))
}

// TestSchemaValidates validates every good programme of the repository
// with the schema, and every catalogue programme with a structural error
// (an unknown key, a value of the wrong kind, a required key missing):
// the good ones must pass, the others fail.
func TestSchemaValidates(t *testing.T) {
	sch := compile(t)
	good, _ := filepath.Glob(filepath.Join("..", "testdata", "interop", "*.yaml"))
	good = append(good, filepath.Join("..", "examples", "pristina.yaml"))
	catalogue, _ := filepath.Glob(filepath.Join("..", "testdata", "catalogue", "*.yaml"))
	structural := regexp.MustCompile(`(?m): (unknown key |\S+ must be a (list|mapping|single value)|a key in .* must be a word|the programme has no (title|timezone)|a session has no title)`)
	bad := 0
	for _, f := range catalogue {
		want, _ := os.ReadFile(strings.TrimSuffix(f, ".yaml") + ".txt")
		switch {
		case bytes.HasPrefix(want, []byte("exit 0")):
			good = append(good, f)
		// Here the title is there, but shows nothing: only the
		// decoder can tell.
		case strings.HasSuffix(f, "invisible-title.yaml"):
		case structural.Match(want):
			bad++
			if err := validate(t, sch, f); err == nil {
				t.Errorf("%s: the schema accepts a programme with a structural error:\n%s", filepath.Base(f), want)
			}
		}
	}
	if bad < 10 {
		t.Errorf("only %d catalogue programmes with structural errors", bad)
	}
	for _, f := range good {
		if err := validate(t, sch, f); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}
