package sse_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/bookstrack/bookstrack-go/sse"
)

// frameItem is one result of Decoder.Next: a frame, or an *EventTooLargeError
// (TooLarge holds its Limit).
type frameItem struct {
	Frame    sse.Frame
	TooLarge int
}

func (it frameItem) String() string {
	if it.TooLarge != 0 {
		return fmt.Sprintf("EventTooLarge(limit=%d)", it.TooLarge)
	}
	switch f := it.Frame; f.Kind {
	case sse.FrameEvent:
		return fmt.Sprintf("event(id=%q type=%q data=%q)", f.Event.ID, f.Event.Type, f.Event.Data)
	case sse.FrameComment:
		return fmt.Sprintf("comment(%q)", f.Comment)
	case sse.FrameRetry:
		return fmt.Sprintf("retry(%v)", f.Retry)
	}
	return fmt.Sprintf("frame%+v", it.Frame)
}

func ev(id, typ, data string) frameItem {
	return frameItem{Frame: sse.Frame{Kind: sse.FrameEvent, Event: sse.Event{ID: id, Type: typ, Data: data}}}
}

// msg is an event of the default type.
func msg(id, data string) frameItem { return ev(id, "message", data) }

func commentItem(text string) frameItem {
	return frameItem{Frame: sse.Frame{Kind: sse.FrameComment, Comment: text}}
}

func retryItem(d time.Duration) frameItem {
	return frameItem{Frame: sse.Frame{Kind: sse.FrameRetry, Retry: d}}
}

func tooLarge(limit int) frameItem { return frameItem{TooLarge: limit} }

// decodeCase is one row of the decoding table: a stream and what a fresh
// Decoder must make of it.
type decodeCase struct {
	name   string // the rule the case checks
	in     string
	max    int         // given to SetMaxEventSize when not 0
	seedID string      // given to SetLastEventID when not empty
	want   []frameItem // what Next returns before io.EOF
	lastID string      // LastEventID at the end
}

// bigData is the value of a data line that is too large for the max of 10
// that several cases use.
const bigData = "0123456789"

