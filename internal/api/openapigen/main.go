// Command openapigen writes internal/api/openapi.json, the OpenAPI document that the API
// publishes at GET /api/openapi.json (SPEC API2).
//
// The document is Intercom's API description 2.16 cut down to what Helpdesk serves: each
// operation listed in operations.txt is copied from Intercom's (path with Intercom's parameter
// names, method, parameters, request body, responses), with every component it references,
// transitively, so that the document stands alone. Extensions, what Intercom lacks, are small
// hand-written fragments in extensions/*.json, merged into Intercom's description before the cut:
// operations, components, schema properties, parameters and tags that Intercom does not have. Each
// of them must say "x-helpdesk-extension": true and have a description; a fragment may not change
// anything Intercom's description says, so the contract of a client built for Intercom stays whole.
//
// Run it from internal/api with go generate (the flags' defaults are relative to that directory).
// The output is deterministic: keys sorted, as encoding/json writes maps. TestOpenAPI fails when
// the committed openapi.json is not what this program writes.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "openapigen:", err)
		os.Exit(1)
	}
}

func run(args []string, stderr io.Writer) error {
	flags := flag.NewFlagSet("openapigen", flag.ContinueOnError)
	flags.SetOutput(stderr)
	intercomPath := flags.String("intercom", "../contract/intercom/api.intercom.io-2.16.yaml", "Intercom's API description; its LICENSE.md must be beside it")
	opsPath := flags.String("operations", "openapigen/operations.txt", "the operations Helpdesk serves")
	extDir := flags.String("extensions", "openapigen/extensions", "directory of extension fragments (*.json)")
	out := flags.String("out", "openapi.json", "file to write")
	if err := flags.Parse(args); err != nil {
		return err
	}

	yaml, err := os.ReadFile(*intercomPath)
	if err != nil {
		return err
	}
	licence, err := os.ReadFile(filepath.Join(filepath.Dir(*intercomPath), "LICENSE.md"))
	if err != nil {
		return err
	}
	src, err := loadIntercom(yaml)
	if err != nil {
		return err
	}
	allowAnyItems(src)
	ops, err := readOperations(*opsPath)
	if err != nil {
		return err
	}
	fragments, err := filepath.Glob(filepath.Join(*extDir, "*.json"))
	if err != nil {
		return err
	}
	slices.Sort(fragments)
	for _, name := range fragments {
		if err := mergeFragment(src, name); err != nil {
			return err
		}
	}
	doc, err := build(src, ops, string(licence))
	if err != nil {
		return err
	}
	data, err := encode(doc)
	if err != nil {
		return err
	}
	if err := validate(data); err != nil {
		return err
	}
	return os.WriteFile(*out, data, 0o644)
}

// validate loads the document as its readers will, so that a fault is found here rather than by
// them. Examples are Intercom's documentation, and some do not match Intercom's own schemas.
func validate(data []byte) error {
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return fmt.Errorf("load the output: %w", err)
	}
	if err := doc.Validate(context.Background(), openapi3.DisableExamplesValidation()); err != nil {
		return fmt.Errorf("the output is not a valid OpenAPI document: %w", err)
	}
	return nil
}

// loadIntercom parses Intercom's description with kin-openapi, as internal/contract does, and
// returns it as plain JSON values. The round trip only drops values that are defaults anyway
// (nullable: false, required: false, empty descriptions).
func loadIntercom(yaml []byte) (map[string]any, error) {
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	doc, err := loader.LoadFromData(yaml)
	if err != nil {
		return nil, fmt.Errorf("load Intercom's description: %w", err)
	}
	data, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("encode Intercom's description: %w", err)
	}
	var v map[string]any
	if err := decodeJSON(data, &v); err != nil {
		return nil, fmt.Errorf("decode Intercom's description: %w", err)
	}
	return v, nil
}

