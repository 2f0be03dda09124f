package classify

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// schemaValidator checks a JSON value against a JSON Schema (draft-04) in
// the subset that sarif-schema-2.1.0.json uses: $ref into #/definitions,
// type, properties, additionalProperties, required, items, minItems,
// uniqueItems, minimum, maximum, pattern, enum, anyOf and oneOf ("format"
// and "default" are annotations here). It exists so that the SARIF test
// needs no new module.
type schemaValidator struct {
	root map[string]any
	errs []string
}

func (v *schemaValidator) fail(path, format string, args ...any) {
	v.errs = append(v.errs, path+": "+fmt.Sprintf(format, args...))
}

func (v *schemaValidator) resolve(s map[string]any) map[string]any {
	for {
		ref, ok := s["$ref"].(string)
		if !ok {
			return s
		}
		name, ok := strings.CutPrefix(ref, "#/definitions/")
		if !ok {
			panic("unsupported $ref " + ref)
		}
		s = v.root["definitions"].(map[string]any)[name].(map[string]any)
	}
}

func jsonType(x any) string {
	switch n := x.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		if n == float64(int64(n)) {
			return "integer"
		}
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "unknown"
}

func typeOK(want any, got string) bool {
	switch w := want.(type) {
	case string:
		return w == got || w == "number" && got == "integer"
	case []any:
		for _, x := range w {
			if typeOK(x, got) {
				return true
			}
		}
	}
	return false
}

// validate returns whether x is valid; errors are recorded.
func (v *schemaValidator) validate(s map[string]any, x any, path string) bool {
	s = v.resolve(s)
	n := len(v.errs)
	if t, ok := s["type"]; ok && !typeOK(t, jsonType(x)) {
		v.fail(path, "type %s, want %v", jsonType(x), t)
		return false
	}
	if e, ok := s["enum"].([]any); ok {
		found := false
		for _, a := range e {
			if reflect.DeepEqual(a, x) {
				found = true
			}
		}
		if !found {
			v.fail(path, "%v not in enum %v", x, e)
		}
	}
	if alts, ok := s["anyOf"].([]any); ok {
		good := 0
		for _, a := range alts {
			sub := &schemaValidator{root: v.root}
			if sub.validate(a.(map[string]any), x, path) {
				good++
			}
		}
		if good == 0 {
			v.fail(path, "matches none of anyOf")
		}
	}
	if alts, ok := s["oneOf"].([]any); ok {
		good := 0
		for _, a := range alts {
			sub := &schemaValidator{root: v.root}
			if sub.validate(a.(map[string]any), x, path) {
				good++
			}
		}
		if good != 1 {
			v.fail(path, "matches %d of oneOf, want 1", good)
		}
	}
	switch val := x.(type) {
	case map[string]any:
		props, _ := s["properties"].(map[string]any)
		for _, r := range asList(s["required"]) {
			if _, ok := val[r.(string)]; !ok {
				v.fail(path, "required property %q missing", r)
			}
		}
		keys := make([]string, 0, len(val))
		for k := range val {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if ps, ok := props[k].(map[string]any); ok {
				v.validate(ps, val[k], path+"."+k)
				continue
			}
			switch ap := s["additionalProperties"].(type) {
			case bool:
				if !ap {
					v.fail(path, "property %q not allowed", k)
				}
			case map[string]any:
				v.validate(ap, val[k], path+"."+k)
			}
		}
	case []any:
		if m, ok := s["minItems"].(float64); ok && float64(len(val)) < m {
			v.fail(path, "%d items, want at least %v", len(val), m)
		}
		if u, _ := s["uniqueItems"].(bool); u {
			for i := range val {
				for j := i + 1; j < len(val); j++ {
					if reflect.DeepEqual(val[i], val[j]) {
						v.fail(path, "items %d and %d are equal (uniqueItems)", i, j)
					}
				}
			}
		}
		if it, ok := s["items"].(map[string]any); ok {
			for i, e := range val {
				v.validate(it, e, fmt.Sprintf("%s[%d]", path, i))
			}
		}
	case float64:
		if m, ok := s["minimum"].(float64); ok && val < m {
			v.fail(path, "%v below minimum %v", val, m)
		}
		if m, ok := s["maximum"].(float64); ok && val > m {
			v.fail(path, "%v above maximum %v", val, m)
		}
	case string:
		if p, ok := s["pattern"].(string); ok {
			if !regexp.MustCompile(p).MatchString(val) {
				v.fail(path, "%q does not match %s", val, p)
			}
		}
	}
	return len(v.errs) == n
}