var decodeCases = []decodeCase{
	// UTF-8 decode: the byte order mark.
	{name: "bom/one leading BOM is stripped", in: "\xEF\xBB\xBFdata: a\n\n", want: []frameItem{msg("", "a")}},
	{name: "bom/only the first BOM is stripped", in: "\xEF\xBB\xBF\xEF\xBB\xBFdata: a\n\ndata: b\n\n", want: []frameItem{msg("", "b")}},
	{name: "bom/BOM before a blank line", in: "\xEF\xBB\xBF\ndata: a\n\n", want: []frameItem{msg("", "a")}},
	{name: "bom/BOM inside a value is kept", in: "data: \xEF\xBB\xBFa\n\n", want: []frameItem{msg("", "\uFEFFa")}},
	{name: "bom/BOM at the start of a later line is not stripped", in: "data: a\n\xEF\xBB\xBFdata: b\n\n", want: []frameItem{msg("", "a")}},
	{name: "bom/truncated BOM is invalid UTF-8", in: "\xEF\xBBdata: a\n\ndata: b\n\n", want: []frameItem{msg("", "b")}},
	{name: "bom/BOM alone", in: "\xEF\xBB\xBF"},
	{name: "bom/BOM then a comment", in: "\xEF\xBB\xBF: hi\n", want: []frameItem{commentItem("hi")}},

	// UTF-8 decode: one U+FFFD for each maximal subpart.
	{name: "utf8/lone FF is one U+FFFD", in: "data: a\xFFb\n\n", want: []frameItem{msg("", "a\uFFFDb")}},
	{name: "utf8/truncated E2 82 before ASCII is one U+FFFD", in: "data: \xE2\x82A\n\n", want: []frameItem{msg("", "\uFFFDA")}},
	{name: "utf8/truncated F0 9F 98 at LF is one U+FFFD", in: "data: \xF0\x9F\x98\n\n", want: []frameItem{msg("", "\uFFFD")}},
	{name: "utf8/truncated F0 9F 98 at CR is one U+FFFD", in: "data: \xF0\x9F\x98\r\r", want: []frameItem{msg("", "\uFFFD")}},
	{name: "utf8/truncated E2 before LF is one U+FFFD", in: "data: x\xE2\ndata: y\n\n", want: []frameItem{msg("", "x\uFFFD\ny")}},
	{name: "utf8/overlong C0 AF is two U+FFFD", in: "data: \xC0\xAF\n\n", want: []frameItem{msg("", "\uFFFD\uFFFD")}},
	{name: "utf8/overlong E0 80 80 is three U+FFFD", in: "data: \xE0\x80\x80\n\n", want: []frameItem{msg("", "\uFFFD\uFFFD\uFFFD")}},
	{name: "utf8/surrogate ED A0 80 is three U+FFFD", in: "data: \xED\xA0\x80\n\n", want: []frameItem{msg("", "\uFFFD\uFFFD\uFFFD")}},
	{name: "utf8/F4 90 80 80 above U+10FFFF is four U+FFFD", in: "data: \xF4\x90\x80\x80\n\n", want: []frameItem{msg("", "\uFFFD\uFFFD\uFFFD\uFFFD")}},
	{name: "utf8/lone continuation bytes are one U+FFFD each", in: "data: \x80\xBF\n\n", want: []frameItem{msg("", "\uFFFD\uFFFD")}},
	{name: "utf8/F5 lead byte is one U+FFFD", in: "data: \xF5\x80\n\n", want: []frameItem{msg("", "\uFFFD\uFFFD")}},
	{
		name: "utf8/Unicode table 3-8 example",
		in:   "data: a\xF1\x80\x80\xE1\x80\xC2b\x80c\x80\xBFd\n\n",
		want: []frameItem{msg("", "a\uFFFD\uFFFD\uFFFDb\uFFFDc\uFFFD\uFFFDd")},
	},
	{name: "utf8/valid multibyte text is kept", in: "data: héllo 世界 😀\n\n", want: []frameItem{msg("", "héllo 世界 😀")}},
	{name: "utf8/an encoded U+FFFD is kept", in: "data: \xEF\xBF\xBD\n\n", want: []frameItem{msg("", "\uFFFD")}},
	{
		name:   "utf8/invalid bytes in event type and id are replaced",
		in:     "event: \xFFt\nid: \xC3\ndata: x\n\n",
		want:   []frameItem{ev("\uFFFD", "\uFFFDt", "x")},
		lastID: "\uFFFD",
	},
	{name: "utf8/invalid bytes in a comment are replaced", in: ":\xFF\n", want: []frameItem{commentItem("\uFFFD")}},
	{name: "utf8/invalid byte in a field name makes it unknown", in: "dat\xE1: x\n\n"},

	// Line ends.
	{name: "eol/LF", in: "data: a\ndata: b\n\n", want: []frameItem{msg("", "a\nb")}},
	{name: "eol/CRLF", in: "data: a\r\ndata: b\r\n\r\n", want: []frameItem{msg("", "a\nb")}},
	{name: "eol/CR", in: "data: a\rdata: b\r\r", want: []frameItem{msg("", "a\nb")}},
	{name: "eol/CR, LF and CRLF mixed", in: "data: a\rdata: b\ndata: c\r\n\r\n", want: []frameItem{msg("", "a\nb\nc")}},
	{name: "eol/LF CR is two line ends", in: "data: a\n\rdata: b\n\n", want: []frameItem{msg("", "a"), msg("", "b")}},
	{name: "eol/CR CR LF is two line ends", in: "data: a\r\r\ndata: b\n\n", want: []frameItem{msg("", "a"), msg("", "b")}},
	{name: "eol/CR at the end of the stream ends a line", in: "data: a\n\r", want: []frameItem{msg("", "a")}},
	{name: "eol/leading blank lines", in: "\n\r\n\rdata: a\n\n", want: []frameItem{msg("", "a")}},
	{name: "eol/line of spaces is not blank", in: "data: a\n \ndata: b\n\n", want: []frameItem{msg("", "a\nb")}},

	// Dispatch.
	{name: "dispatch/type defaults to message", in: "data: a\n\n", want: []frameItem{msg("", "a")}},
	{name: "dispatch/event field sets the type", in: "event: add\ndata: 1\n\n", want: []frameItem{ev("", "add", "1")}},
	{name: "dispatch/empty event field gives message", in: "event\ndata: 1\n\nevent:\ndata: 2\n\n", want: []frameItem{msg("", "1"), msg("", "2")}},
	{name: "dispatch/last event field wins", in: "event: a\nevent: b\ndata: 1\n\n", want: []frameItem{ev("", "b", "1")}},
	{name: "dispatch/event field after data still applies", in: "data: 1\nevent: late\n\n", want: []frameItem{ev("", "late", "1")}},
	{name: "dispatch/type resets after an event", in: "event: a\ndata: 1\n\ndata: 2\n\n", want: []frameItem{ev("", "a", "1"), msg("", "2")}},
	{name: "dispatch/type resets after a block without data", in: "event: a\n\ndata: 2\n\n", want: []frameItem{msg("", "2")}},
	{name: "dispatch/block without data dispatches nothing", in: "event: a\nid: 1\n\n", lastID: "1"},
	{name: "dispatch/one trailing LF is stripped", in: "data: a\ndata:\n\n", want: []frameItem{msg("", "a\n")}},
	{name: "dispatch/several blank lines dispatch once", in: "data: a\n\n\n\r\n\r", want: []frameItem{msg("", "a")}},
	{name: "dispatch/data without value gives empty data", in: "data\n\ndata:\n\n", want: []frameItem{msg("", ""), msg("", "")}},
	{name: "dispatch/NUL in data is kept", in: "data: a\x00b\n\n", want: []frameItem{msg("", "a\x00b")}},

	// Fields.
	{name: "field/one leading space is removed", in: "data: a\n\n", want: []frameItem{msg("", "a")}},
	{name: "field/only one leading space is removed", in: "data:  a\n\n", want: []frameItem{msg("", " a")}},
	{name: "field/no space after the colon", in: "data:a\n\n", want: []frameItem{msg("", "a")}},
	{name: "field/tab after the colon is kept", in: "data:\ta\n\n", want: []frameItem{msg("", "\ta")}},
	{name: "field/trailing space is kept", in: "data: a \n\n", want: []frameItem{msg("", "a ")}},
	{name: "field/value keeps later colons", in: "data: a: b:c\n\n", want: []frameItem{msg("", "a: b:c")}},
	{name: "field/no colon means an empty value", in: "data\ndata\n\n", want: []frameItem{msg("", "\n")}},
	{name: "field/unknown field is ignored", in: "foo: bar\ndata: x\nbar\n\n", want: []frameItem{msg("", "x")}},
	{name: "field/Data is not data", in: "Data: x\n\n"},
	{name: "field/DATA is not data", in: "DATA: x\n\n"},
	{name: "field/leading space in the name", in: " data: x\n\n"},
	{name: "field/trailing space in the name", in: "data : x\n\n"},
	{name: "field/NUL in the name", in: "da\x00ta: x\n\n"},
	{name: "field/EVENT is not event", in: "EVENT: a\ndata: x\n\n", want: []frameItem{msg("", "x")}},
	{name: "field/id with a space before the colon is unknown", in: "id : 5\ndata: x\n\n", want: []frameItem{msg("", "x")}},
	{name: "field/event type keeps inner and trailing spaces", in: "event:  a b \ndata: x\n\n", want: []frameItem{ev("", " a b ", "x")}},

	// Comments.
	{name: "comment/one leading space is removed", in: ": hello\n", want: []frameItem{commentItem("hello")}},
	{name: "comment/no space", in: ":hello\n", want: []frameItem{commentItem("hello")}},
	{name: "comment/empty", in: ":\n", want: []frameItem{commentItem("")}},
	{name: "comment/only one space is removed", in: ":  two\n", want: []frameItem{commentItem(" two")}},
	{name: "comment/colons inside are kept", in: ":a: b\n", want: []frameItem{commentItem("a: b")}},
	{name: "comment/does not end the block", in: "data: a\n: c\ndata: b\n\n", want: []frameItem{commentItem("c"), msg("", "a\nb")}},
	{name: "comment/with CR and CRLF", in: ": a\r: b\r\n", want: []frameItem{commentItem("a"), commentItem("b")}},
	{name: "comment/space before the colon is a field", in: " : x\ndata: y\n\n", want: []frameItem{msg("", "y")}},

	// The id field.
	{name: "id/sets the event ID", in: "id: 1\ndata: x\n\n", want: []frameItem{msg("1", "x")}, lastID: "1"},
	{name: "id/carries over to later events", in: "id: 1\ndata: a\n\ndata: b\n\n", want: []frameItem{msg("1", "a"), msg("1", "b")}, lastID: "1"},
	{name: "id/empty value resets", in: "id: 1\ndata: a\n\nid\ndata: b\n\n", want: []frameItem{msg("1", "a"), msg("", "b")}},
	{name: "id/empty value after a colon resets", in: "id: 1\ndata: a\n\nid:\ndata: b\n\n", want: []frameItem{msg("1", "a"), msg("", "b")}},
	{name: "id/value with NUL is ignored", in: "id: 1\ndata: a\n\nid: 2\x003\ndata: b\n\n", want: []frameItem{msg("1", "a"), msg("1", "b")}, lastID: "1"},
	{name: "id/NUL alone is ignored", in: "id: 1\n\nid: \x00\ndata: b\n\n", want: []frameItem{msg("1", "b")}, lastID: "1"},
	{name: "id/applies in a block without data", in: "id: 7\n\ndata: a\n\n", want: []frameItem{msg("7", "a")}, lastID: "7"},
	{name: "id/last id field in a block wins", in: "id: 1\nid: 2\ndata: x\n\n", want: []frameItem{msg("2", "x")}, lastID: "2"},
	{name: "id/after the data field still applies", in: "data: x\nid: 3\n\n", want: []frameItem{msg("3", "x")}, lastID: "3"},
	{name: "id/spaces after the first are kept", in: "id:  a b \ndata: x\n\n", want: []frameItem{msg(" a b ", "x")}, lastID: " a b "},
	{name: "id/seed from SetLastEventID is inherited", in: "data: a\n\n", seedID: "s", want: []frameItem{msg("s", "a")}, lastID: "s"},
	{name: "id/seed is replaced by an id field", in: "id: 2\ndata: a\n\n", seedID: "s", want: []frameItem{msg("2", "a")}, lastID: "2"},
	{name: "id/seed is cleared by an empty id", in: "id\ndata: a\n\n", seedID: "s", want: []frameItem{msg("", "a")}},
	{name: "id/seed survives an incomplete block", in: "id: 9\ndata: x\n", seedID: "s", lastID: "s"},

	// The retry field.
	{name: "retry/digits set the reconnection time", in: "retry: 1500\n", want: []frameItem{retryItem(1500 * time.Millisecond)}},
	{name: "retry/zero", in: "retry: 0\n", want: []frameItem{retryItem(0)}},
	{name: "retry/leading zeros", in: "retry:007\n", want: []frameItem{retryItem(7 * time.Millisecond)}},
	{name: "retry/empty value is ignored", in: "retry:\nretry\nretry: \n"},
	{name: "retry/decimal point is ignored", in: "retry: 1.5\n"},
	{name: "retry/sign is ignored", in: "retry: -1\nretry: +1\n"},
	{name: "retry/exponent and hex are ignored", in: "retry: 1e3\nretry: 0x10\n"},
	{name: "retry/trailing space is ignored", in: "retry: 10 \n"},
	{name: "retry/second leading space is ignored", in: "retry:  10\n"},
	{name: "retry/non-ASCII digits are ignored", in: "retry: \u0661\u0660\nretry: \uFF11\uFF10\n"},
	{name: "retry/saturates at the largest duration", in: "retry: 99999999999999999999999999999\n", want: []frameItem{retryItem(math.MaxInt64)}},
	{name: "retry/largest whole millisecond count", in: "retry: 9223372036854\n", want: []frameItem{retryItem(9223372036854 * time.Millisecond)}},
	{name: "retry/one more millisecond saturates", in: "retry: 9223372036855\n", want: []frameItem{retryItem(math.MaxInt64)}},
	{name: "retry/does not end the block", in: "data: a\nretry: 5\ndata: b\n\n", want: []frameItem{retryItem(5 * time.Millisecond), msg("", "a\nb")}},
	{name: "retry/applies in an incomplete final block", in: "retry: 5\n", want: []frameItem{retryItem(5 * time.Millisecond)}},

	// End of the stream.
	{name: "eof/empty stream", in: ""},
	{name: "eof/incomplete event is discarded", in: "data: a\n", want: nil},
	{name: "eof/unterminated last line is discarded", in: "data: a\n\ndata: b", want: []frameItem{msg("", "a")}},
	{name: "eof/unterminated comment is discarded", in: ": x"},
	{name: "eof/unterminated retry is discarded", in: "retry: 5"},
	{name: "eof/id of an incomplete block does not apply", in: "id: 1\ndata: a\n\nid: 5\ndata: b\n", want: []frameItem{msg("1", "a")}, lastID: "1"},
	{name: "eof/unterminated id does not apply", in: "data: a\n\nid: 5", want: []frameItem{msg("", "a")}},
	{name: "eof/final CR CR dispatches", in: "data: a\r\r", want: []frameItem{msg("", "a")}},

	// The examples of the WHATWG specification.
	{name: "whatwg/YHOO +2 10", in: "data: YHOO\ndata: +2\ndata: 10\n\n", want: []frameItem{msg("", "YHOO\n+2\n10")}},
	{
		name: "whatwg/test stream with id reset",
		in:   ": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n",
		want: []frameItem{commentItem("test stream"), msg("1", "first event"), msg("", "second event"), msg("", " third event")},
	},
	{
		name: "whatwg/test stream without the final blank line",
		in:   ": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n",
		want: []frameItem{commentItem("test stream"), msg("1", "first event"), msg("", "second event")},
	},
	{name: "whatwg/empty data and a lone newline", in: "data\n\ndata\ndata\n\ndata:", want: []frameItem{msg("", ""), msg("", "\n")}},
	{name: "whatwg/space after the colon is ignored", in: "data:test\n\ndata: test\n\n", want: []frameItem{msg("", "test"), msg("", "test")}},
	{
		name: "whatwg/event types",
		in:   "event: add\ndata: 73857293\n\nevent: remove\ndata: 2153\n\nevent: add\ndata: 113411\n\n",
		want: []frameItem{ev("", "add", "73857293"), ev("", "remove", "2153"), ev("", "add", "113411")},
	},

	// The maximum event size.
	{name: "max/block of exactly max bytes is accepted", max: 10, in: "data:12345\n\n", want: []frameItem{msg("", "12345")}},
	{name: "max/one byte over max is too large", max: 10, in: "data:123456\n\ndata: ok\n\n", want: []frameItem{tooLarge(10), msg("", "ok")}},
	{name: "max/line ends do not count", max: 12, in: "data:1\r\ndata:2\r\n\r\n", want: []frameItem{msg("", "1\n2")}},
	{name: "max/lines of a block add up", max: 11, in: "data:1\r\ndata:2\r\n\r\ndata: ok\n\n", want: []frameItem{tooLarge(11), msg("", "ok")}},
	{name: "max/a comment line longer than max is too large", max: 7, in: ": hello!\n\ndata: a\n\n", want: []frameItem{tooLarge(7), msg("", "a")}},
	{name: "max/comment lines do not add up", max: 7, in: ": abcd\n: efgh\n: ijkl\ndata: a\n\n", want: []frameItem{commentItem("abcd"), commentItem("efgh"), commentItem("ijkl"), msg("", "a")}},
	{name: "max/id, event and retry lines do not add up", max: 9, in: "id: 12\nevent: ab\nretry: 1\nid: 34\ndata: a\n\n", want: []frameItem{retryItem(time.Millisecond), ev("34", "ab", "a")}, lastID: "34"},
	{name: "max/an id line longer than max is too large", max: 8, in: "id: 123456\ndata: a\n\ndata: b\n\n", want: []frameItem{tooLarge(8), msg("", "b")}},
	{name: "max/data lines add up across a comment", max: 12, in: "data: a\n: cc\ndata: b\n\ndata: ok\n\n", want: []frameItem{commentItem("cc"), tooLarge(12), msg("", "ok")}},
	{name: "max/data fields without a colon count", max: 8, in: "data\ndata\ndata\n\ndata: ok\n\n", want: []frameItem{tooLarge(8), msg("", "ok")}},
	{name: "max/an unterminated comment longer than max is too large", max: 8, in: "data: ok\n\n: 1234567", want: []frameItem{msg("", "ok"), tooLarge(8)}},
	{name: "max/an unterminated comment up to max is not", max: 8, in: "data: ok\n\n: 123456", want: []frameItem{msg("", "ok")}},
	{name: "max/size restarts with each block", max: 7, in: "data: a\n\ndata: b\n\n: c\n\n", want: []frameItem{msg("", "a"), msg("", "b"), commentItem("c")}},
	{name: "max/size restarts after a block without data", max: 7, in: "id: 12\n\ndata: a\n\n", want: []frameItem{msg("12", "a")}, lastID: "12"},
	{name: "max/input bytes count, not decoded bytes", max: 10, in: "data:\xFF\xFF\xFF\xFF\xFF\n\n", want: []frameItem{msg("", strings.Repeat("\uFFFD", 5))}},
	{name: "max/id of the oversized block does not apply", max: 10, in: "id: 1\ndata: " + bigData + "\n\ndata: ok\n\n", want: []frameItem{tooLarge(10), msg("", "ok")}},
	{name: "max/id after the overflow does not apply", max: 10, in: "data: " + bigData + "\nid: 2\n\ndata: ok\n\n", want: []frameItem{tooLarge(10), msg("", "ok")}},
	{name: "max/type of the oversized block does not leak", max: 12, in: "event: big\ndata: " + bigData + "\n\ndata: ok\n\n", want: []frameItem{tooLarge(12), msg("", "ok")}},
	{name: "max/data of the oversized block does not leak", max: 12, in: "data: a\ndata: " + bigData + "\n\ndata: ok\n\n", want: []frameItem{tooLarge(12), msg("", "ok")}},
	{
		name: "max/frames before the overflow are kept",
		max:  20,
		in:   ": c\nretry: 5\ndata: 0123456789abcdef\n\ndata: ok\n\n",
		want: []frameItem{commentItem("c"), retryItem(5 * time.Millisecond), tooLarge(20), msg("", "ok")},
	},
	{
		name: "max/lines after the overflow are skipped",
		max:  10,
		in:   "data: " + bigData + "\n: c\nretry: 5\nid: 3\ndata: more\n\ndata: ok\n\n",
		want: []frameItem{tooLarge(10), msg("", "ok")},
	},
	{name: "max/two oversized blocks in a row", max: 10, in: "data: " + bigData + "\n\n:" + bigData + "\n\ndata: ok\n\n", want: []frameItem{tooLarge(10), tooLarge(10), msg("", "ok")}},
	{name: "max/skipped block ends at a CRLF blank line", max: 10, in: "data: " + bigData + "\r\n\r\ndata: ok\r\n\r\n", want: []frameItem{tooLarge(10), msg("", "ok")}},
	{name: "max/skipped block ends at a CR blank line", max: 10, in: "data: " + bigData + "\rdata: more\r\rdata: ok\r\r", want: []frameItem{tooLarge(10), msg("", "ok")}},
	{name: "max/LF after the oversized line's CR is not a blank line", max: 10, in: "data: " + bigData + "\r\ndata: more\r\n\r\ndata: ok\n\n", want: []frameItem{tooLarge(10), msg("", "ok")}},
	{name: "max/oversized block at the end of the stream", max: 10, in: "data: ok\n\ndata: " + bigData + "\n", want: []frameItem{msg("", "ok"), tooLarge(10)}},
	{name: "max/oversized unterminated line at the end of the stream", max: 10, in: "data: ok\n\ndata: " + bigData, want: []frameItem{msg("", "ok"), tooLarge(10)}},
	{name: "max/id set before the oversized block survives", max: 12, in: "id: 1\ndata: a\n\nid: 2\ndata: " + bigData + "\n\ndata: b\n\n", want: []frameItem{msg("1", "a"), tooLarge(12), msg("1", "b")}, lastID: "1"},
}

