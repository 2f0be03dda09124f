package fpmconf

import (
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/badgateway/badgateway"
)

// Setting is one php-fpm setting: the effective value php-fpm uses and
// where it was set. When the file does not set it, Value is php-fpm's
// default (or the value php-fpm derives, such as pm.start_servers) and
// Pos is the zero Pos.
//
// Raw is the text php-fpm's handler received after PHP's INI rules
// (quotes, comments, ${ENV}, constants and $pool applied), before it was
// converted to Value. Pos points at the first byte of the value in its
// file (its Line is the directive's line).
type Setting[T any] struct {
	Value T              `json:"value"`
	Raw   string         `json:"raw,omitempty"`
	Pos   badgateway.Pos `json:"pos"`
}

// IsSet reports whether a configuration file set the value.
func (s Setting[T]) IsSet() bool { return s.Pos.IsValid() }

// PM is a process manager kind (the pool's pm key).
type PM int

const (
	PMUnset    PM = iota // pm not set: php-fpm refuses to start
	PMStatic             // pm = static
	PMDynamic            // pm = dynamic
	PMOndemand           // pm = ondemand
)

// String returns the name php-fpm uses ("static", "dynamic", "ondemand")
// or "" for PMUnset.
func (p PM) String() string {
	switch p {
	case PMStatic:
		return "static"
	case PMDynamic:
		return "dynamic"
	case PMOndemand:
		return "ondemand"
	}
	return ""
}

// MarshalText implements encoding.TextMarshaler.
func (p PM) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// LogLevel is php-fpm's log_level (zlog.h: debug 1 … alert 5).
type LogLevel int

// The levels of log_level. The zero LogLevel never appears in a loaded
// Config: an unset log_level is LogNotice (php-fpm -tt prints it as
// "unknown value" but logs at notice).
const (
	LogDebug   LogLevel = 1 // debug
	LogNotice  LogLevel = 2 // notice (the default)
	LogWarning LogLevel = 3 // warning, warn
	LogError   LogLevel = 4 // error
	LogAlert   LogLevel = 5 // alert
)

// String returns the lower-case level name php-fpm's -tt prints.
func (l LogLevel) String() string {
	switch l {
	case LogDebug:
		return "debug"
	case LogNotice:
		return "notice"
	case LogWarning:
		return "warning"
	case LogError:
		return "error"
	case LogAlert:
		return "alert"
	}
	return "unknown value"
}

// MarshalText implements encoding.TextMarshaler.
func (l LogLevel) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// Listen is a parsed pool listen address, read as
// sapi/fpm/fpm/fpm_sockets.c reads it: a value with a ':' or made only of
// digits is TCP, anything else is a unix socket path (relative paths are
// resolved against the pool or global prefix).
type Listen struct {
	Address string `json:"address"`          // as php-fpm holds it after prefix resolution
	Network string `json:"network"`          // "unix" or "tcp"
	Path    string `json:"path,omitempty"`   // unix socket path
	Host    string `json:"host,omitempty"`   // TCP host without brackets; "" for port-only
	Port    int    `json:"port,omitempty"`   // TCP port; 0 when not a valid 1–65535 port
	AnyHost bool   `json:"anyHost,omitzero"` // port-only, 0.0.0.0, [::] or * : every local address
	IPv6    bool   `json:"ipv6,omitzero"`    // host is an IPv6 literal, or port-only (php-fpm binds [::] dual-stack when it can)
}

// ParseListen parses a listen value (already prefix-resolved) the way
// php-fpm does. It never fails; an invalid TCP port gives Port 0 (php-fpm
// then fails at start-up with "invalid port value").
func ParseListen(addr string) Listen {
	l := Listen{Address: addr}
	digitsOnly := addr != "" && strings.Trim(addr, "0123456789") == ""
	if !strings.Contains(addr, ":") && !digitsOnly {
		l.Network = "unix"
		l.Path = addr
		return l
	}
	l.Network = "tcp"
	portStr := addr
	if i := strings.LastIndexByte(addr, ':'); i >= 0 {
		l.Host = addr[:i]
		portStr = addr[i+1:]
		if len(l.Host) >= 2 && l.Host[0] == '[' && l.Host[len(l.Host)-1] == ']' {
			l.Host = l.Host[1 : len(l.Host)-1]
		}
	} else {
		l.AnyHost = true
		l.IPv6 = true
	}
	if p := int(cAtoi32(portStr)); p >= 1 && p <= 65535 {
		l.Port = p
	}
	switch l.Host {
	case "0.0.0.0", "*":
		l.AnyHost = true
	case "::":
		l.AnyHost = true
		l.IPv6 = true
	default:
		if ip := net.ParseIP(l.Host); ip != nil && ip.To4() == nil {
			l.IPv6 = true
		}
	}
	return l
}

