package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
)

// maxBody is the largest request body accepted.
const maxBody = 1 << 20

// decode reads the JSON request body into v. An empty body decodes as {}. Malformed JSON and
// values of the wrong type are answered with a 400 that names the field.
func decode(r *http.Request, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return &Error{Status: http.StatusRequestEntityTooLarge, Code: codeRequestTooLarge, Message: fmt.Sprintf("request body is larger than %d bytes", maxBody)}
		}
		return invalid("request body could not be read")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	return decodeBytes(body, v)
}

func decodeBytes(body []byte, v any) error {
	// PostgreSQL cannot store NUL in text, and no field of this API needs it.
	if bytes.Contains(body, []byte(`\u0000`)) {
		if field := nulField(body); field != "" {
			return invalid("%s holds a NUL character (\\u0000), which no field accepts", field)
		}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return invalid("request body must hold one JSON object")
	}
	return nil
}

// nulField returns the path (as "a.b[2]") of the first string in a JSON document that holds a
// NUL character, or "" when none does or the document is not valid JSON (the decoder then says
// what is wrong with it).
func nulField(body []byte) string {
	dec := json.NewDecoder(bytes.NewReader(body))
	type level struct {
		object bool
		key    string
		index  int
		isKey  bool // in an object, the next string is a key
	}
	var stack []level
	path := func() string {
		var b strings.Builder
		for _, l := range stack {
			if l.object {
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(l.key)
			} else {
				fmt.Fprintf(&b, "[%d]", l.index-1)
			}
		}
		return b.String()
	}
	// value is called after each complete value: it moves its container along.
	value := func() {
		if n := len(stack); n > 0 {
			if stack[n-1].object {
				stack[n-1].isKey = true
			}
		}
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		if n := len(stack); n > 0 && !stack[n-1].object {
			if d, ok := tok.(json.Delim); !ok || d != ']' {
				stack[n-1].index++
			}
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				stack = append(stack, level{object: true, isKey: true})
			case '[':
				stack = append(stack, level{})
			default:
				stack = stack[:len(stack)-1]
				value()
			}
		case string:
			if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].isKey {
				stack[n-1].key, stack[n-1].isKey = t, false
				if strings.ContainsRune(t, 0) {
					return path() + " (a key)"
				}
				continue
			}
			if strings.ContainsRune(t, 0) {
				if p := path(); p != "" {
					return p
				}
				return "the request body"
			}
			value()
		default:
			value()
		}
	}
}

func jsonError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	var fieldErr *Error
	switch {
	case errors.As(err, &fieldErr):
		return fieldErr
	case errors.As(err, &typeErr):
		if typeErr.Field == "" {
			return invalid("request body must be a JSON object")
		}
		return invalid("%s must be %s, not %s", typeErr.Field, jsonTypeName(typeErr.Type.Kind().String()), typeErr.Value)
	case errors.As(err, &syntaxErr):
		return invalid("request body is not valid JSON: %s at offset %d", syntaxErr.Error(), syntaxErr.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return invalid("request body is not valid JSON: unexpected end")
	default:
		return invalid("request body is not valid JSON: %s", err.Error())
	}
}

func jsonTypeName(kind string) string {
	switch {
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"):
		return "an integer"
	case strings.HasPrefix(kind, "float"):
		return "a number"
	case kind == "bool":
		return "a boolean"
	case kind == "string":
		return "a string"
	case kind == "slice", kind == "array":
		return "an array"
	case kind == "map", kind == "struct", kind == "ptr":
		return "an object"
	}
	return "of another type"
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// ID is a numeric id a client may send as a JSON string ("123", as Intercom documents) or number.
// Zero means "not sent".
type ID int64

// UnmarshalJSON accepts "123", 123 and null.
func (id *ID) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		*id = 0
		return nil
	}
	if unq, err := strconv.Unquote(s); err == nil {
		s = unq
	}
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || v < 0 {
		return &json.UnmarshalTypeError{Value: "a non-numeric id " + string(b), Type: idType}
	}
	*id = ID(v)
	return nil
}

// idString formats an id the way Intercom's objects carry them: a string of digits.
func idString(id int64) string { return strconv.FormatInt(id, 10) }

var idType = reflect.TypeFor[int64]()

// clearableID reads a member that may be left out (nil), null or 0 (clear it), or an id, as
// company_id on tickets: Intercom's "set to nil to remove".
func clearableID(field string, raw json.RawMessage) (*int64, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var id ID
	if !bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		if err := id.UnmarshalJSON(raw); err != nil {
			return nil, invalid("%s must be an integer, not %s", field, raw)
		}
	}
	v := int64(id)
	return &v, nil
}