// drain calls Next until it returns an error other than an
// *EventTooLargeError, and returns what came before and that error. It
// gives up after maxCalls calls, so a decoder that keeps returning frames
// cannot hang the test.
func drainFrames(d *sse.Decoder, maxCalls int) ([]frameItem, error) {
	var got []frameItem
	for range maxCalls {
		f, err := d.Next()
		if err != nil && f != (sse.Frame{}) {
			return got, fmt.Errorf("Next returned frame %+v with error %v", f, err)
		}
		var tl *sse.EventTooLargeError
		switch {
		case err == nil:
			got = append(got, frameItem{Frame: f})
		case errors.As(err, &tl):
			if !errors.Is(err, sse.ErrEventTooLarge) {
				return got, fmt.Errorf("%v does not match ErrEventTooLarge", err)
			}
			got = append(got, frameItem{TooLarge: tl.Limit})
		default:
			return got, err
		}
	}
	return got, fmt.Errorf("no end after %d calls to Next", maxCalls)
}

// decodeResult is everything observable about decoding one stream.
type decodeResult struct {
	items  []frameItem
	err    error  // the error that ended drain
	again  error  // the error of one more call to Next
	lastID string // LastEventID at the end
}

func (r decodeResult) equal(o decodeResult) bool {
	return slices.Equal(r.items, o.items) && r.err == o.err && r.again == o.again && r.lastID == o.lastID
}

