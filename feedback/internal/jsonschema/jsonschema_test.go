package jsonschema

import (
	"strings"
	"testing"
)

const schema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$defs": {
    "pt": {"type": "array", "prefixItems": [{"type": "number"}, {"type": ["number", "null"]}], "minItems": 2, "maxItems": 2},
    "obj": {
      "type": "object",
      "properties": {
        "score": {"type": "integer", "minimum": 0, "maximum": 100},
        "grade": {"type": "string", "enum": ["good", "fair", "needs_work"]},
        "ev": {"type": "object", "additionalProperties": {"type": "number"}},
        "pts": {"type": ["array", "null"], "items": {"$ref": "#/$defs/pt"}},
        "opt": {"anyOf": [{"$ref": "#/$defs/obj"}, {"type": "null"}]}
      },
      "required": ["score", "grade"],
      "additionalProperties": false
    }
  },
  "$ref": "#/$defs/obj"
}`

func TestValidate(t *testing.T) {
	s, err := Parse([]byte(schema))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		doc  string
		want string // "" for valid, else a fragment of the error
	}{
		{`{"score": 80, "grade": "good"}`, ""},
		{`{"score": 80, "grade": "good", "ev": {"a": 1.5}, "pts": [[0, null], [0.01, 120]], "opt": null}`, ""},
		{`{"score": 80, "grade": "good", "opt": {"score": 1, "grade": "fair"}}`, ""},
		{`{"score": 80}`, `required property "grade"`},
		{`{"score": 80.5, "grade": "good"}`, "not of type integer"},
		{`{"score": 101, "grade": "good"}`, "above maximum"},
		{`{"score": -1, "grade": "good"}`, "below minimum"},
		{`{"score": 1, "grade": "great"}`, "not one of"},
		{`{"score": 1, "grade": "good", "extra": 1}`, `unexpected property "extra"`},
		{`{"score": 1, "grade": "good", "ev": {"a": "x"}}`, "$.ev.a: string is not of type number"},
		{`{"score": 1, "grade": "good", "pts": [[0]]}`, "1 items, minimum 2"},
		{`{"score": 1, "grade": "good", "pts": [[0, "x"]]}`, "$.pts[0][1]"},
		{`{"score": 1, "grade": "good", "opt": {"score": 1}}`, "matches none of anyOf"},
		{`[]`, "not of type object"},
	}
	for _, tc := range cases {
		err := s.Validate([]byte(tc.doc), "")
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: unexpected error %v", tc.doc, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: error %v, want one containing %q", tc.doc, err, tc.want)
		}
	}
	if err := s.Validate([]byte(`{"score": 1, "grade": "good"}`), "nope"); err == nil {
		t.Error("unknown definition accepted")
	}
}

func TestUnknownKeywordIsAnError(t *testing.T) {
	s, err := Parse([]byte(`{"type": "string", "pattern": "^a"}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate([]byte(`"b"`), ""); err == nil || !strings.Contains(err.Error(), "pattern") {
		t.Errorf("unsupported keyword not reported: %v", err)
	}
}
