package api_test

import (
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/helpdesk/helpdesk/internal/apitest"
)

// createCompany creates or updates a company through POST /companies.
func createCompany(t *testing.T, e *apitest.Env, body map[string]any) map[string]any {
	t.Helper()
	c := e.MustDo(http.StatusOK, "POST", "/api/companies", body)
	if c["type"] != "company" || apitest.ID(c) == "" {
		t.Fatalf("POST /companies = %v", c)
	}
	return c
}

// listData returns the data of a list answer.
func listData(t *testing.T, list map[string]any) []map[string]any {
	t.Helper()
	data, ok := list["data"].([]any)
	if !ok {
		t.Fatalf("no data in %v", list)
	}
	out := make([]map[string]any, len(data))
	for i, v := range data {
		out[i] = v.(map[string]any)
	}
	return out
}

func num(v any) int64 {
	f, _ := v.(float64)
	return int64(f)
}

func TestCompanyCreateOrUpdate(t *testing.T) {
	e := apitest.Start(t)
	created := e.Clock.Now().Unix()
	c := createCompany(t, e, map[string]any{
		"company_id": "acme-1", "name": "Acme", "plan": "Pro", "size": 120, "website": "https://acme.example",
		"industry": "Rockets", "monthly_spend": 155, "remote_created_at": 1394531169,
		"custom_attributes": map[string]any{"tier": "gold", "region": "EU"},
	})
	want := map[string]any{
		"type": "company", "company_id": "acme-1", "app_id": "helpdesk", "name": "Acme", "size": 120.0,
		"website": "https://acme.example", "industry": "Rockets", "monthly_spend": 155.0,
		"remote_created_at": 1394531169.0, "session_count": 0.0, "user_count": 0.0,
		"created_at": float64(created), "updated_at": float64(created),
		"plan":              map[string]any{"type": "plan", "name": "Pro"},
		"custom_attributes": map[string]any{"tier": "gold", "region": "EU"},
		"tags":              map[string]any{"type": "tag.list", "tags": []any{}},
		"segments":          map[string]any{"type": "segment.list", "segments": []any{}},
	}
	for k, v := range want {
		if !reflect.DeepEqual(c[k], v) {
			t.Errorf("created %s = %v, want %v", k, apitest.Str(c[k]), apitest.Str(v))
		}
	}
	if _, ok := c["last_request_at"]; ok {
		t.Errorf("last_request_at = %v before any was recorded", c["last_request_at"])
	}

	// The same company_id updates that company: what is sent changes, the rest stays.
	e.Clock.Advance(time.Hour)
	again := createCompany(t, e, map[string]any{
		"company_id": "acme-1", "name": "Acme Corp", "website": "", "update_last_request_at": true,
		"custom_attributes": map[string]any{"tier": "platinum", "owner": "Olive"},
	})
	if apitest.ID(again) != apitest.ID(c) {
		t.Fatalf("the same company_id made another company: %v", again)
	}
	now := float64(e.Clock.Now().Unix())
	if again["name"] != "Acme Corp" || again["size"] != 120.0 || again["industry"] != "Rockets" || again["monthly_spend"] != 155.0 ||
		again["created_at"] != float64(created) || again["updated_at"] != now || again["last_request_at"] != now {
		t.Errorf("updated = %v", again)
	}
	if _, ok := again["website"]; ok {
		t.Errorf("website sent blank was kept: %v", again["website"])
	}
	if attrs := again["custom_attributes"]; !reflect.DeepEqual(attrs, map[string]any{"tier": "platinum", "region": "EU", "owner": "Olive"}) {
		t.Errorf("custom_attributes = %v, want tier changed, owner added, region kept", attrs)
	}

	// A company created with its company_id only shows what it has.
	bare := createCompany(t, e, map[string]any{"company_id": "bare"})
	for _, k := range []string{"name", "size", "website", "industry", "remote_created_at"} {
		if _, ok := bare[k]; ok {
			t.Errorf("bare company has %s = %v", k, bare[k])
		}
	}
	if !reflect.DeepEqual(bare["plan"], map[string]any{}) || bare["monthly_spend"] != 0.0 ||
		!reflect.DeepEqual(bare["custom_attributes"], map[string]any{}) {
		t.Errorf("bare company = %v", bare)
	}
	list := e.MustDo(http.StatusOK, "GET", "/api/companies", nil)
	if data := listData(t, list); len(data) != 2 {
		t.Errorf("GET /companies = %v, want 2 companies", list)
	}
}