func (r decodeResult) String() string {
	var b strings.Builder
	for _, it := range r.items {
		fmt.Fprintf(&b, "\n\t%v", it)
	}
	fmt.Fprintf(&b, "\n\tthen %v, then %v; LastEventID %q", r.err, r.again, r.lastID)
	return b.String()
}

// decode runs c's settings over the stream r reads.
func decodeWith(c decodeCase, r io.Reader) decodeResult {
	d := sse.NewDecoder(r)
	if c.max != 0 {
		d.SetMaxEventSize(c.max)
	}
	if c.seedID != "" {
		d.SetLastEventID(c.seedID)
	}
	items, err := drainFrames(d, len(c.in)+10)
	_, again := d.Next()
	return decodeResult{items: items, err: err, again: again, lastID: d.LastEventID()}
}

// wantResult is what every way of feeding c must give.
func (c decodeCase) wantResult() decodeResult {
	return decodeResult{items: c.want, err: io.EOF, again: io.EOF, lastID: c.lastID}
}

func checkDecode(t *testing.T, c decodeCase, how string, r io.Reader) {
	t.Helper()
	got := decodeWith(c, r)
	if want := c.wantResult(); !got.equal(want) {
		t.Errorf("%s: decoding %q\ngot:%v\nwant:%v", how, c.in, got, want)
	}
}

