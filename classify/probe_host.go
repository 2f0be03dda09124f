package classify

import "github.com/badgateway/badgateway/probe"

// HostFactsFrom returns the HostFacts that probe.Prober's Host and
// Accounts read on the live host: MemAvailable, somaxconn, the memory
// cgroup's limit and the mean PSS of the php-fpm children (see
// HostFacts.FromProbe), and the users and groups. Either argument may be
// nil (that part stays unknown). The returned value refers to accounts;
// it does no I/O.
func HostFactsFrom(host *probe.HostFacts, accounts *probe.Accounts) *HostFacts {
	h := &HostFacts{Accounts: accounts}
	h.FromProbe(host)
	return h
}