// Requests for the same new company_id at once make one company, and every one of them succeeds.
func TestCompanyCreateOrUpdateConcurrently(t *testing.T) {
	e := apitest.Start(t)
	var wg sync.WaitGroup
	ids := make([]string, 8)
	for i := range ids {
		wg.Go(func() {
			r := e.Do("POST", "/api/companies", map[string]any{"company_id": "race", "name": "Racer " + itoa(int64(i))})
			if r.Status != http.StatusOK {
				t.Errorf("POST /companies: %d %s", r.Status, r.Body)
			}
			ids[i] = apitest.ID(r.JSON())
		})
	}
	wg.Wait()
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("one company_id gave the ids %v", ids)
		}
	}
	list := e.MustDo(http.StatusOK, "GET", "/api/companies", nil)
	if data := listData(t, list); len(data) != 1 {
		t.Errorf("GET /companies = %v, want 1 company", list)
	}
}

func TestCompanyGetUpdateDelete(t *testing.T) {
	e := apitest.Start(t)
	c := createCompany(t, e, map[string]any{"company_id": "globex", "name": "Globex", "plan": "Basic", "size": 10})
	id := apitest.ID(c)

	got := e.MustDo(http.StatusOK, "GET", "/api/companies/"+id, nil)
	if !reflect.DeepEqual(got, c) {
		t.Errorf("GET = %v, want %v", got, c)
	}

	e.Clock.Advance(time.Minute)
	up := e.MustDo(http.StatusOK, "PUT", "/api/companies/"+id, map[string]any{
		"name": "Globex Corporation", "website": "http://www.globex.example/", "plan": "", "monthly_spend": 1000,
		"company_id": "globex", // the one it has: not a change
	})
	if up["name"] != "Globex Corporation" || up["website"] != "http://www.globex.example/" || up["monthly_spend"] != 1000.0 ||
		up["size"] != 10.0 || up["company_id"] != "globex" || up["updated_at"] != float64(e.Clock.Now().Unix()) {
		t.Errorf("PUT = %v", up)
	}
	if !reflect.DeepEqual(up["plan"], map[string]any{}) {
		t.Errorf("plan sent blank = %v, want {}", up["plan"])
	}
	if got := e.MustDo(http.StatusOK, "GET", "/api/companies/"+id, nil); !reflect.DeepEqual(got, up) {
		t.Errorf("GET after PUT = %v, want %v", got, up)
	}

	del := e.MustDo(http.StatusOK, "DELETE", "/api/companies/"+id, nil)
	if !reflect.DeepEqual(del, map[string]any{"id": id, "object": "company", "deleted": true}) {
		t.Errorf("DELETE = %v", del)
	}
	for _, req := range [][2]string{{"GET", id}, {"PUT", id}, {"DELETE", id}, {"GET", "999999"}, {"GET", "abc"}, {"PUT", "0"}} {
		r := e.Do(req[0], "/api/companies/"+req[1], map[string]any{"name": "x"})
		if r.Status != http.StatusNotFound || r.ErrorCode() != "company_not_found" {
			t.Errorf("%s /companies/%s = %d %s, want 404 company_not_found", req[0], req[1], r.Status, r.Body)
		}
	}
	// Its company_id is free again.
	if again := createCompany(t, e, map[string]any{"company_id": "globex"}); apitest.ID(again) == id {
		t.Errorf("a deleted company came back: %v", again)
	}
}

