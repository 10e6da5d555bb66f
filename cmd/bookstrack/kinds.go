package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/bookstrack/bookstrack-go"
	"github.com/bookstrack/bookstrack-go/csvimport"
	"github.com/bookstrack/bookstrack-go/enrichment"
	"github.com/bookstrack/bookstrack-go/scan"
)

// client is what the commands need of a job client, whatever its kind.
type client interface {
	Watch(ctx context.Context, job bookstrack.Job, h bookstrack.Handlers) (bookstrack.Completion, error)
	Status(ctx context.Context, jobID string) (bookstrack.Progress, error)
	Cancel(ctx context.Context, jobID string) error
	// results fetches the job's results, to print.
	results(ctx context.Context, jobID string) (results, error)
}

// kind is a type of job as the command line names it.
type kind struct {
	name    string // as the commands name it: import, scan, enrich
	job     bookstrack.Kind
	aliases []string
	open    func(opts []bookstrack.Option) (client, error)
}

var kinds = []kind{
	{name: "import", job: bookstrack.KindImport, aliases: []string{"imports", "csv", "csvimport"}, open: openImport},
	{name: "scan", job: bookstrack.KindScan, aliases: []string{"scans"}, open: openScan},
	{name: "enrich", job: bookstrack.KindEnrichment, aliases: []string{"enrichment", "enrichments"}, open: openEnrich},
}

// kindNamed returns the kind named s.
func kindNamed(s string) (kind, error) {
	s = strings.ToLower(s)
	for _, k := range kinds {
		if s == k.name {
			return k, nil
		}
		for _, a := range k.aliases {
			if s == a {
				return k, nil
			}
		}
	}
	return kind{}, usagef("the kinds are import, scan and enrich", "unknown job kind %q", s)
}

// kindOf returns the kind of a job.
func kindOf(k bookstrack.Kind) kind {
	for _, kk := range kinds {
		if kk.job == k {
			return kk
		}
	}
	panic(fmt.Sprintf("no kind %q", k))
}

type importClient struct{ *csvimport.Client }

func openImport(opts []bookstrack.Option) (client, error) {
	c, err := csvimport.NewClient(opts...)
	return importClient{c}, err
}

func (c importClient) results(ctx context.Context, id string) (results, error) {
	r, err := c.Results(ctx, id)
	if err != nil {
		return nil, err
	}
	return importResults{r}, nil
}

type scanClient struct{ *scan.Client }

func openScan(opts []bookstrack.Option) (client, error) {
	c, err := scan.NewClient(opts...)
	return scanClient{c}, err
}

func (c scanClient) results(ctx context.Context, id string) (results, error) {
	r, err := c.Results(ctx, id)
	if err != nil {
		return nil, err
	}
	return scanResults{r}, nil
}

type enrichClient struct{ *enrichment.Client }

func openEnrich(opts []bookstrack.Option) (client, error) {
	c, err := enrichment.NewClient(opts...)
	return enrichClient{c}, err
}

func (c enrichClient) results(ctx context.Context, id string) (results, error) {
	r, err := c.Results(ctx, id)
	if err != nil {
		return nil, err
	}
	return enrichResults{r}, nil
}

// stage names where a job is, for the progress display: the scan stage
// for scans, the status otherwise.
func stage(k bookstrack.Kind, p bookstrack.Progress) string {
	if k == bookstrack.KindScan {
		return string(scan.StageOf(p))
	}
	return string(p.Status)
}
