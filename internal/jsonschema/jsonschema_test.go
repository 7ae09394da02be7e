package jsonschema

import (
	"strings"
	"testing"
)

const schema = `{
  "type": "object",
  "required": ["v", "n"],
  "additionalProperties": false,
  "properties": {
    "v": {"const": 1},
    "n": {"type": "integer", "minimum": 0, "maximum": 10},
    "x": {"type": ["number", "null"]},
    "m": {"enum": ["a", "b"]},
    "codes": {"type": "object", "patternProperties": {"^[0-9]+$": {"type": "integer"}}, "additionalProperties": false},
    "list": {"type": "array", "items": {"$ref": "#/$defs/item"}}
  },
  "$defs": {"item": {"type": "object", "required": ["s"], "properties": {"s": {"type": "string"}}}}
}`

func TestValidate(t *testing.T) {
	s, err := Parse([]byte(schema))
	if err != nil {
		t.Fatal(err)
	}
	good := `{"v": 1, "n": 3, "x": null, "m": "a", "codes": {"200": 5}, "list": [{"s": "x"}]}`
	if err := s.Validate([]byte(good)); err != nil {
		t.Errorf("valid document rejected: %v", err)
	}
	for doc, want := range map[string]string{
		`{"v": 2, "n": 3}`:                      "$.v: 2, want 1",
		`{"v": 1}`:                              `missing required "n"`,
		`{"v": 1, "n": 1.5}`:                    "$.n: type number, want integer",
		`{"v": 1, "n": 11}`:                     "above maximum",
		`{"v": 1, "n": -1}`:                     "below minimum",
		`{"v": 1, "n": 1, "y": 0}`:              `unexpected property "y"`,
		`{"v": 1, "n": 1, "x": "s"}`:            "$.x: type string",
		`{"v": 1, "n": 1, "m": "c"}`:            "not one of",
		`{"v": 1, "n": 1, "codes": {"ok": 1}}`:  `unexpected property "ok"`,
		`{"v": 1, "n": 1, "list": [{"s": 1}]}`:  "$.list[0].s: type number",
		`{"v": 1, "n": 1, "list": [{}]}`:        `$.list[0]: missing required "s"`,
		`{"v": 1, "n": 1, "codes": {"1": "x"}}`: "$.codes.1: type string",
	} {
		err := s.Validate([]byte(doc))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", doc, err, want)
		}
	}
}

func TestUnsupportedKeywordsAreRejected(t *testing.T) {
	s, _ := Parse([]byte(`{"type": "string", "pattern": "^a"}`))
	if err := s.Validate([]byte(`"b"`)); err == nil || !strings.Contains(err.Error(), `unsupported keyword "pattern"`) {
		t.Errorf("err = %v", err)
	}
}