func TestCompanyListPagination(t *testing.T) {
	e := apitest.Start(t)
	var ids []string
	for i := range 7 {
		ids = append(ids, apitest.ID(createCompany(t, e, map[string]any{"company_id": "c" + itoa(int64(i)), "name": "Company"})))
	}

	// By cursor: 3 + 3 + 1, in order of creation, each page saying where the next starts.
	var seen []string
	path := "/api/companies?per_page=3"
	for pages := 0; path != ""; pages++ {
		if pages > 3 {
			t.Fatalf("more pages than companies")
		}
		list := e.MustDo(http.StatusOK, "GET", path, nil)
		for _, c := range listData(t, list) {
			seen = append(seen, apitest.ID(c))
		}
		p := list["pages"].(map[string]any)
		if p["type"] != "pages" || p["per_page"] != 3.0 {
			t.Errorf("pages = %v", p)
		}
		if pages == 0 && p["page"] != 1.0 {
			t.Errorf("first page: page = %v", p["page"])
		}
		if _, ok := list["total_count"]; ok {
			t.Errorf("%s: total_count %v, which only a count of the table could know", path, list["total_count"])
		}
		path = ""
		if next, ok := p["next"].(map[string]any); ok {
			path = "/api/companies?per_page=3&starting_after=" + url.QueryEscape(next["starting_after"].(string))
		}
	}
	if !reflect.DeepEqual(seen, ids) {
		t.Errorf("pages gave %v, want %v", seen, ids)
	}

	// By number: the last page knows how many there are.
	last := e.MustDo(http.StatusOK, "GET", "/api/companies?per_page=3&page=3", nil)
	if data := listData(t, last); len(data) != 1 || apitest.ID(data[0]) != ids[6] {
		t.Errorf("page 3 = %v", last)
	}
	p := last["pages"].(map[string]any)
	if last["total_count"] != 7.0 || p["page"] != 3.0 || p["total_pages"] != 3.0 || p["next"] != nil {
		t.Errorf("page 3: total_count %v, pages %v", last["total_count"], p)
	}
	mid := e.MustDo(http.StatusOK, "GET", "/api/companies?per_page=3&page=2", nil)
	if data := listData(t, mid); len(data) != 3 || apitest.ID(data[0]) != ids[3] || mid["pages"].(map[string]any)["next"] == nil {
		t.Errorf("page 2 = %v", mid)
	}
	if past := e.MustDo(http.StatusOK, "GET", "/api/companies?per_page=3&page=4", nil); len(listData(t, past)) != 0 {
		t.Errorf("page 4 = %v, want empty", past)
	}
	all := e.MustDo(http.StatusOK, "GET", "/api/companies", nil)
	if len(listData(t, all)) != 7 || all["total_count"] != 7.0 || all["pages"].(map[string]any)["total_pages"] != 1.0 {
		t.Errorf("one page of all = %v", all)
	}

	// POST /companies/list: newest first, or oldest with order=asc; paged the same way.
	desc := e.MustDo(http.StatusOK, "POST", "/api/companies/list?per_page=4", nil)
	if data := listData(t, desc); len(data) != 4 || apitest.ID(data[0]) != ids[6] || apitest.ID(data[3]) != ids[3] {
		t.Errorf("POST /companies/list = %v", desc)
	}
	next := desc["pages"].(map[string]any)["next"].(map[string]any)["starting_after"].(string)
	rest := e.MustDo(http.StatusOK, "POST", "/api/companies/list?per_page=4&starting_after="+url.QueryEscape(next), nil)
	if data := listData(t, rest); len(data) != 3 || apitest.ID(data[0]) != ids[2] || apitest.ID(data[2]) != ids[0] {
		t.Errorf("POST /companies/list, second page = %v", rest)
	}
	asc := e.MustDo(http.StatusOK, "POST", "/api/companies/list?order=asc&page=2&per_page=5", nil)
	if data := listData(t, asc); len(data) != 2 || apitest.ID(data[0]) != ids[5] || asc["total_count"] != 7.0 {
		t.Errorf("POST /companies/list?order=asc&page=2 = %v", asc)
	}

	// Scroll: every company, then an empty page without a scroll_param.
	seen = nil
	param := ""
	for range 3 {
		r := e.MustDo(http.StatusOK, "GET", "/api/companies/scroll?scroll_param="+url.QueryEscape(param), nil)
		data := listData(t, r)
		for _, c := range data {
			seen = append(seen, apitest.ID(c))
		}
		param, _ = r["scroll_param"].(string)
		if len(data) == 0 {
			if param != "" {
				t.Errorf("empty scroll page has scroll_param %q", param)
			}
			break
		}
	}
	if !reflect.DeepEqual(seen, ids) {
		t.Errorf("scroll gave %v, want %v", seen, ids)
	}
}

