package bookstracktest

// enrichedBook is a book of enrichment results.
type enrichedBook struct {
	ISBN          string   `json:"isbn"`
	Title         string   `json:"title"`
	Authors       any      `json:"authors"` // []string, or []authorObject under Quirks.AuthorObjects
	Publisher     string   `json:"publisher"`
	PublishedDate string   `json:"publishedDate"`
	Description   string   `json:"description"`
	PageCount     int      `json:"pageCount"`
	Categories    []string `json:"categories"`
	Language      string   `json:"language"`
	CoverURL      string   `json:"coverUrl"`
	ThumbnailURL  string   `json:"thumbnailUrl"`
	WorkKey       string   `json:"workKey"`
	EditionKey    string   `json:"editionKey"`
	Provider      string   `json:"provider"`
	Quality       float64  `json:"quality"`
	Vectorized    bool     `json:"vectorized"`
}

type authorObject struct {
	Name string `json:"name"`
}

// enrichmentOutcome is the work of an enrichment job: the books found in
// the catalogue and the ISBNs that were not, in request order.
type enrichmentOutcome struct {
	enriched []enrichedBook
	notFound []string
}

// enrichISBNs looks normalised, distinct ISBNs up in the catalogue. An
// enriched book carries the ISBN as requested.
func enrichISBNs(isbns []string, authorObjects bool) enrichmentOutcome {
	out := enrichmentOutcome{enriched: []enrichedBook{}, notFound: []string{}}
	for _, isbn := range isbns {
		cb, ok := lookupCatalogue(isbn)
		if !ok {
			out.notFound = append(out.notFound, isbn)
			continue
		}
		var authors any = append([]string{}, cb.Authors...)
		if authorObjects {
			objs := make([]authorObject, len(cb.Authors))
			for i, a := range cb.Authors {
				objs[i] = authorObject{Name: a}
			}
			authors = objs
		}
		out.enriched = append(out.enriched, enrichedBook{
			ISBN: isbn, Title: cb.Title, Authors: authors, Publisher: cb.Publisher,
			PublishedDate: cb.PublishedDate, Description: cb.Description, PageCount: cb.PageCount,
			Categories: append([]string{}, cb.Categories...), Language: cb.Language,
			CoverURL: cb.CoverURL, ThumbnailURL: cb.ThumbnailURL, WorkKey: cb.WorkKey,
			EditionKey: cb.EditionKey, Provider: cb.Provider, Quality: cb.Quality, Vectorized: cb.Vectorized,
		})
	}
	return out
}

// results shapes the outcome for the results route as the quirk says.
func (o enrichmentOutcome) results(shape string) any {
	switch shape {
	case "array":
		return o.enriched
	case "empty":
		return []enrichedBook{}
	}
	return struct {
		EnrichedBooks []enrichedBook `json:"enrichedBooks"`
		NotFound      []string       `json:"notFound"`
	}{o.enriched, o.notFound}
}

// list is the array the final completed event carries.
func (o enrichmentOutcome) list(shape string) []enrichedBook {
	if shape == "empty" {
		return []enrichedBook{}
	}
	return o.enriched
}
