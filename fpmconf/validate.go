package fpmconf

import (
	"strings"
	"time"

	"github.com/badgateway/badgateway"
)

// phpIniToExpand is FPM_PHP_INI_TO_EXPAND (sapi/fpm/fpm/fpm_php.h): the
// php_value/php_admin_value keys whose relative paths php-fpm resolves
// against the prefix.
var phpIniToExpand = []string{
	"error_log", "extension_dir", "mime_magic.magicfile", "sendmail_path",
	"session.cookie_path", "session_pgsql.sem_file_name", "soap.wsdl_cache_dir",
	"uploadprogress.file.filename_template", "xdebug.output_dir",
	"xdebug.profiler_output_dir", "xdebug.trace_output_dir", "xmms.path",
	"axis2.client_home", "blenc.key_file", "coin_acceptor.device",
}

func isPathChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '/' || c == '-' || c == '_' || c == '.' || c == '~'
}

// orPos returns the setting's position, or the pool header's when the
// setting was not written (php-fpm reports these per pool).
func orPos(p badgateway.Pos, pool *Pool) badgateway.Pos {
	if p.IsValid() {
		return p
	}
	return pool.NamePos
}

// postProcess is fpm_conf_post_process + fpm_conf_process_all_pools +
// fpm_unix_test_config of PHP 8.2, in php-fpm's order.
func (l *loader) postProcess() {
	gl := &l.cfg.Global
	top := badgateway.Pos{}
	if len(l.cfg.Files) > 0 {
		top = badgateway.Pos{File: l.cfg.Files[0].Path}
	}
	gpos := func(p badgateway.Pos) badgateway.Pos {
		if p.IsValid() {
			return p
		}
		return top
	}
	if gl.Pid.Value != "" {
		gl.Pid.Value = l.resolve(gl.Pid.Value, nil, phpLocalStateDir)
	}
	if gl.LogLevel.Value == 0 {
		gl.LogLevel.Value = LogNotice
	}
	if gl.LogLimit.Value < 512 {
		l.errorf(gpos(gl.LogLimit.Pos), ErrValidation, "log_limit must be greater than %d", 512)
	}
	if gl.ProcessMax.Value < 0 {
		l.errorf(gpos(gl.ProcessMax.Pos), ErrValidation, "process_max can't be negative")
	}
	if pr := gl.ProcessPriority.Value; pr != priorityUnset && (pr < -19 || pr > 20) {
		l.errorf(gpos(gl.ProcessPriority.Pos), ErrValidation, "process.priority must be included into [-19,20]")
	}
	if gl.ErrorLog.Value == "" && !gl.ErrorLog.IsSet() {
		gl.ErrorLog.Value = "log/php-fpm.log"
	}
	if gl.SystemdInterval.Value < 0 {
		gl.SystemdInterval.Value = 10 * time.Second
	}
	if gl.SyslogIdent.Value == "" && !gl.SyslogIdent.IsSet() {
		gl.SyslogIdent.Value = "php-fpm"
	}
	if gl.SyslogFacility.Value < 0 {
		gl.SyslogFacility.Value = 3 << 3 // LOG_DAEMON
	}
	if !strings.EqualFold(gl.ErrorLog.Value, "syslog") {
		gl.ErrorLog.Value = l.resolve(gl.ErrorLog.Value, nil, phpLocalStateDir)
		if !l.opts.SkipHostChecks && gl.ErrorLog.Value != "" {
			if err := hostFileDirErr(gl.ErrorLog.Value); err != nil {
				l.errorf(gpos(gl.ErrorLog.Pos), ErrHost, "failed to open error_log (%s): %s", gl.ErrorLog.Value, errnoText(err))
			}
		}
	}
	switch m := gl.EventsMechanism.Value; m {
	case "", "epoll", "poll", "select":
		if m == "" {
			gl.EventsMechanism.Value = "epoll"
		}
	default:
		l.errorf(gpos(gl.EventsMechanism.Pos), ErrValidation, "event mechanism '%s' is not available on this system", m)
	}

	if len(l.cfg.Pools) == 0 {
		l.errorf(top, ErrValidation, "No pool defined. at least one pool section must be specified in config file")
		return
	}
	type addr struct {
		pool string
		addr string
		pos  badgateway.Pos
	}
	var listens []addr
	var statusPools []addr
	for _, p := range l.cfg.Pools {
		l.processPool(p)
		if a := p.Listen.Value.Address; a != "" {
			listens = append(listens, addr{p.Name, a, p.Listen.Pos})
		}
		if p.PMStatusListen.Value != "" {
			statusPools = append(statusPools, addr{p.Name + "_status", p.PMStatusListen.Value, p.PMStatusListen.Pos})
		}
	}
	listens = append(listens, statusPools...)
	// ensure 2 pools do not use the same listening address
dup:
	for i, a := range listens {
		for j, b := range listens {
			if i != j && a.addr == b.addr {
				l.errorf(b.pos, ErrValidation, "[pool %s] unable to set listen address as it's already used in another pool '%s'", b.pool, a.pool)
				break dup
			}
		}
	}
	for _, p := range l.cfg.Pools {
		l.unixTestConfig(p)
	}
}