func TestCompanyLookupByCompanyIDAndName(t *testing.T) {
	e := apitest.Start(t)
	a := createCompany(t, e, map[string]any{"company_id": "a-1", "name": "Initech"})
	b := createCompany(t, e, map[string]any{"company_id": "b-2", "name": "Initech"})
	createCompany(t, e, map[string]any{"company_id": "c-3", "name": "Hooli"})

	one := e.MustDo(http.StatusOK, "GET", "/api/companies?company_id=b-2", nil)
	if data := listData(t, one); len(data) != 1 || apitest.ID(data[0]) != apitest.ID(b) || one["total_count"] != 1.0 {
		t.Errorf("by company_id = %v", one)
	}
	named := e.MustDo(http.StatusOK, "GET", "/api/companies?name=Initech", nil)
	if data := listData(t, named); len(data) != 2 || apitest.ID(data[0]) != apitest.ID(a) || apitest.ID(data[1]) != apitest.ID(b) {
		t.Errorf("by name = %v", named)
	}
	both := e.MustDo(http.StatusOK, "GET", "/api/companies?name=Initech&company_id=a-1", nil)
	if data := listData(t, both); len(data) != 1 || apitest.ID(data[0]) != apitest.ID(a) {
		t.Errorf("by name and company_id = %v", both)
	}
	paged := e.MustDo(http.StatusOK, "GET", "/api/companies?name=Initech&per_page=1", nil)
	if data := listData(t, paged); len(data) != 1 || paged["pages"].(map[string]any)["next"] == nil {
		t.Errorf("by name, one per page = %v", paged)
	}
	for _, q := range []string{"company_id=nope", "name=Nobody", "name=initech", "name=Initech&company_id=c-3"} {
		if r := e.Do("GET", "/api/companies?"+q, nil); r.Status != http.StatusNotFound || r.ErrorCode() != "company_not_found" {
			t.Errorf("GET /companies?%s = %d %s, want 404 company_not_found", q, r.Status, r.Body)
		}
	}
}

// TestAPI3_CompanyBadInputWritesNothing sends bad bodies to POST /companies and to
// PUT /companies/{id}: each is a 400 error.list naming the field, and nothing changes.
func TestAPI3_CompanyBadInputWritesNothing(t *testing.T) {
	e := apitest.Start(t)
	existing := createCompany(t, e, map[string]any{"company_id": "keep", "name": "Keep", "size": 5,
		"custom_attributes": map[string]any{"a": "b"}})
	id := apitest.ID(existing)
	e.Clock.Advance(time.Hour)

	cases := []struct {
		name, body, code, field string
	}{
		{"no company_id", `{"name": "New"}`, "parameter_not_found", "company_id"},
		{"blank company_id", `{"company_id": "  "}`, "parameter_invalid", "company_id"},
		{"numeric company_id", `{"company_id": 12}`, "parameter_invalid", "company_id"},
		{"name not a string", `{"company_id": "new", "name": 12}`, "parameter_invalid", "name"},
		{"plan object", `{"company_id": "new", "plan": {"name": "Pro"}}`, "parameter_invalid", "plan"},
		{"negative size", `{"company_id": "new", "size": -1}`, "parameter_invalid", "size"},
		{"fractional size", `{"company_id": "new", "size": 1.5}`, "parameter_invalid", "size"},
		{"size not a number", `{"company_id": "new", "size": "many"}`, "parameter_invalid", "size"},
		{"huge size", `{"company_id": "new", "size": 1e40}`, "parameter_invalid", "size"},
		{"negative monthly_spend", `{"company_id": "new", "monthly_spend": -5}`, "parameter_invalid", "monthly_spend"},
		{"monthly_spend over 2**31-1", `{"company_id": "new", "monthly_spend": 2147483648}`, "parameter_invalid", "monthly_spend"},
		{"monthly_spend not a number", `{"company_id": "new", "monthly_spend": true}`, "parameter_invalid", "monthly_spend"},
		{"fractional remote_created_at", `{"company_id": "new", "remote_created_at": 1.5}`, "parameter_invalid", "remote_created_at"},
		{"custom_attributes not an object", `{"company_id": "new", "custom_attributes": ["a"]}`, "parameter_invalid", "custom_attributes"},
		{"custom attribute not a string", `{"company_id": "new", "custom_attributes": {"seats": 9}}`, "parameter_invalid", "custom_attributes.seats"},
		{"custom attribute name with a dot", `{"company_id": "new", "custom_attributes": {"a.b": "c"}}`, "parameter_invalid", "custom_attributes"},
		{"update_last_request_at not a boolean", `{"company_id": "new", "update_last_request_at": "yes"}`, "parameter_invalid", "update_last_request_at"},
		{"unknown field", `{"company_id": "new", "test": "invalid"}`, "bad_request", "test"},
		{"not JSON", `{"company_id": "new",`, "parameter_invalid", ""},
		{"not an object", `["company_id"]`, "parameter_invalid", ""},
		{"good fields, then a bad one", `{"company_id": "keep", "name": "Changed", "size": -3}`, "parameter_invalid", "size"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.Do("POST", "/api/companies", c.body)
			if r.Status != http.StatusBadRequest || r.ErrorCode() != c.code || !strings.Contains(r.ErrorMessage(), c.field) {
				t.Errorf("POST /companies %s = %d %s, want 400 %s naming %q", c.body, r.Status, r.Body, c.code, c.field)
			}
			if c.field == "company_id" {
				return // no body for PUT to test
			}
			r = e.Do("PUT", "/api/companies/"+id, strings.Replace(c.body, `"company_id": "new", `, "", 1))
			if r.Status != http.StatusBadRequest || r.ErrorCode() != c.code {
				t.Errorf("PUT /companies/%s %s = %d %s, want 400 %s", id, c.body, r.Status, r.Body, c.code)
			}
		})
	}
	if r := e.Do("PUT", "/api/companies/"+id, map[string]any{"company_id": "other", "name": "Changed"}); r.Status != http.StatusBadRequest ||
		!strings.Contains(r.ErrorMessage(), "company_id") {
		t.Errorf("PUT changing company_id = %d %s, want 400 naming company_id", r.Status, r.Body)
	}

	// Nothing was written: the one company is as it was, and no other exists.
	list := e.MustDo(http.StatusOK, "GET", "/api/companies", nil)
	if data := listData(t, list); len(data) != 1 || !reflect.DeepEqual(data[0], existing) {
		t.Errorf("after bad requests: %v, want only %v", list, existing)
	}
}

