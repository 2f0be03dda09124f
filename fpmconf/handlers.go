package fpmconf

import (
	"time"

	"github.com/badgateway/badgateway"
)

// handler sets one key. str marks fpm_conf_set_string keys, whose values
// get $pool expanded.
type handler struct {
	str bool
	set func(l *loader, v string, pos badgateway.Pos) string
}

func strH(f func(l *loader) *Setting[string]) handler {
	return handler{str: true, set: func(l *loader, v string, pos badgateway.Pos) string {
		*f(l) = Setting[string]{Value: v, Raw: v, Pos: pos}
		return ""
	}}
}

func intH(f func(l *loader) *Setting[int]) handler {
	return handler{set: func(l *loader, v string, pos badgateway.Pos) string {
		n, msg := parseInteger(v)
		if msg != "" {
			return msg
		}
		*f(l) = Setting[int]{Value: n, Raw: v, Pos: pos}
		return ""
	}}
}

func timeH(f func(l *loader) *Setting[time.Duration]) handler {
	return handler{set: func(l *loader, v string, pos badgateway.Pos) string {
		n, msg := parseTime(v)
		if msg != "" {
			return msg
		}
		*f(l) = Setting[time.Duration]{Value: seconds(n), Raw: v, Pos: pos}
		return ""
	}}
}

func boolH(f func(l *loader) *Setting[bool]) handler {
	return handler{set: func(l *loader, v string, pos badgateway.Pos) string {
		b, msg := parseBool(v)
		if msg != "" {
			return msg
		}
		*f(l) = Setting[bool]{Value: b, Raw: v, Pos: pos}
		return ""
	}}
}

func rlimitCoreH(f func(l *loader) *Setting[int]) handler {
	return handler{set: func(l *loader, v string, pos badgateway.Pos) string {
		n, msg := parseRlimitCore(v)
		if msg != "" {
			return msg
		}
		*f(l) = Setting[int]{Value: n, Raw: v, Pos: pos}
		return ""
	}}
}

func g(l *loader) *Global { return &l.cfg.Global }

// globalHandlers is ini_fpm_global_options of PHP 8.2 (Debian build:
// syslog and systemd support compiled in).
var globalHandlers = map[string]handler{
	"pid":          strH(func(l *loader) *Setting[string] { return &g(l).Pid }),
	"error_log":    strH(func(l *loader) *Setting[string] { return &g(l).ErrorLog }),
	"syslog.ident": strH(func(l *loader) *Setting[string] { return &g(l).SyslogIdent }),
	"syslog.facility": {set: func(l *loader, v string, pos badgateway.Pos) string {
		n, msg := parseFacility(v)
		if msg != "" {
			return msg
		}
		g(l).SyslogFacility = Setting[int]{Value: n, Raw: v, Pos: pos}
		return ""
	}},
	"log_buffering": boolH(func(l *loader) *Setting[bool] { return &g(l).LogBuffering }),
	"log_level": {set: func(l *loader, v string, pos badgateway.Pos) string {
		lv, msg := parseLogLevel(v)
		if msg != "" {
			return msg
		}
		g(l).LogLevel = Setting[LogLevel]{Value: lv, Raw: v, Pos: pos}
		return ""
	}},
	"log_limit":                   intH(func(l *loader) *Setting[int] { return &g(l).LogLimit }),
	"emergency_restart_threshold": intH(func(l *loader) *Setting[int] { return &g(l).EmergencyRestartThreshold }),
	"emergency_restart_interval":  timeH(func(l *loader) *Setting[time.Duration] { return &g(l).EmergencyRestartInterval }),
	"process_control_timeout":     timeH(func(l *loader) *Setting[time.Duration] { return &g(l).ProcessControlTimeout }),
	"process.max":                 intH(func(l *loader) *Setting[int] { return &g(l).ProcessMax }),
	"process.priority":            intH(func(l *loader) *Setting[int] { return &g(l).ProcessPriority }),
	"daemonize":                   boolH(func(l *loader) *Setting[bool] { return &g(l).Daemonize }),
	"rlimit_files":                intH(func(l *loader) *Setting[int] { return &g(l).RlimitFiles }),
	"rlimit_core":                 rlimitCoreH(func(l *loader) *Setting[int] { return &g(l).RlimitCore }),
	"events.mechanism":            strH(func(l *loader) *Setting[string] { return &g(l).EventsMechanism }),
	"systemd_interval":            timeH(func(l *loader) *Setting[time.Duration] { return &g(l).SystemdInterval }),
}

func cp(l *loader) *Pool { return l.cur }

