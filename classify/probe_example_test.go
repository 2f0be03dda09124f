package classify_test

import (
	"context"
	"fmt"

	"github.com/badgateway/badgateway/classify"
	"github.com/badgateway/badgateway/nginxconf"
	"github.com/badgateway/badgateway/probe"
)

// PlanProbes turns the configs into probe targets: the servers of an
// upstream group one by one, with nginx's user; a pass with variables is
// skipped with the reason.
func ExamplePlanProbes() {
	src := `user www-data;
events {}
http {
    upstream app { server 10.0.0.5:8080; server 10.0.0.6:8080 down; }
    server {
        location / { proxy_pass http://app; }
        location /dyn { proxy_pass http://$backend; }
        location ~ \.php$ { fastcgi_pass unix:/run/php/php8.2-fpm.sock; }
    }
}
`
	nginx, _ := nginxconf.Parse("nginx.conf", []byte(src), nil)
	plan := classify.PlanProbes(nginx, nil)
	for _, t := range plan.Targets {
		fmt.Printf("%s %s %s host=%q user=%s line %d\n", t.Kind, t.Network, t.Address, t.Host, t.User, t.Pos.Line)
	}
	for _, s := range plan.Skipped {
		fmt.Printf("skipped line %d %s: %s\n", s.Pos.Line, s.What, s.Reason)
	}
	// Output:
	// http tcp 10.0.0.5:8080 host="app" user=www-data line 4
	// fastcgi unix /run/php/php8.2-fpm.sock host="" user=www-data line 8
	// skipped line 4 server 10.0.0.6:8080: marked down: nginx sends it nothing
	// skipped line 7 proxy_pass http://$backend: the address has variables: nginx evaluates it per request, so there is no fixed address to probe
}

// A probe of a pool whose socket file is missing shows fpm_down; the
// Diagnoser makes it a verdict with the config position as evidence.
func ExampleClassifyProbe() {
	target := probe.Target{Kind: probe.KindFastCGI, Network: "unix", Address: "/nonexistent/badgateway/php-fpm.sock", Pool: "www"}
	var p probe.Prober
	r := p.Probe(context.Background(), target)
	o := classify.ClassifyProbe(r)
	fmt.Println(o.Cause(), o.Candidates[0].Confidence)
	fmt.Println(o.Saw)

	d := classify.NewDiagnoser(nil)
	d.AddProbe(r)
	v := d.Report().Verdicts[0]
	fmt.Println(v.Cause, v.Upstreams, v.Status)
	// Output:
	// fpm_down 0.85
	// unix:/nonexistent/badgateway/php-fpm.sock: no socket file: nothing listens there (pool www)
	// fpm_down [fastcgi://unix:/nonexistent/badgateway/php-fpm.sock] 502
}
