package realserver

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// recorder is a testing.TB whose Skip and Fatal record the call and end
// the goroutine, as the real ones do.
type recorder struct {
	testing.TB
	skipped, failed bool
	msg             string
}

func (r *recorder) Helper() {}
func (r *recorder) Skip(args ...any) {
	r.skipped, r.msg = true, fmt.Sprint(args...)
	runtime.Goexit()
}
func (r *recorder) Fatal(args ...any) {
	r.failed, r.msg = true, fmt.Sprint(args...)
	runtime.Goexit()
}

func callRequire(t *testing.T) *recorder {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		Require(r)
	}()
	<-done
	return r
}

// TestRequire checks that missing binaries skip, except with CI=true,
// where they fail.
func TestRequire(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // no nginx, no php-fpm8.2

	t.Setenv("CI", "")
	r := callRequire(t)
	if !r.skipped || r.failed || !strings.Contains(r.msg, "nginx and php-fpm8.2") {
		t.Errorf("without CI: skipped=%v failed=%v msg=%q; want a skip naming both binaries", r.skipped, r.failed, r.msg)
	}

	t.Setenv("CI", "true")
	r = callRequire(t)
	if r.skipped || !r.failed {
		t.Errorf("with CI=true: skipped=%v failed=%v msg=%q; want a failure", r.skipped, r.failed, r.msg)
	}
}
