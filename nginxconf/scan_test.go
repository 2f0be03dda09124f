package nginxconf

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/tufanbarisyildirim/gonginx/parser"
)

// flat lists the statements of a tree as "name arg|arg" lines, with
// blocks marked "{" and lua bodies shown as "<body>".
func flat(list []*Directive, indent string, out *[]string) {
	for _, d := range list {
		line := indent + d.Name
		if len(d.Args) > 0 {
			line += " " + strings.Join(d.Args, "|")
		}
		if d.IsBlock {
			line += " {"
		}
		if d.Body != "" {
			line += " <" + d.Body + ">"
		}
		*out = append(*out, line)
		flat(d.Children, indent+"  ", out)
	}
}

// tokenCases are the places where gonginx misreads nginx's syntax (issue
// 3) and a few more; each is a whole nginx.conf. want is our statement
// tree; errLine the line of the syntax error nginx reports (0 = none).
// Cases without needsModule are checked against the real nginx too.
var tokenCases = []struct {
	name        string
	src         string
	want        []string
	errLine     int
	needsModule bool
}{
	{
		name: "escaped backslash before closing quote",
		src:  "events {}\nhttp {\n  server {\n    add_header X \"C:\\\\\";\n    add_header Y y;\n  }\n}\n",
		want: []string{"events {", "http {", "  server {", `    add_header X|C:\`, "    add_header Y|y"},
	},
	{
		name: "backslash escapes outside quotes",
		src:  "events {}\nhttp {\n  server {\n    add_header X a\\ b\\\"c\\;d;\n  }\n}\n",
		want: []string{"events {", "http {", "  server {", `    add_header X|a\ b"c\;d`},
	},
	{
		name: "backtick is not a quote",
		src:  "events {}\nhttp {\n  server {\n    set $v `a;\n    set $w b`;\n  }\n}\n",
		want: []string{"events {", "http {", "  server {", "    set $v|`a", "    set $w|b`"},
	},
	{
		name: "non-UTF-8 bytes kept",
		src:  "events {}\nhttp {\n  server {\n    add_header X \"\xe9t\xe9\";\n  }\n}\n",
		want: []string{"events {", "http {", "  server {", "    add_header X|\xe9t\xe9"},
	},
	{
		name: "escaped braces in a location",
		src:  "events {}\nhttp {\n  server {\n    location /a\\{b\\} { return 204; }\n  }\n}\n",
		want: []string{"events {", "http {", "  server {", `    location /a\{b\} {`, "      return 204"},
	},
	{
		name: "brace inside a word",
		src:  "events {}\nhttp {\n  server {\n    return 200 foo}bar;\n  }\n}\n",
		want: []string{"events {", "http {", "  server {", "    return 200|foo}bar"},
	},
	{
		name: "variable with braces",
		src:  "events {}\nhttp {\n  server {\n    return 200 ${host}x;\n  }\n}\n",
		want: []string{"events {", "http {", "  server {", "    return 200|${host}x"},
	},
	{
		name: "if condition with a quoted word before the paren",
		src:  "events {}\nhttp {\n  server {\n    if ($host = \"a\") { return 204; }\n  }\n}\n",
		want: []string{"events {", "http {", "  server {", "    if ($host|=|a|) {", "      return 204"},
	},
	{
		name: "comment hash inside a word",
		src:  "events {}\nhttp {\n  server {\n    return 200 a#b; # real comment\n  }\n}\n",
		want: []string{"events {", "http {", "  server {", "    return 200|a#b"},
	},
	{
		name:        "lua block with braces in strings and comments",
		src:         "events {}\nhttp {\n  server {\n    location / {\n      content_by_lua_block {\n        ngx.say(\"}\") -- }\n        local t = {a = [[}]]}\n        #t\n      }\n      return 204;\n    }\n  }\n}\n",
		want:        []string{"events {", "http {", "  server {", "    location / {", "      content_by_lua_block { <\n        ngx.say(\"}\") -- }\n        local t = {a = [[}]]}\n        #t\n      >", "      return 204"},
		needsModule: true,
	},
	{
		name:        "set_by_lua_block with a variable",
		src:         "events {}\nhttp {\n  server {\n    set_by_lua_block $v { return 1 }\n  }\n}\n",
		want:        []string{"events {", "http {", "  server {", "    set_by_lua_block $v { < return 1 >"},
		needsModule: true,
	},
	{
		name:    "stray closing brace at top level",
		src:     "events {}\n}\nhttp {\n}\n",
		want:    []string{"events {"},
		errLine: 2,
	},
	{
		name:    "quoted word glued to a word",
		src:     "events {}\nhttp {\n  server {\n    return 200 \"foo\"bar;\n  }\n}\n",
		want:    []string{"events {", "http {", "  server {"},
		errLine: 4,
	},
	{
		name:    "empty statement",
		src:     "events {}\nhttp {\n  server {\n    return 204;;\n  }\n}\n",
		want:    []string{"events {", "http {", "  server {", "    return 204"},
		errLine: 4,
	},
	{
		name:    "block inside map",
		src:     "events {}\nhttp {\n  map $host $x {\n    default 0;\n    a { b; }\n  }\n}\n",
		want:    []string{"events {", "http {", "  map $host|$x {", "    default 0"},
		errLine: 5,
	},
	{
		name:    "unterminated quote",
		src:     "events {}\nhttp {\n  server {\n    return 200 \"abc;\n  }\n}\n",
		want:    []string{"events {", "http {", "  server {"},
		errLine: 7,
	},
	{
		name:    "missing closing brace",
		src:     "events {}\nhttp {\n  server {\n    return 204;\n  }\n",
		want:    []string{"events {", "http {", "  server {", "    return 204"},
		errLine: 6,
	},
	{
		name:    "simple directive opening a block",
		src:     "events {}\nhttp {\n  server {\n    root /var/www/{{ x }};\n  }\n}\n",
		want:    []string{"events {", "http {", "  server {", "    root /var/www/ {"},
		errLine: 4,
	},
	{
		name:    "block directive without a block",
		src:     "events {}\nhttp {\n  server x;\n}\n",
		want:    []string{"events {", "http {", "  server x"},
		errLine: 3,
	},
	{
		name:    "too long parameter",
		src:     "events {}\nhttp {\n  server {\n    return 200 " + strings.Repeat("a", 5000) + ";\n  }\n}\n",
		want:    []string{"events {", "http {", "  server {"},
		errLine: 4,
	},
	{
		// nginx keeps a comment in its 4096-byte buffer like a word.
		name:    "comment longer than the read buffer",
		src:     "events {}\nhttp {\n  server {\n    #" + strings.Repeat("a", 5000) + "\n    return 204;\n  }\n}\n",
		want:    []string{"events {", "http {", "  server {"},
		errLine: 4,
	},
	{
		name: "long comment is not a parameter",
		src:  "events {}\nhttp {\n  server {\n    #" + strings.Repeat("a", 3000) + "\n    return 204;\n  }\n}\n",
		want: []string{"events {", "http {", "  server {", "    return 204"},
	},
}

func TestTokenizer(t *testing.T) {
	for _, tc := range tokenCases {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{"etc/nginx/nginx.conf": {Data: []byte(tc.src)}}
			cfg, _ := Load("/etc/nginx/nginx.conf", &Options{FS: fsys})
			var got []string
			flat(cfg.Root, "", &got)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("statements (-want +got):\n%s", diff)
			}
			gotLine := 0
			for _, p := range cfg.Problems {
				if errors.Is(p, ErrSyntax) {
					gotLine = p.Pos.Line
					break
				}
			}
			if gotLine != tc.errLine {
				t.Errorf("syntax error line = %d, want %d (problems: %v)", gotLine, tc.errLine, cfg.Problems)
			}
		})
	}
}

