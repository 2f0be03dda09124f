module github.com/badgateway/badgateway

go 1.26.0

require (
	github.com/google/go-cmp v0.7.0
	github.com/prometheus/procfs v0.23.0
	github.com/tufanbarisyildirim/gonginx v0.0.0-20260220081509-8e17ce617db3
	golang.org/x/tools v0.52.0
	gopkg.in/ini.v1 v1.67.3
)

require golang.org/x/sys v0.49.0 // indirect