// allowAnyItems gives an empty items schema (any item) to every array schema that has none, as
// internal/contract does: two of Intercom's schemas (ticket_custom_attributes and
// ticket_request_custom_attributes) say "an array" without items, which OpenAPI 3.0 requires.
func allowAnyItems(v any) {
	switch x := v.(type) {
	case map[string]any:
		if x["type"] == "array" && x["items"] == nil {
			x["items"] = map[string]any{}
		}
		for _, e := range x {
			allowAnyItems(e)
		}
	case []any:
		for _, e := range x {
			allowAnyItems(e)
		}
	}
}

// decodeJSON keeps numbers as written, so that an integer stays one.
func decodeJSON(data []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return errors.New("more than one JSON value")
	}
	return nil
}

// operation is one method and path, in Intercom's path syntax.
type operation struct {
	Method string // lower case, as OpenAPI's path items name them
	Path   string
}

func (op operation) String() string { return strings.ToUpper(op.Method) + " " + op.Path }

var methods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// readOperations reads the list of served operations: "METHOD /path" per line, # comments.
func readOperations(path string) ([]operation, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var ops []operation
	seen := make(map[operation]bool)
	for i, line := range strings.Split(string(data), "\n") {
		line, _, _ = strings.Cut(line, "#")
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		op := operation{}
		if len(fields) == 2 {
			op = operation{Method: strings.ToLower(fields[0]), Path: fields[1]}
		}
		if !slices.Contains(methods, op.Method) || !strings.HasPrefix(op.Path, "/") {
			return nil, fmt.Errorf("%s:%d: want METHOD /path, got %q", path, i+1, line)
		}
		if seen[op] {
			return nil, fmt.Errorf("%s:%d: %s is listed twice", path, i+1, op)
		}
		seen[op] = true
		ops = append(ops, op)
	}
	return ops, nil
}

// mergeFragment merges the extension fragment in file name into src, Intercom's description.
// A fragment is a partial OpenAPI document with tags, paths and components only.
func mergeFragment(src map[string]any, name string) error {
	data, err := os.ReadFile(name)
	if err != nil {
		return err
	}
	var frag map[string]any
	if err := decodeJSON(data, &frag); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	for k := range frag {
		if k != "tags" && k != "paths" && k != "components" {
			return fmt.Errorf("%s: a fragment holds tags, paths and components only, not %q", name, k)
		}
	}
	if tags, ok := frag["tags"]; ok {
		if err := mergeTags(src, tags); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		delete(frag, "tags")
	}
	if err := merge(src, frag, nil); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// merge adds what from holds to dst, at where (the keys leading to dst, for messages and for
// telling which additions are extensions). Equal values are fine: a fragment may restate part of
// Intercom's description to say where its additions go.
func merge(dst, from map[string]any, where []string) error {
	for _, k := range sortedKeys(from) {
		v := from[k]
		at := append(slices.Clip(where), k)
		old, exists := dst[k]
		if !exists {
			switch {
			case strings.HasPrefix(k, "x-helpdesk-"):
				dst[k] = v
			case isItem(at):
				if err := checkMarked(v, at); err != nil {
					return err
				}
				if at[0] == "paths" && len(at) == 2 {
					// A new path: each of its operations is an item.
					for _, m := range methods {
						if op, ok := v.(map[string]any)[m]; ok {
							if err := checkMarked(op, append(at, m)); err != nil {
								return err
							}
						}
					}
				}
				dst[k] = v
			case isContainer(at):
				vm, ok := v.(map[string]any)
				if !ok {
					return fmt.Errorf("%s: want an object", pointer(at))
				}
				m := make(map[string]any)
				if err := merge(m, vm, at); err != nil {
					return err
				}
				dst[k] = m
			default:
				return fmt.Errorf("%s: only operations, components, properties and parameters can be added, and x-helpdesk-* notes", pointer(at))
			}
			continue
		}
		om, ok1 := old.(map[string]any)
		vm, ok2 := v.(map[string]any)
		switch {
		case ok1 && ok2:
			if err := merge(om, vm, at); err != nil {
				return err
			}
		case k == "parameters":
			params, err := mergeParameters(old, v, at)
			if err != nil {
				return err
			}
			dst[k] = params
		case !reflect.DeepEqual(old, v):
			return fmt.Errorf("%s: a fragment may not change Intercom's description", pointer(at))
		}
	}
	return nil
}

// isContainer tells whether at names an object whose members may be extensions.
func isContainer(at []string) bool {
	n := len(at)
	return (n == 1 && (at[0] == "paths" || at[0] == "components")) ||
		(n == 2 && (at[0] == "paths" || at[0] == "components")) ||
		at[n-1] == "properties"
}

// isItem tells whether at names something that, when a fragment adds it, is an extension:
// a path, an operation, a component or a property.
func isItem(at []string) bool {
	n := len(at)
	return (n == 2 && at[0] == "paths") ||
		(n == 3 && at[0] == "paths" && slices.Contains(methods, at[2])) ||
		(n == 3 && at[0] == "components") ||
		(n >= 2 && at[n-2] == "properties")
}

// checkMarked requires an addition to be marked as an extension and described.
func checkMarked(v any, at []string) error {
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("%s: want an object", pointer(at))
	}
	if len(at) == 2 && at[0] == "paths" {
		return nil // a path item: its operations are checked one by one
	}
	if m["x-helpdesk-extension"] != true {
		return fmt.Errorf("%s: an extension must say \"x-helpdesk-extension\": true", pointer(at))
	}
	if d, _ := m["description"].(string); strings.TrimSpace(d) == "" {
		return fmt.Errorf("%s: an extension must have a description", pointer(at))
	}
	return nil
}

