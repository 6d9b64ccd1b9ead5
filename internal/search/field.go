package search

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Kind is the data type of a searchable field. It decides which operators
// a field accepts by default and how a client's value is read.
type Kind int

const (
	// String values are JSON strings (numbers are taken as their text).
	String Kind = iota
	// Integer values are JSON integers or strings of digits.
	Integer
	// Date values are Unix seconds, as JSON integers or strings of digits;
	// the column holds Unix seconds too.
	Date
	// Boolean values are true/false or "true"/"false".
	Boolean
	// ID is a numeric id sent as a string or a number, e.g. "123" or 123,
	// since Intercom's object ids are strings of digits.
	ID
)

func (k Kind) String() string {
	switch k {
	case String:
		return "string"
	case Integer:
		return "integer"
	case Date:
		return "date"
	case Boolean:
		return "boolean"
	case ID:
		return "id"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Operators of the query language, in the order Intercom lists them.
var operators = []string{"=", "!=", "IN", "NIN", "<", "<=", ">", ">=", "~", "!~", "^", "$"}

// patternOps are the string matching operators, compiled to LIKE.
var patternOps = []string{"~", "!~", "^", "$"}

func defaultOperators(k Kind) []string {
	switch k {
	case String:
		return []string{"=", "!=", "IN", "NIN", "~", "!~", "^", "$"}
	case Integer, Date:
		// Intercom's contact search refuses != IN NIN <= >= on dates, but
		// conversation search is commonly used with all of them; a contact
		// field narrows this with Field.Operators.
		return []string{"=", "!=", "IN", "NIN", "<", "<=", ">", ">="}
	}
	return []string{"=", "!=", "IN", "NIN"}
}

// Field is one searchable field of an entity. Column and Many come from our
// code and are pasted into SQL as they are; client values never are.
type Field struct {
	Kind Kind
	// Column is the SQL expression compared, e.g. "c.state" or
	// "c.source_body".
	Column string
	// Many, when set, makes the filter an EXISTS test over a many-to-many
	// table instead of a column comparison: a format string with one %s
	// where the comparison goes, e.g.
	// "EXISTS (SELECT 1 FROM conversation_contacts x WHERE x.conversation_id = c.id AND x.contact_id %s)".
	// The negative operators (!=, NIN) compile to NOT (that), i.e. "no linked
	// row matches". Values are compared exactly (no LOWER), and the string
	// matching operators are not available.
	Many string
	// Values, when set, restricts accepted values (e.g. state: open, closed,
	// snoozed); they are matched case-insensitively and bound in the
	// spelling given here. A value outside is an error. Unless Operators
	// says otherwise, such a field accepts = != IN NIN only.
	Values []string
	// Operators, when set, overrides the default operators for the Kind.
	Operators []string
	// Map, when set, converts the client's value before binding, e.g. a
	// category name to its stored value. It receives the value as read for
	// the Kind (string, int64 or bool; never nil) and returns what to bind;
	// the text of its error is shown to the client.
	Map func(value any) (any, error)
	// Day, when set on a Date field, matches dates by calendar day in this
	// location, as Intercom's contact search does: = matches the whole
	// day, > starts at the next day, < ends before the day (and <= ends
	// with the day, >= starts with it).
	Day *time.Location
	// Words makes = and != (and IN, NIN) on a String field match one word of the text rather
	// than the whole of it, as Intercom's source.body does: "support" matches "I need support!".
	// Words are what lies between spaces, line breaks, HTML tag brackets and punctuation.
	Words bool
}

// operators returns what the field accepts.
func (f Field) operators() []string {
	ops := f.Operators
	if ops == nil {
		ops = defaultOperators(f.Kind)
		if len(f.Values) > 0 {
			ops = []string{"=", "!=", "IN", "NIN"}
		}
	}
	if f.Many != "" {
		ops = slices.DeleteFunc(slices.Clone(ops), func(op string) bool {
			return slices.Contains(patternOps, op)
		})
	}
	return ops
}

// exact reports whether string values are compared as they are bound
// rather than case-insensitively.
func (f Field) exact() bool {
	return len(f.Values) > 0 || f.Map != nil || f.Many != ""
}

// Fields maps the API name of each searchable field of an entity, e.g.
// "source.body", "contact_ids" or "open", to how it is searched.
type Fields map[string]Field

// Validate reports mistakes in the field definitions themselves, which are
// programming errors and not the client's: call it from a test.
func (fs Fields) Validate() error {
	for name, f := range fs {
		if err := f.validate(); err != nil {
			return fmt.Errorf("search: field %q: %w", name, err)
		}
	}
	return nil
}

func (f Field) validate() error {
	if f.Kind < String || f.Kind > ID {
		return fmt.Errorf("unknown kind %d", int(f.Kind))
	}
	switch {
	case f.Column == "" && f.Many == "":
		return fmt.Errorf("neither Column nor Many is set")
	case f.Column != "" && f.Many != "":
		return fmt.Errorf("both Column and Many are set")
	case f.Many != "" && (strings.Count(f.Many, "%") != 1 || !strings.Contains(f.Many, "%s")):
		return fmt.Errorf("Many must hold exactly one %%s and no other %%")
	case f.Day != nil && f.Kind != Date:
		return fmt.Errorf("Day is set on a %s field", f.Kind)
	}
	for _, op := range f.Operators {
		if !slices.Contains(operators, op) {
			return fmt.Errorf("unknown operator %q", op)
		}
		if f.Kind != String && slices.Contains(patternOps, op) {
			return fmt.Errorf("operator %q needs a string field", op)
		}
		if f.Many != "" && slices.Contains(patternOps, op) {
			return fmt.Errorf("operator %q is not available on a Many field", op)
		}
		if (f.Kind == String || f.Kind == Boolean) && strings.ContainsAny(op, "<>") {
			return fmt.Errorf("operator %q needs a numeric or date field", op)
		}
	}
	return nil
}
