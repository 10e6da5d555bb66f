package bookstracktest

import (
	"crypto/sha256"
	"encoding/binary"
)

// detection is a book found on a bookshelf photo, as scan results give it.
type detection struct {
	Title            string   `json:"title"`
	Author           string   `json:"author"`
	ISBN             *string  `json:"isbn"`
	Confidence       *float64 `json:"confidence"`
	BoundingBox      box      `json:"boundingBox"`
	EnrichmentStatus string   `json:"enrichmentStatus"`
	CoverURL         *string  `json:"coverUrl"`
	Publisher        *string  `json:"publisher"`
	PublicationYear  any      `json:"publicationYear"` // an int, a date string or null
}

type box struct {
	X      float64 `json:"x"`
	Y      float64 `json:"y"`
	Width  float64 `json:"width"`
	Height float64 `json:"height"`
}

var enrichmentStatuses = [...]string{"pending", "error", "circuit_open", "not_found"}

// detectBooks fakes the vision model: the SHA-256 of the photo picks 2 to
// 4 distinct catalogue books and, for each, a confidence in 0.50..0.99
// (null one time in 16), an ISBN (null one time in 5), an enrichment
// status (success six times in ten, else pending, error, circuit_open or
// not_found) and a bounding box; the books stand side by side, left to
// right. Only successfully enriched books carry a cover, a publisher and
// a publication year. The same bytes always give the same detections.
func detectBooks(photo []byte, yearAsDate bool) []detection {
	sum := sha256.Sum256(photo)
	books := loadCatalogue().books
	n := 2 + int(sum[0]%3)
	used := map[int]bool{}
	out := make([]detection, 0, n)
	for k := 0; k < n; k++ {
		b := sum[1+6*k : 7+6*k]
		i := int(binary.BigEndian.Uint16(b[0:2])) % len(books)
		for used[i] {
			i = (i + 1) % len(books)
		}
		used[i] = true
		cb := books[i]
		d := detection{
			Title:  cb.Title,
			Author: cb.Authors[0],
			BoundingBox: box{
				X:      (float64(k) + 0.1) / float64(n),
				Y:      0.02 + float64(b[5]%10)/100,
				Width:  0.8 / float64(n),
				Height: 0.6 + float64(b[5]>>4)/60,
			},
			EnrichmentStatus: "success",
		}
		if b[3]&0x0f != 0x0f {
			c := 0.5 + float64(b[2]%50)/100
			d.Confidence = &c
		}
		if (b[3]>>4)%5 != 0 {
			isbn := cb.ISBN13
			d.ISBN = &isbn
		}
		if s := int(b[4] % 10); s < len(enrichmentStatuses) {
			d.EnrichmentStatus = enrichmentStatuses[s]
		}
		if d.EnrichmentStatus == "success" {
			cover, publisher := cb.CoverURL, cb.Publisher
			d.CoverURL, d.Publisher = &cover, &publisher
			d.PublicationYear = publicationYear(cb.PublishedDate, yearAsDate)
		}
		out = append(out, d)
	}
	return out
}

// publicationYear gives a published date ("2003-04-29" or "1994") as an
// int year, or as a full date string when asDate is set.
func publicationYear(date string, asDate bool) any {
	if asDate {
		if len(date) == 4 {
			return date + "-01-01"
		}
		return date
	}
	year := 0
	for _, c := range date[:4] {
		year = year*10 + int(c-'0')
	}
	return year
}
