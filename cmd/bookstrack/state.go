package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/bookstrack/bookstrack-go"
)

// jobState is the file of --state: what `bookstrack watch --state FILE`
// needs to resume a job in another process. It holds the job's stream
// token, so it is created with mode 0600 and never printed.
type jobState struct {
	Kind        string `json:"kind"` // as the command line names it: import, scan or enrich
	JobID       string `json:"jobId"`
	Routes      string `json:"routes"` // v3 or v2
	BaseURL     string `json:"baseUrl"`
	Token       string `json:"token"`
	LastEventID string `json:"lastEventId,omitempty"`
}

// stateFile writes a jobState to its path.
type stateFile struct {
	path string
	st   jobState
}

// checkWritable tells, before anything is uploaded, whether a file can be
// created in the directory of path.
func checkWritable(path string) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".bookstrack-state-*")
	if err != nil {
		return usagef("give a path in a directory you can write to", "cannot write the --state file %s: %v", path, unwrapPath(err))
	}
	name := f.Name()
	_ = f.Close()
	_ = os.Remove(name)
	return nil
}

// save writes the state: to a new file of mode 0600 beside path, renamed
// over path, so that a reader never sees half a file.
func (f *stateFile) save() error {
	data, err := json.MarshalIndent(f.st, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(f.path), ".bookstrack-state-*")
	if err != nil {
		return err
	}
	if err := tmp.Chmod(0o600); err != nil { // CreateTemp's mode already; said again for clarity
		_ = tmp.Close()
		_ = os.Remove(tmp.Name())
		return err
	}
	_, werr := tmp.Write(append(data, '\n'))
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), f.path); err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	return nil
}

// loadState reads the --state file of `watch --state FILE`.
func loadState(path string) (*stateFile, kind, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, kind{}, usagef("give the file a start command or a watch wrote with --state", "cannot read the --state file %s: %v", path, unwrapPath(err))
	}
	bad := func(what string) error {
		return usagef("give the file a start command or a watch wrote with --state", "the --state file %s %s", path, what)
	}
	var st jobState
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, kind{}, bad("is not a state file (not the JSON --state writes)")
	}
	k, err := kindNamed(st.Kind)
	switch {
	case err != nil:
		return nil, kind{}, bad(fmt.Sprintf("has an unknown kind %q, not import, scan or enrich", st.Kind))
	case st.JobID == "":
		return nil, kind{}, bad("has no jobId")
	case st.Token == "":
		return nil, kind{}, bad("has no token")
	case st.BaseURL == "":
		return nil, kind{}, bad("has no baseUrl")
	}
	var r routesFlag
	if r.Set(st.Routes) != nil {
		return nil, kind{}, bad(fmt.Sprintf("has routes %q, not v3 or v2", st.Routes))
	}
	return &stateFile{path: path, st: st}, k, nil
}

// newState is the state of a job just started.
func (s *session) newState(k kind, job bookstrack.Job) *stateFile {
	return &stateFile{path: s.o.state, st: jobState{
		Kind: k.name, JobID: job.ID, Routes: s.o.routes.String(), BaseURL: s.o.baseURL, Token: job.Token, LastEventID: job.LastEventID,
	}}
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