// String returns the address as php-fpm prints it.
func (l Listen) String() string { return l.Address }

// PHPValue is one php_value, php_admin_value, php_flag or php_admin_flag
// entry. php-fpm keeps every entry (duplicates too); flags are stored as
// "1" or "0" like php-fpm does.
type PHPValue struct {
	Name  string         `json:"name"`           // the key inside [...], case as written
	Value string         `json:"value"`          // after INI rules, $pool and path resolution
	Admin bool           `json:"admin,omitzero"` // php_admin_value / php_admin_flag
	Flag  bool           `json:"flag,omitzero"`  // php_flag / php_admin_flag
	Pos   badgateway.Pos `json:"pos"`            // the value
}

// EnvVar is one env[NAME] entry.
type EnvVar struct {
	Name  string         `json:"name"`
	Value string         `json:"value"`
	Pos   badgateway.Pos `json:"pos"`
}

// Global is php-fpm's [global] section with php-fpm 8.2's defaults.
// Durations are whole seconds as php-fpm keeps them.
type Global struct {
	Pid                       Setting[string]        `json:"pid"`
	ErrorLog                  Setting[string]        `json:"error_log"` // resolved path, or "syslog"; default log/php-fpm.log under the prefix
	SyslogIdent               Setting[string]        `json:"syslog.ident"`
	SyslogFacility            Setting[int]           `json:"syslog.facility"` // numeric LOG_* value; default LOG_DAEMON (24)
	LogBuffering              Setting[bool]          `json:"log_buffering"`
	LogLevel                  Setting[LogLevel]      `json:"log_level"` // default notice
	LogLimit                  Setting[int]           `json:"log_limit"` // bytes; default 1024
	EmergencyRestartThreshold Setting[int]           `json:"emergency_restart_threshold"`
	EmergencyRestartInterval  Setting[time.Duration] `json:"emergency_restart_interval"`
	ProcessControlTimeout     Setting[time.Duration] `json:"process_control_timeout"`
	ProcessMax                Setting[int]           `json:"process.max"`
	ProcessPriority           Setting[int]           `json:"process.priority"` // 64 = not set
	Daemonize                 Setting[bool]          `json:"daemonize"`
	RlimitFiles               Setting[int]           `json:"rlimit_files"`
	RlimitCore                Setting[int]           `json:"rlimit_core"` // -1 = unlimited
	EventsMechanism           Setting[string]        `json:"events.mechanism"`
	SystemdInterval           Setting[time.Duration] `json:"systemd_interval"` // default 10s
}

