package inbound

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime/quotedprintable"
	"strings"
	"unicode/utf8"

	"github.com/jhillyerd/enmime"
)

// Charsets lie. enmime decodes each text part from the charset it declares; two common lies
// are repaired here:
//   - windows-1252 text labelled ISO-8859-1 (Outlook's curly quotes, dashes and euro sign come
//     out as C1 control characters, which no one writes on purpose): fixC1;
//   - UTF-8 text labelled US-ASCII, or sent with no Content-Type at all, which RFC 2045 says
//     is US-ASCII: decoded as windows-1252 it would be mojibake, so such parts are read again
//     undecoded and taken as UTF-8 when they are valid UTF-8 (relabelASCII). A part with no
//     charset whose bytes are not UTF-8 is read as windows-1252 (decodedText).

// windows1252 holds the characters of bytes 0x80 to 0x9F in windows-1252; 0 for the five
// bytes it leaves undefined.
var windows1252 = [32]rune{
	'€', 0, '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', 0, 'Ž', 0,
	0, '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', 0, 'ž', 'Ÿ',
}

// fixC1 replaces the C1 controls U+0080 to U+009F by the windows-1252 characters of the same
// byte values.
func fixC1(s string) string {
	if !strings.ContainsFunc(s, isC1) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isC1(r) {
			if w := windows1252[r-0x80]; w != 0 {
				return w
			}
		}
		return r
	}, s)
}

func isC1(r rune) bool { return r >= 0x80 && r <= 0x9F }

// decodeWindows1252 decodes bytes that are not UTF-8 and declare no charset: windows-1252 is
// what such text nearly always is, and a superset of ISO-8859-1's printable characters.
func decodeWindows1252(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b))
	for _, c := range b {
		switch {
		case c < 0x80 || c >= 0xA0:
			sb.WriteRune(rune(c))
		case windows1252[c-0x80] != 0:
			sb.WriteRune(windows1252[c-0x80])
		default:
			sb.WriteRune(utf8.RuneError)
		}
	}
	return sb.String()
}

// isASCIILabel tells the charsets that promise 7-bit text. enmime gives the top part of a
// message with no Content-Type RFC 2045's default, US-ASCII.
func isASCIILabel(charset string) bool {
	switch strings.ToLower(strings.TrimSpace(charset)) {
	case "us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us", "us":
		return true
	}
	return false
}

func isTextPart(p *enmime.Part) bool {
	return p.ContentType == "text/plain" || p.ContentType == "text/html"
}

// hasMislabelledASCII tells whether a text part declared as US-ASCII holds 8-bit text.
func (e *Email) hasMislabelledASCII(root *enmime.Part) bool {
	for p := range leaves(root) {
		if isTextPart(p) && isASCIILabel(p.Charset) && !isASCII(p.Content) {
			return true
		}
	}
	return false
}

// relabelASCII replaces the content of the text parts of decoded that are declared US-ASCII
// but hold 8-bit text by their undecoded counterpart in raw (the same message read with
// enmime.RawContent), transfer-decoded here, when that is valid UTF-8.
func relabelASCII(decoded, raw *enmime.Part) {
	rawParts := map[string]*enmime.Part{}
	for p := range leaves(raw) {
		rawParts[p.PartID] = p
	}
	for p := range leaves(decoded) {
		if !isTextPart(p) || !isASCIILabel(p.Charset) || isASCII(p.Content) {
			continue
		}
		r, ok := rawParts[p.PartID]
		if !ok {
			continue
		}
		b, err := transferDecode(r.Content, r.Header.Get("Content-Transfer-Encoding"))
		if err == nil && utf8.Valid(b) {
			p.Content = b
		}
	}
}

func transferDecode(b []byte, encoding string) ([]byte, error) {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "quoted-printable":
		return io.ReadAll(quotedprintable.NewReader(bytes.NewReader(b)))
	case "base64":
		clean := bytes.Map(func(r rune) rune {
			if r == '\r' || r == '\n' || r == ' ' || r == '\t' {
				return -1
			}
			return r
		}, b)
		return base64.RawStdEncoding.DecodeString(strings.TrimRight(string(clean), "="))
	}
	return b, nil
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}
