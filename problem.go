package badgateway

import (
	"fmt"
	"sort"
	"strings"
)

// Severity ranks a Problem. The zero value is SeverityError.
type Severity int8

const (
	SeverityError   Severity = iota // the input (or part of it) could not be used
	SeverityWarning                 // the input was used, but something in it is suspect or was skipped
	SeverityInfo                    // worth knowing, not wrong
)

// String returns "error", "warning" or "info".
func (s Severity) String() string {
	switch s {
	case SeverityError:
		return "error"
	case SeverityWarning:
		return "warning"
	case SeverityInfo:
		return "info"
	}
	return "severity(" + fmt.Sprint(int8(s)) + ")"
}

// MarshalText implements encoding.TextMarshaler.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Severity) UnmarshalText(b []byte) error {
	switch string(b) {
	case "error":
		*s = SeverityError
	case "warning":
		*s = SeverityWarning
	case "info":
		*s = SeverityInfo
	default:
		return fmt.Errorf("badgateway: unknown severity %q", b)
	}
	return nil
}

// Problem is one thing that went wrong while loading or parsing an input: an
// unreadable file, a syntax error, a log line that is not in the expected
// format, a limit that was hit. Loaders return problems next to a partial
// result, so that one bad file or line never hides the rest.
//
// Err carries the reason and is what errors.Is and errors.As look at
// (sentinels such as fs.ErrNotExist or a package's ErrXxx kinds).
// IncludedFrom is the include chain of the file that Pos names, innermost
// first: the position of the include directive that read Pos.File, then the
// one that read that file, and so on. It is empty for top-level files and for
// logs.
type Problem struct {
	Pos          Pos
	Severity     Severity
	Err          error
	IncludedFrom []Pos
}

// Error formats the problem as "file:line:col: message", followed by the
// include chain when there is one: " (included from a.conf:12, nginx.conf:3)".
func (p *Problem) Error() string {
	var b strings.Builder
	b.Write(p.Pos.AppendTo(nil))
	b.WriteString(": ")
	if p.Severity != SeverityError {
		b.WriteString(p.Severity.String())
		b.WriteString(": ")
	}
	if p.Err != nil {
		b.WriteString(p.Err.Error())
	} else {
		b.WriteString("unknown problem")
	}
	if len(p.IncludedFrom) > 0 {
		b.WriteString(" (included from ")
		for i, inc := range p.IncludedFrom {
			if i > 0 {
				b.WriteString(", ")
			}
			b.Write(inc.AppendTo(nil))
		}
		b.WriteString(")")
	}
	return b.String()
}

// Unwrap returns p.Err.
func (p *Problem) Unwrap() error { return p.Err }

// Problems is a list of problems, in the order they were found unless
// sorted. Like go/scanner.ErrorList, its Err method returns nil when the
// list is empty, so a loader can return problems.Err() as its error.
//
// A Problems value is not safe for concurrent use.
type Problems []*Problem

// Add appends a problem of SeverityError at pos.
func (l *Problems) Add(pos Pos, err error) {
	*l = append(*l, &Problem{Pos: pos, Err: err})
}

// Addf appends a problem of SeverityError at pos with a formatted message.
// The format follows fmt.Errorf, so %w wraps an error for errors.Is.
func (l *Problems) Addf(pos Pos, format string, args ...any) {
	l.Add(pos, fmt.Errorf(format, args...))
}

// Sort orders the list by file, line, column, then message.
func (l Problems) Sort() {
	sort.SliceStable(l, func(i, j int) bool {
		a, b := l[i].Pos, l[j].Pos
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Col != b.Col {
			return a.Col < b.Col
		}
		return l[i].Error() < l[j].Error()
	})
}

// HasErrors reports whether any problem has SeverityError.
func (l Problems) HasErrors() bool {
	for _, p := range l {
		if p.Severity == SeverityError {
			return true
		}
	}
	return false
}

// Error returns the first problem's text and how many more there are.
func (l Problems) Error() string {
	switch len(l) {
	case 0:
		return "no problems"
	case 1:
		return l[0].Error()
	}
	return fmt.Sprintf("%s (and %d more problems)", l[0].Error(), len(l)-1)
}

// Err returns the list as an error, or nil when it is empty. errors.Is and
// errors.As see every problem in the list.
func (l Problems) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

// Unwrap returns the problems as errors, for errors.Is and errors.As.
func (l Problems) Unwrap() []error {
	errs := make([]error, len(l))
	for i, p := range l {
		errs[i] = p
	}
	return errs
}
