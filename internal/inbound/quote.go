package inbound

import (
	"regexp"
	"strings"
	"unicode"
)

// StripQuoted returns the text a customer wrote in a plain-text reply, without the history
// their mail client quoted below it or their signature (E2). It knows the ways of the clients
// customers use: Gmail's and Apple Mail's "On <date>, <sender> wrote:" followed by "> " lines
// (in English, French, German, Spanish, Dutch, Italian, Portuguese and the Scandinavian
// languages), Outlook's "From: / Sent: / To: / Subject:" block (also in French and German) and
// its "-----Original Message-----" line, the "-- " signature delimiter, and the lines mobile
// clients add ("Sent from my iPhone", "Get Outlook for iOS").
//
// The rules, in the order they apply:
//   - A forwarded message ("Begin forwarded message:", "---------- Forwarded message ---------")
//     is kept whole, with what is above it: what a customer forwards is what they want us to
//     read. (A forward that Outlook marks only by its header block cannot be told from a reply
//     by the text: Email.NewText keeps messages whose subject says they are forwards.)
//   - Everything from the first history separator on is history: an Outlook header block, an
//     "Original Message" line, or an attribution line ("On ... wrote:") naming an address but
//     followed by unquoted text (clients that do not mark their quotes).
//   - Everything from a "-- " line on is the signature.
//   - An attribution line and the "> " lines that follow it quote the message being answered:
//     removed, wherever they are, so that a bottom-posted answer is kept without its quote.
//   - "> " lines at the end are a quote too, with or without an attribution, and so is an
//     attribution left alone at the end.
//   - Other "> " lines are the customer's: a line they quoted in order to answer it, above or
//     between their own lines, stays as they wrote it, since the answer means little without
//     it. An inline answer to a quote that follows an attribution keeps its words, though
//     not the quote it answers.
//   - Mobile signatures ("Sent from my iPhone") are removed from the end, and so are quotes
//     that they followed.
//
// Trailing spaces are removed and runs of blank lines become one. Only the first MB of a text is
// read: a customer's reply is at its top, and no one types more. The result is empty when the
// customer wrote nothing of their own.
func StripQuoted(text string) string {
	if len(text) > maxStripped {
		// No one types more; the rules are linear, but not free.
		text = text[:maxStripped]
		if i := strings.LastIndexByte(text, '\n'); i > 0 {
			text = text[:i]
		}
	}
	lines := normalizeLines(splitLines(text))
	// Removing lines can reveal more to remove (an attribution left alone at the end), so the
	// rules run again until nothing changes; each pass is linear, and a few passes are enough
	// for anything but a message built to need more.
	for range 8 {
		n := len(lines)
		lines = cutHistory(lines)
		lines = cutSignature(lines)
		lines = dropQuotes(lines)
		lines = trimTail(lines)
		lines = normalizeLines(lines)
		if len(lines) == n {
			break
		}
	}
	return strings.Join(lines, "\n")
}

// maxStripped is how much of a text StripQuoted reads.
const maxStripped = 1 << 20

func splitLines(text string) []string {
	text = strings.ToValidUTF8(text, "\uFFFD")
	text = strings.TrimPrefix(text, "\uFEFF")
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	return strings.Split(text, "\n")
}

// normalizeLines trims trailing spaces, makes runs of blank lines one, and drops blank lines at
// both ends.
func normalizeLines(lines []string) []string {
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		l = strings.TrimRightFunc(l, unicode.IsSpace)
		if l == "" && (len(out) == 0 || out[len(out)-1] == "") {
			continue
		}
		out = append(out, l)
	}
	if len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}

func isQuoted(line string) bool {
	return strings.HasPrefix(strings.TrimLeft(line, " \t"), ">")
}

func isBlank(line string) bool { return strings.TrimSpace(line) == "" }

// nextNonBlank is the index of the first non-blank line from i on, or -1.
func nextNonBlank(lines []string, i int) int {
	for ; i < len(lines); i++ {
		if !isBlank(lines[i]) {
			return i
		}
	}
	return -1
}

// prevNonBlank is the index of the last non-blank line before i, or -1.
func prevNonBlank(lines []string, i int) int {
	for i--; i >= 0; i-- {
		if !isBlank(lines[i]) {
			return i
		}
	}
	return -1
}

