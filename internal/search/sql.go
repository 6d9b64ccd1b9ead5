package search

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Where compiles q to a SQL boolean expression that can be ANDed with other
// conditions as it is. Placeholders are numbered from len(*args)+1 and the
// bound values appended to *args, so a caller may bind its own arguments
// first. A nil Query compiles to 1=1.
func (q *Query) Where(args *[]any) string {
	if q == nil || (q.members == nil && q.op == "") {
		return "1=1"
	}
	if q.members != nil {
		parts := make([]string, len(q.members))
		for i, m := range q.members {
			parts[i] = m.Where(args)
		}
		if len(parts) == 1 {
			return parts[0]
		}
		return "(" + strings.Join(parts, " "+q.op+" ") + ")"
	}
	c := compiler{args: args, f: q.field}
	return c.filter(q)
}

// compiler writes the SQL of one filter.
type compiler struct {
	args *[]any
	f    Field
}

// bind appends v to the arguments and returns its placeholder.
func (c compiler) bind(v any) string {
	*c.args = append(*c.args, v)
	return "$" + strconv.Itoa(len(*c.args))
}

// lower reports whether the filter compares strings case-insensitively.
func (c compiler) lower() bool { return c.f.Kind == String && !c.f.exact() }

// test applies a comparison such as "= $1" to the field: to its column or
// inside its EXISTS.
func (c compiler) test(cmp string) string {
	if c.f.Many != "" {
		return fmt.Sprintf(c.f.Many, cmp)
	}
	if c.lower() {
		return "LOWER(" + c.f.Column + ") " + cmp
	}
	return c.f.Column + " " + cmp
}

// not negates a test so that NULL counts as "does not match" and, on a Many
// field, no linked row may match.
func (c compiler) not(test string) string {
	if c.f.Many != "" {
		return "NOT (" + test + ")"
	}
	return "(" + c.f.Column + " IS NULL OR NOT (" + test + "))"
}

func (c compiler) filter(q *Query) string {
	if q.null {
		var some string // a value is present
		if c.f.Many != "" {
			some = fmt.Sprintf(c.f.Many, "IS NOT NULL")
		} else {
			some = c.f.Column + " IS NOT NULL"
		}
		switch {
		case q.op == "!=":
			return some
		case c.f.Many != "":
			return "NOT (" + some + ")"
		}
		return c.f.Column + " IS NULL"
	}

	switch q.op {
	case "=":
		return c.equal(q.values[0])
	case "!=":
		return c.not(c.equal(q.values[0]))
	case "IN":
		return c.in(q.values)
	case "NIN":
		return c.not(c.in(q.values))
	case "<", "<=", ">", ">=":
		if c.f.Day != nil {
			start, end := c.day(q.values[0])
			switch q.op {
			case "<":
				return c.test("< " + c.bind(start))
			case "<=":
				return c.test("< " + c.bind(end))
			case ">":
				return c.test(">= " + c.bind(end))
			}
			return c.test(">= " + c.bind(start))
		}
		return c.test(q.op + " " + c.bind(q.values[0]))
	case "~":
		return c.like("%", q.values[0], "%")
	case "!~":
		return c.not(c.like("%", q.values[0], "%"))
	case "^":
		return c.like("", q.values[0], "%")
	case "$":
		return c.like("%", q.values[0], "")
	}
	panic("search: unknown operator " + q.op) // Parse lets none through
}

func (c compiler) equal(v any) string {
	switch {
	case c.f.Words && c.f.Many == "":
		s, ok := v.(string)
		if !ok {
			s = fmt.Sprint(v)
		}
		return "(' ' || LOWER(" + wordSeparators(c.f.Column) + ") || ' ') LIKE LOWER(" +
			c.bind("% "+likeEscaper.Replace(s)+" %") + `) ESCAPE '\'`
	case c.f.Day != nil:
		start, end := c.day(v)
		return c.test("BETWEEN " + c.bind(start) + " AND " + c.bind(end-1))
	case c.lower():
		return c.test("= LOWER(" + c.bind(v) + ")")
	}
	return c.test("= " + c.bind(v))
}

func (c compiler) in(values []any) string {
	if c.f.Day != nil || c.f.Words {
		if len(values) == 1 {
			return c.equal(values[0])
		}
		parts := make([]string, len(values))
		for i, v := range values {
			parts[i] = c.equal(v)
		}
		return "(" + strings.Join(parts, " OR ") + ")"
	}
	ph := make([]string, len(values))
	for i, v := range values {
		ph[i] = c.bind(v)
		if c.lower() {
			ph[i] = "LOWER(" + ph[i] + ")"
		}
	}
	return c.test("IN (" + strings.Join(ph, ", ") + ")")
}

// like matches the value as a substring, prefix or suffix, case-insensitively.
func (c compiler) like(before string, v any, after string) string {
	s, ok := v.(string)
	if !ok {
		s = fmt.Sprint(v) // a Map that returned something else
	}
	cmp := `LIKE LOWER(` + c.bind(before+likeEscaper.Replace(s)+after) + `) ESCAPE '\'`
	if c.f.Many != "" {
		return c.test(cmp) // unreachable through Parse: Many fields take no pattern
	}
	return "LOWER(" + c.f.Column + ") " + cmp
}

// wordSeparators returns SQL that turns every separator of words in column into a space. It
// uses only REPLACE, which both databases have, and literal characters, not char() or chr().
func wordSeparators(column string) string {
	expr := column
	for _, sep := range []string{"\n", "\r", "\t", "<", ">", ".", ",", ";", ":", "!", "?", "(", ")", "\"", "/", "\\"} {
		expr = "REPLACE(" + expr + ", '" + sep + "', ' ')"
	}
	return expr
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// day returns the Unix seconds at which the calendar day holding v starts
// and at which the next day starts, in the field's location.
func (c compiler) day(v any) (start, end int64) {
	n, _ := v.(int64)
	t := time.Unix(n, 0).In(c.f.Day)
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, c.f.Day).Unix(), time.Date(y, m, d+1, 0, 0, 0, 0, c.f.Day).Unix()
}