func TestDecoderRules(t *testing.T) {
	seen := make(map[string]bool)
	for _, c := range decodeCases {
		if seen[c.name] {
			t.Fatalf("two cases named %q", c.name)
		}
		seen[c.name] = true
		t.Run(c.name, func(t *testing.T) {
			checkDecode(t, c, "whole", strings.NewReader(c.in))
		})
	}
}

// TestDecoderIOTestReaders feeds the table through the readers of
// testing/iotest.
func TestDecoderIOTestReaders(t *testing.T) {
	readers := []struct {
		name string
		wrap func(io.Reader) io.Reader
	}{
		{"OneByteReader", iotest.OneByteReader},
		{"HalfReader", iotest.HalfReader},
		{"DataErrReader", iotest.DataErrReader},
		{"DataErrReader(OneByteReader)", func(r io.Reader) io.Reader { return iotest.DataErrReader(iotest.OneByteReader(r)) }},
		{"WaitingReader(HalfReader)", func(r io.Reader) io.Reader { return sse.WaitingReader(iotest.HalfReader(r)) }},
	}
	for _, rd := range readers {
		t.Run(rd.name, func(t *testing.T) {
			for _, c := range decodeCases {
				checkDecode(t, c, rd.name, rd.wrap(strings.NewReader(c.in)))
			}
		})
	}
}

func TestDecoderKindString(t *testing.T) {
	for k, want := range map[sse.FrameKind]string{sse.FrameEvent: "event", sse.FrameComment: "comment", sse.FrameRetry: "retry", 0: "unknown"} {
		if got := k.String(); got != want {
			t.Errorf("FrameKind(%d).String() = %q, want %q", k, got, want)
		}
	}
}

func TestDecoderDecodeSkipsCommentsAndRetries(t *testing.T) {
	d := sse.NewDecoder(strings.NewReader(": hi\nretry: 250\ndata: a\n\n: bye\nretry: x\nid: 4\nevent: e\ndata: b\n\nretry: 9\n"))
	if r, ok := d.Retry(); ok || r != 0 {
		t.Errorf("Retry() before any retry field = %v, %v; want 0, false", r, ok)
	}
	var got []sse.Event
	for {
		e, err := d.Decode()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("Decode: %v", err)
		}
		got = append(got, e)
	}
	want := []sse.Event{{Type: "message", Data: "a"}, {ID: "4", Type: "e", Data: "b"}}
	if !slices.Equal(got, want) {
		t.Errorf("Decode gave %+v, want %+v", got, want)
	}
	if r, ok := d.Retry(); !ok || r != 9*time.Millisecond {
		t.Errorf("Retry() = %v, %v; want 9ms, true", r, ok)
	}
	if _, err := d.Decode(); err != io.EOF {
		t.Errorf("Decode after the end = %v, want io.EOF", err)
	}
}

