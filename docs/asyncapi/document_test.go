package asyncapi_test

import (
	"fmt"
	"regexp"
	"sort"
	"testing"
)

// The document is an AsyncAPI 3.0 document whose references all resolve:
// every $ref points into the document, every channel has one operation
// that sends its events, and every parameter in an address is declared.
func TestTheDocumentIsAsyncAPI3WithResolvingReferences(t *testing.T) {
	doc := loadSpec(t)
	if v := doc.raw["asyncapi"]; v != "3.0.0" {
		t.Errorf("asyncapi = %v, want 3.0.0", v)
	}
	for _, key := range []string{"info", "servers", "channels", "operations", "components"} {
		if _, ok := doc.raw[key].(map[string]any); !ok {
			t.Errorf("no %s object", key)
		}
	}
	var refs []string
	collectRefs(doc.raw, &refs)
	if len(refs) == 0 {
		t.Fatal("no $ref found")
	}
	for _, ref := range refs {
		if _, err := resolve(doc.raw, ref); err != nil {
			t.Error(err)
		}
	}

	sent := map[string]int{}
	for name, v := range doc.raw["operations"].(map[string]any) {
		op, _ := v.(map[string]any)
		if op["action"] != "send" {
			t.Errorf("operation %s: action %v, want send (the API sends the events)", name, op["action"])
		}
		ref, _ := op["channel"].(map[string]any)["$ref"].(string)
		sent[ref]++
		if _, ok := op["security"]; !ok {
			t.Errorf("operation %s has no security", name)
		}
	}
	param := regexp.MustCompile(`\{([^}]+)\}`)
	var keys []string
	for key := range doc.raw["channels"].(map[string]any) {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	for _, key := range keys {
		if n := sent["#/channels/"+key]; n != 1 {
			t.Errorf("channel %s has %d operations, want 1", key, n)
		}
		ch := doc.raw["channels"].(map[string]any)[key].(map[string]any)
		params, _ := ch["parameters"].(map[string]any)
		for _, m := range param.FindAllStringSubmatch(ch["address"].(string), -1) {
			if _, ok := params[m[1]]; !ok {
				t.Errorf("channel %s: parameter %s of its address is not declared", key, m[1])
			}
		}
	}
	schemes, _ := doc.raw["components"].(map[string]any)["securitySchemes"].(map[string]any)
	bearer, _ := schemes["streamToken"].(map[string]any)
	if fmt.Sprint(bearer["type"], " ", bearer["scheme"]) != "http bearer" {
		t.Errorf("streamToken = %v, want an http bearer scheme", bearer)
	}
}

func collectRefs(node any, refs *[]string) {
	switch n := node.(type) {
	case map[string]any:
		for k, v := range n {
			if s, ok := v.(string); ok && k == "$ref" {
				*refs = append(*refs, s)
				continue
			}
			collectRefs(v, refs)
		}
	case []any:
		for _, v := range n {
			collectRefs(v, refs)
		}
	}
}