// TestTokenizerNginx runs every token case that needs no module through
// the real nginx -t and checks that it accepts exactly the cases we
// accept and reports errors at the same line.
func TestTokenizerNginx(t *testing.T) {
	bin := nginxBinary(t)
	for _, tc := range tokenCases {
		if tc.needsModule {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			conf := filepath.Join(dir, "nginx.conf")
			src := "pid " + dir + "/nginx.pid;\nerror_log " + dir + "/error.log;\n" + tc.src
			if err := os.WriteFile(conf, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			_, stderr := runNginx(t, bin, dir, conf, false)
			m := nginxErrLine.FindStringSubmatch(stderr)
			wantLine := 0
			if tc.errLine > 0 {
				wantLine = tc.errLine + 2 // the pid and error_log lines
			}
			gotLine := 0
			if m != nil {
				gotLine = atoi(m[3])
			}
			if gotLine != wantLine {
				t.Errorf("nginx error line %d, our case says %d: %s", gotLine, wantLine, stderr)
			}
		})
	}
}

func atoi(s string) int {
	n, _ := parseNumber(s)
	return n
}

// TestGonginxDiffers documents that gonginx (the parser the issue names)
// misreads these cases, which is why the statement tree comes from our
// own nginx-exact tokenizer: for each, gonginx's reading differs from
// nginx's (which TestTokenizer and TestTokenizerNginx pin).
func TestGonginxDiffers(t *testing.T) {
	cases := []struct {
		name string
		src  string
		// misread reports whether gonginx's result disagrees with nginx.
		misread func(stmts int, err error) bool
	}{
		{"C:\\\\ swallows the next directive", "a \"C:\\\\\";\nb c;\n", func(n int, err error) bool { return err != nil || n != 2 }},
		{"stray } ends parsing silently", "a b;\n}\nc d;\n", func(n int, err error) bool { return err == nil }},
		{"\"foo\"bar accepted", "a \"foo\"bar;\n", func(n int, err error) bool { return err == nil }},
		{";; accepted", "a b;;\n", func(n int, err error) bool { return err == nil }},
		{"foo}bar rejected", "return 200 foo}bar;\n", func(n int, err error) bool { return err != nil || n != 1 }},
	}
	for _, tc := range cases {
		p := parser.NewStringParser(tc.src, parser.WithSkipValidDirectivesErr())
		c, err := p.Parse()
		n := 0
		if c != nil {
			n = len(c.Block.Directives)
		}
		if !tc.misread(n, err) {
			t.Errorf("%s: gonginx now reads it like nginx (%d statements, err %v); reconsider using it", tc.name, n, err)
		}
	}
}
