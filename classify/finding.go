package classify

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/badgateway/badgateway"
)

// Finding is what one config check found: a place in the nginx and/or
// php-fpm configuration that will (or may) make nginx answer an error, the
// cause code it predicts, and the change that fixes it.
//
// Check and Pos are the API; Message and the fix texts may be reworded.
// A Finding is a plain value, safe to copy; Check never returns one that
// shares memory with another.
type Finding struct {
	// Check is the stable code of the check that fired ("BG1001"); see
	// Checks for the registry.
	Check string
	// Name is the check's short name ("fastcgi_pass_listen").
	Name string
	// Cause is the cause code the finding predicts (listen_mismatch, …);
	// empty for observability checks that predict no failure by
	// themselves (status page, error_log level) and for BG0001.
	Cause Code
	// Severity: error (will fail), warning (likely to fail or hides
	// evidence), info (worth knowing).
	Severity badgateway.Severity
	// Pos is the primary position: the nginx directive (fastcgi_pass,
	// proxy_pass, the upstream block) when the finding involves nginx, else
	// the php-fpm setting.
	Pos badgateway.Pos
	// Related are the other positions involved, in both configs (the pool's
	// listen line for a fastcgi_pass, the php.ini line of max_execution_time,
	// …), each with what it is.
	Related []Related
	// Message names the concrete values ("fastcgi_pass unix:/run/php/a.sock
	// reaches no pool: pool www listens on /run/php/b.sock").
	Message string
	// Fixes are alternative changes, each of which removes the finding.
	Fixes []Fix
	// Suppressed is set when a "badgateway:ignore CODE reason" comment
	// covers the finding; the finding is still returned so that reports can
	// list what was suppressed and why.
	Suppressed *Suppression
}

// Related is a secondary position of a finding.
type Related struct {
	Pos     badgateway.Pos
	Message string
}

// Fix is one way to remove a finding: a description ("set
// `request_terminate_timeout = 55s` in www.conf:23") and the edits that
// implement it.
type Fix struct {
	Description string
	Edits       []Edit
}

// Edit replaces the statement at Pos (through End when End is valid, else
// the whole line of Pos) with New, or inserts New as a line before Pos
// when Insert is set. New is configuration text in the syntax of the file
// (nginx or php-fpm INI), without a trailing newline.
type Edit struct {
	Pos    badgateway.Pos
	End    badgateway.Pos
	New    string
	Insert bool
}

// Suppression is an inline "badgateway:ignore CODE reason" comment.
type Suppression struct {
	Pos    badgateway.Pos
	Code   string
	Reason string
}

// String formats the finding on one line: "FILE:LINE: severity: CHECK
// (cause): message".
func (f Finding) String() string {
	var b strings.Builder
	b.WriteString(f.Pos.String())
	b.WriteString(": ")
	b.WriteString(f.Severity.String())
	b.WriteString(": ")
	b.WriteString(f.Check)
	if f.Cause != "" {
		fmt.Fprintf(&b, " (%s)", f.Cause)
	}
	b.WriteString(": ")
	b.WriteString(f.Message)
	if f.Suppressed != nil {
		fmt.Fprintf(&b, " [suppressed at %s: %s]", f.Suppressed.Pos, f.Suppressed.Reason)
	}
	return b.String()
}

type jsonPos struct {
	File string `json:"file"`
	Line int    `json:"line,omitempty"`
	Col  int    `json:"col,omitempty"`
}

func jpos(p badgateway.Pos) jsonPos { return jsonPos{p.File, p.Line, p.Col} }

// MarshalJSON encodes the finding as {"check","name","cause","severity",
// "pos":{"file","line","col"},"related":[…],"message","fixes":[…],
// "suppressed":{…}}.
func (f Finding) MarshalJSON() ([]byte, error) {
	type rel struct {
		Pos     jsonPos `json:"pos"`
		Message string  `json:"message"`
	}
	type edit struct {
		Pos    jsonPos  `json:"pos"`
		End    *jsonPos `json:"end,omitempty"`
		New    string   `json:"new"`
		Insert bool     `json:"insert,omitempty"`
	}
	type fix struct {
		Description string `json:"description"`
		Edits       []edit `json:"edits"`
	}
	type sup struct {
		Pos    jsonPos `json:"pos"`
		Code   string  `json:"code"`
		Reason string  `json:"reason"`
	}
	rels := []rel{}
	for _, r := range f.Related {
		rels = append(rels, rel{jpos(r.Pos), r.Message})
	}
	fixes := []fix{}
	for _, x := range f.Fixes {
		fx := fix{Description: x.Description, Edits: []edit{}}
		for _, e := range x.Edits {
			ed := edit{Pos: jpos(e.Pos), New: e.New, Insert: e.Insert}
			if e.End.IsValid() {
				p := jpos(e.End)
				ed.End = &p
			}
			fx.Edits = append(fx.Edits, ed)
		}
		fixes = append(fixes, fx)
	}
	var s *sup
	if f.Suppressed != nil {
		s = &sup{jpos(f.Suppressed.Pos), f.Suppressed.Code, f.Suppressed.Reason}
	}
	return json.Marshal(struct {
		Check      string              `json:"check"`
		Name       string              `json:"name"`
		Cause      Code                `json:"cause,omitempty"`
		Severity   badgateway.Severity `json:"severity"`
		Pos        jsonPos             `json:"pos"`
		Related    []rel               `json:"related"`
		Message    string              `json:"message"`
		Fixes      []fix               `json:"fixes"`
		Suppressed *sup                `json:"suppressed,omitempty"`
	}{f.Check, f.Name, f.Cause, f.Severity, jpos(f.Pos), rels, f.Message, fixes, s})
}

// AtLeast reports whether severity s is at least as severe as min (error
// is the most severe, info the least).
func AtLeast(s, min badgateway.Severity) bool { return s <= min }