// mergeParameters appends the extension parameters of from to Intercom's old.
func mergeParameters(old, from any, at []string) ([]any, error) {
	olds, ok1 := old.([]any)
	adds, ok2 := from.([]any)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("%s: want an array", pointer(at))
	}
	params := slices.Clone(olds)
	for i, p := range adds {
		if slices.ContainsFunc(olds, func(o any) bool { return reflect.DeepEqual(o, p) }) {
			continue
		}
		pat := append(slices.Clip(at), fmt.Sprint(i))
		if err := checkMarked(p, pat); err != nil {
			return nil, err
		}
		pm := p.(map[string]any)
		for _, o := range olds {
			if om, ok := o.(map[string]any); ok && om["name"] == pm["name"] && om["in"] == pm["in"] {
				return nil, fmt.Errorf("%s: a fragment may not change Intercom's parameter %v", pointer(pat), pm["name"])
			}
		}
		params = append(params, p)
	}
	return params, nil
}

// mergeTags appends a fragment's tags to Intercom's.
func mergeTags(src map[string]any, from any) error {
	adds, ok := from.([]any)
	if !ok {
		return errors.New("/tags: want an array")
	}
	tags, _ := src["tags"].([]any)
	for i, t := range adds {
		at := []string{"tags", fmt.Sprint(i)}
		if err := checkMarked(t, at); err != nil {
			return err
		}
		name := t.(map[string]any)["name"]
		if slices.ContainsFunc(tags, func(o any) bool { m, _ := o.(map[string]any); return m["name"] == name }) {
			return fmt.Errorf("%s: Intercom already has tag %v", pointer(at), name)
		}
		tags = append(tags, t)
	}
	src["tags"] = tags
	return nil
}

