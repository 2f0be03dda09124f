package classify

import (
	"encoding/json"
	"path/filepath"
	"strings"

	"github.com/badgateway/badgateway"
)

// SARIFVersion is the version of the Static Analysis Results Interchange
// Format that SARIF writes (OASIS SARIF 2.1.0, errata 01).
const SARIFVersion = "2.1.0"

// sarifSchema is the schema URI written in "$schema".
const sarifSchema = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

// SARIF encodes findings as a SARIF 2.1.0 log with one run of the tool
// "badgateway": every check of Checks as a rule (id = check code, name,
// descriptions, the predicted cause in its properties), every finding as a
// result with its level (error, warning, note), its primary location, its
// related locations in both configs, its fixes with their edits (a fix
// without edits is left out: SARIF requires at least one change), and an
// inSource suppression with the comment's reason when a badgateway:ignore
// comment covers it. Absolute paths are written as file:// URIs, relative
// ones as relative URI references.
//
// The output validates against the official sarif-schema-2.1.0.json (see
// the package tests). SARIF is pure and safe for concurrent use.
func SARIF(findings []Finding) ([]byte, error) {
	type text struct {
		Text string `json:"text"`
	}
	type props struct {
		Cause string `json:"cause,omitempty"`
		Needs string `json:"needs,omitempty"`
	}
	type config struct {
		Level string `json:"level"`
	}
	type rule struct {
		ID                   string  `json:"id"`
		Name                 string  `json:"name"`
		ShortDescription     text    `json:"shortDescription"`
		FullDescription      text    `json:"fullDescription"`
		DefaultConfiguration config  `json:"defaultConfiguration"`
		Properties           *props  `json:"properties,omitempty"`
		HelpURI              *string `json:"helpUri,omitempty"`
	}
	type artifact struct {
		URI string `json:"uri"`
	}
	type region struct {
		StartLine   int `json:"startLine"`
		StartColumn int `json:"startColumn,omitempty"`
		EndLine     int `json:"endLine,omitempty"`
		EndColumn   int `json:"endColumn,omitempty"`
	}
	type physical struct {
		ArtifactLocation artifact `json:"artifactLocation"`
		Region           *region  `json:"region,omitempty"`
	}
	type location struct {
		ID               *int     `json:"id,omitempty"`
		PhysicalLocation physical `json:"physicalLocation"`
		Message          *text    `json:"message,omitempty"`
	}
	type replacement struct {
		DeletedRegion   region `json:"deletedRegion"`
		InsertedContent *text  `json:"insertedContent,omitempty"`
	}
	type change struct {
		ArtifactLocation artifact      `json:"artifactLocation"`
		Replacements     []replacement `json:"replacements"`
	}
	type fix struct {
		Description     text     `json:"description"`
		ArtifactChanges []change `json:"artifactChanges"`
	}
	type suppression struct {
		Kind          string    `json:"kind"`
		Justification string    `json:"justification"`
		Location      *location `json:"location,omitempty"`
	}
	type result struct {
		RuleID           string        `json:"ruleId"`
		RuleIndex        int           `json:"ruleIndex"`
		Level            string        `json:"level"`
		Message          text          `json:"message"`
		Locations        []location    `json:"locations,omitempty"`
		RelatedLocations []location    `json:"relatedLocations,omitempty"`
		Fixes            []fix         `json:"fixes,omitempty"`
		Suppressions     []suppression `json:"suppressions,omitempty"`
		Properties       *props        `json:"properties,omitempty"`
	}
	type driver struct {
		Name           string `json:"name"`
		InformationURI string `json:"informationUri"`
		Rules          []rule `json:"rules"`
	}
	type tool struct {
		Driver driver `json:"driver"`
	}
	type run struct {
		Tool    tool     `json:"tool"`
		Results []result `json:"results"`
	}
	type log struct {
		Schema  string `json:"$schema"`
		Version string `json:"version"`
		Runs    []run  `json:"runs"`
	}

	checks := Checks()
	index := map[string]int{}
	var rules []rule
	for i, c := range checks {
		index[c.Code] = i
		rl := rule{ID: c.Code, Name: c.Name, ShortDescription: text{c.Name}, FullDescription: text{c.Doc},
			DefaultConfiguration: config{"warning"}}
		if c.Cause != "" || c.Needs != "" {
			rl.Properties = &props{Cause: string(c.Cause), Needs: c.Needs}
		}
		rules = append(rules, rl)
	}
	phys := func(p badgateway.Pos) physical {
		ph := physical{ArtifactLocation: artifact{fileURI(p.File)}}
		if p.Line > 0 {
			ph.Region = &region{StartLine: p.Line, StartColumn: p.Col}
		}
		return ph
	}
	results := []result{}
	for _, f := range findings {
		res := result{RuleID: f.Check, RuleIndex: index[f.Check], Level: sarifLevel(f.Severity), Message: text{f.Message}}
		if f.Pos.File != "" {
			res.Locations = []location{{PhysicalLocation: phys(f.Pos)}}
		}
		for i, r := range f.Related {
			if r.Pos.File == "" {
				continue
			}
			id := i + 1
			res.RelatedLocations = append(res.RelatedLocations, location{ID: &id, PhysicalLocation: phys(r.Pos), Message: &text{r.Message}})
		}
		for _, x := range f.Fixes {
			fx := fix{Description: text{x.Description}}
			byFile := map[string]int{}
			for _, e := range x.Edits {
				if e.Pos.File == "" || e.Pos.Line == 0 {
					continue
				}
				rp := replacement{InsertedContent: &text{e.New}}
				switch {
				case e.Insert:
					rp.DeletedRegion = region{StartLine: e.Pos.Line, StartColumn: 1, EndLine: e.Pos.Line, EndColumn: 1}
					rp.InsertedContent.Text = e.New + "\n"
				case e.End.IsValid() && e.Pos.Col > 0 && e.End.Col > 0:
					rp.DeletedRegion = region{StartLine: e.Pos.Line, StartColumn: e.Pos.Col, EndLine: e.End.Line, EndColumn: e.End.Col + 1}
				default: // the whole line, up to its end
					rp.DeletedRegion = region{StartLine: e.Pos.Line, StartColumn: 1, EndLine: e.Pos.Line}
				}
				j, ok := byFile[e.Pos.File]
				if !ok {
					j = len(fx.ArtifactChanges)
					byFile[e.Pos.File] = j
					fx.ArtifactChanges = append(fx.ArtifactChanges, change{ArtifactLocation: artifact{fileURI(e.Pos.File)}})
				}
				fx.ArtifactChanges[j].Replacements = append(fx.ArtifactChanges[j].Replacements, rp)
			}
			if len(fx.ArtifactChanges) > 0 {
				res.Fixes = append(res.Fixes, fx)
			}
		}
		if s := f.Suppressed; s != nil {
			sp := suppression{Kind: "inSource", Justification: s.Reason}
			if s.Pos.File != "" {
				sp.Location = &location{PhysicalLocation: phys(s.Pos)}
			}
			res.Suppressions = []suppression{sp}
		}
		if f.Cause != "" {
			res.Properties = &props{Cause: string(f.Cause)}
		}
		results = append(results, res)
	}
	return json.MarshalIndent(log{
		Schema:  sarifSchema,
		Version: SARIFVersion,
		Runs: []run{{
			Tool:    tool{driver{Name: "badgateway", InformationURI: "https://github.com/badgateway/badgateway", Rules: rules}},
			Results: results,
		}},
	}, "", "  ")
}

func sarifLevel(s badgateway.Severity) string {
	switch s {
	case badgateway.SeverityError:
		return "error"
	case badgateway.SeverityWarning:
		return "warning"
	}
	return "note"
}

// fileURI turns a path into a URI reference: file:///abs/path for an
// absolute path, the slash-separated relative path otherwise, with the
// characters URIs reserve percent-encoded.
func fileURI(p string) string {
	p = filepath.ToSlash(p)
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("/-._~", c) >= 0 {
			b.WriteByte(c)
		} else {
			b.WriteString("%" + strings.ToUpper(string("0123456789abcdef"[c>>4])+string("0123456789abcdef"[c&15])))
		}
	}
	if strings.HasPrefix(p, "/") {
		return "file://" + b.String()
	}
	return b.String()
}