func TestDecoderDecodeReturnsEventTooLarge(t *testing.T) {
	d := sse.NewDecoder(strings.NewReader(": c\ndata: " + bigData + "\n\ndata: ok\n\n"))
	d.SetMaxEventSize(10)
	_, err := d.Decode()
	var tl *sse.EventTooLargeError
	if !errors.As(err, &tl) || !errors.Is(err, sse.ErrEventTooLarge) || tl.Limit != 10 {
		t.Fatalf("first Decode = %v, want an *EventTooLargeError with Limit 10", err)
	}
	if e, err := d.Decode(); err != nil || e != (sse.Event{Type: "message", Data: "ok"}) {
		t.Fatalf("second Decode = %+v, %v; want the event ok", e, err)
	}
}

func TestDecoderSetMaxEventSizeZeroRestoresDefault(t *testing.T) {
	for _, n := range []int{0, -1} {
		d := sse.NewDecoder(io.MultiReader(strings.NewReader("data: "), &repeatReader{n: sse.DefaultMaxEventSize}, strings.NewReader("\n\ndata: ok\n\n")))
		d.SetMaxEventSize(10)
		d.SetMaxEventSize(n)
		_, err := d.Next()
		var tl *sse.EventTooLargeError
		if !errors.As(err, &tl) || tl.Limit != sse.DefaultMaxEventSize {
			t.Fatalf("SetMaxEventSize(%d): Next = %v, want an *EventTooLargeError with Limit %d", n, err, sse.DefaultMaxEventSize)
		}
	}
}

func TestDecoderDefaultMaxAcceptsItsSize(t *testing.T) {
	// "data:" is 5 bytes: the value fills the block to exactly the default.
	n := sse.DefaultMaxEventSize - len("data:")
	d := sse.NewDecoder(io.MultiReader(strings.NewReader("data:"), &repeatReader{n: n}, strings.NewReader("\n\n")))
	e, err := d.Decode()
	if err != nil || len(e.Data) != n {
		t.Fatalf("Decode = %d bytes of data, %v; want %d bytes", len(e.Data), err, n)
	}
}

var errReadFailed = errors.New("boom")

// stepReader returns one readStep per Read: its bytes (at most len(p) of
// them; the rest stays for the next Read) and, with the last of them, its
// error. After the script it returns 0, io.EOF.
type stepReader struct {
	steps []readStep
	reads int // Read calls
}

type readStep struct {
	data string
	err  error
}

func (r *stepReader) Read(p []byte) (int, error) {
	r.reads++
	if len(r.steps) == 0 {
		return 0, io.EOF
	}
	s := &r.steps[0]
	n := copy(p, s.data)
	s.data = s.data[n:]
	if s.data != "" {
		return n, nil
	}
	err := s.err
	r.steps = r.steps[1:]
	return n, err
}

func TestDecoderReadError(t *testing.T) {
	cases := []struct {
		name   string
		steps  []readStep
		want   []frameItem
		lastID string
	}{
		{
			name:   "error with the last bytes",
			steps:  []readStep{{"id: 1\ndata: a\n\ndata: b\n\ndata: partial", errReadFailed}},
			want:   []frameItem{msg("1", "a"), msg("1", "b")},
			lastID: "1",
		},
		{
			name:   "error after the bytes",
			steps:  []readStep{{"id: 1\ndata: a\n\n", nil}, {"data: b\n\n", nil}, {"", errReadFailed}},
			want:   []frameItem{msg("1", "a"), msg("1", "b")},
			lastID: "1",
		},
		{
			name:   "error inside a block",
			steps:  []readStep{{"id: 1\ndata: a\n\nid: 2\ndata: b\n", errReadFailed}},
			want:   []frameItem{msg("1", "a")},
			lastID: "1",
		},
		{
			name:   "error after a CR",
			steps:  []readStep{{"data: a\r", nil}, {"", errReadFailed}},
			want:   nil,
			lastID: "",
		},
		{
			name:  "error on the first read",
			steps: []readStep{{"", errReadFailed}},
		},
		{
			name:  "error after a comment and a retry",
			steps: []readStep{{": c\r\nretry: 3\r\n", errReadFailed}},
			want:  []frameItem{commentItem("c"), retryItem(3 * time.Millisecond)},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// What the reader would return after its error must not be used.
			steps := append(slices.Clone(c.steps), readStep{"\n\ndata: after\n\n", nil})
			r := &stepReader{steps: steps}
			d := sse.NewDecoder(r)
			got, err := drainFrames(d, 100)
			if !slices.Equal(got, c.want) {
				t.Errorf("frames: got %v, want %v", got, c.want)
			}
			if err != errReadFailed {
				t.Errorf("Next after the frames = %v, want %v", err, errReadFailed)
			}
			reads := r.reads
			for i := range 3 {
				if f, err := d.Next(); err != errReadFailed || f != (sse.Frame{}) {
					t.Errorf("call %d after the error: Next = %+v, %v; want the sticky %v", i+1, f, err, errReadFailed)
				}
				if _, err := d.Decode(); err != errReadFailed {
					t.Errorf("call %d after the error: Decode = %v; want the sticky %v", i+1, err, errReadFailed)
				}
			}
			if r.reads != reads {
				t.Errorf("the decoder read %d more times after the error", r.reads-reads)
			}
			if id := d.LastEventID(); id != c.lastID {
				t.Errorf("LastEventID() = %q, want %q", id, c.lastID)
			}
		})
	}
}

