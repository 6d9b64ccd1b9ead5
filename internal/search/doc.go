// Package search implements the query language of Intercom's search
// endpoints (POST /conversations/search, /contacts/search and the like) and
// compiles a query to a SQL boolean expression for a WHERE clause.
//
// A query is either a single filter
//
//	{"field": "state", "operator": "=", "value": "open"}
//
// or a group that combines filters and groups with AND or OR
//
//	{"operator": "AND", "value": [
//		{"operator": "OR", "value": [filter, filter]},
//		{"operator": "OR", "value": [filter, filter]}]}
//
// Groups may be nested at most [MaxDepth] deep (Intercom's "(1 OR 2) AND
// (3 OR 4)") and hold at most [MaxGroupSize] members each.
//
// Each endpoint describes its searchable fields with a [Fields] map: the
// data type ([Kind]) decides which operators are accepted and how a value is
// read, and the SQL the field compiles to is given by the caller, so this
// package knows nothing about the schema. [Parse] checks a query against the
// fields and reports the first problem as an [*Error] naming the offending
// member (e.g. "query.value[1].operator"), ready for an Intercom error list.
// [Query.Where] then writes SQL with $1..$n placeholders that runs unchanged
// on PostgreSQL and on SQLite (modernc.org/sqlite). Client values only ever
// travel as bound arguments.
//
// Semantics worth knowing:
//
//   - String comparisons are case-insensitive: LOWER(col) = LOWER($n), and
//     ~ !~ ^ $ compile to LOWER(col) LIKE LOWER($n) ESCAPE '\' with %, _ and
//     \ in the value escaped. Fields with Values or Map, and Many fields,
//     compare the (canonical or mapped) value exactly instead, so that an
//     index on the column can be used.
//   - The negative operators !=, NIN and !~ match rows where the column is
//     NULL: a missing value neither equals nor contains anything. On a Many
//     field they mean "no linked row matches" (NOT EXISTS).
//   - A null value is accepted with = and != only and means IS NULL and IS
//     NOT NULL (on a Many field: no linked row, some linked row).
//   - Integer, Date and ID values may be JSON numbers or strings of digits;
//     Boolean values may be true/false or "true"/"false".
//   - Values are bound as string, int64 or bool (or whatever a Field.Map
//     returns), so Boolean columns should be BOOLEAN on both databases
//     (SQLite stores them as 0/1 and the driver binds a bool as 0/1).
//   - Dates are Unix seconds compared to the second by default, with the
//     operators = != IN NIN < <= > >= (lenient, as conversation search is
//     used). Intercom's contact search instead matches dates by calendar day
//     in the workspace's time zone and accepts only = < >; a field gets that
//     behaviour with Field.Day and Field.Operators.
package search
