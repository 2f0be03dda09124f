package probe

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// Status is php-fpm's status page in its JSON form (pm.status_path with
// "?json&full"). Field names follow php-fpm's keys; units are php-fpm's:
// times in Unix seconds, durations in seconds unless named otherwise.
// Source: php-src sapi/fpm/fpm/fpm_status.c (fpm_status_handle_request)
// for PHP 8.2.
type Status struct {
	Pool           string `json:"pool"`
	ProcessManager string `json:"process manager"` // "static", "dynamic" or "ondemand"
	StartTime      int64  `json:"start time"`      // Unix seconds when the pool started
	StartSince     int64  `json:"start since"`     // seconds since StartTime
	AcceptedConn   uint64 `json:"accepted conn"`   // connections accepted by the pool
	// ListenQueue is the number of connections waiting in the listen
	// socket's accept queue now; MaxListenQueue the highest seen since
	// start; ListenQueueLen the queue's size (listen.backlog bounded by
	// net.core.somaxconn). php-fpm reads them from TCP_INFO once a second
	// (its process-manager heartbeat), so they lag by up to a second and,
	// on a unix socket, stay 0. The kernel queues listen.backlog+1
	// connections before connect(2) fails (EAGAIN on a unix socket) or
	// times out (TCP drops the SYN).
	ListenQueue        int64  `json:"listen queue"`
	MaxListenQueue     int64  `json:"max listen queue"`
	ListenQueueLen     int64  `json:"listen queue len"`
	IdleProcesses      int64  `json:"idle processes"`
	ActiveProcesses    int64  `json:"active processes"`
	TotalProcesses     int64  `json:"total processes"`
	MaxActiveProcesses int64  `json:"max active processes"`
	MaxChildrenReached uint64 `json:"max children reached"` // times pm.max_children was hit (not counted for pm = static)
	SlowRequests       uint64 `json:"slow requests"`        // requests over request_slowlog_timeout
	// MemoryPeak is the peak memory of the pool in bytes; php-fpm 8.3+
	// writes it, 8.2 does not (then 0).
	MemoryPeak uint64 `json:"memory peak"`
	// Processes is one entry per child; only with "full".
	Processes []Process `json:"processes"`
}

// Process is one php-fpm child in the status page's "processes" list.
type Process struct {
	PID        int    `json:"pid"`
	State      string `json:"state"`       // "Idle", "Running", "Reading headers", "Info", "Finishing", "Ending"
	StartTime  int64  `json:"start time"`  // Unix seconds when the child started
	StartSince int64  `json:"start since"` // seconds since StartTime
	Requests   uint64 `json:"requests"`    // requests served by the child
	// RequestDuration is in microseconds: of the running request, or of
	// the last one when the child is idle.
	RequestDuration uint64 `json:"request duration"`
	RequestMethod   string `json:"request method"` // "-" when none
	RequestURI      string `json:"request uri"`    // with "?query"
	ContentLength   uint64 `json:"content length"` // bytes of the request body
	User            string `json:"user"`           // HTTP auth user, "-" when none
	Script          string `json:"script"`         // SCRIPT_FILENAME, "-" when none
	// LastRequestCPU is the CPU use of the last request in percent (0
	// while a request runs).
	LastRequestCPU float64 `json:"last request cpu"`
	// LastRequestMemory is the peak memory of the last request in bytes
	// (0 while a request runs).
	LastRequestMemory uint64 `json:"last request memory"`
}

func (t *Target) pingResponse() string {
	if t.PingResponse == "" {
		return "pong"
	}
	return t.PingResponse
}

// Ping sends php-fpm's ping request — a FastCGI GET of t.PingPath — to
// t.Network/t.Address and checks the answer against t.PingResponse.
//
// The error is nil only for a 200 whose body is the ping response. It
// wraps ErrHTTPStatus for another status (php-fpm answers "404 File not
// found." with "Primary script unknown" on stderr when the path is not
// ping.path), ErrPingResponse for another body, and otherwise the dial or
// protocol error (see FastCGI errors on Prober). The response, when one
// was read, is returned with the error.
func (p *Prober) Ping(ctx context.Context, t Target) (*FastCGIResponse, error) {
	if t.PingPath == "" {
		return nil, fmt.Errorf("probe: ping of %s: no ping.path", t.Address)
	}
	resp, err := p.fastCGI(ctx, t.Network, t.Address, t.PingPath, "")
	if err != nil {
		return resp, err
	}
	if resp.Status != http.StatusOK {
		return resp, fmt.Errorf("probe: ping %s: %w %d", t.PingPath, ErrHTTPStatus, resp.Status)
	}
	if want := t.pingResponse(); string(resp.Body) != want {
		return resp, fmt.Errorf("probe: ping %s: %w: got %.64q, want %q", t.PingPath, ErrPingResponse, resp.Body, want)
	}
	return resp, nil
}

// Status sends a FastCGI GET of t.StatusPath with the query "json&full"
// to t.Network/t.Address and decodes php-fpm's answer.
//
// Errors wrap ErrHTTPStatus for a status other than 200 (php-fpm answers
// 503 "Server busy" when its scoreboard is locked, 404 when the path is
// not pm.status_path), ErrStatusFormat when the body is not the JSON
// above, or the dial or protocol error. The raw response is returned
// whenever one was read.
func (p *Prober) Status(ctx context.Context, t Target) (*Status, *FastCGIResponse, error) {
	if t.StatusPath == "" {
		return nil, nil, fmt.Errorf("probe: status of %s: no pm.status_path", t.Address)
	}
	resp, err := p.fastCGI(ctx, t.Network, t.Address, t.StatusPath, "json&full")
	if err != nil {
		return nil, resp, err
	}
	if resp.Status != http.StatusOK {
		return nil, resp, fmt.Errorf("probe: status %s: %w %d", t.StatusPath, ErrHTTPStatus, resp.Status)
	}
	st, err := ParseStatus(resp.Body)
	return st, resp, err
}

// ParseStatus decodes the body of php-fpm's status page in its JSON form
// ("?json" or "?json&full"). Unknown keys are ignored, so newer php-fpm
// versions decode too. The error wraps ErrStatusFormat.
func ParseStatus(body []byte) (*Status, error) {
	var st Status
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&st); err != nil {
		return nil, fmt.Errorf("probe: %w: %w", ErrStatusFormat, err)
	}
	if st.Pool == "" || st.ProcessManager == "" {
		return nil, fmt.Errorf("probe: %w: no pool or process manager", ErrStatusFormat)
	}
	return &st, nil
}