// squash makes every run of white space, non-breaking ones included (Apple Mail and Gmail put
// them in attribution lines), one ordinary space.
func squash(s string) string {
	return strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
}

// Attribution lines, by language. Gmail wraps long ones, so up to three lines are read as one.
var (
	attributionStart = regexp.MustCompile(`(?i)^(on|le|am|el|op|il|em|no dia|den|på)\s`)
	attributionFull  = regexp.MustCompile(`(?i)^(` +
		`on\s.+\swrote` + // On Tue, 3 Nov 2026 at 10:02, Helpdesk <reply+x@example.com> wrote:
		`|le\s.+\sa écrit` + // Le mar. 3 nov. 2026 à 10:02, Helpdesk <...> a écrit :
		`|am\s.+\sschrieb(\s.*)?` + // Am Di., 3. Nov. 2026 um 10:02 Uhr schrieb Helpdesk <...>:
		`|el\s.+\sescribió` +
		`|op\s.+\sschreef(\s.*)?` +
		`|il\s.+\sha scritto` +
		`|(em|no dia)\s.+\sescreveu` +
		`|(den|på)\s.+\sskrev(\s.*)?` +
		`)\s?:$`)
	// Any line that ends as an attribution does, believed only when a quote follows it.
	attributionEnd = regexp.MustCompile(`(?i)(^|\s)(wrote|writes|a écrit|schrieb|escribió|` +
		`schreef|ha scritto|escreveu|skrev)(\s.{0,160})?\s?:$`)
)

const maxAttribution = 600 // bytes; longer "lines" are not attributions

// attribution reports whether lines[i] starts an attribution line, and where it ends. strong
// is for the ones that read as a date and a sender in a known language; the others only end
// like one.
func attribution(lines []string, i int) (end int, strong, ok bool) {
	if isQuoted(lines[i]) || isBlank(lines[i]) {
		return 0, false, false
	}
	joined := ""
	for j := i; j < len(lines) && j < i+3; j++ {
		if isQuoted(lines[j]) || isBlank(lines[j]) {
			break
		}
		joined += " " + lines[j]
		if len(joined) > maxAttribution {
			break
		}
		if !strings.HasSuffix(lines[j], ":") {
			continue
		}
		s := squash(joined)
		if attributionStart.MatchString(s) && attributionFull.MatchString(s) {
			return j, true, true
		}
		if attributionEnd.MatchString(s) {
			return j, false, true
		}
	}
	return 0, false, false
}

// Outlook's block of the answered message's headers: a From line, then, within a few lines,
// a date and a recipient or subject.
var (
	headerLabel = regexp.MustCompile(`^\*{0,2}(\p{L}[\p{L} ]{0,20}?)\s?:\*{0,2}(\s|$)`)
	fromLabels  = labels("from", "de", "von", "van", "da", "från", "fra", "od")
	dateLabels  = labels("sent", "date", "envoyé", "gesendet", "datum", "data", "fecha", "enviado",
		"enviada", "verzonden", "inviato", "skickat", "sendt", "wysłano")
	toLabels = labels("to", "cc", "subject", "à", "a", "objet", "an", "betreff", "para", "asunto",
		"aan", "onderwerp", "oggetto", "assunto", "till", "til", "ämne", "emne", "do", "temat")
	originalMessage = regexp.MustCompile(`(?i)^-{2,}\s*(original message|original-nachricht|` +
		`ursprüngliche nachricht|message d['’]origine|mensaje original|messaggio originale|` +
		`oorspronkelijk bericht|mensagem original|originalmeddelande|oprindelig meddelelse|` +
		`opprinnelig melding)\s*-{2,}$`)
	separatorLine = regexp.MustCompile(`^(_{8,}|-{8,})$`)
)

