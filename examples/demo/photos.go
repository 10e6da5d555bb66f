package main

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
)

// samplePhotos draws n small bookshelf pictures: coloured spines on
// shelves. They are drawn rather than shipped as files; the fake API
// derives its detections from the bytes, so the same pictures always give
// the same books.
func samplePhotos(n int) ([][]byte, error) {
	photos := make([][]byte, n)
	for i := range photos {
		img := image.NewRGBA(image.Rect(0, 0, 240, 160))
		for y := 0; y < 160; y++ {
			for x := 0; x < 240; x++ {
				img.Set(x, y, color.RGBA{90, 60, 30, 255}) // the shelf
			}
		}
		for s := 0; s < 8; s++ {
			c := color.RGBA{uint8(40 + 25*s + 30*i), uint8(200 - 20*s), uint8(60 + 17*s*i), 255}
			x0 := 10 + s*28
			for y := 20 + (s%3)*6; y < 150; y++ {
				for x := x0; x < x0+22; x++ {
					img.Set(x, y, c)
				}
			}
		}
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			return nil, err
		}
		photos[i] = buf.Bytes()
	}
	return photos, nil
}
