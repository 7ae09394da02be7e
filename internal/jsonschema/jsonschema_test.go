package jsonschema

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const schema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "required": ["v"],
  "properties": {
    "v": {"const": 1},
    "codes": {"type": "object", "propertyNames": {"pattern": "^[0-9]+$"}, "additionalProperties": {"type": "integer"}},
    "list": {"type": "array", "items": {"type": "object", "properties": {"s": {"type": "string"}}}}
  }
}`

func TestLoadStrictClosesListedObjects(t *testing.T) {
	path := filepath.Join(t.TempDir(), "schema.json")
	if err := os.WriteFile(path, []byte(schema), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := LoadStrict(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate([]byte(`{"v": 1, "codes": {"200": 5}, "list": [{"s": "x"}]}`)); err != nil {
		t.Errorf("valid document rejected: %v", err)
	}
	for _, doc := range []string{
		`{"v": 2}`,
		`{"v": 1, "extra": 0}`,
		`{"v": 1, "list": [{"s": "x", "extra": 0}]}`,
		`{"v": 1, "codes": {"ok": 1}}`,
		`{"v": 1, "codes": {"200": "x"}}`,
		`{"v": 1`,
	} {
		if err := s.Validate([]byte(doc)); err == nil {
			t.Errorf("%s: accepted", doc)
		}
	}
}

// The published schema itself accepts fields it does not list.
func TestPublishedSchemaIsOpen(t *testing.T) {
	data, err := os.ReadFile("../../docs/json-schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), `"additionalProperties": false`) {
		t.Error("docs/json-schema.json closes an object, but fields may be added within a version")
	}
}
