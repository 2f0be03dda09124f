package nginxconf

import (
	"iter"
	"strings"

	"github.com/badgateway/badgateway"
)

// Directive is one statement of the configuration as nginx reads it: a
// name, its arguments, and for a block its children.
//
// Args are unquoted and unescaped exactly as nginx's tokenizer does it
// (src/core/ngx_conf_file.c, ngx_conf_read_token): quotes removed, \" \'
// \\ \t \r \n decoded, every other byte kept as is (no UTF-8 decoding).
//
// Children holds a block's statements in the order nginx reads them. An
// include directive stays in the list and is followed by the statements of
// every file it read (their IncludedFrom starts with that include's Pos).
// Entries of map, geo, types, split_clients and charset_map blocks are
// Directives too (Name is the first word). The body of a *_by_lua_block
// is not parsed: it is in Body, and Children is empty.
//
// A Directive is read-only after Load returns and safe for concurrent reads.
type Directive struct {
	Name string   `json:"name"`
	Args []string `json:"args,omitempty"`

	// Pos is the position of the first byte of the name (its opening quote
	// if quoted). End is the position of the terminating ";" for a simple
	// directive and of the closing "}" for a block; End.Line is 0 when the
	// block is not closed (a syntax error cut the file short).
	Pos badgateway.Pos `json:"pos"`
	End badgateway.Pos `json:"end"`

	// ArgPos[i] is the position of Args[i].
	ArgPos []badgateway.Pos `json:"-"`
	// ArgQuoted[i] reports whether Args[i] was written in quotes; nil
	// when no argument was.
	ArgQuoted []bool `json:"-"`

	// IsBlock reports whether the directive opened a block with "{".
	IsBlock  bool         `json:"block,omitempty"`
	Children []*Directive `json:"children,omitempty"`

	// Body is the raw text between the braces of a *_by_lua_block, as the
	// lua module passes it to Lua.
	Body string `json:"body,omitempty"`

	// Files lists, for an include directive, the paths it read, in
	// nginx's order (glob(3) order for a pattern).
	Files []string `json:"files,omitempty"`

	// IncludedFrom is the include chain of the file this directive is in,
	// innermost first; empty in the top-level file. It is shared between
	// directives and must not be modified.
	IncludedFrom []badgateway.Pos `json:"included_from,omitempty"`

	// Context names the block this directive is directly in: "main",
	// "events", "http", "server", "location", "if", "upstream",
	// "limit_except", "stream", "mail", "map", "types", ... (the parent's
	// Name), or the Options.Context a snippet was loaded in.
	Context string `json:"-"`
	// Parent is the enclosing block directive, nil at the top level.
	Parent *Directive `json:"-"`

	seq int // reading order over the whole load
}

// Arg returns Args[i], or "" when there is no such argument.
func (d *Directive) Arg(i int) string {
	if i < 0 || i >= len(d.Args) {
		return ""
	}
	return d.Args[i]
}

// String formats the directive as a single line of nginx configuration,
// quoting arguments that need it; a block is shown as "name args { ... }".
func (d *Directive) String() string {
	var b strings.Builder
	b.WriteString(quoteArg(d.Name))
	for _, a := range d.Args {
		b.WriteByte(' ')
		b.WriteString(quoteArg(a))
	}
	if d.IsBlock {
		b.WriteString(" { ... }")
	} else {
		b.WriteByte(';')
	}
	return b.String()
}

func quoteArg(s string) string {
	if s == "" {
		return `""`
	}
	need := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\r', '\n', ';', '{', '}', '"', '\'', '\\', '#':
			need = true
		}
	}
	if !need {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		case '\n':
			b.WriteString(`\n`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// Walk yields d's descendants depth first, in reading order (included
// statements where nginx reads them). It does not yield d itself.
func (d *Directive) Walk() iter.Seq[*Directive] {
	return func(yield func(*Directive) bool) {
		walk(d.Children, yield)
	}
}

func walk(list []*Directive, yield func(*Directive) bool) bool {
	for _, c := range list {
		if !yield(c) {
			return false
		}
		if !walk(c.Children, yield) {
			return false
		}
	}
	return true
}

// Find returns the direct children named name (include contents count as
// direct children, as they do for nginx).
func (d *Directive) Find(name string) []*Directive {
	return findIn(d.Children, name)
}

func findIn(list []*Directive, name string) []*Directive {
	var out []*Directive
	for _, c := range list {
		if c.Name == name {
			out = append(out, c)
		}
	}
	return out
}

// directiveBefore reports whether nginx read a before b.
func directiveBefore(a, b *Directive) bool { return a.seq < b.seq }
