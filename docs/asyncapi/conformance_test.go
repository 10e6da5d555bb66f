package asyncapi_test

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/bookstrack/bookstrack-go/sse"
)

// TestEveryEventTheFakeEmitsMatchesExactlyOneMessage runs every scenario
// in every quirk mode, for the three job types on both route sets, and
// checks each frame the fake sends: each event is accepted by exactly
// one message of its channel (SSE fields by its headers, data by its
// payload), each comment and retry field is one that x-sse-frames lists.
// Every message of every channel must be met at least once, so that the
// document lists no shape the fake never sends.
func TestEveryEventTheFakeEmitsMatchesExactlyOneMessage(t *testing.T) {
	doc := loadSpec(t)
	seen := map[string]map[string]int{} // channel key -> message key -> count
	events := 0
	for _, m := range quirkModes(t) {
		for _, k := range kinds {
			for set, address := range map[string]string{"v3": k.v3, "v2": k.v2} {
				ch := doc.channels[address]
				if ch == nil {
					t.Fatalf("the document has no channel at %s, the fake's %s stream route", address, set)
				}
				if seen[ch.key] == nil {
					seen[ch.key] = map[string]int{}
				}
				for _, sc := range scenarios {
					name := fmt.Sprintf("%s/%s/%s/%s", m.name, k.name, set, sc.name)
					t.Run(name, func(t *testing.T) {
						var frames []frame
						sc.run(newFake(t, m.quirks, k.name, address), &frames)
						for _, fr := range frames {
							if fr.Kind == sse.FrameEvent {
								events++
								if mm := checkEvent(t, ch, fr); mm != nil {
									seen[ch.key][mm.key]++
								}
								continue
							}
							checkFrame(t, doc, fr)
						}
					})
				}
			}
		}
	}
	t.Logf("%d events validated", events)
	var missing []string
	for _, ch := range doc.channels {
		for _, m := range ch.messages {
			if seen[ch.key][m.key] == 0 {
				missing = append(missing, ch.key+"."+m.key)
			}
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("messages the fake never sent in any mode: %s", strings.Join(missing, ", "))
	}
}

// checkEvent fails the test unless exactly one message of ch accepts the
// event, and returns that message.
func checkEvent(t *testing.T, ch *channel, fr frame) *message {
	t.Helper()
	ev := fr.Event
	if strings.ContainsAny(ev.Data, "\r\n") {
		t.Errorf("%s event %q: data is not one line: %q", ch.key, ev.Type, ev.Data)
	}
	fields, data, err := instance(fr)
	if err != nil {
		t.Errorf("%s event %q id %q: data is not JSON: %v: %s", ch.key, ev.Type, ev.ID, err, ev.Data)
		return nil
	}
	matched, rejected := ch.match(fields, data)
	switch len(matched) {
	case 1:
		return matched[0]
	case 0:
		var why []string
		for key, err := range rejected {
			why = append(why, fmt.Sprintf("message %s: %v", key, err))
		}
		sort.Strings(why)
		if len(why) == 0 {
			why = []string{"no message has these SSE fields"}
		}
		t.Errorf("%s: no message accepts event %v data %s:\n%s", ch.key, fields, ev.Data, strings.Join(why, "\n"))
	default:
		var keys []string
		for _, m := range matched {
			keys = append(keys, m.key)
		}
		t.Errorf("%s: event %v data %s is accepted by several messages: %v", ch.key, fields, ev.Data, keys)
	}
	return nil
}

// instance returns an event's SSE fields and its data as the schema
// validator takes them.
func instance(fr frame) (fields map[string]any, data any, err error) {
	fields = map[string]any{"event": fr.Event.Type}
	if fr.ownID {
		fields["id"] = fr.Event.ID
	}
	data, err = jsonschema.UnmarshalJSON(strings.NewReader(fr.Event.Data))
	return fields, data, err
}

// checkFrame fails the test unless a comment or retry frame is one the
// document lists.
func checkFrame(t *testing.T, doc *spec, fr frame) {
	t.Helper()
	switch fr.Kind {
	case sse.FrameComment:
		for _, re := range doc.comments {
			if re.MatchString(fr.Comment) {
				return
			}
		}
		t.Errorf("comment %q is not in x-sse-frames.comments", fr.Comment)
	case sse.FrameRetry:
		if fr.Retry != doc.retry {
			t.Errorf("retry %v, x-sse-frames says %v", fr.Retry, doc.retry)
		}
	}
}

// mutate returns a copy of the event with its data changed by edit.
func mutate(t *testing.T, fr frame, edit func(map[string]any)) frame {
	t.Helper()
	var d map[string]any
	if err := json.Unmarshal([]byte(fr.Event.Data), &d); err != nil {
		t.Fatal(err)
	}
	edit(d)
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	fr.Event.Data = string(b)
	return fr
}

// liveFrames runs the first scenario in the default mode and returns the
// events of the import stream (v3), by id suffix or type.
func liveFrames(t *testing.T) map[string]frame {
	t.Helper()
	var frames []frame
	scenarios[0].run(newFake(t, quirkModes(t)[0].quirks, kinds[0].name, kinds[0].v3), &frames)
	out := map[string]frame{}
	for _, fr := range frames {
		if fr.Kind != sse.FrameEvent {
			continue
		}
		key := fr.Event.Type
		if fr.ownID {
			key = fr.Event.ID[strings.LastIndexByte(fr.Event.ID, '-')+1:]
		}
		if _, ok := out[key]; !ok {
			out[key] = fr
		}
	}
	for _, want := range []string{"initial", "progress", "completed", "final", "ping"} {
		if _, ok := out[want]; !ok {
			t.Fatalf("the live scenario sent no %q event", want)
		}
	}
	return out
}

// The schemas are closed and precise: an event the fake really sent,
// changed in one way the contract does not allow, is accepted by no
// message. Each case first checks that the unchanged event is accepted.
func TestAChangedEventIsRejected(t *testing.T) {
	doc := loadSpec(t)
	ch := doc.channels[kinds[0].v3]
	evs := liveFrames(t)
	cases := []struct {
		name  string
		event string
		edit  func(map[string]any)
	}{
		{"an extra field in a progress update", "progress", func(d map[string]any) { d["eta"] = 12 }},
		{"an extra field in the snapshot", "initial", func(d map[string]any) { d["message"] = "queued" }},
		{"an extra field in a book of the final event", "final", func(d map[string]any) {
			d["books"].([]any)[0].(map[string]any)["rating"] = 5
		}},
		{"an extra field in a heartbeat", "ping", func(d map[string]any) { d["jobId"] = "x" }},
		{"a progress update at 100", "progress", func(d map[string]any) { d["progress"] = 100 }},
		{"a progress update above 1", "progress", func(d map[string]any) { d["progress"] = 1.5 }},
		{"a count that is not whole", "progress", func(d map[string]any) { d["processedCount"] = 1.5 }},
		{"a timestamp that is not a date", "progress", func(d map[string]any) { d["timestamp"] = "yesterday" }},
		{"a missing jobId", "completed", func(d map[string]any) { delete(d, "jobId") }},
		{"a final event with both books and results", "final", func(d map[string]any) { d["results"] = d["books"] }},
		{"a final event with neither books nor results", "final", func(d map[string]any) { delete(d, "books") }},
		{"an unknown status", "initial", func(d map[string]any) { d["status"] = "paused" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fr := evs[tc.event]
			if checkEvent(t, ch, fr) == nil {
				t.Fatalf("the unchanged %s event is not accepted", tc.event)
			}
			bad := mutate(t, fr, tc.edit)
			fields, data, err := instance(bad)
			if err != nil {
				t.Fatal(err)
			}
			if matched, _ := ch.match(fields, data); len(matched) != 0 {
				t.Errorf("%s was accepted by %s: %s", tc.name, matched[0].key, bad.Event.Data)
			}
		})
	}
}

// The SSE fields count too: a heartbeat with an id field, or a progress
// update with a snapshot's id, is accepted by no message.
func TestAnEventWithTheWrongSSEFieldsIsRejected(t *testing.T) {
	doc := loadSpec(t)
	ch := doc.channels[kinds[0].v3]
	evs := liveFrames(t)
	ping := evs["ping"]
	ping.ownID, ping.Event.ID = true, "1767323045000-progress"
	progress := evs["progress"]
	progress.Event.ID = strings.Replace(progress.Event.ID, "-progress", "-initial", 1)
	renamed := evs["progress"]
	renamed.Event.Type = "update"
	for name, fr := range map[string]frame{"ping with an id": ping, "progress with a snapshot id": progress, "unknown event type": renamed} {
		fields, data, err := instance(fr)
		if err != nil {
			t.Fatal(err)
		}
		if matched, _ := ch.match(fields, data); len(matched) != 0 {
			t.Errorf("%s was accepted by %s", name, matched[0].key)
		}
	}
}
