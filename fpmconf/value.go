package fpmconf

import (
	"strconv"
	"strings"
	"time"
)

// phpConstants are the constants PHP 8.2 has registered when php-fpm reads
// its configuration (core constants only; extension constants are not
// known here and stay literal text, which is what PHP does for an unknown
// name). zend_get_constant is case-sensitive in PHP 8.
var phpConstants = map[string]string{
	"E_ERROR":             "1",
	"E_WARNING":           "2",
	"E_PARSE":             "4",
	"E_NOTICE":            "8",
	"E_CORE_ERROR":        "16",
	"E_CORE_WARNING":      "32",
	"E_COMPILE_ERROR":     "64",
	"E_COMPILE_WARNING":   "128",
	"E_USER_ERROR":        "256",
	"E_USER_WARNING":      "512",
	"E_USER_NOTICE":       "1024",
	"E_STRICT":            "2048",
	"E_RECOVERABLE_ERROR": "4096",
	"E_DEPRECATED":        "8192",
	"E_USER_DEPRECATED":   "16384",
	"E_ALL":               "32767",
	"PHP_INT_MAX":         "9223372036854775807",
	"PHP_INT_MIN":         "-9223372036854775808",
	"PHP_INT_SIZE":        "8",
	"PHP_MAJOR_VERSION":   "8",
	"PHP_MINOR_VERSION":   "2",
	"PHP_OS":              "Linux",
	"PHP_OS_FAMILY":       "Linux",
	"PHP_EOL":             "\n",
	"DIRECTORY_SEPARATOR": "/",
	"PATH_SEPARATOR":      ":",
	"PHP_MAXPATHLEN":      "4096",
	"PHP_DEBUG":           "0",
	"PHP_ZTS":             "0",
	"PHP_FLOAT_DIG":       "15",
}

func lookupConstant(name string) string {
	if v, ok := phpConstants[name]; ok {
		return v
	}
	return name
}

// The value parsers below follow sapi/fpm/fpm/fpm_conf.c of PHP 8.2
// (fpm_conf_set_integer, _time, _boolean, _rlimit_core, _pm,
// _log_level, _syslog_facility). They return php-fpm's own error text.

const (
	msgNotNumber      = "is not a valid number (greater or equal than zero)"
	msgBadTime        = "invalid time value"
	msgBadTimeSuffix  = "unknown suffix used in time value"
	msgBadBool        = "invalid boolean value"
	msgBadRlimitCore  = "must be greater than zero or 'unlimited'"
	msgBadPM          = "invalid process manager (static, dynamic or ondemand)"
	msgBadLogLevel    = "invalid value for 'log_level'"
	msgBadFacility    = "invalid value"
	msgPoolUndefined  = "Can't use '$pool' when the pool is not defined"
	msgNullValue      = "value is NULL for a ZEND_INI_PARSER_ENTRY"
	msgArrayInGlobal  = "Array are not allowed in the global section"
	msgEmptyEnvValue  = "empty value"
	msgTwoIncludes    = "two includes at the same time !"
	msgSuppressKey    = "Keys provided to field 'access.suppress_path' are ignored"
	msgSuppressValue  = "Values provided to field 'access.suppress_path' must begin with '/'"
	defaultAccessFmt  = `%R - %u %t "%m %r" %s`
	defaultLimitExts  = ".php .phar"
	defaultPingResp   = "pong"
	backlogDefault    = -1 // FPM_BACKLOG_DEFAULT on Linux in PHP 8.2
	priorityUnset     = 64
	defaultTraceDepth = 20
)

// parseInteger is fpm_conf_set_integer: an optional leading '-', then
// digits only (the empty string is 0), converted with C's atoi.
func parseInteger(v string) (int, string) {
	for i := 0; i < len(v); i++ {
		if i == 0 && v[i] == '-' {
			continue
		}
		if !isDigit(v[i]) {
			return 0, msgNotNumber
		}
	}
	return int(cAtoi32(v)), ""
}