func pointer(at []string) string {
	var b strings.Builder
	for _, k := range at {
		b.WriteString("/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(k))
	}
	return b.String()
}

// build cuts src down to ops and the components they use.
func build(src map[string]any, ops []operation, licence string) (map[string]any, error) {
	srcPaths, _ := src["paths"].(map[string]any)
	listed := make(map[operation]bool)
	paths := make(map[string]any)
	for _, op := range ops {
		listed[op] = true
		item, _ := srcPaths[op.Path].(map[string]any)
		o, ok := item[op.Method].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s is in neither Intercom's description nor an extension", op)
		}
		dst, ok := paths[op.Path].(map[string]any)
		if !ok {
			// The path item's own members (parameters, summary...) apply to its operations.
			dst = make(map[string]any)
			for k, v := range item {
				if !slices.Contains(methods, k) {
					dst[k] = v
				}
			}
			paths[op.Path] = dst
		}
		dst[op.Method] = o
	}
	// An extension that is not listed is served by no one, or the list is missing a line.
	for _, path := range sortedKeys(srcPaths) {
		item, _ := srcPaths[path].(map[string]any)
		for _, m := range methods {
			if o, ok := item[m].(map[string]any); ok && o["x-helpdesk-extension"] == true && !listed[operation{m, path}] {
				return nil, fmt.Errorf("extension %s is not listed in the operations", operation{m, path})
			}
		}
	}

	components, err := referenced(src, paths)
	if err != nil {
		return nil, err
	}
	security := src["security"]
	if err := addSecuritySchemes(src, components, security, paths); err != nil {
		return nil, err
	}

	doc := map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{
			"title":       "Helpdesk API",
			"version":     "2.16",
			"description": description,
		},
		"servers":    []any{map[string]any{"url": "/api", "description": "This server: the API is mounted under /api."}},
		"security":   security,
		"paths":      paths,
		"components": components,
		"tags":       usedTags(src, paths),
		"x-helpdesk-ids": map[string]any{
			"description": "Every object id (id, and the *_id fields and path parameters that name objects) is a string of decimal digits, a positive 64-bit integer, such as \"4211\". Intercom's ids are often hexadecimal; the schemas copied from Intercom keep their wording. A client sends back the ids Helpdesk gives it. Numeric id fields that Intercom types as integers (admin_assignee_id, team_assignee_id, team_ids...) stay integers.",
			"pattern":     "^[1-9][0-9]*$",
		},
		"x-helpdesk-source": map[string]any{
			"description": "Operations and components not marked x-helpdesk-extension are copied from Intercom's OpenAPI description of its REST API version 2.16 (intercom/Intercom-OpenAPI, descriptions/2.16/api.intercom.io.yaml), under the MIT licence below.",
			"licence":     licence,
		},
	}
	return doc, nil
}

const description = "Helpdesk's REST API is compatible with Intercom's REST API version 2.16: a client built for Intercom " +
	"works with Helpdesk by changing only its base URL to this server's `/api`.\n\n" +
	"This document is Intercom's own description of its API, cut down to the operations Helpdesk implements, each " +
	"copied with its parameters, request body, responses and the schemas they use (see `x-helpdesk-source` for its " +
	"origin and licence), plus Helpdesk's extensions.\n\n" +
	"Where Helpdesk differs from Intercom:\n\n" +
	"- **Extensions.** Operations, parameters and schema properties that Intercom lacks are marked " +
	"`x-helpdesk-extension: true` and described where they appear. A client built for Intercom never needs them.\n" +
	"- **Coverage.** Only the operations in this document are served; any other path under `/api` answers 404 with " +
	"an `error.list`.\n" +
	"- **Ids.** Object ids are strings of decimal digits, not Intercom's hexadecimal ids, so a contact id does not " +
	"have the 24 characters that some of Intercom's schemas state; see `x-helpdesk-ids`.\n" +
	"- **Versions.** The `Intercom-Version` header is accepted, and refused only when it is no version at all; " +
	"whatever version a client asks for, the answer is version 2.16.\n" +
	"- **Errors.** Every error is Intercom's `error.list`, also with statuses that an operation does not list " +
	"(for example 400 for bad input).\n" +
	"- **Authentication.** A bearer access token of a Helpdesk teammate (Intercom's admin); `GET /openapi.json` needs none.\n"

