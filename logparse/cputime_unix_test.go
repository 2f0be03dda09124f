//go:build unix

package logparse

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time (user + system, all threads) this process used
// so far. Unlike wall time it does not grow while other processes hold the
// CPUs, so BenchmarkRatios stays meaningful on a shared machine.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
