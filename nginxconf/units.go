package nginxconf

import (
	"errors"
	"math"
	"time"
)

// ErrBadValue is returned by the unit parsers for a value nginx rejects.
var ErrBadValue = errors.New("invalid value")

// ParseMsec parses a time the way nginx parses a millisecond directive
// (ngx_conf_set_msec_slot, ngx_parse_time with is_sec = 0, in
// src/core/ngx_parse.c): units w d h m s ms, largest first, each at most
// once, optionally separated by spaces ("1h 30m"); a bare number is
// seconds. "y" and "M" are not accepted here (nginx rejects them in
// milliseconds). Examples: "60s", "500ms", "1m30s", "75".
func ParseMsec(s string) (time.Duration, error) {
	ms, err := parseTime(s, false)
	if err != nil {
		return 0, err
	}
	if ms > math.MaxInt64/int64(time.Millisecond) {
		return 0, ErrBadValue
	}
	return time.Duration(ms) * time.Millisecond, nil
}

// ParseSec parses a time the way nginx parses a seconds directive
// (ngx_conf_set_sec_slot, ngx_parse_time with is_sec = 1): units y M w d h
// m s (y = 365 days, M = 30 days), no "ms"; a bare number is seconds.
func ParseSec(s string) (time.Duration, error) {
	sec, err := parseTime(s, true)
	if err != nil {
		return 0, err
	}
	if sec > math.MaxInt64/int64(time.Second) {
		return 0, ErrBadValue
	}
	return time.Duration(sec) * time.Second, nil
}

func parseTime(line string, isSec bool) (int64, error) {
	const (
		stStart = iota
		stYear
		stMonth
		stWeek
		stDay
		stHour
		stMin
		stSec
		stMsec
		stLast
	)
	const maxInt = math.MaxInt64
	var value, total, scale, max int64
	valid := false
	step := stStart
	if !isSec {
		step = stMonth
	}
	p := 0
	for p < len(line) {
		c := line[p]
		if c >= '0' && c <= '9' {
			if value >= maxInt/10 && (value > maxInt/10 || int64(c-'0') > maxInt%10) {
				return 0, ErrBadValue
			}
			value = value*10 + int64(c-'0')
			valid = true
			p++
			continue
		}
		p++
		switch c {
		case 'y':
			if step > stStart {
				return 0, ErrBadValue
			}
			step, max, scale = stYear, maxInt/(60*60*24*365), 60*60*24*365
		case 'M':
			if step >= stMonth {
				return 0, ErrBadValue
			}
			step, max, scale = stMonth, maxInt/(60*60*24*30), 60*60*24*30
		case 'w':
			if step >= stWeek {
				return 0, ErrBadValue
			}
			step, max, scale = stWeek, maxInt/(60*60*24*7), 60*60*24*7
		case 'd':
			if step >= stDay {
				return 0, ErrBadValue
			}
			step, max, scale = stDay, maxInt/(60*60*24), 60*60*24
		case 'h':
			if step >= stHour {
				return 0, ErrBadValue
			}
			step, max, scale = stHour, maxInt/(60*60), 60*60
		case 'm':
			if p < len(line) && line[p] == 's' {
				if isSec || step >= stMsec {
					return 0, ErrBadValue
				}
				p++
				step, max, scale = stMsec, maxInt, 1
				break
			}
			if step >= stMin {
				return 0, ErrBadValue
			}
			step, max, scale = stMin, maxInt/60, 60
		case 's':
			if step >= stSec {
				return 0, ErrBadValue
			}
			step, max, scale = stSec, maxInt, 1
		case ' ':
			if step >= stSec {
				return 0, ErrBadValue
			}
			step, max, scale = stLast, maxInt, 1
		default:
			return 0, ErrBadValue
		}
		if step != stMsec && !isSec {
			scale *= 1000
			max /= 1000
		}
		if value > max {
			return 0, ErrBadValue
		}
		value *= scale
		if total > maxInt-value {
			return 0, ErrBadValue
		}
		total += value
		value = 0
		for p < len(line) && line[p] == ' ' {
			p++
		}
	}
	if !valid {
		return 0, ErrBadValue
	}
	if !isSec {
		if value > maxInt/1000 {
			return 0, ErrBadValue
		}
		value *= 1000
	}
	if total > maxInt-value {
		return 0, ErrBadValue
	}
	return total + value, nil
}

// ParseSize parses a size in bytes the way nginx parses a size directive
// (ngx_conf_set_size_slot, ngx_parse_size): digits with an optional k/K
// (KiB) or m/M (MiB) suffix; no sign, no "g".
func ParseSize(s string) (int64, error) { return parseSize(s, false) }

// ParseOffset parses a size in bytes the way nginx parses an offset
// directive such as client_max_body_size (ngx_conf_set_off_slot,
// ngx_parse_offset): like ParseSize, plus g/G (GiB).
func ParseOffset(s string) (int64, error) { return parseSize(s, true) }

func parseSize(s string, allowG bool) (int64, error) {
	if s == "" {
		return 0, ErrBadValue
	}
	scale := int64(1)
	switch s[len(s)-1] {
	case 'k', 'K':
		scale = 1 << 10
		s = s[:len(s)-1]
	case 'm', 'M':
		scale = 1 << 20
		s = s[:len(s)-1]
	case 'g', 'G':
		if allowG {
			scale = 1 << 30
			s = s[:len(s)-1]
		}
	}
	if s == "" {
		return 0, ErrBadValue
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, ErrBadValue
		}
		if n > (math.MaxInt64-int64(c-'0'))/10 {
			return 0, ErrBadValue
		}
		n = n*10 + int64(c-'0')
	}
	if n > math.MaxInt64/scale {
		return 0, ErrBadValue
	}
	return n * scale, nil
}

// parseNumber parses a non-negative decimal integer like ngx_atoi.
func parseNumber(s string) (int, error) {
	if s == "" {
		return 0, ErrBadValue
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, ErrBadValue
		}
		if n > (math.MaxInt32-int(c-'0'))/10 {
			return 0, ErrBadValue
		}
		n = n*10 + int(c-'0')
	}
	return n, nil
}
