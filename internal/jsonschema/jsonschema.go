// Package jsonschema validates JSON documents against the subset of JSON
// Schema (2020-12) that gowrk's own schema uses: type, const, enum,
// properties, required, additionalProperties, patternProperties, items,
// minimum, maximum and local $ref. A schema using any other keyword is
// rejected rather than half-checked.
package jsonschema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"sort"
	"strings"
)

// Schema is a parsed schema document.
type Schema struct {
	root map[string]any
}

// annotations are keywords that do not constrain a document.
var annotations = map[string]bool{"$schema": true, "$id": true, "$defs": true, "title": true, "description": true}

var assertions = map[string]bool{
	"type": true, "const": true, "enum": true, "properties": true, "required": true,
	"additionalProperties": true, "patternProperties": true, "items": true,
	"minimum": true, "maximum": true, "$ref": true,
}

// Parse reads a schema.
func Parse(data []byte) (*Schema, error) {
	var root map[string]any
	if err := json.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	return &Schema{root: root}, nil
}

// Validate checks a JSON document and returns every violation found.
func (s *Schema) Validate(doc []byte) error {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return fmt.Errorf("document: %w", err)
	}
	var errs []string
	s.check(s.root, v, "$", &errs)
	if len(errs) > 0 {
		return fmt.Errorf("%d violation(s):\n  %s", len(errs), strings.Join(errs, "\n  "))
	}
	return nil
}

func (s *Schema) check(schema map[string]any, v any, path string, errs *[]string) {
	fail := func(format string, args ...any) {
		*errs = append(*errs, path+": "+fmt.Sprintf(format, args...))
	}
	keys := make([]string, 0, len(schema))
	for k := range schema {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !annotations[k] && !assertions[k] {
			fail("schema uses unsupported keyword %q", k)
		}
	}
	if ref, ok := schema["$ref"].(string); ok {
		target, err := s.resolve(ref)
		if err != nil {
			fail("%v", err)
		} else {
			s.check(target, v, path, errs)
		}
	}
	if t, ok := schema["type"]; ok && !typeMatches(t, v) {
		fail("type %s, want %v", typeOf(v), t)
		return
	}
	if c, ok := schema["const"]; ok && !equal(c, v) {
		fail("%v, want %v", v, c)
	}
	if e, ok := schema["enum"].([]any); ok {
		found := false
		for _, c := range e {
			found = found || equal(c, v)
		}
		if !found {
			fail("%v not one of %v", v, e)
		}
	}
	if n, ok := v.(json.Number); ok {
		f, _ := n.Float64()
		if m, ok := schema["minimum"].(float64); ok && f < m {
			fail("%v below minimum %v", f, m)
		}
		if m, ok := schema["maximum"].(float64); ok && f > m {
			fail("%v above maximum %v", f, m)
		}
	}
	if obj, ok := v.(map[string]any); ok {
		s.checkObject(schema, obj, path, errs)
	}
	if arr, ok := v.([]any); ok {
		if items, ok := schema["items"].(map[string]any); ok {
			for i, item := range arr {
				s.check(items, item, fmt.Sprintf("%s[%d]", path, i), errs)
			}
		}
	}
}

func (s *Schema) checkObject(schema map[string]any, obj map[string]any, path string, errs *[]string) {
	if req, ok := schema["required"].([]any); ok {
		for _, r := range req {
			if _, ok := obj[r.(string)]; !ok {
				*errs = append(*errs, fmt.Sprintf("%s: missing required %q", path, r))
			}
		}
	}
	props, _ := schema["properties"].(map[string]any)
	patterns, _ := schema["patternProperties"].(map[string]any)
	names := make([]string, 0, len(obj))
	for k := range obj {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		matched := false
		if p, ok := props[k].(map[string]any); ok {
			s.check(p, obj[k], path+"."+k, errs)
			matched = true
		}
		for pattern, p := range patterns {
			re, err := regexp.Compile(pattern)
			if err != nil {
				*errs = append(*errs, fmt.Sprintf("%s: bad pattern %q", path, pattern))
				continue
			}
			if re.MatchString(k) {
				s.check(p.(map[string]any), obj[k], path+"."+k, errs)
				matched = true
			}
		}
		if matched {
			continue
		}
		switch add := schema["additionalProperties"].(type) {
		case bool:
			if !add {
				*errs = append(*errs, fmt.Sprintf("%s: unexpected property %q", path, k))
			}
		case map[string]any:
			s.check(add, obj[k], path+"."+k, errs)
		}
	}
}

func (s *Schema) resolve(ref string) (map[string]any, error) {
	name, ok := strings.CutPrefix(ref, "#/$defs/")
	if !ok {
		return nil, fmt.Errorf("unsupported $ref %q", ref)
	}
	defs, _ := s.root["$defs"].(map[string]any)
	target, ok := defs[name].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("unresolved $ref %q", ref)
	}
	return target, nil
}

func typeMatches(t any, v any) bool {
	switch t := t.(type) {
	case string:
		return isType(t, v)
	case []any:
		for _, one := range t {
			if s, ok := one.(string); ok && isType(s, v) {
				return true
			}
		}
	}
	return false
}

func isType(t string, v any) bool {
	switch t {
	case "integer":
		n, ok := v.(json.Number)
		if !ok {
			return false
		}
		f, err := n.Float64()
		return err == nil && f == math.Trunc(f) && !strings.ContainsAny(n.String(), ".eE")
	case "number":
		_, ok := v.(json.Number)
		return ok
	}
	return typeOf(v) == t
}

func typeOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case json.Number:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// equal compares a schema value (numbers as float64) with a document value
// (numbers as json.Number).
func equal(schemaValue, v any) bool {
	if n, ok := v.(json.Number); ok {
		f, err := n.Float64()
		sf, isNum := schemaValue.(float64)
		return err == nil && isNum && f == sf
	}
	return reflect.DeepEqual(schemaValue, v)
}
