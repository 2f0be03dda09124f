package badgateway

import (
	"errors"
	"io/fs"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPosString(t *testing.T) {
	for _, tc := range []struct {
		pos  Pos
		want string
	}{
		{Pos{}, "-"},
		{Pos{File: "a.conf"}, "a.conf"},
		{Pos{File: "a.conf", Line: 3}, "a.conf:3"},
		{Pos{File: "a.conf", Line: 3, Col: 7}, "a.conf:3:7"},
		{Pos{Line: 3}, "3"},
		{Pos{Line: 3, Col: 1}, "3:1"},
		{Pos{File: "a.conf", Col: 4}, "a.conf"}, // a column without a line is unknown
	} {
		if got := tc.pos.String(); got != tc.want {
			t.Errorf("%#v.String() = %q, want %q", tc.pos, got, tc.want)
		}
		if got := tc.pos.IsValid(); got != (tc.pos.Line > 0) {
			t.Errorf("%#v.IsValid() = %v", tc.pos, got)
		}
	}
}

func TestProblems(t *testing.T) {
	var l Problems
	if l.Err() != nil {
		t.Fatal("empty list: Err() != nil")
	}
	l.Add(Pos{File: "b.conf", Line: 9}, fs.ErrNotExist)
	l.Addf(Pos{File: "a.conf", Line: 2, Col: 5}, "unexpected %q", "}")
	l = append(l, &Problem{Pos: Pos{File: "a.conf", Line: 2}, Severity: SeverityWarning, Err: errors.New("odd"),
		IncludedFrom: []Pos{{File: "nginx.conf", Line: 12}, {File: "main.conf", Line: 1}}})
	l.Sort()
	var got []string
	for _, p := range l {
		got = append(got, p.Error())
	}
	want := []string{
		"a.conf:2: warning: odd (included from nginx.conf:12, main.conf:1)",
		`a.conf:2:5: unexpected "}"`,
		"b.conf:9: file does not exist",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sorted problems (-want +got):\n%s", diff)
	}
	err := l.Err()
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("errors.Is(l.Err(), fs.ErrNotExist) = false; err = %v", err)
	}
	var p *Problem
	if !errors.As(err, &p) {
		t.Error("errors.As(l.Err(), *Problem) = false")
	}
	if !strings.HasSuffix(err.Error(), "(and 2 more problems)") {
		t.Errorf("Error() = %q", err.Error())
	}
	if !l.HasErrors() || (Problems{l[0]}).HasErrors() {
		t.Error("HasErrors wrong")
	}
	for _, s := range []Severity{SeverityError, SeverityWarning, SeverityInfo} {
		b, _ := s.MarshalText()
		var back Severity
		if err := back.UnmarshalText(b); err != nil || back != s {
			t.Errorf("round trip of %v: %v %v", s, back, err)
		}
	}
	var bad Severity
	if bad.UnmarshalText([]byte("fatal")) == nil {
		t.Error("UnmarshalText accepted an unknown severity")
	}
}
