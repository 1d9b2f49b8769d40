//! Whole-word keyword matching for CRM-synced measurables.
//!
//! Some measurables count CRM activities whose notes mention a keyword, e.g.
//! "meetings with a decision maker" counts notes mentioning "DM", "CEO" or
//! "decision maker". Naive substring search would count "admin" as a "DM",
//! so matching is on whole words, case-insensitively. HubSpot note bodies are
//! HTML, so [`strip_html`] turns them into plain text first.
//!
//! Matching rules:
//!
//! * Text and keywords are split into words. A word is a run of Unicode
//!   alphanumeric characters, combining marks and `_`; everything else
//!   separates words. Words are compared after Unicode lower-casing (no full
//!   case folding: "STRASSE" does not match "straße").
//! * A keyword of several words (a phrase) matches consecutive words of the
//!   text. Between two words, a run of whitespace and/or hyphens is one
//!   generic separator, so "decision maker", "decision-maker" and
//!   "Decision - Maker" are interchangeable in both text and keyword. Any
//!   other punctuation must match exactly (ignoring whitespace around it), so
//!   "AT&T" matches "at & t" but "decision maker" does not match
//!   "decision, maker" (different clauses).
//! * Leading and trailing punctuation of a keyword is ignored ("C++" is
//!   matched as "c"); a keyword with no word characters never matches.
//! * Curly apostrophes are treated as `'`; soft hyphens and zero-width
//!   characters are ignored.
//! * Scripts written without spaces (Chinese, Japanese, Thai) are not
//!   segmented into words, so keywords only match whole space-separated runs.

/// The separator between two words.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Gap {
    /// Whitespace and/or hyphens only.
    Space,
    /// Other punctuation, whitespace removed.
    Literal(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Word {
    /// The separator before this word (meaningless for the first word).
    gap: Gap,
    /// Lower-cased word.
    text: String,
}

fn is_combining_mark(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{FE20}'..='\u{FE2F}')
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || is_combining_mark(c)
}

fn is_ignored(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
    )
}

fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '\u{2010}' | '\u{2011}')
}

fn classify_gap(gap: &str) -> Gap {
    if gap.chars().all(|c| c.is_whitespace() || is_hyphen(c)) {
        Gap::Space
    } else {
        Gap::Literal(
            gap.chars()
                .filter(|c| !c.is_whitespace())
                .map(|c| match c {
                    '\u{2018}' | '\u{2019}' | '\u{02BC}' => '\'',
                    other => other,
                })
                .collect(),
        )
    }
}

fn words(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut gap = String::new();
    let mut word = String::new();
    for c in text.chars().filter(|c| !is_ignored(*c)) {
        if is_word_char(c) {
            word.push(c);
        } else {
            if !word.is_empty() {
                out.push(Word {
                    gap: classify_gap(&gap),
                    text: word.to_lowercase(),
                });
                word.clear();
                gap.clear();
            }
            gap.push(c);
        }
    }
    if !word.is_empty() {
        out.push(Word {
            gap: classify_gap(&gap),
            text: word.to_lowercase(),
        });
    }
    out
}

fn phrase_occurs(text: &[Word], phrase: &[Word]) -> bool {
    if phrase.is_empty() || phrase.len() > text.len() {
        return false;
    }
    text.windows(phrase.len()).any(|window| {
        window
            .iter()
            .zip(phrase)
            .enumerate()
            .all(|(i, (t, p))| t.text == p.text && (i == 0 || t.gap == p.gap))
    })
}

/// Whether `text` contains any of `keywords` as a whole word or phrase,
/// case-insensitively (see the module docs for the exact rules).
pub fn contains_any_whole_word(text: &str, keywords: &[String]) -> bool {
    let text = words(text);
    keywords.iter().any(|k| phrase_occurs(&text, &words(k)))
}

/// The keywords that occur in `text` as whole words or phrases, in the order
/// given.
pub fn matching_keywords<'k>(text: &str, keywords: &'k [String]) -> Vec<&'k str> {
    let text = words(text);
    keywords
        .iter()
        .filter(|k| phrase_occurs(&text, &words(k)))
        .map(String::as_str)
        .collect()
}

/// Words of `text` that contain a keyword without being it: the near
/// misses a whole-word rule leaves out (`DMZ` for "DM", `cofounder` for
/// "founder", `decision makers` for "decision maker"), as written in the
/// text, each once, in order of appearance.
pub fn near_misses(text: &str, keywords: &[String]) -> Vec<String> {
    let lower: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
    let original: Vec<char> = text.chars().collect();
    // Lower-casing can change lengths; near misses are then skipped.
    if lower.len() != original.len() {
        return Vec::new();
    }
    let mut out: Vec<String> = Vec::new();
    for keyword in keywords {
        let k: Vec<char> = keyword
            .trim()
            .chars()
            .flat_map(char::to_lowercase)
            .collect();
        if k.is_empty() || !k.iter().any(|c| is_word_char(*c)) {
            continue;
        }
        let mut i = 0;
        while i + k.len() <= lower.len() {
            if lower[i..i + k.len()] != k[..] {
                i += 1;
                continue;
            }
            let (mut start, mut end) = (i, i + k.len());
            while start > 0 && is_word_char(lower[start - 1]) {
                start -= 1;
            }
            while end < lower.len() && is_word_char(lower[end]) {
                end += 1;
            }
            if (start, end) != (i, i + k.len()) {
                let word: String = original[start..end].iter().collect();
                if !out.contains(&word) {
                    out.push(word);
                }
            }
            i = end.max(i + 1);
        }
    }
    out
}

