// Package jsonschema checks gowrk's JSON output against docs/json-schema.json
// in tests. The published schema leaves objects open, as fields may be added
// within a schema version; the tests close them, so a field gowrk writes
// but the schema does not describe fails.
package jsonschema

import (
	"bytes"
	"fmt"
	"os"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Schema validates documents.
type Schema struct{ s *jsonschema.Schema }

// LoadStrict reads the schema at path with every object that lists its
// properties closed to others.
func LoadStrict(path string) (*Schema, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	closeObjects(doc)
	c := jsonschema.NewCompiler()
	if err := c.AddResource(path, doc); err != nil {
		return nil, err
	}
	s, err := c.Compile(path)
	if err != nil {
		return nil, err
	}
	return &Schema{s}, nil
}

// closeObjects sets additionalProperties to false beside every
// "properties" that has no additionalProperties of its own.
func closeObjects(v any) {
	switch v := v.(type) {
	case map[string]any:
		if _, ok := v["properties"].(map[string]any); ok {
			if _, set := v["additionalProperties"]; !set {
				v["additionalProperties"] = false
			}
		}
		for _, sub := range v {
			closeObjects(sub)
		}
	case []any:
		for _, sub := range v {
			closeObjects(sub)
		}
	}
}

// Validate checks one JSON document.
func (s *Schema) Validate(doc []byte) error {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return fmt.Errorf("document: %w", err)
	}
	return s.s.Validate(v)
}
