package probe

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/badgateway/badgateway"
	"github.com/prometheus/procfs"
)

// Unlimited is CgroupMemory.Max when the cgroup has no memory limit
// (cgroup v2 "max"; cgroup v1's page-counter maximum).
const Unlimited = math.MaxUint64

// HostFacts are the memory and kernel facts that size a php-fpm pool:
// what one child really uses, what the host or cgroup has left, and the
// listen backlog cap. Sizes are in bytes.
type HostFacts struct {
	MemTotal     uint64 // /proc/meminfo MemTotal
	MemAvailable uint64 // /proc/meminfo MemAvailable
	// Somaxconn is net.core.somaxconn (/proc/sys/net/core/somaxconn),
	// the cap on every listen backlog, php-fpm's listen.backlog included.
	Somaxconn int
	// Cgroup is the memory cgroup of the first php-fpm master whose cgroup
	// could be read, or of this process; nil when none could be read.
	Cgroup *CgroupMemory
	// FPM lists the php-fpm processes, masters and children, by pid.
	FPM []FPMProcess
	// Problems holds what could not be read, each with the file in
	// Pos.File; the other fields are still filled.
	Problems badgateway.Problems
}

// CgroupMemory is the memory limit and usage of a cgroup.
type CgroupMemory struct {
	Version int    // 1 or 2
	Path    string // the cgroup path from /proc/PID/cgroup
	Dir     string // the directory the values were read from (under Prober.Root)
	// Max is the limit in bytes: v2 memory.max, v1
	// memory.limit_in_bytes; Unlimited when there is none.
	Max uint64
	// Current is the usage in bytes: v2 memory.current, v1
	// memory.usage_in_bytes (page cache included in both).
	Current uint64
}

// FPMProcess is one php-fpm process in /proc, recognised by a comm that
// starts with "php-fpm" (php-fpm8.2, php-fpm7.4, php-fpm) and described
// by the title php-fpm gives itself ("php-fpm: master process (CONF)",
// "php-fpm: pool NAME"; php-src sapi/fpm/fpm/fpm_env.c).
type FPMProcess struct {
	PID  int
	PPID int
	// Title is the command line, NULs as spaces, trimmed. A child that
	// has just been forked carries its master's title for a moment.
	Title  string
	Pool   string // for a child: the pool name; "" for the master
	Config string // for the master: the config path in its title
	// Memory from /proc/PID/smaps_rollup (or smaps), in bytes. USS is
	// Private_Clean + Private_Dirty: what the process alone holds, the
	// memory freed when it exits. PSS shares the shared pages out among
	// their users; a pool's children together use about the sum of PSS.
	RSS  uint64
	PSS  uint64
	USS  uint64
	Swap uint64
	// Err is why the memory could not be read (the process exited, or
	// /proc is restricted); the sizes are 0 then.
	Err error
}

// IsMaster reports whether the process is a php-fpm master.
func (p *FPMProcess) IsMaster() bool { return strings.HasPrefix(p.Title, "php-fpm: master process") }

func (p *Prober) procFS() (procfs.FS, error) {
	return procfs.NewFS(p.path("proc"))
}

// Host reads the host facts under Prober.Root. It always returns the
// facts it could read; the error is HostFacts.Problems.Err().
func (p *Prober) Host(ctx context.Context) (*HostFacts, error) {
	h := &HostFacts{}
	fs, err := p.procFS()
	if err != nil {
		h.Problems.Add(badgateway.Pos{File: p.path("proc")}, err)
		return h, h.Problems.Err()
	}
	if mi, err := fs.Meminfo(); err != nil {
		h.Problems.Add(badgateway.Pos{File: p.path("proc", "meminfo")}, err)
	} else {
		if mi.MemTotalBytes != nil {
			h.MemTotal = *mi.MemTotalBytes
		}
		if mi.MemAvailableBytes != nil {
			h.MemAvailable = *mi.MemAvailableBytes
		} else {
			h.Problems.Addf(badgateway.Pos{File: p.path("proc", "meminfo")}, "no MemAvailable (kernel older than 3.14)")
		}
	}
	if v, err := fs.SysctlInts("net.core.somaxconn"); err != nil || len(v) != 1 {
		h.Problems.Add(badgateway.Pos{File: p.path("proc", "sys", "net", "core", "somaxconn")}, errOr(err, "not one number"))
	} else {
		h.Somaxconn = v[0]
	}
	h.FPM, err = p.FPMProcesses(ctx)
	if err != nil {
		h.Problems.Add(badgateway.Pos{File: p.path("proc")}, err)
	}
	// The first master whose cgroup can be read (one may exit while we
	// look), else this process's own.
	for _, fp := range append(h.FPM, FPMProcess{Title: "php-fpm: master process (self)"}) {
		if !fp.IsMaster() {
			continue
		}
		cg, err := p.CgroupMemory(ctx, fp.PID)
		if err == nil {
			h.Cgroup = cg
			break
		}
		if fp.PID == 0 {
			h.Problems.Add(badgateway.Pos{File: p.path("proc", "self", "cgroup")}, err)
		}
	}
	return h, h.Problems.Err()
}

func errOr(err error, msg string) error {
	if err != nil {
		return err
	}
	return errors.New(msg)
}

func pidDir(pid int) string {
	if pid == 0 {
		return "self"
	}
	return strconv.Itoa(pid)
}