// Pool is one php-fpm pool ([name] section) with php-fpm 8.2's defaults
// and derived values applied the way fpm_conf_process_all_pools applies
// them (pm.start_servers computed for dynamic, spare settings zeroed for
// ondemand, relative paths resolved, ping.response and access.format
// defaulted).
type Pool struct {
	Name    string         `json:"name"`
	NamePos badgateway.Pos `json:"namePos"` // the first [name] header

	Prefix Setting[string] `json:"prefix"`
	User   Setting[string] `json:"user"`
	Group  Setting[string] `json:"group"`

	Listen               Setting[Listen] `json:"listen"`
	ListenBacklog        Setting[int]    `json:"listen.backlog"` // -1 (default): listen(2) gets -1 and Linux uses net.core.somaxconn
	ListenACLUsers       Setting[string] `json:"listen.acl_users"`
	ListenACLGroups      Setting[string] `json:"listen.acl_groups"`
	ListenOwner          Setting[string] `json:"listen.owner"`
	ListenGroup          Setting[string] `json:"listen.group"`
	ListenMode           Setting[string] `json:"listen.mode"`
	ListenAllowedClients Setting[string] `json:"listen.allowed_clients"`

	ProcessPriority Setting[int]  `json:"process.priority"` // 64 = not set
	ProcessDumpable Setting[bool] `json:"process.dumpable"`

	PM                   Setting[PM]            `json:"pm"`
	PMMaxChildren        Setting[int]           `json:"pm.max_children"`
	PMStartServers       Setting[int]           `json:"pm.start_servers"`
	PMMinSpareServers    Setting[int]           `json:"pm.min_spare_servers"`
	PMMaxSpareServers    Setting[int]           `json:"pm.max_spare_servers"`
	PMMaxSpawnRate       Setting[int]           `json:"pm.max_spawn_rate"`
	PMProcessIdleTimeout Setting[time.Duration] `json:"pm.process_idle_timeout"`
	PMMaxRequests        Setting[int]           `json:"pm.max_requests"`
	PMStatusPath         Setting[string]        `json:"pm.status_path"`
	PMStatusListen       Setting[string]        `json:"pm.status_listen"`
	PingPath             Setting[string]        `json:"ping.path"`
	PingResponse         Setting[string]        `json:"ping.response"`

	AccessLog          Setting[string]   `json:"access.log"`
	AccessFormat       Setting[string]   `json:"access.format"`
	AccessSuppressPath []Setting[string] `json:"access.suppress_path,omitempty"`

	Slowlog                              Setting[string]        `json:"slowlog"`
	RequestSlowlogTimeout                Setting[time.Duration] `json:"request_slowlog_timeout"`
	RequestSlowlogTraceDepth             Setting[int]           `json:"request_slowlog_trace_depth"`
	RequestTerminateTimeout              Setting[time.Duration] `json:"request_terminate_timeout"` // 0 = off
	RequestTerminateTimeoutTrackFinished Setting[bool]          `json:"request_terminate_timeout_track_finished"`

	RlimitFiles Setting[int] `json:"rlimit_files"`
	RlimitCore  Setting[int] `json:"rlimit_core"` // -1 = unlimited

	Chroot Setting[string] `json:"chroot"`
	Chdir  Setting[string] `json:"chdir"`

	CatchWorkersOutput      Setting[bool]   `json:"catch_workers_output"`
	DecorateWorkersOutput   Setting[bool]   `json:"decorate_workers_output"`
	ClearEnv                Setting[bool]   `json:"clear_env"`
	SecurityLimitExtensions Setting[string] `json:"security.limit_extensions"`
	ApparmorHat             Setting[string] `json:"apparmor_hat"`

	Env       []EnvVar   `json:"env,omitempty"`        // in file order
	PHPValues []PHPValue `json:"php_values,omitempty"` // php_value, php_flag, php_admin_value, php_admin_flag in file order
}

