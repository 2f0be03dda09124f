package logparse

import (
	"strings"
	"time"
)

// classifyFPM sets Event and the typed fields from e.Message. Every string
// it sets is a substring of the message.
func classifyFPM(e *FPMEntry) {
	m := e.Message
	if rest, ok := strings.CutPrefix(m, "[pool "); ok {
		if i := strings.Index(rest, "] "); i >= 0 {
			e.Pool = rest[:i]
			classifyPoolFPM(e, rest[i+2:])
			if e.Event == FPMOther || e.Event == FPMConfigInvalid {
				e.ErrnoText, e.Errno = fpmErrno(m)
			}
			return
		}
	}
	e.Event = classifyPlainFPM(e, m)
	if e.Event != FPMPHPMessage && e.Event != FPMUnableToOpenScript {
		e.ErrnoText, e.Errno = fpmErrno(m)
	}
}

// classifyPoolFPM handles the message after "[pool P] ".
func classifyPoolFPM(e *FPMEntry, m string) {
	if rest, ok := strings.CutPrefix(m, "child "); ok {
		pid, n := atoi(rest)
		if n == 0 {
			e.Event = poolConfigEvent(e, m)
			return
		}
		rest = rest[n:]
		switch {
		case strings.HasPrefix(rest, " exited "):
			if fpmExited(e, rest[len(" exited "):]) {
				e.Child, e.Event = pid, FPMChildExited
			}
		case rest == " started":
			e.Child, e.Event = pid, FPMChildStarted
		case strings.HasPrefix(rest, ", script '"):
			if ev := fpmRequestEvent(e, rest[len(", script '"):]); ev != FPMOther {
				e.Child, e.Event = pid, ev
			}
		case strings.HasPrefix(rest, " said into "):
			if fpmSaid(e, rest[len(" said into "):]) {
				e.Child, e.Event = pid, FPMSaidInto
			}
		}
		return
	}
	if rest, ok := strings.CutPrefix(m, "server reached "); ok {
		on := false
		switch {
		case strings.HasPrefix(rest, "pm.max_children setting ("):
			rest = rest[len("pm.max_children setting ("):]
		case strings.HasPrefix(rest, "max_children setting ("):
			rest, on = rest[len("max_children setting ("):], true
		default:
			return
		}
		if v, n := atoi(rest); n > 0 && strings.HasPrefix(rest[n:], ")") {
			e.Limit, e.OnDemand, e.Event = v, on, FPMMaxChildren
		}
		return
	}
	if rest, ok := strings.CutPrefix(m, "seems busy ("); ok {
		i := strings.Index(rest, "), spawning ")
		if i < 0 {
			return
		}
		rest = rest[i+len("), spawning "):]
		sp, n := atoi(rest)
		if n == 0 || !strings.HasPrefix(rest[n:], " children, there are ") {
			return
		}
		rest = rest[n+len(" children, there are "):]
		idle, n := atoi(rest)
		if n == 0 || !strings.HasPrefix(rest[n:], " idle, and ") {
			return
		}
		rest = rest[n+len(" idle, and "):]
		total, n := atoi(rest)
		if n == 0 || !strings.HasPrefix(rest[n:], " total children") {
			return
		}
		e.Spawning, e.Idle, e.Total, e.Event = sp, idle, total, FPMSeemsBusy
		return
	}
	e.Event = poolConfigEvent(e, m)
}

// poolConfigEvent recognises the configuration checks of fpm_conf.c on a
// "[pool P] " message: every ALERT, and the ERRORs listed in the catalog
// (fpm-messages.md §2.8).
func poolConfigEvent(e *FPMEntry, m string) FPMEvent {
	if e.Level == FPMLevelAlert {
		return FPMConfigInvalid
	}
	if e.Level != FPMLevelError {
		return FPMOther
	}
	for _, p := range [...]string{"process.priority ", "the status path ", "the ping path ", "'slowlog' must ",
		"'request_slowlog_timeout' ", "the chroot path ", "the chdir path ", "the prefix ", "wrong format for ",
		"pm.", "the process manager is missing", "no listen address", "ondemand process manager"} {
		if strings.HasPrefix(m, p) {
			return FPMConfigInvalid
		}
	}
	return FPMOther
}

