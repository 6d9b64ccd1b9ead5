package api

import "testing"

func TestNulFieldNamesTheField(t *testing.T) {
	cases := map[string]string{
		`{"name":"a\u0000b"}`:                       "name",
		`{"a":1,"b":{"c":[1,"x",{"d":"\u0000"}]}}`:  "b.c[2].d",
		`["ok","\u0000"]`:                           "[1]",
		`"\u0000"`:                                  "the request body",
		`{"k\u0000":1}`:                             "k\x00 (a key)",
		`{"a":"fine","b":[{"c":"\u0000"}],"d":"x"}`: "b[0].c",
		`{"a":"\\u0000"}`:                           "",
		`{not json`:                                 "",
	}
	for body, want := range cases {
		if got := nulField([]byte(body)); got != want {
			t.Errorf("nulField(%s) = %q, want %q", body, got, want)
		}
	}
}
