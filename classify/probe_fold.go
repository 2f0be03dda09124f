package classify

import (
	"slices"
	"sort"
	"strings"

	"github.com/badgateway/badgateway/nginxconf"
	"github.com/badgateway/badgateway/probe"
)

// maxProbes bounds the probe results a Diagnoser keeps.
const maxProbes = 10000

// AddProbe adds the result of a live probe (probe.Prober.Probe). The
// Diagnoser keeps r, which the caller must not modify afterwards, and
// reads it when Report is called, together with the other probes (see
// ClassifyProbes) and against the verdicts of the logs:
//
//   - a probe that shows the cause a verdict on the same upstream already
//     has raises that verdict's confidence to the probe's and adds the
//     probe as related evidence;
//   - a probe that shows, with confidence 0.7 or more, a cause that is
//     an alternative of a verdict on the same upstream decides it: the
//     verdict takes the probe's cause, and its old cause becomes an
//     unlikely alternative;
//   - a probe whose cause no verdict on that upstream shows becomes its
//     own verdict (Count 1 per probe, Evidence the target's config
//     position with a line saying what the probe saw);
//   - a probe that rules a verdict's cause out now (a pool that answers
//     its ping under an fpm_down verdict) adds a note: the failure the
//     logs show is over, or intermittent.
//
// An upstream matches a target by address ("fastcgi://unix:/run/php.sock"
// and a unix target of that path after path.Clean; "http://10.0.0.5:80"
// and a tcp target of that address, or whose dial reached it) and
// scheme. Probes beyond 10000 are dropped. AddProbe does no I/O.
func (d *Diagnoser) AddProbe(r *probe.Result) {
	if r == nil || len(d.probes) >= maxProbes {
		return
	}
	d.probes = append(d.probes, r)
}

// foldProbes applies the probes to the verdicts of the logs (see AddProbe).
func (d *Diagnoser) foldProbes(vs []Verdict) []Verdict {
	if len(d.probes) == 0 && len(d.lookups) == 0 {
		return vs
	}
	outs := append(ClassifyProbes(d.probes, d.opts.FPM), d.lookups...)
	own := map[vkey]int{} // probe verdicts by cause and upstream: index in vs
	for i := range outs {
		o := &outs[i]
		d.adjustTLSVerify(o)
		keys := probeKeys(o)
		var matched []int
		for j := range vs {
			if fromProbesOnly(&vs[j]) {
				continue
			}
			if o.Name != "" {
				if lookupMatches(&vs[j], o) {
					matched = append(matched, j)
				}
				continue
			}
			for _, u := range vs[j].Upstreams {
				up := ParseUpstream(u)
				if !schemeFits(up.Scheme, o.Target.Kind) {
					continue
				}
				if a, ok := peerAddr(up.Peer); ok && slices.Contains(keys, a.key()) {
					matched = append(matched, j)
					break
				}
			}
		}
		ev := probeEvidence(o)
		for _, j := range matched {
			v := &vs[j]
			if slices.Contains(o.RulesOut, v.Cause) {
				v.Notes = append(v.Notes, "A live probe found this cause absent at the time of the probe ("+o.Saw+
					"): the failure the logs show is over (restarted, fixed) or intermittent.")
				addRelated(v, ev)
			}
		}
		if len(o.Candidates) == 0 {
			continue
		}
		top := o.Candidates[0]
		used := false
		for _, j := range matched {
			v := &vs[j]
			switch {
			case v.Cause == top.Cause:
				if top.Confidence > v.Confidence {
					v.Confidence = top.Confidence
				}
				v.Notes = append(v.Notes, "A live probe shows the same cause now: "+o.Saw+".")
				addRelated(v, ev)
				used = true
			case top.Confidence >= 0.7 && slices.ContainsFunc(v.Alternatives, func(a Alternative) bool { return a.Cause == top.Cause }):
				old, oldConf := v.Cause, v.Confidence
				reg, _ := Lookup(top.Cause)
				v.Cause, v.Title, v.Remediation, v.Confidence = top.Cause, reg.Title, reg.Remediation, top.Confidence
				alts := v.Alternatives[:0:0]
				for _, a := range v.Alternatives {
					if a.Cause != top.Cause {
						alts = append(alts, a)
					}
				}
				oreg, _ := Lookup(old)
				v.Alternatives = append(alts, Alternative{Cause: old, Title: oreg.Title, Confidence: round2(min(oldConf, 0.1)),
					Decide: "a live probe decided between them"})
				sort.SliceStable(v.Alternatives, func(a, b int) bool { return v.Alternatives[a].Confidence > v.Alternatives[b].Confidence })
				v.Notes = append(v.Notes, "A live probe decided the cause: "+o.Saw+".")
				addRelated(v, ev)
				used = true
			}
		}
		if used {
			continue
		}
		up := targetUpstream(&o.Target)
		k := vkey{top.Cause, up}
		var ups []string
		if o.Name != "" {
			k.upstream = "dns:" + o.Name // a name, not an upstream address
		} else {
			ups = []string{up}
		}
		if j, ok := own[k]; ok {
			v := &vs[j]
			v.Count++
			v.Confidence = max(v.Confidence, top.Confidence)
			if len(v.Evidence) < d.opts.maxEvidence() {
				v.Evidence = append(v.Evidence, ev)
			}
			continue
		}
		reg, _ := Lookup(top.Cause)
		v := Verdict{Cause: top.Cause, Title: reg.Title, Status: registryStatus(top.Cause), Confidence: top.Confidence,
			Count: 1, Upstreams: ups, Symptoms: map[string]int{probeSymptom: 1}, Evidence: []Evidence{ev},
			Remediation: reg.Remediation,
			Notes:       []string{"Found by a live probe, not in the logs: it shows the state at the time of the probe."}}
		for _, a := range o.Candidates[1:] {
			ar, _ := Lookup(a.Cause)
			v.Alternatives = append(v.Alternatives, Alternative{Cause: a.Cause, Title: ar.Title, Confidence: round2(a.Confidence),
				Decide: "the servers' logs at the time of the failures"})
		}
		own[k] = len(vs)
		vs = append(vs, v)
	}
	return vs
}