func (l *loader) processPool(p *Pool) {
	name := p.Name
	host := !l.opts.SkipHostChecks
	if p.Prefix.Value != "" {
		p.Prefix.Value = l.resolve(p.Prefix.Value, nil, "")
		if host && !hostDir(p.Prefix.Value) {
			l.errorf(orPos(p.Prefix.Pos, p), ErrHost, "[pool %s] the prefix '%s' does not exist or is not a directory", name, p.Prefix.Value)
		}
	}
	if p.User.Value == "" && !p.User.IsSet() && !l.opts.AllowRunAsRoot {
		l.alertf(p.NamePos, "[pool %s] user has not been defined", name)
	}
	if a := p.Listen.Value.Address; a != "" {
		lv := ParseListen(a)
		if lv.Network == "unix" && a[0] != '/' {
			lv = ParseListen(l.resolve(a, p, ""))
		}
		p.Listen.Value = lv
	} else {
		l.alertf(orPos(p.Listen.Pos, p), "[pool %s] no listen address have been defined!", name)
	}
	if pr := p.ProcessPriority.Value; pr != priorityUnset && (pr < -19 || pr > 20) {
		l.errorf(orPos(p.ProcessPriority.Pos, p), ErrValidation, "[pool %s] process.priority must be included into [-19,20]", name)
	}
	if p.PM.Value == PMUnset {
		l.alertf(orPos(p.PM.Pos, p), "[pool %s] the process manager is missing (static, dynamic or ondemand)", name)
	}
	if p.PMMaxChildren.Value < 1 {
		l.alertf(orPos(p.PMMaxChildren.Pos, p), "[pool %s] pm.max_children must be a positive value", name)
	}
	switch p.PM.Value {
	case PMDynamic:
		minS, maxS, maxC := p.PMMinSpareServers.Value, p.PMMaxSpareServers.Value, p.PMMaxChildren.Value
		switch {
		case minS <= 0:
			l.alertf(orPos(p.PMMinSpareServers.Pos, p), "[pool %s] pm.min_spare_servers(%d) must be a positive value", name, minS)
		case maxS <= 0:
			l.alertf(orPos(p.PMMaxSpareServers.Pos, p), "[pool %s] pm.max_spare_servers(%d) must be a positive value", name, maxS)
		case minS > maxC || maxS > maxC:
			at := p.PMMaxSpareServers.Pos
			if minS > maxC {
				at = p.PMMinSpareServers.Pos
			}
			l.alertf(orPos(at, p), "[pool %s] pm.min_spare_servers(%d) and pm.max_spare_servers(%d) cannot be greater than pm.max_children(%d)", name, minS, maxS, maxC)
		case maxS < minS:
			l.alertf(orPos(p.PMMaxSpareServers.Pos, p), "[pool %s] pm.max_spare_servers(%d) must not be less than pm.min_spare_servers(%d)", name, maxS, minS)
		default:
			if st := p.PMStartServers.Value; st <= 0 {
				p.PMStartServers.Value = minS + (maxS-minS)/2
				l.problem(orPos(p.PMStartServers.Pos, p), badgateway.SeverityInfo, ErrNotice, "NOTICE", "[pool %s] pm.start_servers is not set. It's been set to %d.", name, p.PMStartServers.Value)
			} else if st < minS || st > maxS {
				l.alertf(orPos(p.PMStartServers.Pos, p), "[pool %s] pm.start_servers(%d) must not be less than pm.min_spare_servers(%d) and not greater than pm.max_spare_servers(%d)", name, st, minS, maxS)
				break
			}
			if p.PMMaxSpawnRate.Value < 1 {
				l.alertf(orPos(p.PMMaxSpawnRate.Pos, p), "[pool %s] pm.max_spawn_rate must be a positive value", name)
			}
		}
	case PMOndemand:
		if secs := int(p.PMProcessIdleTimeout.Value / time.Second); secs < 1 {
			l.alertf(orPos(p.PMProcessIdleTimeout.Pos, p), "[pool %s] pm.process_idle_timeout(%ds) must be greater than 0s", name, secs)
		} else {
			if p.ListenBacklog.Value < backlogDefault {
				l.problem(orPos(p.ListenBacklog.Pos, p), badgateway.SeverityWarning, ErrNotice, "WARNING", "[pool %s] listen.backlog(%d) was too low for the ondemand process manager. I updated it for you to %d.", name, p.ListenBacklog.Value, backlogDefault)
				p.ListenBacklog.Value = backlogDefault
			}
			p.PMStartServers.Value = 0
			p.PMMinSpareServers.Value = 0
			p.PMMaxSpareServers.Value = 0
		}
	}
	if sp := p.PMStatusPath.Value; sp != "" {
		switch {
		case sp[0] != '/':
			l.errorf(orPos(p.PMStatusPath.Pos, p), ErrValidation, "[pool %s] the status path '%s' must start with a '/'", name, sp)
		case p.PMStatusListen.Value == "" && len(sp) < 2:
			l.errorf(orPos(p.PMStatusPath.Pos, p), ErrValidation, "[pool %s] the status path '%s' is not long enough", name, sp)
		default:
			for i := 0; i < len(sp); i++ {
				if !isPathChar(sp[i]) {
					l.errorf(orPos(p.PMStatusPath.Pos, p), ErrValidation, "[pool %s] the status path '%s' must contain only the following characters '[alphanum]/_-.~'", name, sp)
					break
				}
			}
		}
	} else if p.PMStatusListen.Value != "" && !p.PMStatusPath.IsSet() {
		p.PMStatusPath.Value = "/"
	}
	if pp := p.PingPath.Value; pp != "" {
		bad := true
		switch {
		case pp[0] != '/':
			l.errorf(orPos(p.PingPath.Pos, p), ErrValidation, "[pool %s] the ping path '%s' must start with a '/'", name, pp)
		case len(pp) < 2:
			l.errorf(orPos(p.PingPath.Pos, p), ErrValidation, "[pool %s] the ping path '%s' is not long enough", name, pp)
		default:
			bad = false
			for i := 0; i < len(pp); i++ {
				if !isPathChar(pp[i]) {
					l.errorf(orPos(p.PingPath.Pos, p), ErrValidation, "[pool %s] the ping path '%s' must contain only the following characters '[alphanum]/_-.~'", name, pp)
					bad = true
					break
				}
			}
		}
		if !bad {
			if !p.PingResponse.IsSet() {
				p.PingResponse.Value = defaultPingResp
			} else if p.PingResponse.Value == "" {
				l.errorf(orPos(p.PingResponse.Pos, p), ErrValidation, "[pool %s] the ping response page '%s' is not long enough", name, "")
			}
		}
	} else {
		p.PingResponse = Setting[string]{}
	}
	if p.AccessLog.Value != "" {
		p.AccessLog.Value = l.resolve(p.AccessLog.Value, p, "")
		if !p.AccessFormat.IsSet() {
			p.AccessFormat.Value = defaultAccessFmt
		}
	}
	if p.Slowlog.Value != "" {
		p.Slowlog.Value = l.resolve(p.Slowlog.Value, p, "")
	}
	if p.RequestSlowlogTimeout.Value != 0 {
		slow, term := int(p.RequestSlowlogTimeout.Value/time.Second), int(p.RequestTerminateTimeout.Value/time.Second)
		if p.Slowlog.Value == "" {
			l.errorf(orPos(p.RequestSlowlogTimeout.Pos, p), ErrValidation, "[pool %s] 'slowlog' must be specified for use with 'request_slowlog_timeout'", name)
		} else {
			if host {
				if err := hostFileDirErr(p.Slowlog.Value); err != nil {
					l.errorf(orPos(p.Slowlog.Pos, p), ErrHost, "Unable to create or open slowlog(%s): %s", p.Slowlog.Value, errnoText(err))
				}
			}
			if term != 0 && slow > term {
				l.errorf(orPos(p.RequestSlowlogTimeout.Pos, p), ErrValidation, "[pool %s] 'request_slowlog_timeout' (%d) can't be greater than 'request_terminate_timeout' (%d)", name, slow, term)
			}
		}
	}
	if d := p.RequestSlowlogTraceDepth.Value; d != 0 {
		if p.Slowlog.Value == "" {
			l.errorf(orPos(p.RequestSlowlogTraceDepth.Pos, p), ErrValidation, "[pool %s] 'slowlog' must be specified for use with 'request_slowlog_trace_depth'", name)
		} else if d <= 0 {
			l.errorf(orPos(p.RequestSlowlogTraceDepth.Pos, p), ErrValidation, "[pool %s] 'request_slowlog_trace_depth' (%d) must be a positive value", name, d)
		}
	} else {
		p.RequestSlowlogTraceDepth.Value = defaultTraceDepth
	}
	if p.Chroot.Value != "" {
		v := p.Chroot.Value
		if strings.HasPrefix(v, "$prefix") {
			v = strings.TrimPrefix(v, "$prefix")
			pfx := p.Prefix.Value
			if pfx == "" {
				pfx = l.prefix
			}
			if pfx == "" {
				pfx = phpPrefix
			}
			if v == "" {
				v = pfx
			} else {
				v = pfx + "/" + v
			}
		} else {
			v = l.resolve(v, p, "")
		}
		p.Chroot.Value = v
		if v[0] != '/' {
			l.errorf(orPos(p.Chroot.Pos, p), ErrValidation, "[pool %s] the chroot path '%s' must start with a '/'", name, v)
		} else if host && !hostDir(v) {
			l.errorf(orPos(p.Chroot.Pos, p), ErrHost, "[pool %s] the chroot path '%s' does not exist or is not a directory", name, v)
		}
	}
	if p.Chdir.Value != "" {
		v := l.resolve(p.Chdir.Value, p, "")
		p.Chdir.Value = v
		switch {
		case v[0] != '/':
			l.errorf(orPos(p.Chdir.Pos, p), ErrValidation, "[pool %s] the chdir path '%s' must start with a '/'", name, v)
		case !host:
		case p.Chroot.Value != "":
			buf := p.Chroot.Value + "/" + v
			if !hostDir(buf) {
				l.errorf(orPos(p.Chdir.Pos, p), ErrHost, "[pool %s] the chdir path '%s' within the chroot path '%s' ('%s') does not exist or is not a directory", name, v, p.Chroot.Value, buf)
			}
		case !hostDir(v):
			l.errorf(orPos(p.Chdir.Pos, p), ErrHost, "[pool %s] the chdir path '%s' does not exist or is not a directory", name, v)
		}
	}
	if !p.SecurityLimitExtensions.IsSet() {
		p.SecurityLimitExtensions.Value = defaultLimitExts
	}
	if p.Chroot.Value == "" {
		for i := range p.PHPValues {
			kv := &p.PHPValues[i]
			if kv.Admin && strings.EqualFold(kv.Name, "error_log") && strings.EqualFold(kv.Value, "syslog") {
				continue
			}
			for _, k := range phpIniToExpand {
				if strings.EqualFold(kv.Name, k) {
					kv.Value = l.resolve(kv.Value, p, "")
				}
			}
		}
	}
	if host && p.AccessLog.Value != "" {
		if err := hostFileDirErr(p.AccessLog.Value); err != nil {
			l.errorf(orPos(p.AccessLog.Pos, p), ErrHost, "failed to open access log (%s): %s", p.AccessLog.Value, errnoText(err))
		}
	}
}

