package classify

import (
	"fmt"
	"os"
	"sort"

	"github.com/badgateway/badgateway"
	"github.com/badgateway/badgateway/fpmconf"
	"github.com/badgateway/badgateway/nginxconf"
)

// Checker is one config check, declared as a value in the style of
// golang.org/x/tools/go/analysis: a stable Code that is never reused, a
// short Name, the Cause it predicts, and Doc. Checks returns the registry.
type Checker struct {
	// Code is the stable code ("BG1001"), printed with every finding and
	// used by "badgateway:ignore CODE reason" comments.
	Code string
	// Name is a short snake_case name ("fastcgi_pass_listen").
	Name string
	// Cause is the cause code the findings predict; empty for
	// observability checks.
	Cause Code
	// Needs says which inputs the check reads: "nginx", "fpm", "nginx+fpm",
	// optionally "+host".
	Needs string
	// Doc is the rule, in a few sentences.
	Doc string

	run func(*checkRun)
}

// CheckInput is everything Check reads. Every field is optional.
type CheckInput struct {
	// Nginx is the nginx configuration (nginxconf.Load); nil skips the
	// nginx checks and the cross-checks.
	Nginx *nginxconf.Config
	// FPM is the php-fpm configuration (fpmconf.Load); nil skips the
	// php-fpm checks and the cross-checks.
	FPM *fpmconf.Config
	// PHPIni is the php.ini php-fpm runs with; nil means PHP's built-in
	// defaults (fpmconf.PHPIniDefault), overridden by the pools'
	// php_value/php_admin_value.
	PHPIni *fpmconf.PHPIni
	// Host are the host facts (memory, somaxconn, accounts); nil = unknown.
	Host *HostFacts
	// ReadFile reads a config file for its "badgateway:ignore" comments;
	// nil means os.ReadFile. Return an error for a file that cannot be
	// read: its comments are then not honoured.
	ReadFile func(path string) ([]byte, error)
	// Checks restricts the checks run; nil runs every check of Checks().
	Checks []*Checker
}

// Check runs every config check over an nginx and a php-fpm config (either
// may be nil) with the given host facts (nil = unknown) and returns the
// findings, suppressed ones included (Finding.Suppressed set), sorted by
// position. It reads the config files again from disk for their
// "badgateway:ignore" comments; use CheckWith to read them elsewhere or to
// give a php.ini.
//
// Check is safe for concurrent use; it does not modify its inputs.
func Check(nginx *nginxconf.Config, fpm *fpmconf.Config, host *HostFacts) []Finding {
	return CheckWith(CheckInput{Nginx: nginx, FPM: fpm, Host: host})
}

// CheckWith is Check with every input spelled out.
func CheckWith(in CheckInput) []Finding {
	r := &checkRun{in: in}
	r.prepare()
	checks := in.Checks
	if checks == nil {
		checks = Checks()
	}
	for _, c := range checks {
		r.cur = c
		c.run(r)
	}
	r.findings = append(r.findings, r.suppress()...)
	sort.SliceStable(r.findings, func(i, j int) bool {
		a, b := r.findings[i].Pos, r.findings[j].Pos
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return r.findings[i].Check < r.findings[j].Check
	})
	return r.findings
}

// lineKey is a file and line.
type lineKey struct {
	file string
	line int
}

// checkRun is the state of one CheckWith call.
type checkRun struct {
	in       CheckInput
	cur      *Checker
	findings []Finding
	// reach maps each fastcgi_pass to the pools it reaches.
	reach map[*nginxconf.Pass][]*fpmconf.Pool
	// failedIncludes are the positions of include directives nginx could
	// not read (missing files): what they hold is unknown.
	failedIncludes map[lineKey]bool
}

func (r *checkRun) report(f Finding) {
	f.Check, f.Name = r.cur.Code, r.cur.Name
	if f.Cause == "" {
		f.Cause = r.cur.Cause
	}
	r.findings = append(r.findings, f)
}

func (r *checkRun) pools() []*fpmconf.Pool {
	if r.in.FPM == nil {
		return nil
	}
	return r.in.FPM.Pools
}

func (r *checkRun) readFile(path string) ([]byte, error) {
	if r.in.ReadFile != nil {
		return r.in.ReadFile(path)
	}
	return os.ReadFile(path)
}

// Checks returns the registry of config checks in code order, a fresh slice
// on every call (the Checker values are shared and must not be modified).
func Checks() []*Checker { return append([]*Checker(nil), checkRegistry[:]...) }

// LookupCheck returns the check with the given code or name.
func LookupCheck(codeOrName string) (*Checker, bool) {
	for _, c := range checkRegistry {
		if c.Code == codeOrName || c.Name == codeOrName {
			return c, true
		}
	}
	return nil, false
}

