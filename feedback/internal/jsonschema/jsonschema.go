// Package jsonschema validates decoded JSON against the subset of JSON
// Schema 2020-12 that docs/feedback.schema.json uses: type, properties,
// required, additionalProperties, items, prefixItems, minItems, maxItems,
// enum, minimum, maximum, anyOf, allOf and local $ref to #/$defs. Anything
// else in a schema is an error, so the validator never passes a document
// by ignoring a keyword it does not know.
package jsonschema

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
)

// Schema is a parsed schema document.
type Schema struct {
	root map[string]any
}

// Parse reads a schema document.
func Parse(data []byte) (*Schema, error) {
	var root map[string]any
	if err := json.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("jsonschema: %w", err)
	}
	return &Schema{root: root}, nil
}

// Validate checks the JSON document data against the schema (or against
// the definition named def, such as "feedback.Summary", when def is not
// empty) and returns every violation found, joined.
func (s *Schema) Validate(data []byte, def string) error {
	var v any
	d := json.NewDecoder(strings.NewReader(string(data)))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		return fmt.Errorf("jsonschema: document: %w", err)
	}
	node := any(s.root)
	if def != "" {
		defs, _ := s.root["$defs"].(map[string]any)
		n, ok := defs[def]
		if !ok {
			return fmt.Errorf("jsonschema: no definition %q", def)
		}
		node = n
	}
	var errs []error
	s.check(node, v, "$", &errs, 0)
	return errors.Join(errs...)
}

var known = map[string]bool{
	"$schema": true, "$id": true, "$defs": true, "$ref": true, "title": true, "description": true,
	"type": true, "properties": true, "required": true, "additionalProperties": true,
	"items": true, "prefixItems": true, "minItems": true, "maxItems": true,
	"enum": true, "minimum": true, "maximum": true, "anyOf": true, "allOf": true,
}

func (s *Schema) check(node, v any, path string, errs *[]error, depth int) {
	if depth > 64 {
		*errs = append(*errs, fmt.Errorf("%s: schema nests too deep", path))
		return
	}
	if b, ok := node.(bool); ok {
		if !b {
			*errs = append(*errs, fmt.Errorf("%s: not allowed", path))
		}
		return
	}
	n, ok := node.(map[string]any)
	if !ok {
		*errs = append(*errs, fmt.Errorf("%s: malformed schema node %T", path, node))
		return
	}
	for k := range n {
		if !known[k] {
			*errs = append(*errs, fmt.Errorf("%s: unsupported schema keyword %q", path, k))
		}
	}
	if ref, ok := n["$ref"].(string); ok {
		name, found := strings.CutPrefix(ref, "#/$defs/")
		defs, _ := s.root["$defs"].(map[string]any)
		target, exists := defs[name]
		if !found || !exists {
			*errs = append(*errs, fmt.Errorf("%s: unresolvable $ref %q", path, ref))
			return
		}
		s.check(target, v, path, errs, depth+1)
	}
	if all, ok := n["allOf"].([]any); ok {
		for _, sub := range all {
			s.check(sub, v, path, errs, depth+1)
		}
	}
	if any_, ok := n["anyOf"].([]any); ok {
		matched := false
		for _, sub := range any_ {
			var e []error
			s.check(sub, v, path, &e, depth+1)
			if len(e) == 0 {
				matched = true
				break
			}
		}
		if !matched {
			*errs = append(*errs, fmt.Errorf("%s: matches none of anyOf", path))
		}
	}
	if t, ok := n["type"]; ok && !typeOK(t, v) {
		*errs = append(*errs, fmt.Errorf("%s: %s is not of type %v", path, kind(v), t))
		return
	}
	if enum, ok := n["enum"].([]any); ok {
		found := false
		for _, e := range enum {
			if fmt.Sprint(e) == fmt.Sprint(v) {
				found = true
			}
		}
		if !found {
			*errs = append(*errs, fmt.Errorf("%s: %v is not one of %v", path, v, enum))
		}
	}
	if num, ok := v.(json.Number); ok {
		x, _ := num.Float64()
		if m, ok := n["minimum"].(float64); ok && x < m {
			*errs = append(*errs, fmt.Errorf("%s: %v below minimum %v", path, x, m))
		}
		if m, ok := n["maximum"].(float64); ok && x > m {
			*errs = append(*errs, fmt.Errorf("%s: %v above maximum %v", path, x, m))
		}
	}
	switch val := v.(type) {
	case map[string]any:
		props, _ := n["properties"].(map[string]any)
		if req, ok := n["required"].([]any); ok {
			for _, r := range req {
				if _, ok := val[r.(string)]; !ok {
					*errs = append(*errs, fmt.Errorf("%s: required property %q missing", path, r))
				}
			}
		}
		keys := make([]string, 0, len(val))
		for k := range val {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if p, ok := props[k]; ok {
				s.check(p, val[k], path+"."+k, errs, depth+1)
			} else if ap, ok := n["additionalProperties"]; ok {
				if b, isBool := ap.(bool); isBool && !b {
					*errs = append(*errs, fmt.Errorf("%s: unexpected property %q", path, k))
				} else if !isBool {
					s.check(ap, val[k], path+"."+k, errs, depth+1)
				}
			}
		}
	case []any:
		if m, ok := n["minItems"].(float64); ok && float64(len(val)) < m {
			*errs = append(*errs, fmt.Errorf("%s: %d items, minimum %v", path, len(val), m))
		}
		if m, ok := n["maxItems"].(float64); ok && float64(len(val)) > m {
			*errs = append(*errs, fmt.Errorf("%s: %d items, maximum %v", path, len(val), m))
		}
		prefix, _ := n["prefixItems"].([]any)
		for i, item := range val {
			p := fmt.Sprintf("%s[%d]", path, i)
			if i < len(prefix) {
				s.check(prefix[i], item, p, errs, depth+1)
			} else if it, ok := n["items"]; ok {
				s.check(it, item, p, errs, depth+1)
			}
		}
	}
}

func typeOK(t, v any) bool {
	switch tt := t.(type) {
	case string:
		return is(tt, v)
	case []any:
		for _, x := range tt {
			if s, ok := x.(string); ok && is(s, v) {
				return true
			}
		}
	}
	return false
}

func is(t string, v any) bool {
	switch t {
	case "null":
		return v == nil
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "number":
		_, ok := v.(json.Number)
		return ok
	case "integer":
		n, ok := v.(json.Number)
		if !ok {
			return false
		}
		f, err := n.Float64()
		return err == nil && f == math.Trunc(f)
	}
	return false
}

func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case json.Number:
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}
