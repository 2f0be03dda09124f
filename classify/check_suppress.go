package classify

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/badgateway/badgateway"
)

// ignoreMarker starts an inline suppression in a comment.
const ignoreMarker = "badgateway:ignore"

// parseIgnores finds "# badgateway:ignore CODE reason" (nginx) and
// "; badgateway:ignore CODE reason" (php-fpm INI) comments in src. A
// comment covers findings on its own line (a trailing comment) and on the
// next line that is neither blank nor a comment. The reason runs to the
// end of the line, or to a following " # " or " ; " comment.
func parseIgnores(file string, src []byte) []ignore {
	var out []ignore
	lines := bytes.Split(src, []byte("\n"))
	var off int64
	for i, ln := range lines {
		lineOff := off
		off += int64(len(ln)) + 1
		k := bytes.Index(ln, []byte(ignoreMarker))
		if k < 0 {
			continue
		}
		before := bytes.TrimRight(ln[:k], " \t")
		if len(before) == 0 || (before[len(before)-1] != '#' && before[len(before)-1] != ';') {
			continue // not in a comment
		}
		rest := string(ln[k+len(ignoreMarker):])
		for _, sep := range []string{" # ", " ; "} {
			if i := strings.Index(rest, sep); i >= 0 {
				rest = rest[:i] // another comment follows
			}
		}
		fields := strings.Fields(rest)
		ig := ignore{pos: badgateway.Pos{File: file, Line: i + 1, Col: k + 1, Offset: lineOff + int64(k)}}
		if len(fields) > 0 {
			ig.code = fields[0]
			ig.reason = strings.Join(fields[1:], " ")
		}
		ig.lines = []int{i + 1}
		trailing := len(bytes.TrimLeft(before[:len(before)-1], " \t")) > 0
		if !trailing {
			for j := i + 1; j < len(lines); j++ {
				t := bytes.TrimSpace(lines[j])
				if len(t) == 0 || t[0] == '#' || t[0] == ';' {
					continue
				}
				ig.lines = append(ig.lines, j+1)
				break
			}
		}
		out = append(out, ig)
	}
	return out
}

type ignore struct {
	pos          badgateway.Pos
	code, reason string
	lines        []int
	used         bool
}

func (ig *ignore) covers(p badgateway.Pos) bool {
	if p.File != ig.pos.File {
		return false
	}
	for _, l := range ig.lines {
		if l == p.Line {
			return true
		}
	}
	return false
}

// suppress reads the config files for ignore comments, marks the findings
// they cover, and returns BG0001 findings for malformed comments.
func (r *checkRun) suppress() []Finding {
	var files []string
	seen := map[string]bool{}
	if r.in.Nginx != nil {
		for _, f := range r.in.Nginx.Files {
			if !seen[f.Path] {
				seen[f.Path] = true
				files = append(files, f.Path)
			}
		}
	}
	if r.in.FPM != nil {
		for _, f := range r.in.FPM.Files {
			if !seen[f.Path] {
				seen[f.Path] = true
				files = append(files, f.Path)
			}
		}
	}
	var igs []*ignore
	for _, f := range files {
		src, err := r.readFile(f)
		if err != nil || !bytes.Contains(src, []byte(ignoreMarker)) {
			continue
		}
		for _, ig := range parseIgnores(f, src) {
			igs = append(igs, &ig)
		}
	}
	var bad []Finding
	meta, _ := LookupCheck("BG0001")
	for _, ig := range igs {
		var why string
		switch _, known := LookupCheck(ig.code); {
		case ig.code == "":
			why = "names no check code"
		case !known:
			why = fmt.Sprintf("names %q, which is not a check code", ig.code)
		case ig.reason == "":
			why = fmt.Sprintf("gives no reason for ignoring %s: a reason is mandatory, so nothing is suppressed", ig.code)
		}
		if why != "" {
			ig.code = "" // suppresses nothing
			bad = append(bad, Finding{Check: meta.Code, Name: meta.Name, Severity: badgateway.SeverityWarning, Pos: ig.pos,
				Message: "badgateway:ignore comment " + why,
				Fixes:   []Fix{{Description: "write `badgateway:ignore CODE why this is fine` (e.g. `# badgateway:ignore BG3007 logs shipped by syslog at debug`)"}}})
		}
	}
	for i := range r.findings {
		f := &r.findings[i]
		for _, ig := range igs {
			if ig.code == "" || (ig.code != f.Check && ig.code != f.Name) {
				continue
			}
			hit := ig.covers(f.Pos)
			for _, rel := range f.Related {
				hit = hit || ig.covers(rel.Pos)
			}
			if hit {
				f.Suppressed = &Suppression{Pos: ig.pos, Code: ig.code, Reason: ig.reason}
				ig.used = true
				break
			}
		}
	}
	return bad
}
