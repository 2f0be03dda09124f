package realserver

import (
	"testing"
)

func TestScenarios(t *testing.T) {
	for _, sc := range Scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			c := Run(t, sc)
			t.Logf("%s:\n%s\n%s", sc.Name, c.NginxErrorLog.Data, c.FPMLog.Data)
		})
	}
}
