package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/badgateway/badgateway/classify"
	"github.com/badgateway/badgateway/logparse"
)

// maxProblems is how many problems the text report lists.
const maxProblems = 10

// writeText prints the report for a person: the ranked verdicts, each with
// its evidence, what else it could be, and the fix.
func writeText(w io.Writer, r *classify.Report, builtin bool, configs []string) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	for _, c := range configs {
		p("Read %s.\n", c)
	}
	if builtin {
		p("No logs given: diagnosing the built-in incident (real nginx 1.22.1 + php-fpm 8.2 logs).\n")
		p("Run it on yours: diagnose -error-log /var/log/nginx/error.log [-fpm-log php8.2-fpm.log] [-nginx-conf nginx.conf] ... (diagnose -h lists all)\n\n")
	}
	for _, l := range []struct {
		n    int
		what string
	}{{r.FPMRecords, "php-fpm log records"}, {r.SlowRecords, "slow-log blocks"}, {r.AccessRecords, "access-log records"}} {
		if l.n > 0 {
			p("Read %d %s.\n", l.n, l.what)
		}
	}
	p("Read %d error-log records: %d are catalogued symptoms", r.Records, r.Symptoms)
	if r.Unmatched > 0 {
		p(", %d error-level records matched no known message", r.Unmatched)
	}
	p(".\n")
	if len(r.Verdicts) == 0 {
		p("\nNo cause of a 502/504 or a look-alike was found.\n")
		p("If clients saw errors, check that error_log's level is error or lower (info shows client aborts).\n")
	}
	for i, v := range r.Verdicts {
		p("\n%d. %s — %s\n", i+1, v.Cause, v.Title)
		p("   %s, %s confidence (%.2f)", countStatus(v), v.ConfidenceLevel(), v.Confidence)
		if span := timeSpan(v.First, v.Last); span != "" {
			p(", %s", span)
		}
		p("\n")
		if len(v.Upstreams) > 0 {
			p("   upstream: %s\n", strings.Join(v.Upstreams, ", "))
		}
		p("   evidence:\n")
		for _, e := range v.Evidence {
			p("     %s  %s\n", e.Pos, describe(e.Text))
		}
		if len(v.RootCauses) > 0 {
			roots := make([]string, len(v.RootCauses))
			for i, c := range v.RootCauses {
				roots[i] = string(c)
			}
			p("   caused by earlier failures of the group's servers: %s\n", strings.Join(roots, ", "))
			for _, e := range v.RootEvidence {
				p("     %s  %s\n", e.Pos, clip(e.Text, 200))
			}
		}
		if len(v.Alternatives) > 0 {
			alts := make([]string, len(v.Alternatives))
			for i, a := range v.Alternatives {
				alts[i] = fmt.Sprintf("%s (%.2f)", a.Cause, a.Confidence)
			}
			p("   could also be: %s\n", strings.Join(alts, ", "))
			if d := v.Alternatives[0].Decide; d != "" {
				p("   to decide: %s\n", d)
			}
		}
		if len(v.Related) > 0 {
			p("   shown by:\n")
			for _, e := range v.Related {
				p("     %s  %s\n", e.Pos, clip(e.Text, 200))
			}
		}
		for _, n := range v.Notes {
			p("   note: %s\n", n)
		}
		for _, f := range v.Findings {
			p("   explained by the config: %s %s at %s\n", f.Check, f.Name, f.Pos)
		}
		p("   fix: %s\n", v.Remediation)
	}
	writeFindings(w, r.Findings)
	writeTimeline(w, r.Timeline)
	if len(r.Other) > 0 {
		p("\nAlso seen, not gateway faults:")
		for i, o := range r.Other {
			if i > 0 {
				p(",")
			}
			p(" %s ×%d (%d)", o.ID, o.Count, o.Status)
		}
		p("\n")
	}
	if len(r.Problems) > 0 {
		p("\nProblems reading the input (%d):\n", len(r.Problems)+r.ProblemsDropped)
		for i, pr := range r.Problems {
			if i == maxProblems {
				p("  … and %d more\n", len(r.Problems)+r.ProblemsDropped-maxProblems)
				break
			}
			p("  %s\n", pr.Error())
		}
	}
}

