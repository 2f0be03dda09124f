package classify

import (
	"testing"

	"github.com/badgateway/badgateway/probe"
	"github.com/google/go-cmp/cmp"
)

func TestHostFactsFromProbe(t *testing.T) {
	var h HostFacts
	h.FromProbe(&probe.HostFacts{
		MemAvailable: 2 << 30,
		Somaxconn:    4096,
		Cgroup:       &probe.CgroupMemory{Version: 2, Max: 1 << 30},
		FPM: []probe.FPMProcess{
			{PID: 1, Title: "php-fpm: master process (/etc/php/8.2/fpm/php-fpm.conf)", PSS: 10 << 20},
			{PID: 2, PPID: 1, Title: "php-fpm: pool www", Pool: "www", PSS: 40 << 20},
			{PID: 3, PPID: 1, Title: "php-fpm: pool www", Pool: "www", PSS: 60 << 20},
		},
	})
	want := HostFacts{MemAvailable: 2 << 30, CgroupMemoryMax: 1 << 30, ChildMemory: 50 << 20, Somaxconn: 4096}
	if diff := cmp.Diff(want, h); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	var u HostFacts
	u.FromProbe(&probe.HostFacts{Cgroup: &probe.CgroupMemory{Max: probe.Unlimited}})
	if u.CgroupMemoryMax != 0 {
		t.Errorf("unlimited cgroup gave %d, want 0 (unknown)", u.CgroupMemoryMax)
	}
}