func TestDecoderIOTestReadErrors(t *testing.T) {
	t.Run("ErrReader", func(t *testing.T) {
		d := sse.NewDecoder(iotest.ErrReader(errReadFailed))
		for range 2 {
			if _, err := d.Next(); err != errReadFailed {
				t.Fatalf("Next = %v, want %v", err, errReadFailed)
			}
		}
	})
	t.Run("TimeoutReader", func(t *testing.T) {
		// The first read succeeds; the second fails with ErrTimeout.
		d := sse.NewDecoder(iotest.TimeoutReader(strings.NewReader("data: a\n\ndata: b\n")))
		got, err := drainFrames(d, 10)
		if want := []frameItem{msg("", "a")}; !slices.Equal(got, want) || err != iotest.ErrTimeout {
			t.Fatalf("got %v then %v; want %v then %v", got, err, want, iotest.ErrTimeout)
		}
		if _, err := d.Next(); err != iotest.ErrTimeout {
			t.Fatalf("Next after the timeout = %v, want the sticky %v", err, iotest.ErrTimeout)
		}
	})
}

// emptyReader returns its bytes, each preceded by empty reads (0, nil)
// when gap is set, and then empty reads forever, never io.EOF.
type emptyReader struct {
	data  string
	gap   int // empty reads before each byte
	reads int
	empty int // empty reads since the last byte
}

func (r *emptyReader) Read(p []byte) (int, error) {
	r.reads++
	if r.data == "" || r.empty < r.gap || len(p) == 0 {
		r.empty++
		return 0, nil
	}
	r.empty = 0
	p[0] = r.data[0]
	r.data = r.data[1:]
	return 1, nil
}

func TestDecoderNoProgress(t *testing.T) {
	t.Run("empty reads forever", func(t *testing.T) {
		r := &emptyReader{}
		d := sse.NewDecoder(r)
		if _, err := d.Next(); err != io.ErrNoProgress {
			t.Fatalf("Next = %v, want io.ErrNoProgress", err)
		}
		if r.reads > 1000 {
			t.Errorf("the decoder read %d times before giving up", r.reads)
		}
		reads := r.reads
		if _, err := d.Next(); err != io.ErrNoProgress || r.reads != reads {
			t.Errorf("second Next = %v after %d more reads, want the sticky io.ErrNoProgress and no read", err, r.reads-reads)
		}
	})
	t.Run("empty reads after events", func(t *testing.T) {
		d := sse.NewDecoder(&emptyReader{data: "id: 1\ndata: a\n\ndata: b\n"})
		got, err := drainFrames(d, 10)
		if want := []frameItem{msg("1", "a")}; !slices.Equal(got, want) || err != io.ErrNoProgress {
			t.Fatalf("got %v then %v; want %v then io.ErrNoProgress", got, err, want)
		}
		if id := d.LastEventID(); id != "1" {
			t.Errorf("LastEventID() = %q, want %q", id, "1")
		}
	})
	t.Run("some empty reads between bytes are progress", func(t *testing.T) {
		// 10 empty reads before each byte: far more than any limit in total,
		// but never many in a row.
		in := strings.Repeat("data: abc\n\n", 50)
		d := sse.NewDecoder(&emptyReader{data: in, gap: 10})
		got, err := drainFrames(d, 100)
		if len(got) != 50 || err != io.ErrNoProgress {
			t.Fatalf("got %d frames then %v; want 50 events then io.ErrNoProgress", len(got), err)
		}
	})
}

// brokenReader claims to have read n bytes whatever it was given.
type brokenReader struct{ n int }

func (r brokenReader) Read(p []byte) (int, error) { return r.n, nil }

func TestDecoderBrokenReader(t *testing.T) {
	for _, n := range []int{-1, 1 << 30} {
		d := sse.NewDecoder(brokenReader{n})
		_, err := d.Next()
		if err == nil || err == io.EOF {
			t.Errorf("reader returning n=%d: Next = %v, want an error", n, err)
		}
	}
}

// repeatReader returns n bytes of 'x', then io.EOF.
type repeatReader struct{ n int }

var xBlock = bytes.Repeat([]byte{'x'}, 64<<10)

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	p = p[:min(len(p), r.n, len(xBlock))]
	copy(p, xBlock)
	r.n -= len(p)
	return len(p), nil
}

func TestDecoderOversizedEndlessLine(t *testing.T) {
	const line, limit = 64 << 20, 1 << 20
	t.Run("followed by a good event", func(t *testing.T) {
		r := io.MultiReader(strings.NewReader("id: 1\ndata: "), &repeatReader{n: line}, strings.NewReader("\r"), strings.NewReader("\n\r"), strings.NewReader("\ndata: ok\n\n"))
		d := sse.NewDecoder(r)
		d.SetMaxEventSize(limit)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		got, err := drainFrames(d, 10)
		runtime.ReadMemStats(&after)
		if want := []frameItem{tooLarge(limit), msg("", "ok")}; !slices.Equal(got, want) || err != io.EOF {
			t.Fatalf("got %v then %v; want %v then io.EOF", got, err, want)
		}
		alloc := after.TotalAlloc - before.TotalAlloc
		t.Logf("decoding a %d MiB line with a max of %d MiB allocated %.1f MiB", line>>20, limit>>20, float64(alloc)/(1<<20))
		if alloc > 8<<20 {
			t.Errorf("decoding a %d MiB line with a max of %d MiB allocated %d bytes, want at most 8 MiB", line>>20, limit>>20, alloc)
		}
	})
	t.Run("that never ends", func(t *testing.T) {
		r := io.MultiReader(strings.NewReader("data: ok\n\ndata: "), &repeatReader{n: line})
		d := sse.NewDecoder(r)
		d.SetMaxEventSize(limit)
		got, err := drainFrames(d, 10)
		if want := []frameItem{msg("", "ok"), tooLarge(limit)}; !slices.Equal(got, want) || err != io.EOF {
			t.Fatalf("got %v then %v; want %v then io.EOF", got, err, want)
		}
	})
}

