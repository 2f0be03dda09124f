package classify

import (
	"fmt"
	"io"
)

// WriteCheckTable writes the registry of config checks as a Markdown
// table (code, name, predicted cause, inputs, rule), for the README; like
// WriteCauseTable it is generated from the registry, never by hand.
func WriteCheckTable(w io.Writer) error {
	if _, err := io.WriteString(w, "| check | name | predicts | needs | rule |\n|---|---|---|---|---|\n"); err != nil {
		return err
	}
	for _, c := range checkRegistry {
		cause := "—"
		if c.Cause != "" {
			cause = "`" + string(c.Cause) + "`"
		}
		if _, err := fmt.Fprintf(w, "| `%s` | %s | %s | %s | %s |\n", c.Code, c.Name, cause, cell(c.Needs), cell(c.Doc)); err != nil {
			return err
		}
	}
	return nil
}