// unixTestConfig is fpm_unix_test_config: the socket path length always,
// users and groups on this host unless SkipHostChecks.
func (l *loader) unixTestConfig(p *Pool) {
	host := !l.opts.SkipHostChecks
	isID := func(s string) bool { return strings.Trim(s, "0123456789") == "" }
	checkUser := func(s Setting[string]) bool {
		if !host || s.Value == "" || isID(s.Value) || l.userExists(s.Value) {
			return true
		}
		l.errorf(orPos(s.Pos, p), ErrHost, "[pool %s] cannot get uid for user '%s'", p.Name, s.Value)
		return false
	}
	checkGroup := func(s Setting[string]) bool {
		if !host || s.Value == "" || isID(s.Value) || l.groupExists(s.Value) {
			return true
		}
		l.errorf(orPos(s.Pos, p), ErrHost, "[pool %s] cannot get gid for group '%s'", p.Name, s.Value)
		return false
	}
	if !checkUser(p.User) || !checkGroup(p.Group) {
		return
	}
	if lv := p.Listen.Value; lv.Network == "unix" && len(lv.Path) >= sunPathMax {
		// php-fpm 8.2 -t accepts this (later versions reject it); bind(2)
		// fails at start-up.
		l.problem(orPos(p.Listen.Pos, p), badgateway.SeverityWarning, ErrValidation, "", "[pool %s] unix socket path '%s' is %d bytes; bind(2) accepts at most %d", p.Name, lv.Path, len(lv.Path), sunPathMax-1)
	}
	if !checkUser(p.ListenOwner) {
		return
	}
	checkGroup(p.ListenGroup)
}
