package classify

import (
	"flag"
	"os"
	"testing"
)

// TestMain lets up to 8 real-server scenarios run at once unless -parallel
// is given: they wait on timers (timeouts of 1 to 3 s), not on the CPU, so
// the default of GOMAXPROCS (2 on small CI machines) only makes the suite
// slower.
func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		flag.Set("test.parallel", "8")
	}
	os.Exit(m.Run())
}
