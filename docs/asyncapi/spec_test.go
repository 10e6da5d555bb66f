package asyncapi_test

import (
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

// docPath is the document under test, relative to this module.
const docPath = "../asyncapi.yaml"

// docURL is the URL the document is registered under for the schema
// compiler; its $refs are all local ("#/...").
const docURL = "file:///bookstrack/docs/asyncapi.yaml"

// spec is the document, read once and compiled into what the tests need.
type spec struct {
	raw      map[string]any
	channels map[string]*channel // by address
	comments []*regexp.Regexp    // x-sse-frames.comments
	retry    time.Duration       // x-sse-frames.retryMilliseconds
}

// channel is one stream route and the messages it may carry.
type channel struct {
	key      string
	address  string
	messages []*message
}

// message is one kind of SSE event: headers validate its SSE fields
// (event, id), payload its data.
type message struct {
	key     string // the channel's key for it
	ref     string // the components message it points to
	name    string
	headers *jsonschema.Schema
	payload *jsonschema.Schema
}

var (
	specOnce sync.Once
	specVal  *spec
	specErr  error
)

// loadSpec reads and compiles the document once for all tests.
func loadSpec(t *testing.T) *spec {
	t.Helper()
	specOnce.Do(func() { specVal, specErr = readSpec(docPath) })
	if specErr != nil {
		t.Fatalf("%s: %v", docPath, specErr)
	}
	return specVal
}

func readSpec(path string) (*spec, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var raw map[string]any
	if err := yaml.Unmarshal(b, &raw); err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft7) // the AsyncAPI schema format is a superset of draft 07
	c.AssertFormat()
	if err := c.AddResource(docURL, raw); err != nil {
		return nil, err
	}
	s := &spec{raw: raw, channels: map[string]*channel{}}
	channels, ok := raw["channels"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("no channels")
	}
	for key, v := range channels {
		ch, _ := v.(map[string]any)
		address, _ := ch["address"].(string)
		if address == "" {
			return nil, fmt.Errorf("channel %s has no address", key)
		}
		msgs, _ := ch["messages"].(map[string]any)
		if len(msgs) == 0 {
			return nil, fmt.Errorf("channel %s has no messages", key)
		}
		out := &channel{key: key, address: address}
		for mkey, mv := range msgs {
			ref, _ := mv.(map[string]any)["$ref"].(string)
			target, err := resolve(raw, ref)
			if err != nil {
				return nil, fmt.Errorf("channel %s message %s: %v", key, mkey, err)
			}
			m := &message{key: mkey, ref: ref}
			m.name, _ = target.(map[string]any)["name"].(string)
			if m.headers, err = c.Compile(docURL + ref + "/headers"); err != nil {
				return nil, fmt.Errorf("channel %s message %s headers: %v", key, mkey, err)
			}
			if m.payload, err = c.Compile(docURL + ref + "/payload"); err != nil {
				return nil, fmt.Errorf("channel %s message %s payload: %v", key, mkey, err)
			}
			out.messages = append(out.messages, m)
		}
		sort.Slice(out.messages, func(i, j int) bool { return out.messages[i].key < out.messages[j].key })
		s.channels[address] = out
	}
	frames, _ := raw["x-sse-frames"].(map[string]any)
	comments, _ := frames["comments"].([]any)
	for _, p := range comments {
		re, err := regexp.Compile(fmt.Sprint(p))
		if err != nil {
			return nil, fmt.Errorf("x-sse-frames.comments: %v", err)
		}
		s.comments = append(s.comments, re)
	}
	ms, ok := frames["retryMilliseconds"].(int)
	if !ok || len(s.comments) == 0 {
		return nil, fmt.Errorf("x-sse-frames needs comments and retryMilliseconds")
	}
	s.retry = time.Duration(ms) * time.Millisecond
	return s, nil
}

// resolve follows a local JSON pointer such as "#/components/messages/ping".
func resolve(doc any, ref string) (any, error) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, fmt.Errorf("$ref %q is not local", ref)
	}
	node := doc
	for _, tok := range strings.Split(ref[2:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch n := node.(type) {
		case map[string]any:
			next, ok := n[tok]
			if !ok {
				return nil, fmt.Errorf("$ref %q: no %q", ref, tok)
			}
			node = next
		default:
			return nil, fmt.Errorf("$ref %q: %q is not in an object", ref, tok)
		}
	}
	return node, nil
}

// match returns the messages of ch that accept an event: its SSE fields
// by the headers schema, its data by the payload schema. For a message
// whose headers accept the event but whose payload does not, the
// validation error is in rejected.
func (ch *channel) match(fields map[string]any, data any) (matched []*message, rejected map[string]error) {
	rejected = map[string]error{}
	for _, m := range ch.messages {
		if m.headers.Validate(fields) != nil {
			continue
		}
		if err := m.payload.Validate(data); err != nil {
			rejected[m.key] = err
			continue
		}
		matched = append(matched, m)
	}
	return matched, rejected
}
