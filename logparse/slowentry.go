package logparse

import (
	"time"

	"github.com/badgateway/badgateway"
)

// SlowEntry is one block of a php-fpm slow log (the pool's slowlog file,
// request_slowlog_timeout), as sapi/fpm/fpm/fpm_php_trace.c writes it:
//
//	[21-Nov-2026 01:02:35]  [pool www] pid 32592
//	script_filename = /srv/www/slow.php
//	[0x00007f69a68151c0] usleep() /srv/www/slow.php:6
//	[0x00007f69a68150f0] fetch_rates() /srv/www/slow.php:13
//	+++ dump failed
//
// (two spaces after the time; one frame line per PHP call frame, innermost
// first, at most request_slowlog_trace_depth; "+++ dump failed" when ptrace
// could not read the child). Blocks are separated by a blank line.
//
// Every string field is a substring of Raw; the frames are read from Raw by
// Frames, so an entry costs at most one string allocation (none in the
// reader's reuse mode). From a reader, a record of up to 1 KiB shares a 4 KiB block
// with its neighbours (most records then cost no allocation); an entry the
// caller keeps keeps that block alive.
type SlowEntry struct {
	// Pos is where the block's header line is (file, 1-based line, offset).
	Pos badgateway.Pos
	// Lines is the number of physical lines of the block, blank lines
	// excluded.
	Lines int
	// Raw is the block as read, lines joined with "\n", without the
	// separating blank lines.
	Raw string
	// Time is the header's time (local time of the php-fpm host,
	// interpreted in the reader's location; UTC by default).
	Time time.Time
	Pool string
	// PID is the pid of the child that ran the request.
	PID int
	// ScriptFilename is the value of "script_filename = …" (the FastCGI
	// SCRIPT_FILENAME of the request); empty when the line is missing.
	ScriptFilename string
	// NumFrames is the number of frame lines ("[0x…] func() file:line").
	NumFrames int
	// DumpFailed is set when the block has "+++ dump failed" (ptrace read
	// error; the frames before it are valid).
	DumpFailed bool
}

// SlowFrame is one frame line of a SlowEntry: "[0x%016lx] %s() %s:%u"
// (fpm_php_trace.c).
type SlowFrame struct {
	// Addr is the address of the frame's execute_data in the child.
	Addr uint64
	// Func is the function name without "()": "usleep", "Foo::bar",
	// "[INCLUDE_OR_EVAL]", "???" (unknown).
	Func string
	// File and Line are the script and line the frame was executing; File
	// may be empty (internal frames) and Line 0.
	File string
	Line int
	// Raw is the whole frame line.
	Raw string
}