func TestDecoderOversizedManySmallLines(t *testing.T) {
	in := strings.Repeat("data: x\n", 1000) + "\ndata: ok\n\n"
	d := sse.NewDecoder(strings.NewReader(in))
	d.SetMaxEventSize(100)
	got, err := drainFrames(d, 10)
	if want := []frameItem{tooLarge(100), msg("", "ok")}; !slices.Equal(got, want) || err != io.EOF {
		t.Fatalf("got %v then %v; want %v then io.EOF", got, err, want)
	}
}

// TestDecoderOversizedSplitCRLF checks that a CRLF split across reads is
// one line end while an oversized block is skipped: the LF must neither
// end the block nor be taken for its blank line.
func TestDecoderOversizedSplitCRLF(t *testing.T) {
	cases := []struct {
		name   string
		chunks []string
		want   []frameItem
	}{
		{
			name:   "blank line split between CR and LF",
			chunks: []string{"data: " + bigData + "\r\n\r", "\ndata: ok\r\n\r\n"},
			want:   []frameItem{tooLarge(10), msg("", "ok")},
		},
		{
			name:   "oversized line's CRLF split",
			chunks: []string{"data: " + bigData + "\r", "\ndata: more\r\n\r\ndata: ok\r\n\r\n"},
			want:   []frameItem{tooLarge(10), msg("", "ok")},
		},
		{
			name:   "oversized unfinished line, then its CRLF split",
			chunks: []string{"data: " + bigData, "xx\r", "\n", "data: more\r\n\r", "\n", "data: ok\r\n\r\n"},
			want:   []frameItem{tooLarge(10), msg("", "ok")},
		},
		{
			name:   "CR alone ends the skipped block when no LF follows",
			chunks: []string{"data: " + bigData + "\r\r", "data: ok\r\r"},
			want:   []frameItem{tooLarge(10), msg("", "ok")},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := sse.NewDecoder(&chunkReader{chunks: c.chunks})
			d.SetMaxEventSize(10)
			got, err := drainFrames(d, 10)
			if !slices.Equal(got, c.want) || err != io.EOF {
				t.Fatalf("got %v then %v; want %v then io.EOF", got, err, c.want)
			}
		})
	}
}

func TestDecoderSetLastEventIDAfterEvents(t *testing.T) {
	d := sse.NewDecoder(strings.NewReader("id: 1\ndata: a\n\ndata: b\n\n"))
	if _, err := d.Next(); err != nil {
		t.Fatal(err)
	}
	if id := d.LastEventID(); id != "1" {
		t.Fatalf("LastEventID() = %q, want 1", id)
	}
	d.SetLastEventID("9")
	if id := d.LastEventID(); id != "9" {
		t.Fatalf("after SetLastEventID: LastEventID() = %q, want 9", id)
	}
	if f, err := d.Next(); err != nil || f != msg("9", "b").Frame {
		t.Fatalf("Next = %+v, %v; want the event b with ID 9", f, err)
	}
}

// TestDecoderSetLastEventIDKeepsBlockID checks SetLastEventID's contract,
// "the last event ID that events without an id field inherit": called
// between the frames of a block that has its own id field, it must not
// replace that field.
func TestDecoderSetLastEventIDKeepsBlockID(t *testing.T) {
	d := sse.NewDecoder(strings.NewReader("id: 5\n: c\ndata: a\n\ndata: b\n\n"))
	if f, err := d.Next(); err != nil || f != commentItem("c").Frame {
		t.Fatalf("Next = %+v, %v; want the comment c", f, err)
	}
	d.SetLastEventID("x")
	got, err := drainFrames(d, 10)
	if want := []frameItem{msg("5", "a"), msg("5", "b")}; !slices.Equal(got, want) || err != io.EOF {
		t.Errorf("after SetLastEventID(%q) inside a block with id 5: got %v then %v; want %v then io.EOF", "x", got, err, want)
	}
	if id := d.LastEventID(); id != "5" {
		t.Errorf("LastEventID() = %q, want 5", id)
	}
}

func TestDecoderSetMaxEventSizeBetweenBlocks(t *testing.T) {
	d := sse.NewDecoder(strings.NewReader("data: " + bigData + "\n\ndata: " + bigData + "\n\ndata: ok\n\n"))
	if e, err := d.Decode(); err != nil || e.Data != bigData {
		t.Fatalf("Decode with the default max = %+v, %v", e, err)
	}
	d.SetMaxEventSize(10)
	got, err := drainFrames(d, 10)
	if want := []frameItem{tooLarge(10), msg("", "ok")}; !slices.Equal(got, want) || err != io.EOF {
		t.Errorf("after SetMaxEventSize(10): got %v then %v; want %v then io.EOF", got, err, want)
	}
}

// TestDecoderLongInputsOneByteReads decodes megabytes one byte per read:
// time must stay linear in the input (a decoder that rescans or copies its
// buffer on each read would take minutes here).
func TestDecoderLongInputsOneByteReads(t *testing.T) {
	const n = 1 << 20
	cases := []struct {
		name string
		in   string
		want []frameItem
	}{
		{"one long line", "data: " + strings.Repeat("y", n) + "\n\n", []frameItem{msg("", strings.Repeat("y", n))}},
		{"long run of CRs", "data: a" + strings.Repeat("\r", n) + "data: b\n\n", []frameItem{msg("", "a"), msg("", "b")}},
		{"many short CR lines", strings.Repeat("data: z\r", n/8) + "\r", []frameItem{msg("", strings.Repeat("z\n", n/8-1)+"z")}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := sse.NewDecoder(iotest.OneByteReader(strings.NewReader(c.in)))
			got, err := drainFrames(d, 10)
			if !slices.Equal(got, c.want) || err != io.EOF {
				t.Errorf("got %d frames then %v; want %d frames then io.EOF", len(got), err, len(c.want))
			}
		})
	}
}
