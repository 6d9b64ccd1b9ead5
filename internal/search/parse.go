package search

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Limits on a query's shape. The first two are Intercom's documented ones.
const (
	// MaxDepth is how deep groups may be nested: a group holding groups
	// holding filters, as in (1 OR 2) AND (3 OR 4).
	MaxDepth = 2
	// MaxGroupSize is the most filters (or groups) one AND or OR group holds.
	MaxGroupSize = 15
	// MaxValues is the most values one IN or NIN filter takes. Intercom does
	// not document one; ours keeps the placeholders of the largest query
	// (15×15 filters) well under SQLite's and PostgreSQL's limits.
	MaxValues = 100
)

// Error names the offending part of the query for an Intercom error.list
// answer: Field is a path such as "query.value[1].operator" or
// "query.field", Message says what is wrong with it.
type Error struct {
	Field   string
	Message string
}

func (e *Error) Error() string { return e.Field + ": " + e.Message }

func errorf(path, format string, args ...any) *Error {
	return &Error{Field: path, Message: fmt.Sprintf(format, args...)}
}

// Query is a parsed query: an AND or OR group of queries, or one filter.
// Build one with Parse; the zero value and nil match everything.
type Query struct {
	op      string   // AND or OR for a group, the filter's operator otherwise
	members []*Query // a group's members; nil for a filter
	field   Field    // the filter's field
	values  []any    // the filter's bound values: one, or the list of IN and NIN
	null    bool     // the filter's value is null
}

// Parse reads the JSON value of a search request's "query" member and checks
// it against the searchable fields. Its errors are *Error.
func Parse(raw json.RawMessage, fields Fields) (*Query, error) {
	return parse(raw, fields, "query", 0)
}

// parse reads the node at path, which sits inside depth groups.
func parse(raw json.RawMessage, fields Fields, path string, depth int) (*Query, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, errorf(path, "is required")
	}
	var obj map[string]json.RawMessage
	if raw[0] != '{' || json.Unmarshal(raw, &obj) != nil {
		return nil, errorf(path, "must be an object: a filter with field, operator and value, or a group with operator AND or OR and a value list")
	}

	opRaw, ok := obj["operator"]
	if !ok {
		return nil, errorf(path+".operator", "is required")
	}
	var op string
	if json.Unmarshal(opRaw, &op) != nil {
		return nil, errorf(path+".operator", "must be a string")
	}
	switch strings.ToUpper(op) {
	case "AND", "OR", "IN", "NIN":
		op = strings.ToUpper(op)
	}

	_, hasField := obj["field"]
	if (op == "AND" || op == "OR") && !hasField {
		return parseGroup(obj, op, fields, path, depth)
	}
	if !hasField {
		if slices.Contains(operators, op) {
			return nil, errorf(path+".field", "is required")
		}
		return nil, errorf(path+".operator", "must be AND or OR for a group, or one of %s for a filter", strings.Join(operators, " "))
	}
	return parseFilter(obj, op, fields, path)
}

func parseGroup(obj map[string]json.RawMessage, op string, fields Fields, path string, depth int) (*Query, error) {
	if depth >= MaxDepth {
		return nil, errorf(path, "groups can be nested at most %d deep", MaxDepth)
	}
	raw, ok := obj["value"]
	if !ok {
		return nil, errorf(path+".value", "is required")
	}
	var members []json.RawMessage
	if raw = bytes.TrimSpace(raw); len(raw) == 0 || raw[0] != '[' || json.Unmarshal(raw, &members) != nil {
		return nil, errorf(path+".value", "must be a list of filters or groups for operator %s", op)
	}
	switch {
	case len(members) == 0:
		return nil, errorf(path+".value", "must hold at least one filter")
	case len(members) > MaxGroupSize:
		return nil, errorf(path+".value", "holds %d filters; a group may hold at most %d", len(members), MaxGroupSize)
	}
	q := &Query{op: op, members: make([]*Query, len(members))}
	for i, m := range members {
		var err error
		q.members[i], err = parse(m, fields, fmt.Sprintf("%s.value[%d]", path, i), depth+1)
		if err != nil {
			return nil, err
		}
	}
	return q, nil
}