// fpmExited parses "with code C after S seconds from start" or "on signal
// S (NAME[ - core dumped]) after S seconds from start".
func fpmExited(e *FPMEntry, s string) bool {
	if rest, ok := strings.CutPrefix(s, "with code "); ok {
		c, n := atoi(rest)
		if n == 0 {
			return false
		}
		e.ExitCode, s = c, rest[n:]
	} else if rest, ok := strings.CutPrefix(s, "on signal "); ok {
		sig, n := atoi(rest)
		if n == 0 || !strings.HasPrefix(rest[n:], " (") {
			return false
		}
		rest = rest[n+2:]
		end := strings.IndexByte(rest, ')')
		if end < 0 {
			return false
		}
		name := rest[:end]
		if nm, ok := strings.CutSuffix(name, " - core dumped"); ok {
			name, e.CoreDumped = nm, true
		}
		e.Signal, e.SignalName, s = sig, name, rest[end+1:]
	} else {
		return false
	}
	rest, ok := strings.CutPrefix(s, " after ")
	if !ok {
		return false
	}
	d, n := secondsDuration(rest)
	if n == 0 || !strings.HasPrefix(rest[n:], " seconds from start") {
		return false
	}
	e.Duration = d
	return true
}

// fpmRequestEvent parses "F' (request: "M URI[?Q]") execution timed out (S
// sec), terminating" and the "executing too slow (S sec), logging" form.
// The script and request are client- or configuration-controlled, so the
// request is found from the right end.
func fpmRequestEvent(e *FPMEntry, s string) FPMEvent {
	var ev FPMEvent
	var tail string
	switch {
	case strings.HasSuffix(s, " sec), terminating"):
		ev, tail = FPMTimedOut, "\") execution timed out ("
	case strings.HasSuffix(s, " sec), logging"):
		ev, tail = FPMTooSlow, "\") executing too slow ("
	default:
		return FPMOther
	}
	i := strings.LastIndex(s, tail)
	if i < 0 {
		return FPMOther
	}
	d, n := secondsDuration(s[i+len(tail):])
	if n == 0 {
		return FPMOther
	}
	head := s[:i]
	j := strings.Index(head, "' (request: \"")
	if j < 0 {
		return FPMOther
	}
	e.Script, e.Duration = head[:j], d
	req := head[j+len("' (request: \""):]
	if sp := strings.IndexByte(req, ' '); sp >= 0 {
		e.Method, req = req[:sp], req[sp+1:]
	}
	if q := strings.IndexByte(req, '?'); q >= 0 {
		e.RequestURI, e.Query = req[:q], req[q+1:]
	} else {
		e.RequestURI = req
	}
	return ev
}

const pipeClosedSuffix = ", pipe is closed"

