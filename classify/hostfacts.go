package classify

import "github.com/badgateway/badgateway/probe"

// HostFacts are facts about the machine nginx and php-fpm run on that the
// configs alone do not give. Every field is optional: the zero value (or a
// nil *HostFacts) means unknown, and the checks that need a fact then say
// less (they never guess it). The caller supplies them — from probe.Prober's
// Host and Accounts, from a support bundle, or by hand.
//
// Sizes are in bytes.
type HostFacts struct {
	// MemAvailable is /proc/meminfo MemAvailable; 0 = unknown.
	MemAvailable int64
	// CgroupMemoryMax is the memory cgroup's memory.max of php-fpm
	// (cgroup v2; memory.limit_in_bytes on v1); 0 = unknown or "max".
	CgroupMemoryMax int64
	// ChildMemory is what one php-fpm child really uses, PSS preferred
	// (USS or RSS otherwise), e.g. the mean of probe.FPMProcess.PSS over
	// the children; 0 = unknown (memory_limit is then used).
	ChildMemory int64
	// MemoryReserve is memory kept for everything but php-fpm (nginx,
	// the database, the page cache); 0 means 10% of the memory available.
	MemoryReserve int64
	// Somaxconn is net.core.somaxconn, the cap on every listen backlog;
	// 0 = unknown.
	Somaxconn int
	// Accounts are the host's users and groups (/etc/passwd and
	// /etc/group parsed with probe.ParsePasswd and probe.ParseGroup, or
	// read by probe.Prober.Accounts); nil = unknown. The socket permission
	// check uses them for the nginx user's groups (initgroups(3)).
	Accounts *probe.Accounts
}

func (h *HostFacts) accounts() *probe.Accounts {
	if h == nil {
		return nil
	}
	return h.Accounts
}

// FromProbe fills the memory and kernel facts of h from what probe.Prober's
// Host returned: MemAvailable, somaxconn, the cgroup's memory.max and the
// mean PSS of the php-fpm children (the processes that are not a master).
// Facts probe could not read stay unknown.
func (h *HostFacts) FromProbe(p *probe.HostFacts) {
	if p == nil {
		return
	}
	h.MemAvailable = int64(p.MemAvailable)
	h.Somaxconn = p.Somaxconn
	if p.Cgroup != nil && p.Cgroup.Max != probe.Unlimited && p.Cgroup.Max > 0 {
		h.CgroupMemoryMax = int64(p.Cgroup.Max)
	}
	var sum, n uint64
	for i := range p.FPM {
		c := &p.FPM[i]
		if c.IsMaster() || c.PSS == 0 {
			continue
		}
		sum += c.PSS
		n++
	}
	if n > 0 {
		h.ChildMemory = int64(sum / n)
	}
}
