module github.com/bookstrack/bookstrack-go/docs/asyncapi

go 1.23

require (
	github.com/bookstrack/bookstrack-go v0.0.0
	github.com/santhosh-tekuri/jsonschema/v6 v6.0.3
	go.uber.org/goleak v1.3.0
	go.yaml.in/yaml/v3 v3.0.6
)

require (
	github.com/cenkalti/backoff/v4 v4.3.0 // indirect
	golang.org/x/text v0.14.0 // indirect
)

replace github.com/bookstrack/bookstrack-go => ../..