var checkRegistry = [...]*Checker{
	{Code: "BG0001", Name: "ignore_comment", Needs: "nginx|fpm",
		Doc: "A `badgateway:ignore CODE reason` comment must name a known check code and give a reason; one without a reason suppresses nothing and is reported.",
		run: func(*checkRun) {}}, // reported by suppress
	{Code: "BG1001", Name: "fastcgi_pass_listen", Cause: ListenMismatch, Needs: "nginx+fpm",
		Doc: "Every fastcgi_pass, directly or through the servers of an upstream group, must reach some pool's listen: unix paths compared after cleaning, TCP by port with 0.0.0.0, [::] and port-only listens accepting any local address.",
		run: checkPassListen},
	{Code: "BG1002", Name: "fastcgi_pass_variable", Cause: ListenMismatch, Needs: "nginx+fpm",
		Doc: "A fastcgi_pass whose address holds variables is decided per request: it cannot be matched against the pools statically.",
		run: checkPassVariable},
	{Code: "BG1003", Name: "socket_permission", Cause: SocketPermission, Needs: "nginx+fpm[+host]",
		Doc: "nginx's worker user (directive user, default nobody) must be able to connect(2) to each unix socket it passes to: write permission from listen.owner/listen.group/listen.mode (default 0660, owner root when listen.owner is unset) or listen.acl_users/acl_groups, with group membership from HostFacts.Accounts.",
		run: checkSocketPermission},
	{Code: "BG1004", Name: "allowed_clients", Cause: FPMAllowedClient, Needs: "nginx+fpm",
		Doc: "When a TCP pool sets listen.allowed_clients, the address nginx connects from must be in it (nginx connecting to a loopback address comes from that address).",
		run: checkAllowedClients},
	{Code: "BG1005", Name: "pass_protocol", Cause: ProtocolMismatch, Needs: "nginx[+fpm]",
		Doc: "proxy_pass (HTTP) must not point at a php-fpm pool's FastCGI listen, and fastcgi_pass must not point at an HTTP server of the same nginx.",
		run: checkPassProtocol},
	{Code: "BG1006", Name: "pass_tls", Cause: TLSMismatch, Needs: "nginx",
		Doc: "proxy_pass https:// must reach a TLS listener and http:// a plaintext one: checked against the listen ... ssl of servers of the same nginx, and the conventional ports 80 and 443.",
		run: checkPassTLS},
	{Code: "BG2001", Name: "timeout_ladder", Cause: UpstreamReadTimeout, Needs: "nginx+fpm[+php.ini]",
		Doc: "For every PHP location: max_execution_time < request_terminate_timeout < fastcgi_read_timeout, so that PHP's own limit (500 with a message) fires first, then php-fpm's (502), and nginx's 504 never leaves a child running. 0 means unlimited; max_execution_time counts CPU time, the others wall time.",
		run: checkTimeoutLadder},
	{Code: "BG2002", Name: "max_children_memory", Cause: FPMWorkerKilled, Needs: "fpm+host",
		Doc: "Σ pm.max_children × per-child memory (measured PSS, else memory_limit) must fit in the memory available (cgroup memory.max, else MemAvailable) minus a reserve, or the OOM killer ends children.",
		run: checkMaxChildrenMemory},
	{Code: "BG2003", Name: "listen_backlog", Cause: FPMMaxChildren, Needs: "fpm[+nginx][+host]",
		Doc: "listen.backlog is capped by net.core.somaxconn; a listen queue shorter than pm.max_children refuses bursts (EAGAIN on unix sockets: 502) as soon as every child is busy; and pm.max_children plus the queue should hold what nginx can send at once (worker_processes × worker_connections / 2).",
		run: checkListenBacklog},
	{Code: "BG2004", Name: "pm_invariants", Cause: FPMConfigInvalid, Needs: "fpm",
		Doc: "php-fpm's own start-up rules (pm.start_servers within [min_spare, max_spare], max_spare ≤ max_children, …): php-fpm refuses to start, nginx sees fpm_down.",
		run: checkPMInvariants},
	{Code: "BG3001", Name: "keepalive_prerequisites", Cause: UpstreamKeepaliveClosed, Needs: "nginx",
		Doc: "An upstream with keepalive needs, in the effective settings of every location using it, proxy_http_version 1.1 and proxy_set_header Connection \"\" (HTTP) or fastcgi_keep_conn on (FastCGI); without them the connections are not kept.",
		run: checkKeepalive},
	{Code: "BG3002", Name: "resolver_for_variable_pass", Cause: ResolverMissing, Needs: "nginx",
		Doc: "A *_pass whose host holds variables and does not name an upstream group is resolved per request and needs a resolver in scope.",
		run: checkResolver},
	{Code: "BG3003", Name: "proxy_pass_uri", Cause: ProxyPassURIRewrite, Needs: "nginx",
		Doc: "A proxy_pass with a URI part in a prefix location replaces the matched prefix: the finding shows the URI the backend gets for a sample request, and flags prefix/URI slash mismatches (location /api + proxy_pass http://b/ sends //x).",
		run: checkProxyPassURI},
	{Code: "BG3004", Name: "header_buffer", Cause: HeaderTooBig, Needs: "nginx",
		Doc: "fastcgi_buffer_size/proxy_buffer_size below one memory page (4k) makes ordinary response headers (cookies, CSP) too big: 502.",
		run: checkHeaderBuffer},
	{Code: "BG3005", Name: "script_filename", Cause: PrimaryScriptUnknown, Needs: "nginx",
		Doc: "Every fastcgi_pass location must send SCRIPT_FILENAME (nginx's stock fastcgi_params lacks it, fastcgi.conf has it), or php-fpm answers \"Primary script unknown\" (404).",
		run: checkScriptFilename},
	{Code: "BG3006", Name: "status_exposure", Needs: "nginx+fpm",
		Doc: "pm.status_path and ping.path reached through nginx must be restricted with allow/deny: the status page shows every request and client.",
		run: checkStatusExposure},
	{Code: "BG3007", Name: "error_log_level", Needs: "nginx",
		Doc: "An error_log at crit or above (or to /dev/null) hides the [error] records that show most 502 causes (connect() failed (111), upstream timed out, recv() failed (104)).",
		run: checkErrorLog},
	{Code: "BG3008", Name: "single_peer_max_fails", Cause: NoLiveUpstreams, Needs: "nginx",
		Doc: "nginx ignores max_fails for a group with a single peer, but a server name such as localhost resolves to several addresses (127.0.0.1 and ::1): the group then has several peers, and one that refuses (php-fpm on IPv4 only) is marked failed, giving \"no live upstreams\" for fail_timeout.",
		run: checkSinglePeer},
}

