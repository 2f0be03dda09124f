package probe

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestHostV1Fixture(t *testing.T) {
	// Real /proc and cgroup v1 files of a php-fpm 8.2 master and its two
	// children (testdata/host/SOURCES.md).
	p := Prober{Root: filepath.Join("testdata", "host", "v1")}
	h, err := p.Host(context.Background())
	if err != nil {
		t.Fatalf("problems: %v", err)
	}
	const kB = 1024
	want := &HostFacts{
		MemTotal:     24684084 * kB,
		MemAvailable: 23954968 * kB,
		Somaxconn:    4096,
		Cgroup: &CgroupMemory{
			Version: 1,
			Path:    "/process_api/2acbb48de76ba094c20cd5b9573e9986",
			Dir:     filepath.Join(p.Root, "sys/fs/cgroup/memory/process_api/2acbb48de76ba094c20cd5b9573e9986"),
			Max:     Unlimited,
			Current: 398409728,
		},
		FPM: []FPMProcess{
			{PID: 12976, PPID: 1, Title: "php-fpm: master process (php-fpm.conf)", Config: "php-fpm.conf",
				RSS: 20864 * kB, PSS: 10150 * kB, USS: (2216 + 2500) * kB},
			{PID: 12978, PPID: 12976, Title: "php-fpm: pool www", Pool: "www"},
			{PID: 12979, PPID: 12976, Title: "php-fpm: pool www", Pool: "www"},
		},
	}
	// The children's sizes are checked for plausibility, not copied here.
	for i := 1; i < 3; i++ {
		c := h.FPM[i]
		if c.Err != nil || c.RSS == 0 || c.PSS == 0 || c.PSS > c.RSS || c.USS > c.RSS {
			t.Errorf("child %d memory = %+v", c.PID, c)
		}
	}
	got := *h
	got.FPM = append([]FPMProcess(nil), h.FPM...)
	for i := 1; i < len(got.FPM); i++ {
		got.FPM[i].RSS, got.FPM[i].PSS, got.FPM[i].USS, got.FPM[i].Swap = 0, 0, 0, 0
	}
	if d := cmp.Diff(want, &got); d != "" {
		t.Errorf("(-want +got)\n%s", d)
	}
	if !h.FPM[0].IsMaster() || h.FPM[1].IsMaster() {
		t.Errorf("IsMaster wrong")
	}
	if c := h.Children(12976, "www"); len(c) != 2 || c[0].PID != 12978 || len(h.Children(1, "")) != 0 || len(h.Children(0, "other")) != 0 {
		t.Errorf("Children = %+v", c)
	}
}

func TestHostV2Fixture(t *testing.T) {
	// cgroup v2 layout (hand-made, see SOURCES.md); the second child's
	// smaps_rollup and smaps are missing, as for a process that exited.
	p := Prober{Root: filepath.Join("testdata", "host", "v2")}
	h, err := p.Host(context.Background())
	if err != nil {
		t.Fatalf("problems: %v", err)
	}
	want := &CgroupMemory{Version: 2, Path: "/system.slice/php8.2-fpm.service",
		Dir: filepath.Join(p.Root, "sys/fs/cgroup/system.slice/php8.2-fpm.service"), Max: Unlimited, Current: 123456789}
	if d := cmp.Diff(want, h.Cgroup); d != "" {
		t.Errorf("cgroup (-want +got)\n%s", d)
	}
	if h.Somaxconn != 128 || len(h.FPM) != 2 || h.FPM[1].Err == nil || h.FPM[1].PSS != 0 || h.FPM[0].Err != nil {
		t.Errorf("host = %+v", h)
	}
}

func TestHostMissingRoot(t *testing.T) {
	p := Prober{Root: t.TempDir()}
	h, err := p.Host(context.Background())
	if err == nil || len(h.Problems) == 0 || h.Problems[0].Pos.File != filepath.Join(p.Root, "proc") {
		t.Errorf("host = %+v, err = %v", h, err)
	}
}

func TestReadCgroupValue(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		in   string
		want uint64
		err  bool
	}{
		{"max\n", Unlimited, false},
		{"536870912\n", 536870912, false},
		{"9223372036854771712\n", Unlimited, false},
		{"lots\n", 0, true},
	}
	for i, tt := range tests {
		f := filepath.Join(dir, strings.Repeat("x", i+1))
		must(t, os.WriteFile(f, []byte(tt.in), 0o644))
		got, err := readCgroupValue(f)
		if got != tt.want || (err != nil) != tt.err {
			t.Errorf("%q: %d, %v", tt.in, got, err)
		}
	}
}

func TestRealFPMHost(t *testing.T) {
	t.Parallel()
	f := startFPM(t, "", "")
	var p Prober
	master := f.cmd.Process.Pid
	var h *HostFacts
	var mine []FPMProcess
	// A child just forked still carries the master's title for a moment.
	for deadline := time.Now().Add(2 * time.Second); ; {
		var err error
		h, err = p.Host(context.Background())
		if err != nil {
			t.Logf("problems (not fatal): %v", err)
		}
		mine = mine[:0]
		for _, fp := range h.FPM {
			if fp.PID == master || fp.PPID == master {
				mine = append(mine, fp)
			}
		}
		if len(mine) == 2 && mine[1].Pool != "" || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(mine) != 2 || !mine[0].IsMaster() || mine[1].Pool != "www" || mine[1].PSS == 0 || mine[1].Err != nil {
		t.Errorf("php-fpm processes = %+v", mine)
	}
	if h.MemAvailable == 0 || h.Somaxconn == 0 || h.Cgroup == nil || h.Cgroup.Current == 0 {
		t.Errorf("host = %+v", h)
	}
}