// referenced copies from src the components that v uses, transitively, and the extensions'.
func referenced(src, v map[string]any) (map[string]any, error) {
	srcComponents, _ := src["components"].(map[string]any)
	components := make(map[string]any)
	var walk func(v any) error
	walk = func(v any) error {
		switch v := v.(type) {
		case []any:
			for _, e := range v {
				if err := walk(e); err != nil {
					return err
				}
			}
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				kind, name, err := parseRef(ref)
				if err != nil {
					return err
				}
				have, _ := components[kind].(map[string]any)
				if _, ok := have[name]; ok {
					break
				}
				from, _ := srcComponents[kind].(map[string]any)
				c, ok := from[name]
				if !ok {
					return fmt.Errorf("%s: no such component", ref)
				}
				if have == nil {
					have = make(map[string]any)
					components[kind] = have
				}
				have[name] = c
				if err := walk(c); err != nil {
					return err
				}
			}
			for _, k := range sortedKeys(v) {
				if err := walk(v[k]); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := walk(v); err != nil {
		return nil, err
	}
	// An extension's own components are in the document even when nothing refers to them yet.
	for _, kind := range sortedKeys(srcComponents) {
		from, _ := srcComponents[kind].(map[string]any)
		for _, name := range sortedKeys(from) {
			if c, ok := from[name].(map[string]any); ok && c["x-helpdesk-extension"] == true {
				ref := "#/components/" + pointer([]string{kind, name})[1:]
				if err := walk(map[string]any{"$ref": ref}); err != nil {
					return nil, err
				}
			}
		}
	}
	return components, nil
}

// parseRef splits a local reference "#/components/{kind}/{name}".
func parseRef(ref string) (kind, name string, err error) {
	parts := strings.Split(ref, "/")
	if len(parts) != 4 || parts[0] != "#" || parts[1] != "components" {
		return "", "", fmt.Errorf("%s: only references to #/components/{kind}/{name} are supported", ref)
	}
	unescape := strings.NewReplacer("~1", "/", "~0", "~")
	return unescape.Replace(parts[2]), unescape.Replace(parts[3]), nil
}

// addSecuritySchemes copies the security schemes that the top-level security and the
// operations' name.
func addSecuritySchemes(src, components map[string]any, security any, paths map[string]any) error {
	var names []string
	add := func(reqs any) {
		list, _ := reqs.([]any)
		for _, r := range list {
			m, _ := r.(map[string]any)
			for name := range m {
				if !slices.Contains(names, name) {
					names = append(names, name)
				}
			}
		}
	}
	add(security)
	for _, item := range paths {
		for _, o := range item.(map[string]any) {
			if m, ok := o.(map[string]any); ok {
				add(m["security"])
			}
		}
	}
	srcComponents, _ := src["components"].(map[string]any)
	from, _ := srcComponents["securitySchemes"].(map[string]any)
	schemes := make(map[string]any)
	for _, name := range names {
		s, ok := from[name]
		if !ok {
			return fmt.Errorf("security scheme %q: no such component", name)
		}
		schemes[name] = s
	}
	if len(schemes) > 0 {
		components["securitySchemes"] = schemes
	}
	return nil
}

// usedTags returns the tags of src that the operations of paths name, in src's order.
func usedTags(src, paths map[string]any) []any {
	used := make(map[any]bool)
	for _, item := range paths {
		for _, m := range methods {
			o, _ := item.(map[string]any)[m].(map[string]any)
			if names, ok := o["tags"].([]any); ok {
				for _, n := range names {
					used[n] = true
				}
			}
		}
	}
	tags := []any{}
	all, _ := src["tags"].([]any)
	for _, t := range all {
		if m, ok := t.(map[string]any); ok && used[m["name"]] {
			tags = append(tags, t)
		}
	}
	return tags
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// encode writes doc as indented JSON with sorted keys, as people read it in diffs.
func encode(doc map[string]any) ([]byte, error) {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	e.SetIndent("", " ")
	if err := e.Encode(doc); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
