package bookstracktest_test

import (
	"reflect"
	"strings"
	"testing"
)

// photos returns n distinct fake photos.
func photos(n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = []byte(strings.Repeat("shelf ", i+1))
	}
	return out
}

// TestScanLadder: 0.10, then per photo 0.10+0.40*(i+1)/N, 0.50, then per
// book up to 0.95, with float noise as computed.
func TestScanLadder(t *testing.T) {
	e := setup(t)
	s := e.startScan(photos(2)...)
	c := e.openJob(s)
	c.event("progress")
	e.wait(s.JobID, 1)
	next := func() (string, map[string]any) {
		e.clock.Advance(step)
		ev, d := c.event("progress")
		return ev.Data, d
	}
	if _, d := next(); d["progress"] != 0.1 || d["totalCount"] != 2.0 || !strings.HasPrefix(d["message"].(string), "Starting scan") {
		t.Errorf("start %v", d)
	}
	if raw, d := next(); !strings.Contains(raw, `"progress":0.30000000000000004`) || d["message"] != "Processing photo 1 of 2..." {
		t.Errorf("photo 1: %s", raw)
	}
	if _, d := next(); d["progress"] != 0.5 || d["processedCount"] != 2.0 {
		t.Errorf("photo 2: %v", d)
	}
	_, d := next()
	books := int(d["totalCount"].(float64))
	if d["progress"] != 0.5 || books < 4 || books > 8 || d["processedCount"] != 0.0 {
		t.Fatalf("enriching %v", d)
	}
	for i := 1; i <= books; i++ {
		_, d = next()
		if d["processedCount"] != float64(i) {
			t.Errorf("book %d: %v", i, d)
		}
	}
	if d["progress"] != 0.95 {
		t.Errorf("last book at %v, want 0.95", d["progress"])
	}
	e.clock.Advance(step)
	if _, d = c.event("completed"); d["processedCount"] != float64(books) {
		t.Errorf("completed %v", d)
	}
}

// TestScanDeterministic: the same photo bytes give the same detections,
// which follow the contract's shape.
func TestScanDeterministic(t *testing.T) {
	results := func(ph [][]byte) []any {
		e := setup(t)
		s := e.startScan(ph...)
		e.finish(s.JobID)
		list, _ := field(e.get("/v3/jobs/scans/"+s.JobID+"/results", 200), "data", "results").([]any)
		return list
	}
	var list []any
	all := photos(20)
	for i := 0; i < 20; i += 5 {
		a, b := results(all[i:i+5]), results(all[i:i+5])
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("same photos, different detections:\n%v\n%v", a, b)
		}
		list = append(list, a...)
	}
	var lowConfidence, nullISBN, nullConfidence int
	statuses := map[string]int{}
	for _, d := range list {
		conf, _ := field(d, "confidence").(float64)
		switch {
		case field(d, "confidence") == nil:
			nullConfidence++
		case conf < 0.5 || conf >= 1:
			t.Errorf("confidence %v", conf)
		case conf < 0.8:
			lowConfidence++
		}
		if field(d, "isbn") == nil {
			nullISBN++
		}
		status := field(d, "enrichmentStatus").(string)
		statuses[status]++
		for _, k := range []string{"x", "y", "width", "height"} {
			if v := field(d, "boundingBox", k).(float64); v < 0 || v > 1 {
				t.Errorf("boundingBox %v", field(d, "boundingBox"))
			}
		}
		if (status == "success") != (field(d, "coverUrl") != nil) || field(d, "title") == "" || field(d, "author") == "" {
			t.Errorf("detection %v", d)
		}
	}
	t.Logf("%d detections: %d under 0.8, %d null ISBNs, %d null confidences, statuses %v",
		len(list), lowConfidence, nullISBN, nullConfidence, statuses)
	if lowConfidence == 0 || nullISBN == 0 || nullConfidence == 0 || len(statuses) != 5 {
		t.Errorf("over %d detections: %d under 0.8, %d null ISBNs, %d null confidences, statuses %v",
			len(list), lowConfidence, nullISBN, nullConfidence, statuses)
	}
}