// fpmSaid parses `stderr: "TEXT"[, pipe is closed]`.
func fpmSaid(e *FPMEntry, s string) bool {
	c := strings.Index(s, ": ")
	if c <= 0 || c > 6 {
		return false
	}
	e.Stream = s[:c]
	t := s[c+2:]
	if strings.HasSuffix(t, pipeClosedSuffix) && len(t) >= len(pipeClosedSuffix)+1 && t[len(t)-len(pipeClosedSuffix)-1] == '"' {
		t, e.PipeClosed = t[:len(t)-len(pipeClosedSuffix)], true
	} else if t != "" && t[0] != '"' && strings.HasSuffix(pipeClosedSuffix, t) {
		// The rest of a ", pipe is closed" that zlog wrapped onto a record
		// of its own, unquoted (zlog_stream_finish_buffer_suffix).
		e.Text, e.Pieces, e.PipeClosed = "", 1, true
		return true
	} else if n := len(t); n > 0 && t[n-1] != '"' && t[0] == '"' {
		// The first part of a wrapped ", pipe is closed" after the quote.
		if i := strings.LastIndex(t[max(0, n-len(pipeClosedSuffix)-1):], "\", "); i >= 0 {
			i += max(0, n-len(pipeClosedSuffix)-1)
			if i > 0 && strings.HasPrefix(pipeClosedSuffix, t[i+1:]) {
				t = t[:i+1]
			}
		}
	}
	if len(t) > 0 && t[0] == '"' {
		t = t[1:]
		if n := len(t); n > 0 && t[n-1] == '"' {
			t = t[:n-1]
		}
	}
	e.Text, e.Pieces = t, 1
	if l, n := fpmLevelColon(t); n > 0 {
		inner := t[n:]
		if _, _, m := fpmDecoration(inner); m > 0 {
			inner = inner[m:]
		}
		e.InnerLevel, e.InnerMessage = l, inner
		var tmp FPMEntry
		e.InnerEvent = classifyPlainFPM(&tmp, inner)
		if tmp.Address != "" {
			e.Address = tmp.Address
		}
	}
	return true
}

// classifyPlainFPM recognises a message without "[pool P] ".
func classifyPlainFPM(e *FPMEntry, m string) FPMEvent {
	switch m {
	case "Reloading in progress ...":
		return FPMReloading
	case "ready to handle connections":
		return FPMReady
	case "Terminating ...":
		return FPMTerminating
	case "Finishing ...":
		return FPMFinishing
	case "exiting, bye-bye!":
		return FPMExiting
	case "FPM initialization failed":
		return FPMInitFailed
	case "Primary script unknown":
		return FPMPrimaryScriptUnknown
	case "failed to post process the configuration":
		return FPMConfigInvalid
	}
	if len(m) == 0 {
		return FPMOther
	}
	switch m[0] {
	case 'f':
		if rest, ok := strings.CutPrefix(m, "fpm is running, pid "); ok {
			if v, n := atoi(rest); n > 0 && n == len(rest) {
				e.MasterPID = v
				return FPMRunning
			}
		}
		if rest, ok := strings.CutPrefix(m, "failed processes threshold ("); ok {
			v, n := atoi(rest)
			if n > 0 && strings.HasPrefix(rest[n:], " in ") {
				rest = rest[n+4:]
				if sec, n := atoi(rest); n > 0 && strings.HasPrefix(rest[n:], " sec) is reached") {
					e.Limit, e.Duration = v, time.Duration(sec)*time.Second
					return FPMFailedThreshold
				}
			}
		}
		if strings.HasPrefix(m, "failed to load configuration file ") {
			return FPMConfigInvalid
		}
		if rest, ok := strings.CutPrefix(m, "finished trace of "); ok {
			return tracePID(e, rest, FPMFinishedTrace)
		}
	case 'r':
		if strings.HasPrefix(m, "reloading: execvp(") {
			return FPMReexec
		}
	case 'u':
		if rest, ok := strings.CutPrefix(m, "using inherited socket fd="); ok {
			fd, n := atoi(rest)
			if n > 0 && strings.HasPrefix(rest[n:], ", \"") && strings.HasSuffix(rest, "\"") && len(rest) >= n+4 {
				e.FD, e.Address = fd, rest[n+3:len(rest)-1]
				return FPMInheritedSocket
			}
		}
		if rest, ok := strings.CutPrefix(m, "unable to bind listening socket for address '"); ok {
			if i := strings.LastIndex(rest, "': "); i >= 0 {
				e.Address = rest[:i]
				return FPMBindFailed
			}
		}
	case 'A':
		if rest, ok := strings.CutPrefix(m, "Another FPM instance seems to already listen on "); ok {
			e.Address = rest
			return FPMAnotherInstance
		}
		if rest, ok := strings.CutPrefix(m, "An another FPM instance seems to already listen on "); ok {
			e.Address = rest
			return FPMAnotherInstance
		}
		if rest, ok := strings.CutPrefix(m, "Access to the script '"); ok {
			if s, ok := strings.CutSuffix(rest, "' has been denied (see security.limit_extensions)"); ok {
				e.Script = s
				return FPMScriptDenied
			}
		}
	case 'C':
		if rest, ok := strings.CutPrefix(m, "Connection disallowed: IP address '"); ok {
			if a, ok := strings.CutSuffix(rest, "' has been dropped."); ok {
				e.Address = a
				return FPMConnectionDisallowed
			}
		}
	case 'W':
		if rest, ok := strings.CutPrefix(m, "Wrong IP address '"); ok {
			if a, ok := strings.CutSuffix(rest, "' in listen.allowed_clients"); ok {
				e.Address = a
				return FPMWrongAllowedClient
			}
		}
	case 'T':
		if strings.HasPrefix(m, "There are no allowed addresses") {
			return FPMNoAllowedAddresses
		}
		if strings.HasPrefix(m, "The maximum number of processes has been reached") {
			return FPMProcessMax
		}
	case 'N':
		if strings.HasPrefix(m, "No pool defined") {
			return FPMConfigInvalid
		}
	case 'P':
		if strings.HasPrefix(m, phpMessagePrefix) {
			return FPMPHPMessage
		}
	case 'U':
		if rest, ok := strings.CutPrefix(m, "Unable to open primary script: "); ok {
			if i := strings.LastIndex(rest, " ("); i >= 0 && strings.HasSuffix(rest, ")") {
				e.Script, e.ErrnoText = rest[:i], rest[i+2:len(rest)-1]
				return FPMUnableToOpenScript
			}
		}
	case 'c':
		if rest, ok := strings.CutPrefix(m, "child "); ok {
			pid, n := atoi(rest)
			if n > 0 && rest[n:] == " stopped for tracing" {
				e.Child = pid
				return FPMStoppedForTracing
			}
		}
	case 'a':
		if rest, ok := strings.CutPrefix(m, "about to trace "); ok {
			return tracePID(e, rest, FPMAboutToTrace)
		}
	case '[':
		// "[FILE:LINE] unknown entry 'K'" (fpm_conf.c ini parser).
		if i := strings.Index(m, "] unknown entry '"); i > 0 {
			return FPMConfigInvalid
		}
	}
	return FPMOther
}

