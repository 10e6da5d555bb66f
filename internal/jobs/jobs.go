// Package jobs is what the csvimport, scan and enrichment packages share:
// a Client for one kind of job that starts it, watches it (the watch
// state machine lives here too), and reads its status and results, so
// each public package only adds its types.
package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"sync"
	"time"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/internal/api"
	"github.com/bookstrack/bookstrack-go/internal/settings"
)

// Client calls the API for one kind of job.
type Client struct {
	kind bookstrack.Kind
	cfg  settings.Settings
	api  *api.Client

	mu      sync.Mutex
	expires map[string]time.Time // results expiry (caller's clock) of the jobs seen completing
}

// New returns a Client for jobs of the kind.
func New(kind bookstrack.Kind, opts []bookstrack.Option) (*Client, error) {
	cfg, err := settings.New(opts)
	if oe := (*settings.OptionError)(nil); errors.As(err, &oe) {
		return nil, &bookstrack.InputError{Field: "option " + oe.Option, Reason: oe.Reason()}
	}
	ac, err := api.New(&cfg)
	if err != nil {
		return nil, err
	}
	return &Client{kind: kind, cfg: cfg, api: ac, expires: map[string]time.Time{}}, nil
}

// Settings returns the client's settings, which must not be modified.
func (c *Client) Settings() *settings.Settings { return &c.cfg }

// Start posts a start request with the given body. It is never retried.
func (c *Client) Start(ctx context.Context, contentType string, body []byte) (bookstrack.Job, error) {
	return c.api.StartJob(ctx, c.kind, contentType, body)
}

// Watch follows the job to its end; see bookstrack's package docs.
func (c *Client) Watch(ctx context.Context, job bookstrack.Job, h bookstrack.Handlers) (bookstrack.Completion, error) {
	if err := c.check(job); err != nil {
		return bookstrack.Completion{}, err
	}
	job.Kind = c.kind
	comp, err := run(ctx, &c.cfg, c.api, job, h)
	if err == nil {
		c.remember(comp)
	}
	return comp, err
}

// Updates is Watch as an iterator of progress: every delivered Progress,
// the last with the completed status, or one final error. The
// Error and Completed of h are called as by Watch; h.Progress is not (the
// iterator yields the progress).
func (c *Client) Updates(ctx context.Context, job bookstrack.Job, h bookstrack.Handlers) iter.Seq2[bookstrack.Progress, error] {
	return func(yield func(bookstrack.Progress, error) bool) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		stopped := false
		hs := bookstrack.Handlers{Error: h.Error, Completed: h.Completed}
		hs.Progress = func(p bookstrack.Progress) {
			if !stopped && !yield(p, nil) {
				stopped = true
				cancel()
			}
		}
		_, err := c.Watch(ctx, job, hs)
		if !stopped && err != nil {
			yield(bookstrack.Progress{}, err)
		}
	}
}

// Status reads the job's status from the route set's status route.
func (c *Client) Status(ctx context.Context, jobID string) (bookstrack.Progress, error) {
	if err := api.CheckID(jobID); err != nil {
		return bookstrack.Progress{}, err
	}
	job := bookstrack.Job{ID: jobID, Kind: c.kind}
	statusURL := c.api.StatusURL(c.kind, jobID)
	w := newWatcher(&c.cfg, job, bookstrack.Handlers{}, func(ctx context.Context) (json.RawMessage, error) {
		return c.api.StatusAt(ctx, statusURL)
	})
	return statusOf(ctx, w)
}

// Results fetches the raw results data. It always asks the server: a
// 404 is ErrResultsExpired when this client saw the job complete and the
// results TTL has passed since by its clock, ErrResultsUnavailable
// otherwise, both wrapped with the server's *APIError.
func (c *Client) Results(ctx context.Context, jobID string) (_ json.RawMessage, err error) {
	if err := api.CheckID(jobID); err != nil {
		return nil, err
	}
	if c.cfg.OnFetch != nil || c.cfg.Stats != nil {
		start := c.cfg.Clock.Now()
		defer func() {
			c.fetched(settings.Fetch{Kind: string(c.kind), JobID: jobID, Duration: c.cfg.Clock.Now().Sub(start), Err: err})
		}()
	}
	data, err := c.api.Results(ctx, c.kind, jobID)
	if errors.Is(err, bookstrack.ErrNotFound) {
		if at, ok := c.expiry(jobID); ok && !c.cfg.Clock.Now().Before(at) {
			return nil, fmt.Errorf("%w (expected at %v): %w", bookstrack.ErrResultsExpired, at.Format(time.RFC3339), err)
		}
		return nil, fmt.Errorf("%w: %w", bookstrack.ErrResultsUnavailable, err)
	}
	return data, err
}

// fetched tells the fetch observer and the stats of a results fetch,
// filling in the status of the response that failed it.
func (c *Client) fetched(i settings.Fetch) {
	if ae := (*bookstrack.APIError)(nil); errors.As(i.Err, &ae) {
		i.StatusCode = ae.StatusCode
	}
	if c.cfg.Stats != nil {
		c.cfg.Stats.Stream(i.Kind).Fetch(i.StatusCode, i.Duration, i.Err)
	}
	if c.cfg.OnFetch != nil {
		c.cfg.OnFetch(i)
	}
}

// Cancel cancels the job.
func (c *Client) Cancel(ctx context.Context, jobID string) error {
	if err := api.CheckID(jobID); err != nil {
		return err
	}
	return c.api.Cancel(ctx, c.kind, jobID)
}

func (c *Client) check(job bookstrack.Job) error {
	if job.Kind != "" && job.Kind != c.kind {
		return &bookstrack.InputError{Field: "job", Reason: fmt.Sprintf("a %s job given to a %s client", job.Kind, c.kind)}
	}
	return nil
}

// remember notes when a completed job's results are expected to expire,
// forgetting the jobs whose results are long gone.
func (c *Client) remember(comp bookstrack.Completion) {
	now := c.cfg.Clock.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, at := range c.expires {
		if now.After(at.Add(c.cfg.ResultsTTL)) {
			delete(c.expires, id)
		}
	}
	c.expires[comp.JobID] = comp.ResultsExpireAt
}

func (c *Client) expiry(jobID string) (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	at, ok := c.expires[jobID]
	return at, ok
}

// ResultsField returns the "results" member of a results response's data,
// or the data itself when it has none (some versions send the results
// bare).
func ResultsField(data json.RawMessage) json.RawMessage {
	var env struct {
		Results json.RawMessage `json:"results"`
	}
	if json.Unmarshal(data, &env) == nil && len(env.Results) > 0 {
		return env.Results
	}
	return data
}