func asList(x any) []any {
	l, _ := x.([]any)
	return l
}

func loadSARIFSchema(t *testing.T) *schemaValidator {
	t.Helper()
	b, err := os.ReadFile("testdata/sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	var root map[string]any
	if err := json.Unmarshal(b, &root); err != nil {
		t.Fatal(err)
	}
	return &schemaValidator{root: root}
}

// allFixtureFindings runs Check over every fixture: findings of every
// check, with related locations, fixes of every kind and suppressions.
func allFixtureFindings(t *testing.T) []Finding {
	t.Helper()
	var all []Finding
	files, _ := filepath.Glob("testdata/checks/*/*.txtar")
	for _, f := range files {
		in, _ := loadFixture(t, f)
		all = append(all, CheckWith(in)...)
	}
	return all
}

// TestSARIFSchema validates SARIF's output for the findings of every
// fixture against the official SARIF 2.1.0 schema.
func TestSARIFSchema(t *testing.T) {
	v := loadSARIFSchema(t)
	fs := allFixtureFindings(t)
	seen := map[string]bool{}
	suppressed, related, fixes := 0, 0, 0
	for _, f := range fs {
		seen[f.Check] = true
		if f.Suppressed != nil {
			suppressed++
		}
		related += len(f.Related)
		fixes += len(f.Fixes)
	}
	if len(seen) < len(Checks()) || suppressed == 0 || related == 0 || fixes == 0 {
		t.Fatalf("fixtures exercise %d of %d checks, %d suppressed, %d related, %d fixes", len(seen), len(Checks()), suppressed, related, fixes)
	}
	for _, in := range [][]Finding{nil, fs} {
		b, err := SARIF(in)
		if err != nil {
			t.Fatal(err)
		}
		var doc any
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		v.errs = nil
		v.validate(v.root, doc, "$")
		for _, e := range v.errs {
			t.Error(e)
		}
		res := doc.(map[string]any)["runs"].([]any)[0].(map[string]any)["results"].([]any)
		if len(res) != len(in) {
			t.Errorf("%d results for %d findings", len(res), len(in))
		}
	}
}

// TestSARIFValidatorRejects makes sure the validator can fail: documents
// that break the schema's rules are rejected.
func TestSARIFValidatorRejects(t *testing.T) {
	v := loadSARIFSchema(t)
	for _, doc := range []string{
		`{"runs":[]}`, // no version
		`{"version":"2.0.0","runs":[]}`,
		`{"version":"2.1.0","runs":[{}]}`,                     // run without tool
		`{"version":"2.1.0","runs":[{"tool":{"driver":{}}}]}`, // driver without name
		`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"ruleId":"a"}]}]}`,                           // result without message
		`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"message":{"text":"m"},"level":"fatal"}]}]}`, // bad level
		`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"message":{"text":"m"},"fixes":[{"description":{"text":"d"},"artifactChanges":[]}]}]}]}`,
		`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"message":{"text":"m"},"suppressions":[{"kind":"inline"}]}]}]}`,
		`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"message":{"text":"m"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a"},"region":{"startLine":0}}}]}]}]}`,
		`{"version":"2.1.0","bogus":1,"runs":[]}`,
	} {
		var x any
		if err := json.Unmarshal([]byte(doc), &x); err != nil {
			t.Fatal(err)
		}
		v.errs = nil
		if v.validate(v.root, x, "$") {
			t.Errorf("accepted %s", doc)
		}
	}
}
