package ticket

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// DataType is the type of an attribute's values (TT2).
type DataType string

// The data types of attributes.
const (
	String   DataType = "string"
	List     DataType = "list"
	Integer  DataType = "integer"
	Decimal  DataType = "decimal"
	Boolean  DataType = "boolean"
	Datetime DataType = "datetime"
	Files    DataType = "files"
)

// ParseDataType reads a data type.
func ParseDataType(s string) (DataType, bool) {
	switch d := DataType(s); d {
	case String, List, Integer, Decimal, Boolean, Datetime, Files:
		return d, true
	}
	return "", false
}

// The default attributes every ticket type has (TT3), named as Intercom names them.
const (
	TitleAttribute       = "_default_title_"
	DescriptionAttribute = "_default_description_"
)

// Attribute is a data field captured with each ticket of a type (TT2).
type Attribute struct {
	ID                  int64
	Name                string
	Description         string
	DataType            DataType
	ListItems           []string // the choices of a list
	Multiline           bool     // a string of several lines
	AllowMultiple       bool     // a list or files attribute takes several values
	RequiredToCreate    bool     // teammates must fill it when creating a ticket
	RequiredForContacts bool     // customers must fill it in a ticket form (CT3)
	VisibleOnCreate     bool     // shown on the teammates' create form
	VisibleToContacts   bool     // shown to customers (Messenger, portal, ticket forms)
	Default             bool     // built in (title, description)
	Archived            bool
	Order               int
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

// DefaultAttributes are the title and description every type starts with (TT3).
func DefaultAttributes(now time.Time) []Attribute {
	return []Attribute{
		{Name: TitleAttribute, Description: "Title", DataType: String, RequiredToCreate: false, VisibleOnCreate: true,
			VisibleToContacts: true, Default: true, Order: 0, CreatedAt: now, UpdatedAt: now},
		{Name: DescriptionAttribute, Description: "Description", DataType: String, Multiline: true, VisibleOnCreate: true,
			VisibleToContacts: true, Default: true, Order: 1, CreatedAt: now, UpdatedAt: now},
	}
}

// CheckNew checks a new attribute's definition against the type's others (TT2).
func (a Attribute) CheckNew(others []Attribute) error {
	if err := a.checkName(others); err != nil {
		return err
	}
	return a.checkOptions()
}

// checkName checks a name against the other attributes of the type: names are unique ignoring
// case, and the built-in ones' prefix is reserved.
func (a Attribute) checkName(others []Attribute) error {
	if err := checkName(a.Name); err != nil {
		return err
	}
	if strings.HasPrefix(a.Name, "_default_") {
		return errorf("name", "names starting with _default_ are reserved for the built-in attributes")
	}
	for _, o := range others {
		if o.ID != a.ID || a.ID == 0 {
			if strings.EqualFold(o.Name, a.Name) {
				return errorf("name", "the ticket type already has an attribute named %q", o.Name)
			}
		}
	}
	return nil
}

func (a Attribute) checkOptions() error {
	if _, ok := ParseDataType(string(a.DataType)); !ok {
		return errorf("data_type", "must be one of string, list, integer, decimal, boolean, datetime, files")
	}
	if a.DataType == List {
		if len(a.ListItems) == 0 {
			return errorf("list_items", "a list attribute needs at least one item")
		}
		seen := map[string]bool{}
		for _, it := range a.ListItems {
			if it == "" {
				return errorf("list_items", "items must not be blank")
			}
			if seen[strings.ToLower(it)] {
				return errorf("list_items", "item %q is listed twice", it)
			}
			seen[strings.ToLower(it)] = true
		}
	} else if len(a.ListItems) > 0 {
		return errorf("list_items", "only list attributes have items")
	}
	if a.Multiline && a.DataType != String {
		return errorf("multiline", "only string attributes can be multiline")
	}
	if a.AllowMultiple && a.DataType != List && a.DataType != Files {
		return errorf("allow_multiple_values", "only list and files attributes can take several values")
	}
	if a.RequiredForContacts && !a.VisibleToContacts {
		return errorf("required_to_create_for_contacts", "an attribute customers must fill has to be visible to them")
	}
	if a.RequiredToCreate && !a.VisibleOnCreate {
		return errorf("required_to_create", "an attribute teammates must fill has to be visible on the create form")
	}
	return nil
}

// AddAttribute adds a custom attribute to the type, after the others (TT2), and returns it as
// added.
func (t *Type) AddAttribute(a Attribute, now time.Time) (Attribute, error) {
	a.Name = strings.TrimSpace(a.Name)
	a.Default, a.Archived = false, false
	if err := a.CheckNew(t.Attributes); err != nil {
		return Attribute{}, err
	}
	a.Order = 0
	for _, o := range t.Attributes {
		a.Order = max(a.Order, o.Order+1)
	}
	a.CreatedAt, a.UpdatedAt = now, now
	t.Attributes = append(t.Attributes, a)
	return a, nil
}

// ErrNoAttribute is returned when an attribute id names none of the type's attributes.
var ErrNoAttribute = errors.New("ticket: no such attribute")

// AttributeChange is a change to an attribute's definition; nil leaves a field as it is.
type AttributeChange struct {
	Name, Description   *string
	DataType            *DataType // may only restate the attribute's type
	ListItems           []string  // nil: unchanged; replaces the items of a list
	Multiline           *bool
	AllowMultiple       *bool
	RequiredToCreate    *bool
	RequiredForContacts *bool
	VisibleOnCreate     *bool
	VisibleToContacts   *bool
	Archived            *bool
	// Order moves the attribute to this place among the type's attributes (0 is first).
	Order *int
}

// ChangeAttribute changes the attribute id of the type (TT2): its data type is fixed, the
// built-in attributes (TT3) keep their name and cannot be archived, and moving one renumbers the
// others. It returns every attribute whose stored definition changed, the changed one first.
func (t *Type) ChangeAttribute(id int64, c AttributeChange, now time.Time) ([]Attribute, error) {
	i := slices.IndexFunc(t.Attributes, func(a Attribute) bool { return a.ID == id })
	if i < 0 {
		return nil, ErrNoAttribute
	}
	a := t.Attributes[i]
	if c.DataType != nil && *c.DataType != a.DataType {
		return nil, errorf("data_type", "cannot change: the attribute holds %s values", a.DataType)
	}
	if c.Name != nil {
		name := strings.TrimSpace(*c.Name)
		if a.Default && name != a.Name {
			return nil, errorf("name", "built-in attributes cannot be renamed")
		}
		if !a.Default {
			a.Name = name
			if err := a.checkName(t.Attributes); err != nil {
				return nil, err
			}
		}
	}
	if a.Default && c.Archived != nil && *c.Archived {
		return nil, errorf("archived", "built-in attributes cannot be archived")
	}
	if a.Default && c.Multiline != nil && *c.Multiline != a.Multiline {
		return nil, errorf("multiline", "cannot change for a built-in attribute")
	}
	set := func(dst *bool, v *bool) {
		if v != nil {
			*dst = *v
		}
	}
	if c.Description != nil {
		a.Description = *c.Description
	}
	if c.ListItems != nil {
		a.ListItems = c.ListItems
	}
	set(&a.Multiline, c.Multiline)
	set(&a.AllowMultiple, c.AllowMultiple)
	set(&a.RequiredToCreate, c.RequiredToCreate)
	set(&a.RequiredForContacts, c.RequiredForContacts)
	set(&a.VisibleOnCreate, c.VisibleOnCreate)
	set(&a.VisibleToContacts, c.VisibleToContacts)
	set(&a.Archived, c.Archived)
	if err := a.checkOptions(); err != nil {
		return nil, err
	}
	if c.Order != nil && (*c.Order < 0 || *c.Order >= len(t.Attributes)) {
		return nil, errorf("order", "must be between 0 and %d", len(t.Attributes)-1)
	}
	a.UpdatedAt = now
	t.Attributes[i] = a
	changed := []Attribute{a}
	if c.Order != nil {
		to := *c.Order
		t.Attributes = slices.Insert(slices.Delete(t.Attributes, i, i+1), to, a)
		for j := range t.Attributes {
			if t.Attributes[j].Order == j {
				continue
			}
			t.Attributes[j].Order = j
			if t.Attributes[j].ID == id {
				changed[0].Order = j
			} else {
				changed = append(changed, t.Attributes[j])
			}
		}
	}
	return changed, nil
}

// Audience says who fills in attributes, which decides which are required (TT2, CT3).
type Audience int

// Who creates a ticket.
const (
	ByTeammate Audience = iota // teammates and the API
	ByContact                  // a customer, through a ticket form
)

// Values are a ticket's attribute values by attribute name, as they are stored: strings,
// float64 for numbers (integers are whole), bools, []string for lists with several values and
// files, and Unix seconds for datetimes.
type Values map[string]any

// Validate checks attribute values sent for a ticket of type t (TT5) and returns them in their
// stored form. A value of the wrong type, an unknown or archived attribute, a list value that is
// not an item, or a missing required attribute is an error naming the attribute, as
// "ticket_attributes.<name>". With partial, required attributes may be left out (an update).
func (t Type) Validate(in map[string]json.RawMessage, who Audience, partial bool) (Values, error) {
	out := Values{}
	for name, raw := range in {
		a, ok := t.attribute(name)
		if !ok {
			return nil, errorf("ticket_attributes."+name, "is not an attribute of ticket type %q", t.Name)
		}
		if a.Archived {
			return nil, errorf("ticket_attributes."+name, "is archived")
		}
		if who == ByContact && !a.VisibleToContacts {
			return nil, errorf("ticket_attributes."+name, "is not shown to customers and cannot be set by them")
		}
		v, err := a.value(raw)
		if err != nil {
			return nil, errorf("ticket_attributes."+name, "%s", err.Error())
		}
		if v != nil {
			out[name] = v
		}
	}
	if partial {
		return out, nil
	}
	for _, a := range t.Attributes {
		required := a.RequiredToCreate
		if who == ByContact {
			required = a.RequiredForContacts
		}
		if required && !a.Archived && out[a.Name] == nil {
			return nil, errorf("ticket_attributes."+a.Name, "is required to create %s ticket", withArticle(t.Name))
		}
	}
	return out, nil
}

func (t Type) attribute(name string) (Attribute, bool) {
	for _, a := range t.Attributes {
		if a.Name == name {
			return a, true
		}
	}
	return Attribute{}, false
}

// value reads one JSON value for the attribute. null clears it (nil).
func (a Attribute) value(raw json.RawMessage) (any, error) {
	var v any
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("is not valid JSON")
	}
	if v == nil {
		return nil, nil
	}
	switch a.DataType {
	case String:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("must be a string")
		}
		if !a.Multiline && strings.ContainsAny(s, "\r\n") && a.Name != DescriptionAttribute {
			return nil, fmt.Errorf("must be a single line")
		}
		return s, nil
	case Integer:
		n, ok := v.(json.Number)
		f, err := n.Float64()
		if !ok || err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
			return nil, fmt.Errorf("must be an integer")
		}
		return f, nil
	case Decimal:
		n, ok := v.(json.Number)
		f, err := n.Float64()
		if !ok || err != nil || math.IsInf(f, 0) {
			return nil, fmt.Errorf("must be a number")
		}
		return f, nil
	case Boolean:
		b, ok := v.(bool)
		if !ok {
			return nil, fmt.Errorf("must be true or false")
		}
		return b, nil
	case Datetime:
		switch x := v.(type) {
		case json.Number:
			n, err := x.Int64()
			if err != nil || n < 0 {
				return nil, fmt.Errorf("must be a date: Unix seconds or RFC 3339")
			}
			return float64(n), nil
		case string:
			tm, err := time.Parse(time.RFC3339, x)
			if err != nil {
				return nil, fmt.Errorf("must be a date: Unix seconds or RFC 3339")
			}
			return float64(tm.Unix()), nil
		}
		return nil, fmt.Errorf("must be a date: Unix seconds or RFC 3339")
	case List:
		items, err := stringsOf(v, a.AllowMultiple)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			if !slices.Contains(a.ListItems, it) {
				return nil, fmt.Errorf("%q is not one of %s", it, strings.Join(a.ListItems, ", "))
			}
		}
		if !a.AllowMultiple {
			return items[0], nil
		}
		return items, nil
	case Files:
		urls, err := stringsOf(v, true)
		if err != nil {
			return nil, err
		}
		if !a.AllowMultiple && len(urls) > 1 {
			return nil, fmt.Errorf("takes one file")
		}
		for _, u := range urls {
			if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
				return nil, fmt.Errorf("files are given as http(s) URLs")
			}
		}
		return urls, nil
	}
	return nil, fmt.Errorf("has an unknown data type")
}

// stringsOf reads a string, or a list of strings when many is allowed.
func stringsOf(v any, many bool) ([]string, error) {
	switch x := v.(type) {
	case string:
		return []string{x}, nil
	case []any:
		if !many {
			return nil, fmt.Errorf("takes one value, not a list")
		}
		if len(x) == 0 {
			return nil, fmt.Errorf("must not be an empty list")
		}
		out := make([]string, len(x))
		for i, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("must be a list of strings")
			}
			out[i] = s
		}
		return out, nil
	}
	return nil, fmt.Errorf("must be a string")
}
