package inbound

import "strings"

// unflow joins the soft-broken lines of a format=flowed text (RFC 3676), as Apple Mail and
// Thunderbird send, into the paragraphs the customer typed: a line ending in a space continues
// on the next line of the same quote depth. Quote marks come out as ">" per level and a space.
func unflow(text string, delsp bool) string {
	type paragraph struct {
		depth int
		text  strings.Builder
		open  bool // the last line added was flowed
	}
	var out []*paragraph
	for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		depth := 0
		for depth < len(line) && line[depth] == '>' {
			depth++
		}
		content := strings.TrimPrefix(line[depth:], " ") // space-stuffing
		flowed := strings.HasSuffix(content, " ") && content != "-- "
		if flowed && delsp {
			content = content[:len(content)-1]
		}
		if n := len(out); n > 0 && out[n-1].open && out[n-1].depth == depth {
			out[n-1].text.WriteString(content)
			out[n-1].open = flowed
			continue
		}
		p := &paragraph{depth: depth, open: flowed}
		p.text.WriteString(content)
		out = append(out, p)
	}
	lines := make([]string, len(out))
	for i, p := range out {
		if p.depth > 0 {
			lines[i] = strings.Repeat(">", p.depth) + " " + p.text.String()
		} else {
			lines[i] = p.text.String()
		}
	}
	return strings.Join(lines, "\n")
}