func labels(names ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

func label(line string) string {
	m := headerLabel.FindStringSubmatch(squash(line))
	if m == nil {
		return ""
	}
	return strings.ToLower(m[1])
}

func isHeaderBlock(lines []string, i int) bool {
	if !fromLabels[label(lines[i])] {
		return false
	}
	var date, to bool
	for k := i + 1; k < len(lines) && k <= i+8; k++ {
		if isBlank(lines[k]) || isQuoted(lines[k]) {
			break
		}
		l := label(lines[k])
		date = date || dateLabels[l]
		to = to || toLabels[l]
	}
	return date && to
}

var forwardMarker = regexp.MustCompile(`(?i)^(-{2,}\s*(forwarded message|weitergeleitete nachricht|` +
	`message transféré|mensaje reenviado|messaggio inoltrato|doorgestuurd bericht|` +
	`mensagem encaminhada)\s*-{2,}|begin forwarded message:|début du message réexpédié\s?:|` +
	`anfang der weitergeleiteten nachricht:|inicio del mensaje reenviado:)$`)

// forwardStart is the index of the line that starts a forwarded message, or len(lines).
func forwardStart(lines []string) int {
	for i, line := range lines {
		if !isQuoted(line) && forwardMarker.MatchString(squash(line)) {
			return i
		}
	}
	return len(lines)
}

// cutHistory drops everything from the first history separator on.
func cutHistory(lines []string) []string {
	for i, line := range lines[:forwardStart(lines)] {
		if isQuoted(line) || isBlank(line) {
			continue
		}
		cut := originalMessage.MatchString(squash(line)) || isHeaderBlock(lines, i)
		if !cut && attributionStart.MatchString(squash(line)) {
			if end, strong, ok := attribution(lines, i); ok && strong {
				next := nextNonBlank(lines, end+1)
				cut = next >= 0 && !isQuoted(lines[next]) &&
					strings.Contains(strings.Join(lines[i:end+1], " "), "@")
			}
		}
		if !cut {
			continue
		}
		if p := prevNonBlank(lines, i); p >= 0 && separatorLine.MatchString(strings.TrimSpace(lines[p])) {
			i = p
		}
		return lines[:i]
	}
	return lines
}

// cutSignature drops everything from the first "-- " line on; clients that trim trailing
// spaces leave "--".
func cutSignature(lines []string) []string {
	for i, line := range lines[:forwardStart(lines)] {
		if strings.TrimSpace(line) == "--" && !isQuoted(line) {
			return lines[:i]
		}
	}
	return lines
}

// dropQuotes removes attribution lines with the quotes that follow them.
func dropQuotes(lines []string) []string {
	drop := make([]bool, len(lines))
	for i := 0; i < len(lines); i++ {
		end, _, ok := attribution(lines, i)
		if !ok {
			continue
		}
		next := nextNonBlank(lines, end+1)
		if next < 0 || !isQuoted(lines[next]) {
			continue
		}
		last := next
		for k := next; k < len(lines) && (isQuoted(lines[k]) || isBlank(lines[k])); k++ {
			if isQuoted(lines[k]) {
				last = k
			}
		}
		for k := i; k <= last; k++ {
			drop[k] = true
		}
		i = last
	}
	var kept []string
	for i, line := range lines {
		if !drop[i] {
			kept = append(kept, line)
		}
	}
	return kept
}

var mobileSignature = regexp.MustCompile(`(?i)^(` +
	`sent from my .{1,40}` +
	`|sent from (mail|outlook|yahoo mail|gmail|samsung mobile|proton ?mail)\b.{0,60}` +
	`|get outlook for (ios|android)\b.{0,80}` +
	`|envoy[ée] (de|depuis) mon .{1,40}` +
	`|(von meinem|gesendet von meinem|gesendet mit) .{1,40}` +
	`|enviado (desde mi|do meu|de meu) .{1,40}` +
	`|inviato da(l mio)? .{1,40}` +
	`|verzonden (vanaf|met) mijn .{1,40}` +
	`|skickat från min .{1,40}` +
	`)$`)

// trimTail removes the quote at the end, with or without an attribution, an attribution left
// alone at the end (its quote was in HTML, and is gone), and the lines mobile clients add at the
// end of what the customer wrote.
func trimTail(lines []string) []string {
	end := len(lines)
	for {
		for end > 0 && (isQuoted(lines[end-1]) || isBlank(lines[end-1])) {
			end--
		}
		if end == 0 {
			return nil
		}
		if mobileSignature.MatchString(squash(lines[end-1])) {
			end--
			continue
		}
		if start, ok := attributionEndingAt(lines, end-1); ok {
			end = start
			continue
		}
		return lines[:end]
	}
}

// attributionEndingAt finds a strong attribution whose last line is lines[last].
func attributionEndingAt(lines []string, last int) (start int, ok bool) {
	for k := max(last-2, 0); k <= last; k++ {
		if end, strong, ok := attribution(lines, k); ok && strong && end == last {
			return k, true
		}
	}
	return 0, false
}