// probeSymptom is the Symptoms key of verdicts made from probes alone.
const probeSymptom = "probe"

// fromProbesOnly reports whether v was made by foldProbes from probes
// alone (it carries only the "probe" symptom).
func fromProbesOnly(v *Verdict) bool {
	return v.Symptoms[probeSymptom] > 0 && len(v.Symptoms) == 1
}

func addRelated(v *Verdict, ev Evidence) {
	if len(v.Related) < 4 && !slices.ContainsFunc(v.Related, func(r Evidence) bool { return r == ev }) {
		v.Related = append(v.Related, ev)
	}
}

// adjustTLSVerify weighs a certificate that does not verify by the
// config: it makes nginx fail only with proxy_ssl_verify on.
func (d *Diagnoser) adjustTLSVerify(o *ProbeOutcome) {
	if o.Cause() != UpstreamTLSVerify || d.opts.Nginx == nil {
		return
	}
	keys := probeKeys(o)
	on, found := false, false
	for p := range d.opts.Nginx.Passes() {
		if p.Module != "proxy" || p.Scheme != "https" {
			continue
		}
		for _, a := range passAddrs(p) {
			if !slices.Contains(keys, a.key()) {
				continue
			}
			found = true
			if sslVerifyOn(p) {
				on = true
			}
		}
	}
	if !found {
		return
	}
	if on {
		o.Candidates[0].Confidence = 0.85
		return
	}
	// proxy_ssl_verify off (nginx's default): not a cause of nginx's errors.
	o.Candidates = nil
	o.Saw += " (proxy_ssl_verify is off: nginx does not check it)"
}

func sslVerifyOn(p *nginxconf.Pass) bool {
	d := inheritedDirective(p.Directive, "proxy_ssl_verify")
	return d != nil && strings.EqualFold(d.Arg(0), "on")
}
