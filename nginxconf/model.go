package nginxconf

import "github.com/badgateway/badgateway"

// Config is the configuration nginx would run with, as far as it could
// be read: the statement tree and the typed model built from it.
type Config struct {
	// Path is the absolute path of the main file.
	Path string `json:"path"`
	// Prefix is the conf prefix relative paths were resolved against,
	// with a trailing slash.
	Prefix string `json:"prefix"`
	// Context is the context the main file was read in (Options.Context).
	Context string `json:"context"`
	// Files lists every distinct file read, in the order nginx first
	// reads them (the order of "nginx -T").
	Files []*File `json:"files"`
	// Root holds the top-level statements, includes expanded.
	Root []*Directive `json:"-"`
	// Problems found while loading, in the order they were found.
	Problems badgateway.Problems `json:"-"`
}

func buildModel(cfg *Config) badgateway.Problems { return nil }
