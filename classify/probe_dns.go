package classify

import (
	"errors"
	"fmt"
	"strings"
	"syscall"

	"github.com/badgateway/badgateway/probe"
)

// dnsCauses are the causes a name lookup speaks to.
var dnsCauses = []Code{DNSNXDomain, ResolverUnreachable, ResolverMissing}

// ClassifyLookup maps a lookup of l.Name through nginx's resolver
// l.Server (the result and error of probe.Prober.Resolve) to causes:
//
//	the name does not exist (probe.ErrNoSuchHost, NXDOMAIN)   dns_nxdomain (0.9)
//	the resolver does not answer in time (ETIMEDOUT)          resolver_unreachable (0.85)
//	the resolver's port is closed (ECONNREFUSED)              resolver_unreachable (0.85)
//	another failure (SERVFAIL, a malformed answer)            resolver_unreachable (0.5)
//	an answer with addresses                                  rules out dns_nxdomain, resolver_unreachable
//
// The outcome's Name is l.Name and its Target holds the resolver
// (Network "udp", Address l.Server) and l.Pos. ClassifyLookup is pure.
func ClassifyLookup(l NameLookup, res *probe.DNSResult, err error) ProbeOutcome {
	o := ProbeOutcome{Name: l.Name, Target: probe.Target{Network: "udp", Address: l.Server, Pos: l.Pos}}
	o.Saw = fmt.Sprintf("lookup of %s through resolver %s: ", l.Name, l.Server)
	switch {
	case err == nil && res != nil && len(res.Addrs) > 0:
		o.RulesOut = []Code{DNSNXDomain, ResolverUnreachable}
		addrs := make([]string, 0, len(res.Addrs))
		for _, a := range res.Addrs {
			addrs = append(addrs, a.String())
		}
		o.Saw += "answers " + strings.Join(addrs, ", ")
	case errors.Is(err, probe.ErrNoSuchHost):
		o.Candidates = []Candidate{c(DNSNXDomain, 0.9)}
		o.Saw += "the name does not exist (NXDOMAIN)"
	case probe.Errno(err) == syscall.ETIMEDOUT:
		o.Candidates = []Candidate{c(ResolverUnreachable, 0.85)}
		o.Saw += "no answer in time"
	case probe.Errno(err) == syscall.ECONNREFUSED:
		o.Candidates = []Candidate{c(ResolverUnreachable, 0.85)}
		o.Saw += "connection refused (111): no DNS server at that address"
	case err != nil:
		o.Candidates = []Candidate{c(ResolverUnreachable, 0.5), c(DNSNXDomain, 0.2)}
		o.Saw += "failed: " + err.Error()
	default:
		o.Candidates = []Candidate{c(DNSNXDomain, 0.5)}
		o.Saw += "no address in the answer"
	}
	return o
}

// AddLookup adds a live lookup of l.Name through nginx's resolver (see
// ClassifyLookup and ProbePlan.Lookups), folded into the report like
// AddProbe's probes: it confirms, decides or notes against a verdict of a
// DNS cause whose records name l.Name or the resolver, and otherwise
// becomes its own verdict. Lookups beyond 10000 are dropped. It does no
// I/O.
func (d *Diagnoser) AddLookup(l NameLookup, res *probe.DNSResult, err error) {
	if len(d.lookups) >= maxProbes {
		return
	}
	d.lookups = append(d.lookups, ClassifyLookup(l, res, err))
}

// lookupMatches reports whether verdict v is about the name or resolver
// of a lookup outcome.
func lookupMatches(v *Verdict, o *ProbeOutcome) bool {
	if !containsCode(dnsCauses, v.Cause) {
		return false
	}
	for _, e := range v.Evidence {
		if strings.Contains(e.Text, o.Name+" could not be resolved") || strings.Contains(e.Text, "resolver: "+o.Target.Address) {
			return true
		}
	}
	return false
}

func containsCode(cs []Code, c Code) bool {
	for _, x := range cs {
		if x == c {
			return true
		}
	}
	return false
}
