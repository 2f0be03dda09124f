package classify

import (
	"fmt"
	"io"
	"strings"
)

// WriteCauseTable writes the cause registry as a Markdown table, one
// section per group, in registry order: code, status, title, and what
// shows it. The README's cause table is this output.
func WriteCauseTable(w io.Writer) error {
	group := ""
	for _, c := range registry {
		if c.Group != group {
			if group != "" {
				if _, err := io.WriteString(w, "\n"); err != nil {
					return err
				}
			}
			group = c.Group
			if _, err := fmt.Fprintf(w, "**%s**\n\n| code | status | cause | decisive evidence |\n|---|---|---|---|\n", group); err != nil {
				return err
			}
		}
		title := c.Title
		if c.Retired {
			title += " (retired)"
		}
		if _, err := fmt.Fprintf(w, "| `%s` | %s | %s | %s |\n", c.Code, c.Status, cell(title), cell(c.Evidence)); err != nil {
			return err
		}
	}
	return nil
}

// cell makes text safe inside a Markdown table cell.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}
