package classify

import (
	"strings"
	"testing"
)

// TestCheckRegistry: codes are unique and well-formed, names unique,
// causes in the cause registry, and the table lists every check.
func TestCheckRegistry(t *testing.T) {
	codes, names := map[string]bool{}, map[string]bool{}
	for _, c := range Checks() {
		if len(c.Code) != 6 || !strings.HasPrefix(c.Code, "BG") || codes[c.Code] || names[c.Name] || c.Doc == "" || c.run == nil {
			t.Errorf("bad or duplicate check %+v", c)
		}
		codes[c.Code], names[c.Name] = true, true
		if c.Cause != "" {
			if _, ok := Lookup(c.Cause); !ok {
				t.Errorf("%s predicts %s, which is not in the cause registry", c.Code, c.Cause)
			}
		}
		if got, ok := LookupCheck(c.Name); !ok || got != c {
			t.Errorf("LookupCheck(%q) = %v", c.Name, got)
		}
	}
	var b strings.Builder
	if err := WriteCheckTable(&b); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(b.String(), "\n| `BG"); n != len(Checks()) {
		t.Errorf("table has %d rows for %d checks", n, len(Checks()))
	}
	cs := Checks()
	cs[0] = nil
	if Checks()[0] == nil {
		t.Error("Checks returns the registry itself")
	}
}