/// [`contains_any_whole_word`] on an HTML body, after [`strip_html`].
pub fn html_contains_any_whole_word(html: &str, keywords: &[String]) -> bool {
    contains_any_whole_word(&strip_html(html), keywords)
}

/// Inline elements, which do not separate words (`<b>C</b>EO` is "CEO").
const INLINE_TAGS: &[&str] = &[
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "font", "i", "kbd",
    "mark", "q", "s", "samp", "small", "span", "strike", "strong", "sub", "sup", "time", "tt", "u",
    "var", "wbr",
];

/// Converts an HTML fragment to plain text.
///
/// Tags are removed (block-level and unknown tags become a space, inline tags
/// such as `<strong>` vanish), comments and the contents of `<script>` and
/// `<style>` are dropped, the common character references are decoded
/// (`&amp; &lt; &gt; &quot; &apos; &nbsp;`, typographic quotes and dashes,
/// and numeric `&#39;` / `&#x27;` forms; unknown ones are kept verbatim),
/// and whitespace runs collapse to a single space. A `<` that does not start
/// a tag (as in `5 < 6`) is kept. Not a sanitiser: the output is text for
/// matching and previews, not HTML to render.
pub fn strip_html(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        text.push_str(&rest[..lt]);
        let after = &rest[lt..];
        if let Some(body) = after.strip_prefix("<!--") {
            rest = body.find("-->").map_or("", |end| &body[end + 3..]);
            continue;
        }
        let starts_tag = after[1..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, '/' | '!' | '?'));
        if !starts_tag {
            text.push('<');
            rest = &after[1..];
            continue;
        }
        let end = tag_end(after);
        let tag = &after[..end];
        rest = &after[end..];
        let name: String = tag
            .trim_start_matches('<')
            .trim_start_matches('/')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        let closing = tag.starts_with("</");
        if !closing && (name == "script" || name == "style") && !tag.ends_with("/>") {
            rest = skip_raw_text(rest, &name);
            text.push(' ');
            continue;
        }
        if !INLINE_TAGS.contains(&name.as_str()) {
            text.push(' ');
        }
    }
    text.push_str(rest);
    collapse_whitespace(&decode_entities(&text))
}

/// Byte length of the tag starting at `s[0] == '<'`, honouring quoted
/// attribute values; the whole rest if the tag is unterminated.
fn tag_end(s: &str) -> usize {
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices().skip(1) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return i + 1,
            (None, _) => {}
        }
    }
    s.len()
}

/// Skips raw text up to and including the closing `</name ...>` tag.
fn skip_raw_text<'a>(s: &'a str, name: &str) -> &'a str {
    let lower = s.to_ascii_lowercase();
    let needle = format!("</{name}");
    match lower.find(&needle) {
        Some(pos) => {
            let tail = &s[pos..];
            &tail[tag_end(tail)..]
        }
        None => "",
    }
}

fn decode_entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse::<u32>().ok()?,
        };
        return char::from_u32(code).filter(|c| *c != '\0');
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        "ndash" => '–',
        "mdash" => '—',
        "lsquo" => '‘',
        "rsquo" => '’',
        "ldquo" => '“',
        "rdquo" => '”',
        "hellip" => '…',
        "bull" => '•',
        "middot" => '·',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "euro" => '€',
        "pound" => '£',
        _ => return None,
    })
}

fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let decoded = after
            .find(';')
            .filter(|semi| *semi <= 10)
            .and_then(|semi| decode_entity(&after[..semi]).map(|c| (c, semi)));
        match decoded {
            Some((c, semi)) => {
                out.push(c);
                rest = &after[semi + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn collapse_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod near_miss_tests {
    use super::*;

    fn kw(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn near_misses_are_words_holding_a_keyword() {
        let keywords = kw(&["decision maker", "DM", "owner", "founder"]);
        assert_eq!(
            near_misses(
                "DMZ rules, owner_id set, the cofounder and two decision makers; the DM",
                &keywords
            ),
            ["decision makers", "DMZ", "owner_id", "cofounder"]
        );
        assert!(near_misses("spoke with the owner", &keywords).is_empty());
        assert!(near_misses("", &keywords).is_empty());
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn kw(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    fn has(text: &str, keyword: &str) -> bool {
        contains_any_whole_word(text, &kw(&[keyword]))
    }

    #[test]
    fn whole_words_only() {
        assert!(has("Spoke to the DM.", "DM"));
        assert!(has("dm: follow up", "DM"));
        assert!(!has("Spoke to the admin.", "DM"));
        assert!(!has("DMs", "DM"));
        assert!(has("The CEO's assistant", "ceo"));
        assert!(has("(CEO)", "CEO"));
        assert!(!has("", "CEO"));
        assert!(!has("anything", ""));
        assert!(!has("anything", "  --  "));
        assert!(!contains_any_whole_word("Spoke to the DM", &[]));
    }

    #[test]
    fn phrases_treat_hyphens_and_spaces_alike() {
        assert!(has("Met the Decision-maker today", "decision maker"));
        assert!(has("Met the decision   maker", "decision maker"));
        assert!(has("Met the decision\nmaker", "decision-maker"));
        assert!(has("Met the decision - maker", "Decision Maker"));
        assert!(!has("Met the decisionmaker", "decision maker"));
        assert!(!has("A decision, maker of deals", "decision maker"));
        assert!(!has("decision", "decision maker"));
        assert!(has("Spoke with AT&T", "AT&T"));
        assert!(has("Spoke with at & t", "AT&T"));
        assert!(!has("Spoke with at t", "AT&T"));
    }

    #[test]
    fn unicode_text() {
        assert!(has("Réunion avec le PDG", "pdg"));
        assert!(has("RÉUNION", "réunion"));
        // Decomposed é (e + combining acute) stays one word.
        assert!(has("Re\u{301}union", "re\u{301}union"));
        assert!(!has("Re\u{301}union", "union"));
        assert!(has("Gespräch mit dem Geschäftsführer", "GESCHÄFTSFÜHRER"));
        assert!(has("Spoke to O’Brien", "o'brien"));
        assert!(has("deci\u{AD}sion maker", "decision maker"));
        assert!(has("Встреча с CEO", "встреча"));
    }

    #[test]
    fn matching_keywords_lists_hits() {
        let list = kw(&["CEO", "DM", "budget"]);
        assert_eq!(
            matching_keywords("CEO approved the budget", &list),
            vec!["CEO", "budget"]
        );
        assert!(matching_keywords("nothing here", &list).is_empty());
    }

    #[test]
    fn strips_html() {
        assert_eq!(
            strip_html("<p>Spoke with the <strong>CEO</strong></p>"),
            "Spoke with the CEO"
        );
        assert_eq!(strip_html("<p>one</p><p>two</p>"), "one two");
        assert_eq!(strip_html("line<br>break<br/>here"), "line break here");
        assert_eq!(strip_html("<b>C</b>EO"), "CEO");
        assert_eq!(
            strip_html("Tom &amp; Jerry &lt;3 &quot;hi&quot; &#39;x&#x27;"),
            "Tom & Jerry <3 \"hi\" 'x'"
        );
        assert_eq!(strip_html("a&nbsp;b &unknown; & c"), "a b &unknown; & c");
        assert_eq!(strip_html("5 < 6 and 7 > 3"), "5 < 6 and 7 > 3");
        assert_eq!(
            strip_html(r#"<a href="x>y" title='a>b'>link</a> text"#),
            "link text"
        );
        assert_eq!(strip_html("a<!-- CEO -->b"), "ab");
        assert_eq!(strip_html("x<script>var CEO = 1;</script>y"), "x y");
        assert_eq!(strip_html("x<STYLE>p{}</STYLE >y"), "x y");
        assert_eq!(
            strip_html("&lt;b&gt;not a tag&lt;/b&gt;"),
            "<b>not a tag</b>"
        );
        assert_eq!(strip_html("unterminated <p class='x"), "unterminated");
        assert_eq!(strip_html(""), "");
    }

    #[test]
    fn keywords_in_hubspot_html_bodies() {
        let list = kw(&["CEO", "decision maker", "DM"]);
        assert!(html_contains_any_whole_word(
            "<p>Spoke with the <strong>CEO</strong></p>",
            &list
        ));
        assert!(html_contains_any_whole_word(
            "<div>Call with the <em>Decision</em>&#8209;maker</div>",
            &list
        ));
        assert!(html_contains_any_whole_word(
            "<p>Left a voicemail</p><p>DM&nbsp;next week</p>",
            &list
        ));
        assert!(!html_contains_any_whole_word(
            "<p>Emailed the <b>admin</b> team</p>",
            &list
        ));
        // Words in separate paragraphs do not join into a phrase's word.
        assert!(!html_contains_any_whole_word("<p>C</p><p>EO</p>", &list));
        // Attribute values and comments are not text.
        assert!(!html_contains_any_whole_word(
            r#"<a title="CEO">link</a><!-- DM -->"#,
            &list
        ));
    }
}