// TestAPI3_CompanyListBadInput: bad paging and filters are 400s naming the parameter.
func TestAPI3_CompanyListBadInput(t *testing.T) {
	e := apitest.Start(t)
	createCompany(t, e, map[string]any{"company_id": "one"})
	for _, c := range []struct{ method, path, field string }{
		{"GET", "/api/companies?per_page=0", "per_page"},
		{"GET", "/api/companies?per_page=1000", "per_page"},
		{"GET", "/api/companies?per_page=x", "per_page"},
		{"GET", "/api/companies?page=0", "page"},
		{"GET", "/api/companies?page=x", "page"},
		{"GET", "/api/companies?page=700&per_page=15", "page"},
		{"GET", "/api/companies?page=99999999999999999", "page"},
		{"GET", "/api/companies?starting_after=bogus", "starting_after"},
		{"GET", "/api/companies?page=2&starting_after=" + firstCursor(t, e), "page"},
		{"GET", "/api/companies?company_id=", "company_id"},
		{"GET", "/api/companies?name=%20", "name"},
		{"GET", "/api/companies?tag_id=1", "tag_id"},
		{"GET", "/api/companies?segment_id=1", "segment_id"},
		{"POST", "/api/companies/list?order=up", "order"},
		{"POST", "/api/companies/list?per_page=-1", "per_page"},
		{"GET", "/api/companies/scroll?scroll_param=nope", "scroll_param"},
	} {
		r := e.Do(c.method, c.path, nil)
		if r.Status != http.StatusBadRequest || r.ErrorCode() != "parameter_invalid" || !strings.Contains(r.ErrorMessage(), c.field) {
			t.Errorf("%s %s = %d %s, want 400 naming %s", c.method, c.path, r.Status, r.Body, c.field)
		}
	}
}

// firstCursor returns the cursor after the first company.
func firstCursor(t *testing.T, e *apitest.Env) string {
	t.Helper()
	createCompany(t, e, map[string]any{"company_id": "cursor-" + itoa(time.Now().UnixNano())})
	list := e.MustDo(http.StatusOK, "GET", "/api/companies?per_page=1", nil)
	next, _ := list["pages"].(map[string]any)["next"].(map[string]any)
	s, _ := next["starting_after"].(string)
	if s == "" {
		t.Fatalf("no cursor in %v", list)
	}
	return url.QueryEscape(s)
}
