package bookstracktest

import (
	"github.com/bookstrack/bookstrack-go"
	"net/http"
	"strings"
)

// The kinds of job, as the v3 routes name them: bookstrack's.
const (
	kindImports    = string(bookstrack.KindImport)
	kindScans      = string(bookstrack.KindScan)
	kindEnrichment = string(bookstrack.KindEnrichment)
)

// action is what a route does.
type action int

const (
	actStart action = iota + 1
	actStatus
	actCancel
	actStream
	actResults
)

// route is a matched path: the job kind, the job id for job routes, and
// whether it belongs to the v2 set.
type route struct {
	kind string
	id   string
	v2   bool
	// acts maps each method the path accepts to its action.
	acts map[string]action
}

// v2Kinds maps the v2 path segment to the job kind.
var v2Kinds = map[string]string{"imports": kindImports, "scans": kindScans, "enrichments": kindEnrichment}

// matchRoute finds the route of a path, or reports false.
func matchRoute(path string) (route, bool) {
	seg := strings.Split(strings.TrimPrefix(path, "/"), "/")
	post := map[string]action{http.MethodPost: actStart}
	switch {
	case len(seg) == 3 && seg[0] == "v3" && seg[1] == "jobs" && (seg[2] == kindImports || seg[2] == kindScans):
		return route{kind: seg[2], acts: post}, true
	case len(seg) == 3 && seg[0] == "v3" && seg[1] == "books" && seg[2] == "enrich":
		return route{kind: kindEnrichment, acts: post}, true
	case len(seg) >= 4 && len(seg) <= 5 && seg[0] == "v3" && seg[1] == "jobs" && isKind(seg[2]):
		rt := route{kind: seg[2], id: seg[3]}
		if len(seg) == 4 {
			rt.acts = map[string]action{http.MethodGet: actStatus, http.MethodDelete: actCancel}
			return rt, true
		}
		return withSub(rt, seg[4])
	case len(seg) == 3 && seg[0] == "api" && seg[1] == "v2" && seg[2] == "imports":
		return route{kind: kindImports, v2: true, acts: post}, true
	case len(seg) == 5 && seg[0] == "api" && seg[1] == "v2" && v2Kinds[seg[2]] != "":
		return withSub(route{kind: v2Kinds[seg[2]], id: seg[3], v2: true}, seg[4])
	}
	return route{}, false
}

func withSub(rt route, sub string) (route, bool) {
	switch sub {
	case "stream":
		rt.acts = map[string]action{http.MethodGet: actStream}
	case "results":
		rt.acts = map[string]action{http.MethodGet: actResults}
	default:
		return route{}, false
	}
	return rt, true
}

func isKind(s string) bool { return s == kindImports || s == kindScans || s == kindEnrichment }

// route answers 404 for unknown paths and 405 for other methods, checks
// job ids and hands the request to its handler.
func (s *Server) route(c *call) {
	rt, ok := matchRoute(c.r.URL.Path)
	if !ok {
		c.fail(problem{status: http.StatusNotFound, code: "NOT_FOUND", detail: "no route for " + c.r.URL.Path})
		return
	}
	act, ok := rt.acts[c.r.Method]
	if !ok {
		allow := make([]string, 0, len(rt.acts))
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodDelete} {
			if _, ok := rt.acts[m]; ok {
				allow = append(allow, m)
			}
		}
		c.w.Header().Set("Allow", strings.Join(allow, ", "))
		c.fail(problem{status: http.StatusMethodNotAllowed, code: "METHOD_NOT_ALLOWED", detail: c.r.Method + " is not allowed on " + c.r.URL.Path})
		return
	}
	if act != actStart {
		if !isUUID(rt.id) {
			c.invalid("job id must be a UUID", fieldError{Field: "jobId", Message: "must be a UUID", Code: "INVALID_FORMAT"})
			return
		}
		rt.id = strings.ToLower(rt.id)
	}
	switch act {
	case actStart:
		s.serveStart(c, rt)
	case actStatus:
		s.serveStatus(c, rt)
	case actCancel:
		s.serveCancel(c, rt)
	case actStream:
		s.serveStream(c, rt)
	case actResults:
		s.serveResults(c, rt)
	}
}
