package ssestats

// InFlight returns how many attempts r keeps between their AttemptInfo
// and CloseInfo.
func InFlight(r *Recorder) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.inFlight)
}

// NumBuckets is the fixed number of buckets of every summary.
const NumBuckets = numBuckets
