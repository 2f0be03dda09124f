package nginxconf

import (
	"bytes"
	"testing"
)

// TestPositionsCorpus checks every directive position of the corpus
// against the bytes of the real files: Offset, Line and Col agree with
// each other, the name (or its opening quote) starts at Pos, and End
// points at the ";" or "}" that closes the statement.
func TestPositionsCorpus(t *testing.T) {
	files := corpusFiles(t)
	checked := 0
	for _, v := range readVerdicts(t) {
		fsys, p := sandboxFS(files, v)
		cfg, _ := Load(p, &Options{FS: fsys, Context: v.context, ConfPrefix: sandbox})
		src := map[string][]byte{}
		for _, f := range cfg.Files {
			src[f.Path] = f.src
		}
		var check func(list []*Directive)
		check = func(list []*Directive) {
			for _, d := range list {
				b := src[d.Pos.File]
				off := int(d.Pos.Offset)
				if off < 0 || off >= len(b) {
					t.Fatalf("%s: %q at %v outside the file", v.file, d.Name, d.Pos)
				}
				line := 1 + bytes.Count(b[:off], []byte("\n"))
				col := off - (bytes.LastIndexByte(b[:off], '\n') + 1) + 1
				if line != d.Pos.Line || col != d.Pos.Col {
					t.Errorf("%s: %q at %v, but offset %d is %d:%d", v.file, d.Name, d.Pos, off, line, col)
				}
				if c := b[off]; c != '"' && c != '\'' && !bytes.HasPrefix(b[off:], []byte(d.Name)) && c != '\\' {
					t.Errorf("%s: %q at %v, but the file has %q there", v.file, d.Name, d.Pos, b[off:min(off+20, len(b))])
				}
				if d.End.Line != 0 {
					eb := src[d.End.File]
					want := byte(';')
					if d.IsBlock {
						want = '}'
					}
					if int(d.End.Offset) >= len(eb) || eb[d.End.Offset] != want {
						t.Errorf("%s: %q ends at %v, which is not %q", v.file, d.Name, d.End, want)
					}
				}
				checked++
				check(d.Children)
			}
		}
		check(cfg.Root)
	}
	if checked < 10000 {
		t.Errorf("only %d directives checked", checked)
	}
	t.Logf("%d directive positions checked", checked)
}