func countStatus(v classify.Verdict) string {
	s := fmt.Sprintf("%d record", v.Count)
	if v.Count != 1 {
		s += "s"
	}
	switch v.Status {
	case 0:
		return s + ", no response status"
	case 9:
		return s + ", answered as HTTP/0.9 (status 009)"
	case 200:
		return s + ", body cut after the status line"
	}
	return fmt.Sprintf("%s, clients got %d", s, v.Status)
}

func timeSpan(first, last time.Time) string {
	const layout = "2006-01-02 15:04:05"
	switch {
	case first.IsZero():
		return ""
	case first.Equal(last):
		return "at " + first.Format(layout)
	}
	return "from " + first.Format(layout) + " to " + last.Format(layout)
}

// clip shortens a log record for the terminal: its first line, at most n
// bytes, with an ellipsis when cut.
func clip(s string, n int) string {
	cut := false
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		// A slow-log block: its header, then the script it names.
		first, rest := s[:i], s[i+1:]
		if line, _, _ := strings.Cut(rest, "\n"); strings.HasPrefix(line, "script_filename = ") {
			first += "  " + line
		}
		s, cut = first, true
	}
	if len(s) > n {
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		s, cut = s[:n], true
	}
	if cut {
		s += " …"
	}
	return s
}

// writeFindings prints the config findings: position, severity, check,
// predicted cause, message, the related positions and the first fix.
func writeFindings(w io.Writer, fs []classify.Finding) {
	if len(fs) == 0 {
		return
	}
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	active := 0
	for _, f := range fs {
		if f.Suppressed == nil {
			active++
		}
	}
	p("\nConfig findings (%d, %d suppressed):\n", active, len(fs)-active)
	for _, f := range fs {
		cause := ""
		if f.Cause != "" {
			cause = " → " + string(f.Cause)
		}
		p("\n  %s: %s %s %s%s\n", f.Pos, f.Severity, f.Check, f.Name, cause)
		p("    %s\n", f.Message)
		for _, r := range f.Related {
			p("    see %s: %s\n", r.Pos, r.Message)
		}
		if f.Suppressed != nil {
			p("    suppressed at %s: %s\n", f.Suppressed.Pos, f.Suppressed.Reason)
			continue
		}
		for i, x := range f.Fixes {
			if i == 0 {
				p("    fix: %s\n", x.Description)
			} else {
				p("    or:  %s\n", x.Description)
			}
		}
	}
}

// maxMinutes is how many minutes of the timeline the text report lists.
const maxMinutes = 30

// writeTimeline lists the causes per minute; of a long timeline, the
// busiest maxMinutes minutes, in time order.
func writeTimeline(w io.Writer, tl []classify.Minute) {
	if len(tl) == 0 {
		return
	}
	shown := tl
	if len(tl) > maxMinutes {
		total := func(m classify.Minute) int {
			n := 0
			for _, c := range m.Counts {
				n += c
			}
			return n
		}
		idx := make([]int, len(tl))
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(a, b int) bool { return total(tl[idx[a]]) > total(tl[idx[b]]) })
		idx = idx[:maxMinutes]
		sort.Ints(idx)
		shown = make([]classify.Minute, 0, maxMinutes)
		for _, i := range idx {
			shown = append(shown, tl[i])
		}
		fmt.Fprintf(w, "\nPer minute (the %d busiest of %d minutes):\n", maxMinutes, len(tl))
	} else {
		fmt.Fprintf(w, "\nPer minute:\n")
	}
	for _, m := range shown {
		fmt.Fprintf(w, "  %s\n", m)
	}
}

// describe shows an nginx error-log record for a person: its time, level,
// message, errno and action, then the request and upstream it concerns —
// the parts a clipped line would lose. Other records are clipped.
func describe(raw string) string {
	e, err := logparse.ParseErrorLine([]byte(raw))
	if err != nil || e.Form != logparse.FormPlain || e.Message == "" {
		return clip(raw, 200)
	}
	var b strings.Builder
	b.WriteString(e.Time.Format("15:04:05"))
	b.WriteString(" [")
	b.WriteString(e.Level.String())
	b.WriteString("] ")
	b.WriteString(clip(e.Message, 140))
	if e.Errno != 0 {
		fmt.Fprintf(&b, " (%d: %s)", e.Errno, e.ErrnoText)
	}
	if e.Action != "" {
		b.WriteString(" while ")
		b.WriteString(e.Action)
	}
	if e.Fields&logparse.FieldRequest != 0 {
		b.WriteString(" — ")
		b.WriteString(clip(e.Request, 80))
	}
	return b.String()
}
