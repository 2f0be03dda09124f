package realserver

import (
	"flag"
	"os"
	"testing"
)

// TestMain lets up to 8 scenarios run at once unless -parallel is given.
func TestMain(m *testing.M) {
	flag.Parse()
	DefaultParallel(8)
	os.Exit(m.Run())
}
