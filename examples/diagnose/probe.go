package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/badgateway/badgateway/classify"
	"github.com/badgateway/badgateway/probe"
)

// errNoProbeTargets: -probe was given without a config to derive targets
// from.
var errNoProbeTargets = errors.New("-probe needs -nginx-conf or -fpm-conf: the addresses to probe come from the configs")

// probeLive runs the live probes of -probe: the targets classify.PlanProbes
// derives from opts.Nginx and opts.FPM (every *_pass peer, every pool
// listen and pm.status_listen), probed at most 4 at a time, with
// timeout bounding the whole run; then the host facts (memory, somaxconn,
// the memory cgroup, the php-fpm processes, users and groups), which go
// into opts.Host for the config checks (accounts given with -passwd and
// -group are kept).
//
// What is sent is only what package probe sends: a connect, FastCGI GETs
// of the pools' own ping.path and pm.status_path, a TLS ClientHello and an
// HTTP HEAD to the configured addresses. A FastCGI address without a
// ping.path or pm.status_path is only connected to.
//
// It returns the results for Diagnoser.AddProbe and lines for the text
// report's summary. enabled false does nothing.
func probeLive(enabled bool, opts *classify.Options, timeout time.Duration) ([]*probe.Result, []string, error) {
	if !enabled {
		return nil, nil, nil
	}
	if opts.Nginx == nil && opts.FPM == nil {
		return nil, nil, errNoProbeTargets
	}
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	plan := classify.PlanProbes(opts.Nginx, opts.FPM)
	p := probe.Prober{Timeout: min(probe.DefaultTimeout, timeout)}
	start := time.Now()
	results := p.ProbeAll(ctx, plan.Targets)

	host, _ := p.Host(ctx) // whatever could be read; problems stay unknown facts
	var acc *probe.Accounts
	if opts.Host != nil && opts.Host.Accounts != nil {
		acc = opts.Host.Accounts
	} else {
		acc, _ = p.Accounts(ctx)
	}
	opts.Host = classify.HostFactsFrom(host, acc)

	shown := 0
	for _, o := range classify.ClassifyProbes(results, opts.FPM) {
		if o.Cause() != "" {
			shown++
		}
	}
	line := fmt.Sprintf("live probes of %d targets from the configs in %v: %d show a cause", len(plan.Targets),
		time.Since(start).Round(time.Millisecond), shown)
	if ctx.Err() != nil {
		line += fmt.Sprintf(" (the -probe-timeout of %v ran out: later probes were cut short)", timeout)
	}
	summary := []string{line}
	for _, s := range plan.Skipped {
		summary = append(summary, fmt.Sprintf("not probed: %s at %s: %s", s.What, s.Pos, strings.TrimSuffix(s.Reason, ".")))
	}
	return results, summary, nil
}

// addProbes folds the probe results into the diagnosis.
func addProbes(d *classify.Diagnoser, results []*probe.Result) {
	for _, r := range results {
		d.AddProbe(r)
	}
}