// parseTime is fpm_conf_set_time: one trailing unit letter s, m, h or d
// (none = seconds), the rest read with atoi: "1m30s" is 1 second, as in
// php-fpm. The result is in seconds, computed in a C int.
func parseTime(v string) (int, string) {
	if v == "" {
		return 0, msgBadTime
	}
	mul := int32(1)
	num := v
	switch v[len(v)-1] {
	case 'm':
		mul, num = 60, v[:len(v)-1]
	case 'h':
		mul, num = 3600, v[:len(v)-1]
	case 'd':
		mul, num = 86400, v[:len(v)-1]
	case 's':
		num = v[:len(v)-1]
	default:
		if !isDigit(v[len(v)-1]) {
			return 0, msgBadTimeSuffix
		}
	}
	return int(mul * cAtoi32(num)), ""
}

// parseBool is php-fpm 8.2's boolean: "1", "on", "yes", "true" are true;
// "", "0", "off", "no", "false" are false (after INI processing, which has
// already turned unquoted yes/on/true into "1" and no/off/false/none into
// ""). Anything else is an error.
func parseBool(v string) (bool, string) {
	switch v {
	case "1", "on", "yes", "true":
		return true, ""
	case "", "0", "off", "no", "false":
		return false, ""
	}
	return false, msgBadBool
}

func parseRlimitCore(v string) (int, string) {
	if strings.EqualFold(v, "unlimited") {
		return -1, ""
	}
	n, msg := parseInteger(v)
	if msg != "" {
		return 0, msg
	}
	if n < 0 {
		return 0, msgBadRlimitCore
	}
	return n, ""
}

func parsePM(v string) (PM, string) {
	switch strings.ToLower(v) {
	case "static":
		return PMStatic, ""
	case "dynamic":
		return PMDynamic, ""
	case "ondemand":
		return PMOndemand, ""
	}
	return PMUnset, msgBadPM
}

func parseLogLevel(v string) (LogLevel, string) {
	switch strings.ToLower(v) {
	case "debug":
		return LogDebug, ""
	case "notice":
		return LogNotice, ""
	case "warning", "warn":
		return LogWarning, ""
	case "error":
		return LogError, ""
	case "alert":
		return LogAlert, ""
	}
	return 0, msgBadLogLevel
}

// syslog facilities as glibc's <syslog.h> numbers them.
var facilities = map[string]int{
	"AUTH": 4 << 3, "AUTHPRIV": 10 << 3, "CRON": 9 << 3, "DAEMON": 3 << 3, "FTP": 11 << 3,
	"KERN": 0, "LPR": 6 << 3, "MAIL": 2 << 3, "NEWS": 7 << 3, "SYSLOG": 5 << 3, "USER": 1 << 3,
	"UUCP": 8 << 3, "LOCAL0": 16 << 3, "LOCAL1": 17 << 3, "LOCAL2": 18 << 3, "LOCAL3": 19 << 3,
	"LOCAL4": 20 << 3, "LOCAL5": 21 << 3, "LOCAL6": 22 << 3, "LOCAL7": 23 << 3,
}

func parseFacility(v string) (int, string) {
	if n, ok := facilities[strings.ToUpper(v)]; ok {
		return n, ""
	}
	return 0, msgBadFacility
}

func seconds(n int) time.Duration { return time.Duration(n) * time.Second }

// ParseSize reads a php.ini size the way PHP 8.2's zend_ini_parse_quantity
// does for the common forms: an integer (decimal, or 0x/0o/0b prefixed)
// optionally followed by K, M or G (either case), as bytes. "-1" is
// returned as -1 (PHP's "no limit" for memory_limit). ok is false for
// text PHP would warn about; n is then what PHP would use anyway (the
// leading number).
func ParseSize(s string) (n int64, ok bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, true
	}
	mul := int64(1)
	switch s[len(s)-1] {
	case 'k', 'K':
		mul, s = 1<<10, s[:len(s)-1]
	case 'm', 'M':
		mul, s = 1<<20, s[:len(s)-1]
	case 'g', 'G':
		mul, s = 1<<30, s[:len(s)-1]
	}
	s = strings.TrimSpace(s)
	v, err := strconv.ParseInt(s, 0, 64)
	if err != nil {
		return cStrtol(s) * mul, false
	}
	return v * mul, true
}
