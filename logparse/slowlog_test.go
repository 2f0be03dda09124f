package logparse

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The blocks of testdata/incidents/fpm_slowlog/php-fpm-slow.log (real
// php-fpm 8.2), with a "+++ dump failed" line added to the second as
// fpm_php_trace.c writes it when ptrace fails (catalog fpm-messages.md §3;
// ptrace does not fail here).
const slowLogText = `
[21-Nov-2026 01:02:35]  [pool www] pid 32592
script_filename = /tmp/bgw-25134888/www/slow.php
[0x00007f69a68151c0] usleep() /tmp/bgw-25134888/www/slow.php:6
[0x00007f69a68150f0] fetch_rates() /tmp/bgw-25134888/www/slow.php:13
[0x00007f69a6815080] checkout_total() /tmp/bgw-25134888/www/slow.php:16

[21-Nov-2026 01:02:35]  [pool www] pid 32594
script_filename = /tmp/bgw-974012840/www/report.php
[0x00007f8df9e131b0] usleep() /tmp/bgw-974012840/www/report.php:9
+++ dump failed
`

func TestSlowReader(t *testing.T) {
	var got []SlowEntry
	var frames [][]SlowFrame
	for e, err := range NewSlowReader(strings.NewReader(slowLogText), SlowReaderOptions{File: "slow.log"}).All() {
		if err != nil {
			t.Fatal(err)
		}
		var fs []SlowFrame
		for f := range e.Frames() {
			fs = append(fs, f)
		}
		got, frames = append(got, e), append(frames, fs)
	}
	if len(got) != 2 {
		t.Fatalf("%d blocks", len(got))
	}
	at := time.Date(2026, 11, 21, 1, 2, 35, 0, time.UTC)
	want0 := SlowEntry{Pos: got[0].Pos, Lines: 5, Raw: got[0].Raw, Time: at, Pool: "www", PID: 32592, ScriptFilename: "/tmp/bgw-25134888/www/slow.php", NumFrames: 3}
	if d := cmp.Diff(want0, got[0]); d != "" {
		t.Errorf("block 1 (-want +got):\n%s", d)
	}
	if got[0].Pos.Line != 2 || got[0].Pos.Offset != 1 || got[1].Pos.Line != 8 || !got[1].DumpFailed || got[1].NumFrames != 1 || got[1].Lines != 4 {
		t.Errorf("positions %v %v, block 2 %+v", got[0].Pos, got[1].Pos, got[1])
	}
	wantF := SlowFrame{Addr: 0x00007f69a68150f0, Func: "fetch_rates", File: "/tmp/bgw-25134888/www/slow.php", Line: 13,
		Raw: "[0x00007f69a68150f0] fetch_rates() /tmp/bgw-25134888/www/slow.php:13"}
	if d := cmp.Diff(wantF, frames[0][1]); d != "" {
		t.Errorf("frame (-want +got):\n%s", d)
	}
	for _, e := range got {
		for _, f := range []string{e.Pool, e.ScriptFilename} {
			if !isSubstring(f, e.Raw) {
				t.Errorf("%q not in Raw", f)
			}
		}
	}
}

func TestSlowReaderBadLines(t *testing.T) {
	text := "junk\n" + strings.TrimPrefix(slowLogText, "\n") + "[21-Nov-2026 01:02:35]  [pool www] pid x\n"
	var errs []string
	n := 0
	for _, err := range NewSlowReader(strings.NewReader(text), SlowReaderOptions{File: "s"}).All() {
		if err != nil {
			if !errors.Is(err, ErrNotSlowLog) {
				t.Errorf("%v", err)
			}
			errs = append(errs, err.(*ParseError).Pos.String())
			continue
		}
		n++
	}
	if n != 2 || cmp.Diff([]string{"s:1:1", "s:12:40"}, errs) != "" {
		t.Errorf("%d blocks, errors %q", n, errs)
	}
	if _, err := ParseSlowRecord([]byte("script_filename = x")); !errors.Is(err, ErrNotSlowLog) {
		t.Errorf("ParseSlowRecord: %v", err)
	}
	if _, err := ParseSlowRecord([]byte(slowLogText)); !errors.Is(err, ErrNotSlowLog) {
		t.Errorf("two blocks: %v", err)
	}
	e, err := ParseSlowRecord([]byte(slowLogText[:strings.Index(slowLogText, "\n\n[")+1]))
	if err != nil || e.PID != 32592 || e.NumFrames != 3 {
		t.Errorf("ParseSlowRecord: %+v %v", e, err)
	}
}