// FPMProcesses lists the php-fpm processes under Root/proc with their
// memory. A process whose memory cannot be read is listed with Err set;
// the error is only for /proc itself.
func (p *Prober) FPMProcesses(ctx context.Context) ([]FPMProcess, error) {
	fs, err := p.procFS()
	if err != nil {
		return nil, err
	}
	procs, err := fs.AllProcs()
	if err != nil {
		return nil, err
	}
	var out []FPMProcess
	for _, pr := range procs {
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
		comm, err := pr.Comm()
		if err != nil || !strings.HasPrefix(comm, "php-fpm") {
			continue
		}
		fp := FPMProcess{PID: pr.PID}
		if args, err := pr.CmdLine(); err == nil {
			fp.Title = strings.TrimSpace(strings.Join(args, " "))
		}
		if st, err := pr.Stat(); err == nil {
			fp.PPID = st.PPID
		}
		switch {
		case strings.HasPrefix(fp.Title, "php-fpm: pool "):
			fp.Pool = strings.TrimSpace(strings.TrimPrefix(fp.Title, "php-fpm: pool "))
		case strings.HasPrefix(fp.Title, "php-fpm: master process ("):
			fp.Config = strings.TrimSuffix(strings.TrimPrefix(fp.Title, "php-fpm: master process ("), ")")
		}
		if sm, err := pr.ProcSMapsRollup(); err != nil {
			fp.Err = err
		} else {
			fp.RSS, fp.PSS, fp.USS, fp.Swap = sm.Rss, sm.Pss, sm.PrivateClean+sm.PrivateDirty, sm.Swap
		}
		out = append(out, fp)
	}
	slices.SortFunc(out, func(a, b FPMProcess) int { return a.PID - b.PID })
	return out, nil
}

// CgroupMemory reads the memory cgroup of process pid (0 = this
// process) under Root: its path from /proc/PID/cgroup (the "memory"
// controller's line for cgroup v1, the "0::" line for v2), the mount
// point from /proc/PID/mountinfo (or /sys/fs/cgroup/memory, /sys/fs/cgroup
// when mountinfo says nothing), then memory.max and memory.current (v2)
// or memory.limit_in_bytes and memory.usage_in_bytes (v1).
func (p *Prober) CgroupMemory(ctx context.Context, pid int) (*CgroupMemory, error) {
	fs, err := p.procFS()
	if err != nil {
		return nil, err
	}
	var pr procfs.Proc
	if pid == 0 {
		pr, err = fs.Self()
	} else {
		pr, err = fs.Proc(pid)
	}
	if err != nil {
		return nil, err
	}
	cgs, err := pr.Cgroups()
	if err != nil {
		return nil, err
	}
	cm := &CgroupMemory{}
	for _, cg := range cgs {
		if slices.Contains(cg.Controllers, "memory") {
			cm.Version, cm.Path = 1, cg.Path
			break
		}
		if cg.HierarchyID == 0 && len(cg.Controllers) == 0 {
			cm.Version, cm.Path = 2, cg.Path
		}
	}
	if cm.Version == 0 {
		return nil, fmt.Errorf("probe: no memory cgroup in /proc/%s/cgroup", pidDir(pid))
	}
	mount, root := "/sys/fs/cgroup", "/"
	if cm.Version == 1 {
		mount = "/sys/fs/cgroup/memory"
	}
	if mis, err := pr.MountInfo(); err == nil {
		for _, mi := range mis {
			if (cm.Version == 2 && mi.FSType == "cgroup2") ||
				(cm.Version == 1 && mi.FSType == "cgroup" && hasKey(mi.SuperOptions, "memory")) {
				mount, root = mi.MountPoint, mi.Root
				break
			}
		}
	}
	rel, err := filepath.Rel(root, cm.Path)
	if err != nil || strings.HasPrefix(rel, "..") {
		// The cgroup is outside this mount's view (another cgroup
		// namespace): the mount's root is the closest there is.
		rel = "."
	}
	cm.Dir = p.path(mount, rel)
	maxFile, curFile := "memory.max", "memory.current"
	if cm.Version == 1 {
		maxFile, curFile = "memory.limit_in_bytes", "memory.usage_in_bytes"
	}
	if cm.Max, err = readCgroupValue(filepath.Join(cm.Dir, maxFile)); err != nil {
		return cm, err
	}
	if cm.Current, err = readCgroupValue(filepath.Join(cm.Dir, curFile)); err != nil {
		return cm, err
	}
	return cm, nil
}

func hasKey(m map[string]string, k string) bool {
	_, ok := m[k]
	return ok
}

// readCgroupValue reads one number of bytes, "max" (v2) or a v1 value at
// or above 2^62 meaning no limit (v1 writes PAGE_COUNTER_MAX * page size,
// 9223372036854771712 on x86-64) as Unlimited.
func readCgroupValue(file string) (uint64, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return 0, err
	}
	s := strings.TrimSpace(string(b))
	if s == "max" {
		return Unlimited, nil
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("probe: %s: %w", file, err)
	}
	if v >= 1<<62 {
		return Unlimited, nil
	}
	return v, nil
}

// Children returns the php-fpm children of the master with pid master
// (0 = of any master) in pool (empty = every pool), in pid order. Their
// PSS values summed estimate what the pool uses; the largest USS is what
// one more child would add.
func (h *HostFacts) Children(master int, pool string) []FPMProcess {
	var out []FPMProcess
	for _, p := range h.FPM {
		if p.IsMaster() || (master != 0 && p.PPID != master) || (pool != "" && p.Pool != pool) {
			continue
		}
		out = append(out, p)
	}
	return out
}
