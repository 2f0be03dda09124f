package logparse

// AccessFormat is a compiled nginx log_format: the format text split into
// literal text and variables, ready to parse lines written with it.
// Compile once and parse many lines; an AccessFormat is immutable and safe
// for concurrent use.
type AccessFormat struct {
	name   string
	text   string
	escape AccessEscape
}

// FPMAccessFormat is a compiled php-fpm access.format
// (sapi/fpm/fpm/fpm_log.c). Compile once and parse many lines; an
// FPMAccessFormat is immutable and safe for concurrent use.
type FPMAccessFormat struct {
	text string
}