func (r *checkRun) prepare() {
	r.reach = map[*nginxconf.Pass][]*fpmconf.Pool{}
	r.failedIncludes = map[lineKey]bool{}
	if r.in.Nginx != nil {
		for _, p := range r.in.Nginx.Problems {
			r.failedIncludes[lineKey{p.Pos.File, p.Pos.Line}] = true
		}
	}
	if r.in.Nginx == nil || r.in.FPM == nil {
		return
	}
	for p := range r.in.Nginx.Passes() {
		if ps := PoolsFor(p, r.in.FPM); ps != nil {
			r.reach[p] = ps
		}
	}
}

// PoolsFor returns the pools of fpm that a fastcgi_pass reaches, in pool
// order: those whose listen accepts the pass's address or, for a pass to
// an upstream group, the address of one of its servers (servers marked
// down left out). Unix paths are compared after cleaning
// ("/run//php/../php/a.sock" is "/run/php/a.sock"); a TCP listen on
// 0.0.0.0, [::] or a port alone accepts any local address; localhost
// matches the loopback addresses; a host name other than localhost
// matches any listen on the same port (it cannot be resolved here).
// A pass that is not fastcgi_pass, or whose address holds variables,
// reaches nothing decidable: nil.
func PoolsFor(p *nginxconf.Pass, fpm *fpmconf.Config) []*fpmconf.Pool {
	if p == nil || fpm == nil || p.Module != "fastcgi" || p.HostVariables {
		return nil
	}
	var out []*fpmconf.Pool
	for _, a := range passAddrs(p) {
		for _, pool := range fpm.Pools {
			if a.matchesPool(pool.Listen.Value) && !containsPool(out, pool) {
				out = append(out, pool)
			}
		}
	}
	return out
}

func containsPool(ps []*fpmconf.Pool, p *fpmconf.Pool) bool {
	for _, x := range ps {
		if x == p {
			return true
		}
	}
	return false
}

// listenPos is where a pool's listen is set, or its [name] header.
func listenPos(p *fpmconf.Pool) badgateway.Pos {
	if p.Listen.Pos.IsValid() {
		return p.Listen.Pos
	}
	return p.NamePos
}

func settingPos[T any](s fpmconf.Setting[T], p *fpmconf.Pool) badgateway.Pos {
	if s.Pos.IsValid() {
		return s.Pos
	}
	return p.NamePos
}

func dpos(d *nginxconf.Directive) badgateway.Pos {
	if d == nil {
		return badgateway.Pos{}
	}
	return d.Pos
}

// replace is an Edit replacing directive d with text.
func replace(d *nginxconf.Directive, text string) Edit {
	if d == nil {
		return Edit{}
	}
	return Edit{Pos: d.Pos, End: d.End, New: text}
}

// fpmEdit replaces the line of a php-fpm setting, or inserts a line after
// the pool header when the setting is not in the file.
func fpmEdit[T any](s fpmconf.Setting[T], p *fpmconf.Pool, text string) Edit {
	if s.Pos.IsValid() {
		return Edit{Pos: lineStart(s.Pos), New: text}
	}
	at := p.NamePos
	at.Line++
	at.Col = 1
	return Edit{Pos: at, New: text, Insert: true}
}

func lineStart(p badgateway.Pos) badgateway.Pos {
	p.Offset -= int64(max(p.Col-1, 0))
	p.Col = 1
	return p
}

func poolDesc(p *fpmconf.Pool) string {
	return fmt.Sprintf("pool %s listens on %s", p.Name, p.Listen.Value.String())
}
