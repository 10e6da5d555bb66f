package bookstracktest

import (
	"errors"
	"fmt"
	"github.com/bookstrack/bookstrack-go/csvimport"
	"github.com/bookstrack/bookstrack-go/scan"
	"io"
	"mime"
	"net/http"
)

// Upload limits of the start routes: the job packages'.
const (
	maxImportFileSize = csvimport.MaxFileSize
	maxPhotoSize      = scan.MaxPhotoSize
	maxPhotosSize     = scan.MaxPhotosSize
	maxPhotos         = scan.MaxPhotos
)

// multipartOverhead is what a request body may hold beyond its files:
// boundaries, part headers and small fields.
const multipartOverhead = 1 << 20

// readParts reads the parts named field from a multipart/form-data body,
// at most maxParts of them, each at most maxSize bytes and all together at
// most maxTotal. Other parts are skipped. On a problem it returns the
// field errors to report.
func readParts(c *call, field string, maxParts int, maxSize, maxTotal int64) ([][]byte, []fieldError) {
	mediaType, params, err := mime.ParseMediaType(c.r.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/form-data" || params["boundary"] == "" {
		return nil, []fieldError{{Field: field, Message: "the body must be multipart/form-data", Code: "INVALID_CONTENT_TYPE"}}
	}
	c.r.Body = http.MaxBytesReader(c.w, c.r.Body, maxTotal+multipartOverhead)
	mr, err := c.r.MultipartReader()
	if err != nil {
		return nil, []fieldError{{Field: field, Message: "the body must be multipart/form-data", Code: "INVALID_CONTENT_TYPE"}}
	}
	tooLarge := []fieldError{{Field: field, Message: fmt.Sprintf("the files must be at most %d bytes in all", maxTotal), Code: "FILES_TOO_LARGE"}}
	unreadable := func(err error) []fieldError {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return tooLarge
		}
		return []fieldError{{Field: field, Message: "the multipart body cannot be read: " + err.Error(), Code: "INVALID_BODY"}}
	}
	var parts [][]byte
	var total int64
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, unreadable(err)
		}
		if p.FormName() != field {
			if _, err := io.Copy(io.Discard, p); err != nil {
				return nil, unreadable(err)
			}
			continue
		}
		if len(parts) == maxParts {
			return nil, []fieldError{{Field: field, Message: fmt.Sprintf("at most %d files are allowed", maxParts), Code: "TOO_MANY_FILES"}}
		}
		data, err := io.ReadAll(io.LimitReader(p, maxSize+1))
		if err != nil {
			return nil, unreadable(err)
		}
		if int64(len(data)) > maxSize {
			return nil, []fieldError{{Field: field, Message: fmt.Sprintf("each file must be at most %d bytes", maxSize), Code: "FILE_TOO_LARGE"}}
		}
		if len(data) == 0 {
			return nil, []fieldError{{Field: field, Message: "the file is empty", Code: "EMPTY_FILE"}}
		}
		if total += int64(len(data)); total > maxTotal {
			return nil, tooLarge
		}
		parts = append(parts, data)
	}
	if len(parts) == 0 {
		return nil, []fieldError{{Field: field, Message: "a file is required", Code: "REQUIRED"}}
	}
	return parts, nil
}