func tracePID(e *FPMEntry, s string, ev FPMEvent) FPMEvent {
	if v, n := atoi(s); n > 0 && n == len(s) {
		e.Child = v
		return ev
	}
	return FPMOther
}

// fpmErrno parses zlog's ZLOG_SYSERROR suffix ": TEXT (ERRNO)".
func fpmErrno(m string) (string, int) {
	n := len(m)
	if n < 6 || m[n-1] != ')' {
		return "", 0
	}
	i := strings.LastIndexByte(m, '(')
	if i < 4 || m[i-1] != ' ' {
		return "", 0
	}
	v, k := atoi(m[i+1 : n-1])
	if k == 0 || k != n-1-(i+1) {
		return "", 0
	}
	c := strings.LastIndex(m[:i-1], ": ")
	if c < 0 {
		return "", 0
	}
	return m[c+2 : i-1], v
}

// atoi parses leading ASCII digits (at most 9) of s.
func atoi(s string) (int, int) {
	v, n := atou(s[:min(len(s), 9)])
	return int(v), n
}

// secondsDuration parses php-fpm's "%ld.%06d" seconds (any number of
// fraction digits) at the start of s.
func secondsDuration(s string) (time.Duration, int) {
	sec, n := atou(s[:min(len(s), 12)])
	if n == 0 {
		return 0, 0
	}
	d := time.Duration(sec) * time.Second
	if n < len(s) && s[n] == '.' {
		frac, m := atou(s[n+1 : min(len(s), n+10)])
		if m == 0 {
			return 0, 0
		}
		scale := time.Second
		for range m {
			scale /= 10
		}
		d += time.Duration(frac) * scale
		n += 1 + m
	}
	return d, n
}
