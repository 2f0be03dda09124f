package realserver

import (
	"flag"
	"fmt"
)

// DefaultParallel raises go test's -parallel to n unless the command line
// set it: the scenarios wait on timers (timeouts of 1 to 3 s), not on the
// CPU, so the default of GOMAXPROCS (2 on small CI machines) only makes a
// suite of them slower. Call it from TestMain after flag.Parse.
func DefaultParallel(n int) {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		flag.Set("test.parallel", fmt.Sprint(n))
	}
}