func parseFilter(obj map[string]json.RawMessage, op string, fields Fields, path string) (*Query, error) {
	var name string
	if json.Unmarshal(obj["field"], &name) != nil || name == "" {
		return nil, errorf(path+".field", "must be the name of a field")
	}
	f, ok := fields[name]
	if !ok {
		return nil, errorf(path+".field", "%q is not a searchable field", name)
	}
	allowed := f.operators()
	switch {
	case op == "AND" || op == "OR":
		return nil, errorf(path+".operator", "%s combines filters in a group and takes no field; use one of %s for field %q", op, strings.Join(allowed, " "), name)
	case !slices.Contains(operators, op):
		return nil, errorf(path+".operator", "%q is not an operator; field %q accepts %s", op, name, strings.Join(allowed, " "))
	case !slices.Contains(allowed, op):
		return nil, errorf(path+".operator", "%q is not allowed for %s field %q; it accepts %s", op, f.Kind, name, strings.Join(allowed, " "))
	}

	q := &Query{op: op, field: f}
	path += ".value"
	raw, ok := obj["value"]
	if !ok {
		return nil, errorf(path, "is required")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, errorf(path, "is not valid JSON")
	}

	list, isList := v.([]any)
	switch {
	case v == nil:
		if op != "=" && op != "!=" {
			return nil, errorf(path, "null is only allowed with = and !=")
		}
		q.null = true
		return q, nil
	case op == "IN" || op == "NIN":
		if !isList {
			return nil, errorf(path, "must be a list for operator %s", op)
		}
		if len(list) == 0 {
			return nil, errorf(path, "must hold at least one value for operator %s", op)
		}
		if len(list) > MaxValues {
			return nil, errorf(path, "holds %d values; at most %d are allowed", len(list), MaxValues)
		}
	case isList:
		return nil, errorf(path, "must be a single value for operator %s; use IN or NIN for a list", op)
	default:
		list = []any{v}
	}
	for i, v := range list {
		p := path
		if isList {
			p = fmt.Sprintf("%s[%d]", path, i)
		}
		bound, err := f.read(v, p)
		if e, ok := err.(*Error); ok {
			e.Message = fmt.Sprintf("%s (field %q)", e.Message, name)
		}
		if err != nil {
			return nil, err
		}
		q.values = append(q.values, bound)
	}
	return q, nil
}

// read checks a client's value against the field and returns what to bind.
func (f Field) read(v any, path string) (any, error) {
	var val any
	switch f.Kind {
	case String:
		switch v := v.(type) {
		case string:
			val = v
		case json.Number:
			val = v.String()
		default:
			return nil, errorf(path, "must be a string")
		}
	case Integer, Date, ID:
		n, ok := readInt(v)
		if !ok {
			switch f.Kind {
			case Date:
				return nil, errorf(path, "must be a date as Unix seconds")
			case ID:
				return nil, errorf(path, "must be an id (a number or a string of digits)")
			}
			return nil, errorf(path, "must be an integer")
		}
		val = n
	case Boolean:
		switch v := v.(type) {
		case bool:
			val = v
		case string:
			switch strings.ToLower(v) {
			case "true":
				val = true
			case "false":
				val = false
			default:
				return nil, errorf(path, "must be true or false")
			}
		default:
			return nil, errorf(path, "must be true or false")
		}
	default:
		return nil, errorf(path, "field has an unknown kind")
	}

	if len(f.Values) > 0 {
		text := fmt.Sprint(val)
		i := slices.IndexFunc(f.Values, func(s string) bool { return strings.EqualFold(s, text) })
		if i < 0 {
			return nil, errorf(path, "must be one of %s", strings.Join(f.Values, ", "))
		}
		if f.Kind == String {
			val = f.Values[i]
		}
	}
	if f.Map != nil {
		mapped, err := f.Map(val)
		if err != nil {
			return nil, errorf(path, "%s", err.Error())
		}
		val = mapped
	}
	return val, nil
}

// readInt reads a JSON number or a string of digits holding an integer.
func readInt(v any) (int64, bool) {
	var s string
	switch v := v.(type) {
	case json.Number:
		s = v.String()
	case string:
		s = strings.TrimSpace(v)
	default:
		return 0, false
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true
	}
	// 1e9 or 1700000000.0: fine if it is a whole number in range.
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || x != math.Trunc(x) || x < math.MinInt64 || x >= math.MaxInt64 {
		return 0, false
	}
	return int64(x), true
}