// poolHandlers is ini_fpm_pool_options of PHP 8.2 (Debian build: ACL and
// AppArmor support compiled in, no SO_SETFIB).
var poolHandlers = map[string]handler{
	"prefix":                 strH(func(l *loader) *Setting[string] { return &cp(l).Prefix }),
	"user":                   strH(func(l *loader) *Setting[string] { return &cp(l).User }),
	"group":                  strH(func(l *loader) *Setting[string] { return &cp(l).Group }),
	"listen":                 {str: true, set: setListen},
	"listen.backlog":         intH(func(l *loader) *Setting[int] { return &cp(l).ListenBacklog }),
	"listen.acl_users":       strH(func(l *loader) *Setting[string] { return &cp(l).ListenACLUsers }),
	"listen.acl_groups":      strH(func(l *loader) *Setting[string] { return &cp(l).ListenACLGroups }),
	"listen.owner":           strH(func(l *loader) *Setting[string] { return &cp(l).ListenOwner }),
	"listen.group":           strH(func(l *loader) *Setting[string] { return &cp(l).ListenGroup }),
	"listen.mode":            strH(func(l *loader) *Setting[string] { return &cp(l).ListenMode }),
	"listen.allowed_clients": strH(func(l *loader) *Setting[string] { return &cp(l).ListenAllowedClients }),
	"process.priority":       intH(func(l *loader) *Setting[int] { return &cp(l).ProcessPriority }),
	"process.dumpable":       boolH(func(l *loader) *Setting[bool] { return &cp(l).ProcessDumpable }),
	"pm": {set: func(l *loader, v string, pos badgateway.Pos) string {
		pm, msg := parsePM(v)
		if msg != "" {
			return msg
		}
		cp(l).PM = Setting[PM]{Value: pm, Raw: v, Pos: pos}
		return ""
	}},
	"pm.max_children":                          intH(func(l *loader) *Setting[int] { return &cp(l).PMMaxChildren }),
	"pm.start_servers":                         intH(func(l *loader) *Setting[int] { return &cp(l).PMStartServers }),
	"pm.min_spare_servers":                     intH(func(l *loader) *Setting[int] { return &cp(l).PMMinSpareServers }),
	"pm.max_spare_servers":                     intH(func(l *loader) *Setting[int] { return &cp(l).PMMaxSpareServers }),
	"pm.max_spawn_rate":                        intH(func(l *loader) *Setting[int] { return &cp(l).PMMaxSpawnRate }),
	"pm.process_idle_timeout":                  timeH(func(l *loader) *Setting[time.Duration] { return &cp(l).PMProcessIdleTimeout }),
	"pm.max_requests":                          intH(func(l *loader) *Setting[int] { return &cp(l).PMMaxRequests }),
	"pm.status_path":                           strH(func(l *loader) *Setting[string] { return &cp(l).PMStatusPath }),
	"pm.status_listen":                         strH(func(l *loader) *Setting[string] { return &cp(l).PMStatusListen }),
	"ping.path":                                strH(func(l *loader) *Setting[string] { return &cp(l).PingPath }),
	"ping.response":                            strH(func(l *loader) *Setting[string] { return &cp(l).PingResponse }),
	"access.log":                               strH(func(l *loader) *Setting[string] { return &cp(l).AccessLog }),
	"access.format":                            strH(func(l *loader) *Setting[string] { return &cp(l).AccessFormat }),
	"slowlog":                                  strH(func(l *loader) *Setting[string] { return &cp(l).Slowlog }),
	"request_slowlog_timeout":                  timeH(func(l *loader) *Setting[time.Duration] { return &cp(l).RequestSlowlogTimeout }),
	"request_slowlog_trace_depth":              intH(func(l *loader) *Setting[int] { return &cp(l).RequestSlowlogTraceDepth }),
	"request_terminate_timeout":                timeH(func(l *loader) *Setting[time.Duration] { return &cp(l).RequestTerminateTimeout }),
	"request_terminate_timeout_track_finished": boolH(func(l *loader) *Setting[bool] { return &cp(l).RequestTerminateTimeoutTrackFinished }),
	"rlimit_files":                             intH(func(l *loader) *Setting[int] { return &cp(l).RlimitFiles }),
	"rlimit_core":                              rlimitCoreH(func(l *loader) *Setting[int] { return &cp(l).RlimitCore }),
	"chroot":                                   strH(func(l *loader) *Setting[string] { return &cp(l).Chroot }),
	"chdir":                                    strH(func(l *loader) *Setting[string] { return &cp(l).Chdir }),
	"catch_workers_output":                     boolH(func(l *loader) *Setting[bool] { return &cp(l).CatchWorkersOutput }),
	"decorate_workers_output":                  boolH(func(l *loader) *Setting[bool] { return &cp(l).DecorateWorkersOutput }),
	"clear_env":                                boolH(func(l *loader) *Setting[bool] { return &cp(l).ClearEnv }),
	"security.limit_extensions":                strH(func(l *loader) *Setting[string] { return &cp(l).SecurityLimitExtensions }),
	"apparmor_hat":                             strH(func(l *loader) *Setting[string] { return &cp(l).ApparmorHat }),
}

func setListen(l *loader, v string, pos badgateway.Pos) string {
	cp(l).Listen = Setting[Listen]{Value: Listen{Address: v}, Raw: v, Pos: pos}
	return ""
}

func initGlobal(gl *Global) {
	gl.LogBuffering.Value = true
	gl.LogLimit.Value = 1024
	gl.ProcessPriority.Value = priorityUnset
	gl.Daemonize.Value = true
	gl.SyslogFacility.Value = -1
	gl.SystemdInterval.Value = -1
}

func newPool(name string, pos badgateway.Pos) *Pool {
	p := &Pool{Name: name, NamePos: pos}
	p.ListenBacklog.Value = backlogDefault
	p.PMMaxSpawnRate.Value = 32
	p.PMProcessIdleTimeout.Value = 10 * time.Second
	p.ProcessPriority.Value = priorityUnset
	p.ClearEnv.Value = true
	p.DecorateWorkersOutput.Value = true
	return p
}
