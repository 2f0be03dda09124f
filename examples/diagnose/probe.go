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
// The names nginx resolves per request with its own resolver (a *_pass
// with a variable host that a `set` gives a literal name) are looked up
// through that resolver: DNS queries only.
//
// It returns the results for addProbes and lines for the text report's
// summary. enabled false does nothing.
func probeLive(enabled bool, opts *classify.Options, timeout time.Duration) (*liveProbes, []string, error) {
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
	live := &liveProbes{results: p.ProbeAll(ctx, plan.Targets)}
	results := live.results
	for _, l := range plan.Lookups {
		res, err := p.Resolve(ctx, l.Name, l.Server)
		live.lookups = append(live.lookups, lookup{l, res, err})
	}

	host, _ := p.Host(ctx) // whatever could be read; problems stay unknown facts
	var acc *probe.Accounts
	if opts.Host != nil && opts.Host.Accounts != nil {
		acc = opts.Host.Accounts
	} else {
		acc, _ = p.Accounts(ctx)
	}
	opts.Host = classify.HostFactsFrom(host, acc)

	shown := 0
	outs := classify.ClassifyProbes(results, opts.FPM)
	for _, l := range live.lookups {
		outs = append(outs, classify.ClassifyLookup(l.l, l.res, l.err))
	}
	for _, o := range outs {
		if o.Cause() != "" {
			shown++
		}
	}
	what := fmt.Sprintf("%d targets", len(plan.Targets))
	if len(plan.Lookups) > 0 {
		what += fmt.Sprintf(" and %d names", len(plan.Lookups))
	}
	line := fmt.Sprintf("live probes of %s from the configs in %v: %d show a cause", what,
		time.Since(start).Round(time.Millisecond), shown)
	if ctx.Err() != nil {
		line += fmt.Sprintf(" (the -probe-timeout of %v ran out: later probes were cut short)", timeout)
	}
	summary := []string{line}
	for _, s := range plan.Skipped {
		summary = append(summary, fmt.Sprintf("not probed: %s at %s: %s", s.What, s.Pos, strings.TrimSuffix(s.Reason, ".")))
	}
	return live, summary, nil
}

// liveProbes are the outcomes of -probe.
type liveProbes struct {
	results []*probe.Result
	lookups []lookup
}

type lookup struct {
	l   classify.NameLookup
	res *probe.DNSResult
	err error
}

// addProbes folds the probes into the diagnosis; nil adds nothing.
func addProbes(d *classify.Diagnoser, live *liveProbes) {
	if live == nil {
		return
	}
	for _, r := range live.results {
		d.AddProbe(r)
	}
	for _, l := range live.lookups {
		d.AddLookup(l.l, l.res, l.err)
	}
}
