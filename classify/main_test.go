package classify

import (
	"flag"
	"os"
	"testing"

	"github.com/badgateway/badgateway/internal/realserver"
)

// TestMain lets up to 8 real-server scenarios run at once unless -parallel
// is given (see realserver.DefaultParallel).
func TestMain(m *testing.M) {
	flag.Parse()
	realserver.DefaultParallel(8)
	os.Exit(m.Run())
}