// AllowedClients returns listen.allowed_clients split on commas and
// trimmed, or nil when unset (every client allowed).
func (p *Pool) AllowedClients() []string {
	v := p.ListenAllowedClients.Value
	if v == "" {
		return nil
	}
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// ListenModeBits returns listen.mode as permission bits (strtoul base 8,
// as php-fpm reads it), 0660 when unset.
func (p *Pool) ListenModeBits() uint32 {
	v := p.ListenMode.Value
	if v == "" {
		return 0o660
	}
	end := 0
	for end < len(v) && v[end] >= '0' && v[end] <= '7' {
		end++
	}
	n, _ := strconv.ParseUint(v[:end], 8, 32)
	return uint32(n)
}

// LimitExtensions returns security.limit_extensions split on blanks
// (default ".php .phar").
func (p *Pool) LimitExtensions() []string {
	return strings.Fields(p.SecurityLimitExtensions.Value)
}

// PHPSetting returns the value php-fpm applies to the pool's PHP for
// an ini directive set through php_value/php_admin_value (or their flag
// forms), and the entry that set it. php-fpm keeps the entries in a list
// built by prepending and applies php_value entries first, then
// php_admin_value entries, each list from its newest entry to its oldest
// (fpm_php.c fpm_php_apply_defines), so an admin value beats a plain one
// and, among duplicates of one kind, the first in the file is applied
// last and wins. Names match case-sensitively, as PHP's ini table does.
func (p *Pool) PHPSetting(name string) (PHPValue, bool) {
	var best PHPValue
	found := false
	for _, admin := range []bool{true, false} {
		for _, v := range p.PHPValues {
			if v.Admin == admin && v.Name == name {
				return v, true
			}
		}
	}
	return best, found
}

// File is one configuration file that was read.
type File struct {
	Path         string           `json:"path"`
	IncludedFrom []badgateway.Pos `json:"includedFrom,omitempty"` // include chain, innermost first
}

// Config is a loaded php-fpm configuration.
//
// A Config is not modified after Load returns and is safe for concurrent
// reads.
type Config struct {
	Prefix   string              `json:"prefix"` // the prefix relative paths were resolved against
	Files    []File              `json:"files"`  // every file read, in reading order
	Global   Global              `json:"global"`
	Pools    []*Pool             `json:"pools"` // in the order php-fpm creates them
	Problems badgateway.Problems `json:"-"`     // everything php-fpm would report, in its order
}

// Pool returns the pool with the given name (php-fpm compares pool names
// case-insensitively), or nil.
func (c *Config) Pool(name string) *Pool {
	for _, p := range c.Pools {
		if strings.EqualFold(p.Name, name) {
			return p
		}
	}
	return nil
}

// IncludedFrom returns the include chain of a file read by Load,
// innermost first, or nil for the top-level file.
func (c *Config) IncludedFrom(path string) []badgateway.Pos {
	for _, f := range c.Files {
		if f.Path == path {
			return f.IncludedFrom
		}
	}
	return nil
}

// SocketPerm is how php-fpm sets up a unix socket pool's socket
// (fpm_unix.c fpm_unix_resolve_socket_permissions and
// fpm_unix_set_socket_permissions).
type SocketPerm struct {
	// Owner is listen.owner; "" means php-fpm does not chown the socket
	// and it keeps the owner of the master process (root on a normal
	// start), not the pool user: measured with php-fpm 8.2 started as
	// root with user = www-data and no listen.owner, the socket was
	// root:root 0660.
	Owner string `json:"owner"`
	// Group is listen.group. When it is "" and Owner is a user name,
	// php-fpm uses that user's primary group (OwnerGroup is true); when
	// both are "" the socket keeps the master's group.
	Group      string `json:"group"`
	OwnerGroup bool   `json:"ownerGroup,omitzero"`
	// Mode is listen.mode (default 0660).
	Mode uint32 `json:"mode"`
	// ACLUsers and ACLGroups are listen.acl_users/acl_groups split on
	// commas. When either is set php-fpm adds POSIX ACL entries (read,
	// write) and ignores listen.owner and listen.group.
	ACLUsers  []string `json:"aclUsers,omitempty"`
	ACLGroups []string `json:"aclGroups,omitempty"`
}

// SocketPermissions returns the ownership php-fpm gives the pool's unix
// socket. It is meaningful only when Listen.Value.Network is "unix".
func (p *Pool) SocketPermissions() SocketPerm {
	split := func(s string) []string {
		if s == "" {
			return nil
		}
		return strings.Split(s, ",")
	}
	sp := SocketPerm{Mode: p.ListenModeBits(), ACLUsers: split(p.ListenACLUsers.Value), ACLGroups: split(p.ListenACLGroups.Value)}
	if len(sp.ACLUsers) > 0 || len(sp.ACLGroups) > 0 {
		return sp
	}
	sp.Owner = p.ListenOwner.Value
	sp.Group = p.ListenGroup.Value
	if sp.Group == "" && sp.Owner != "" && strings.Trim(sp.Owner, "0123456789") != "" {
		sp.OwnerGroup = true
	}
	return sp
}

// ListenQueue returns the accept queue length the kernel gives the pool's
// socket for a host with the given net.core.somaxconn: php-fpm passes
// listen.backlog to listen(2) as is (8.2 default -1) and Linux clamps any
// value that is negative or above somaxconn, read as unsigned, to
// somaxconn.
func (p *Pool) ListenQueue(somaxconn int) int {
	b := p.ListenBacklog.Value
	if b < 0 || b > somaxconn {
		return somaxconn
	}
	return b
}
