// Package schemagen derives a JSON Schema (draft 2020-12) from Go types the
// way encoding/json writes them, with descriptions taken from the types'
// doc comments. It generates docs/feedback.schema.json, so the schema
// cannot drift from the code.
package schemagen

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
)

// Schema is a JSON Schema node.
type Schema = map[string]any

// Generator collects definitions. Set Special for types that marshal
// themselves, NonNull for packages whose slices and maps are never nil, and
// Extra for hand-written constraints (enum, minimum…) by "pkg.Type.field".
type Generator struct {
	Module  string // module path, e.g. github.com/nevermind-ai/nevermind
	Root    string // module directory, for reading doc comments
	Special map[reflect.Type]Schema
	NonNull map[string]bool // package names
	Extra   map[string]Schema

	defs map[string]Schema
	docs map[string]string // "pkg.Type" and "pkg.Type.Field" → comment
	read map[string]bool
}

// Ref returns a reference to t's definition, generating it on first use.
func (g *Generator) Ref(t reflect.Type) Schema { return g.schema(t, false) }

// Defs returns the definitions generated so far.
func (g *Generator) Defs() map[string]Schema { return g.defs }

func (g *Generator) name(t reflect.Type) string {
	return filepath.Base(t.PkgPath()) + "." + t.Name()
}

func (g *Generator) schema(t reflect.Type, nonNull bool) Schema {
	if s, ok := g.Special[t]; ok {
		return s
	}
	switch t.Kind() {
	case reflect.Pointer:
		inner := g.schema(t.Elem(), true)
		return nullable(inner)
	case reflect.Bool:
		return Schema{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return Schema{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return Schema{"type": "number"}
	case reflect.String:
		return Schema{"type": "string"}
	case reflect.Interface:
		return Schema{}
	case reflect.Slice, reflect.Array:
		s := Schema{"type": "array", "items": g.schema(t.Elem(), true)}
		if t.Kind() == reflect.Array {
			s["minItems"], s["maxItems"] = t.Len(), t.Len()
			return s
		}
		if !nonNull {
			return nullable(s)
		}
		return s
	case reflect.Map:
		s := Schema{"type": "object", "additionalProperties": g.schema(t.Elem(), true)}
		if !nonNull {
			return nullable(s)
		}
		return s
	case reflect.Struct:
		name := g.name(t)
		if g.defs == nil {
			g.defs = map[string]Schema{}
		}
		if _, ok := g.defs[name]; !ok {
			g.defs[name] = Schema{} // placeholder against recursion
			g.defs[name] = g.object(t)
		}
		return Schema{"$ref": "#/$defs/" + name}
	}
	panic(fmt.Sprintf("schemagen: unsupported type %s", t))
}

func nullable(s Schema) Schema {
	if ty, ok := s["type"].(string); ok && len(s) <= 4 {
		out := Schema{}
		for k, v := range s {
			out[k] = v
		}
		out["type"] = []any{ty, "null"}
		return out
	}
	return Schema{"anyOf": []any{s, Schema{"type": "null"}}}
}

func (g *Generator) object(t reflect.Type) Schema {
	pkg := filepath.Base(t.PkgPath())
	g.readDocs(t.PkgPath())
	props := Schema{}
	var required []string
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := range t.NumField() {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			if tag == "-" || (!f.IsExported() && !f.Anonymous) {
				continue
			}
			name, opts, _ := strings.Cut(tag, ",")
			if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
				walk(f.Type)
				continue
			}
			if name == "" {
				name = f.Name
			}
			s := g.schema(f.Type, g.NonNull[pkg])
			key := g.name(t) + "." + f.Name
			if d := g.docs[key]; d != "" {
				s = withDesc(s, d)
			}
			for k, v := range g.Extra[g.name(t)+"."+name] {
				s = copySchema(s)
				s[k] = v
			}
			props[name] = s
			if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") {
				required = append(required, name)
			}
		}
	}
	walk(t)
	sort.Strings(required)
	s := Schema{"type": "object", "properties": props, "required": required, "additionalProperties": false}
	if d := g.docs[g.name(t)]; d != "" {
		s["description"] = d
	}
	return s
}

func copySchema(s Schema) Schema {
	out := Schema{}
	for k, v := range s {
		out[k] = v
	}
	return out
}

// withDesc attaches a description; a $ref cannot carry siblings in older
// readers, so it is wrapped.
func withDesc(s Schema, d string) Schema {
	if _, ok := s["$ref"]; ok {
		return Schema{"allOf": []any{s}, "description": d}
	}
	out := copySchema(s)
	out["description"] = d
	return out
}

// readDocs loads the doc comments of a package of the module.
func (g *Generator) readDocs(pkgPath string) {
	if g.read == nil {
		g.read, g.docs = map[string]bool{}, map[string]string{}
	}
	if g.read[pkgPath] || !strings.HasPrefix(pkgPath, g.Module) {
		return
	}
	g.read[pkgPath] = true
	dir := filepath.Join(g.Root, strings.TrimPrefix(pkgPath, g.Module))
	pkg := filepath.Base(pkgPath)
	fset := token.NewFileSet()
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, parser.ParseComments)
		if err != nil {
			continue
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, spec := range gd.Specs {
				ts := spec.(*ast.TypeSpec)
				doc := ts.Doc
				if doc == nil {
					doc = gd.Doc
				}
				g.docs[pkg+"."+ts.Name.Name] = clean(doc)
				st, ok := ts.Type.(*ast.StructType)
				if !ok {
					continue
				}
				for _, fl := range st.Fields.List {
					d := clean(fl.Doc)
					if d == "" {
						d = clean(fl.Comment)
					}
					for _, n := range fl.Names {
						g.docs[pkg+"."+ts.Name.Name+"."+n.Name] = d
					}
				}
			}
		}
	}
}

func clean(c *ast.CommentGroup) string {
	if c == nil {
		return ""
	}
	return strings.Join(strings.Fields(c.Text()), " ")
}

// Marshal writes the schema with sorted keys and two-space indents.
func Marshal(s Schema) ([]byte, error) {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
